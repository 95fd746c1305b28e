//! Refusing a request: a short plain-text response without CORS headers, and a log event.

use std::fmt;

use actix_web::dev::ServiceRequest;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::HttpResponse;
use cors_core::{Reason, PREFLIGHT_VARY};

const TEXT_PLAIN: HeaderValue = HeaderValue::from_static("text/plain; charset=utf-8");

/// Response header carrying the detailed refusal reason, in debug mode only.
pub const REFUSAL_HEADER: HeaderName = HeaderName::from_static("x-cors-refusal");

/// The response to a refused request: `400` if it was malformed, `403` otherwise. The body is
/// a static summary unless `debug`, which adds the detailed reason to the body and to the
/// `X-Cors-Refusal` header.
pub(crate) fn refusal_response(
    reason: &Reason<'_>,
    debug: bool,
    vary: &'static str,
) -> HttpResponse {
    let status = if reason.is_malformed() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::FORBIDDEN
    };
    let mut response = if debug {
        let detail = reason.to_string();
        let mut response =
            HttpResponse::with_body(status, format!("CORS request refused: {detail}\n"))
                .map_into_boxed_body();
        if let Ok(value) = HeaderValue::from_str(&detail) {
            response.headers_mut().insert(REFUSAL_HEADER, value);
        }
        response
    } else {
        HttpResponse::with_body(status, reason.refusal_body()).map_into_boxed_body()
    };
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, TEXT_PLAIN);
    headers.insert(header::VARY, HeaderValue::from_static(vary));
    response
}

/// A `403` to a preflight refused for a reason of the route, not of the request (CORS disabled,
/// no route for the requested method): `detail` is in the body, and in debug mode also in the
/// `X-Cors-Refusal` header.
pub(crate) fn refusal_text(detail: &str, debug: bool) -> HttpResponse {
    let mut response = HttpResponse::with_body(
        StatusCode::FORBIDDEN,
        format!("CORS request refused: {detail}\n"),
    );
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, TEXT_PLAIN);
    headers.insert(header::VARY, HeaderValue::from_static(PREFLIGHT_VARY));
    if debug {
        if let Ok(value) = HeaderValue::from_str(detail) {
            headers.insert(REFUSAL_HEADER, value);
        }
    }
    response.map_into_boxed_body()
}

/// What a log event says about the request. Holds references only: the method and path are
/// read when an event is actually emitted, so disabled logging costs next to nothing.
pub(crate) struct Log<'a> {
    handler: &'a str,
    request: &'a ServiceRequest,
}

impl<'a> Log<'a> {
    pub(crate) fn of(handler: &'a str, request: &'a ServiceRequest) -> Log<'a> {
        Log { handler, request }
    }

    fn method(&self) -> &Method {
        self.request.method()
    }

    fn path(&self) -> &str {
        self.request.path()
    }

    /// Logs a refusal (target `cors`, level debug: refusals are driven by clients), with what
    /// was done about it (`action`).
    pub(crate) fn refused(
        &self,
        kind: &'static str,
        reason: &dyn fmt::Display,
        action: &'static str,
    ) {
        tracing::debug!(
            target: "cors",
            handler = self.handler,
            method = %self.method(),
            path = self.path(),
            request = kind,
            reason = %reason,
            action,
            "CORS {kind} refused"
        );
    }

    /// Logs an allowed request (target `cors`, level trace).
    pub(crate) fn allowed(&self, kind: &'static str) {
        tracing::trace!(
            target: "cors",
            handler = self.handler,
            method = %self.method(),
            path = self.path(),
            request = kind,
            "CORS {kind} allowed"
        );
    }

    /// Logs a request the policy did not have to decide, and why (target `cors`, level trace):
    /// no `Origin`, same-origin, CORS disabled on the route, answered by the app itself.
    pub(crate) fn skipped(&self, kind: &'static str, reason: &'static str) {
        tracing::trace!(
            target: "cors",
            handler = self.handler,
            method = %self.method(),
            path = self.path(),
            request = kind,
            reason,
            "CORS {kind} not decided: {reason}"
        );
    }
}

/// Logs the `Access-Control-*` headers the app wrote on a response that a policy decided, and
/// that were removed so that the response carries exactly the policy's (target `cors`, level
/// debug).
pub(crate) fn log_removed(path: Option<&str>, names: &[HeaderName]) {
    let names: Vec<&str> = names.iter().map(HeaderName::as_str).collect();
    tracing::debug!(
        target: "cors",
        path = path.unwrap_or("(error response)"),
        removed = %names.join(", "),
        "CORS headers written by the app removed: the response carries exactly the policy's"
    );
}

/// What happens to a refused request, for the log.
pub(crate) mod action {
    /// A refusal response was sent; the handler did not run.
    pub(crate) const BLOCKED: &str = "blocked: refusal response sent, handler not run";
    /// `OnRefusal::HeadersOnly`: the handler runs, its response has no CORS headers.
    pub(crate) const HEADERS_ONLY: &str =
        "headers only: handler runs, response sent without CORS headers";
    /// A connection upgrade (WebSocket) from a refused origin, blocked in every mode.
    pub(crate) const UPGRADE_BLOCKED: &str = "blocked: a connection upgrade (WebSocket) is not protected by CORS in browsers, refusal response sent in every OnRefusal mode";
    /// A preflight no policy answers goes on to the app.
    pub(crate) const PASSED: &str = "passed to the app: its own OPTIONS handler, or a 404 or 405";
}

/// Why a request was not decided by a policy, for the log.
pub(crate) mod skipped {
    /// No `Origin` header.
    pub(crate) const NOT_CORS: &str = "no Origin header: not a CORS request";
    /// Same-origin requests are never blocked.
    pub(crate) const SAME_ORIGIN: &str =
        "the request comes from the server's own origin: never blocked, no CORS headers";
    /// `#[cors(disable)]`.
    pub(crate) const DISABLED: &str = "CORS is disabled for this route";
}

/// Whether a request refused by the policy comes from the server's own origin: CORS never
/// blocks those. `Sec-Fetch-Site` is set by browsers and cannot be set by pages; otherwise the
/// `Origin` is compared to the request's own scheme and host (as seen through proxies).
pub(crate) fn is_same_origin(req: &ServiceRequest) -> bool {
    // One pass over the request's headers instead of a lookup per name: this runs for every
    // refused request.
    let (mut site, mut origin, mut origins, mut hosts) = (None, None, 0, [None; 3]);
    for (name, value) in req.headers().iter() {
        if *name == header::ORIGIN {
            origin = Some(value);
            origins += 1;
        } else if *name == header::HOST {
            hosts[0] = Some(value);
        } else if *name == SEC_FETCH_SITE {
            site = Some(value);
        } else if *name == header::FORWARDED {
            hosts[1] = Some(value);
        } else if *name == X_FORWARDED_HOST {
            hosts[2] = Some(value);
        }
    }
    if let Some(site) = site {
        // Every current browser sends it, and pages cannot set it: it is the answer.
        return cors_core::is_same_origin_fetch(site.as_bytes());
    }
    // Browsers send one Origin: several are never taken for the server's own.
    let (Some(origin), 1) = (origin, origins) else {
        return false;
    };
    let uri_host = req.uri().host().map(str::as_bytes);
    let candidates = hosts.iter().flatten().map(|v| v.as_bytes()).chain(uri_host);
    if !could_be_own_host(origin.as_bytes(), candidates) {
        return false;
    }
    // Rare: the origin names a host this request was addressed to. Compare precisely, with the
    // scheme and host actix-web derives (Forwarded, X-Forwarded-*, Host, TLS).
    let info = req.connection_info();
    cors_core::is_same_origin(origin.as_bytes(), info.scheme(), info.host())
}

const SEC_FETCH_SITE: HeaderName = HeaderName::from_static("sec-fetch-site");

/// A cheap, allocation-free pre-check: whether the origin's host name occurs in any header
/// that can name the request's own host. A refused cross-origin request (the common case)
/// fails here without computing the connection info.
fn could_be_own_host<'a>(origin: &[u8], mut candidates: impl Iterator<Item = &'a [u8]>) -> bool {
    let Some(start) = origin.windows(3).position(|w| w == b"://") else {
        return false;
    };
    let authority = &origin[start + 3..];
    let host = match authority.iter().rposition(|&b| b == b':') {
        Some(colon) if !authority.ends_with(b"]") => &authority[..colon],
        _ => authority,
    };
    if host.is_empty() || origin.len() > cors_core::MAX_ORIGIN_LEN {
        return false;
    }
    candidates.any(|haystack| {
        haystack.len() >= host.len()
            && haystack
                .windows(host.len())
                .any(|w| w.eq_ignore_ascii_case(host))
    })
}

const X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
