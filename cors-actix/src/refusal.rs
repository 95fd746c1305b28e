//! Refusing a request: a short plain-text response without CORS headers, and a log event.

use std::fmt;

use actix_web::dev::ServiceRequest;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::HttpResponse;
use cors_core::Reason;

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
    let mut builder = HttpResponse::build(status);
    builder
        .insert_header((header::CONTENT_TYPE, "text/plain; charset=utf-8"))
        .insert_header((header::VARY, HeaderValue::from_static(vary)));
    if debug {
        let detail = reason.to_string();
        if let Ok(value) = HeaderValue::from_str(&detail) {
            builder.insert_header((REFUSAL_HEADER, value));
        }
        builder.body(format!("CORS request refused: {detail}\n"))
    } else {
        builder.body(format!("CORS request refused: {}\n", reason.summary()))
    }
}

/// What a log event says about the request.
pub(crate) struct Log<'a> {
    handler: &'a str,
    method: &'a Method,
    path: &'a str,
}

impl<'a> Log<'a> {
    pub(crate) fn new(handler: &'a str, method: &'a Method, path: &'a str) -> Log<'a> {
        Log {
            handler,
            method,
            path,
        }
    }

    pub(crate) fn of(handler: &'a str, req: &'a ServiceRequest) -> Log<'a> {
        Log::new(handler, req.method(), req.path())
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
            method = %self.method,
            path = self.path,
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
            method = %self.method,
            path = self.path,
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
            method = %self.method,
            path = self.path,
            request = kind,
            reason,
            "CORS {kind} not decided: {reason}"
        );
    }
}

/// What happens to a refused request, for the log.
pub(crate) mod action {
    /// A refusal response was sent; the handler did not run.
    pub(crate) const BLOCKED: &str = "blocked: refusal response sent, handler not run";
    /// `OnRefusal::HeadersOnly`: the handler runs, its response has no CORS headers.
    pub(crate) const HEADERS_ONLY: &str =
        "headers only: handler runs, response sent without CORS headers";
    /// The default policy refused a route without `#[cors]`: its handler had already run.
    pub(crate) const DEFAULT_POLICY: &str =
        "route without #[cors]: handler has run, response sent without CORS headers";
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
    /// The app answered a preflight with a success: the default policy leaves it alone.
    pub(crate) const ANSWERED_BY_APP: &str =
        "the app answered the preflight itself (its own OPTIONS handler)";
}

/// Whether a request refused by the policy comes from the server's own origin: CORS never
/// blocks those. `Sec-Fetch-Site` is set by browsers and cannot be set by pages; otherwise the
/// `Origin` is compared to the request's own scheme and host (as seen through proxies).
pub(crate) fn is_same_origin(req: &ServiceRequest) -> bool {
    let headers = req.headers();
    if let Some(site) = headers.get(header::HeaderName::from_static("sec-fetch-site")) {
        if cors_core::is_same_origin_fetch(site.as_bytes()) {
            return true;
        }
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return false;
    };
    let info = req.connection_info();
    cors_core::is_same_origin(origin.as_bytes(), info.scheme(), info.host())
}
