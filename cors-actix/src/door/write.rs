//! Writing CORS headers: on the responses of allowed actual requests (prepared before the app
//! runs, applied to whatever comes back), and on preflight answers. The last step of the door.

use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::HttpResponse;
use cors_core::{AllowOrigin, Decision, Grant};

use crate::door::log::{action, Log, Why};
use crate::door::read::PreflightValues;
use crate::door::refusal::refusal_response;
use std::sync::Arc;

use crate::policy::policy_ref::{static_value, Prepared, VARY_ORIGIN};
use crate::policy::slot::Loaded;
use crate::preflight_status::PreflightStatus;

/// `Access-Control-Allow-Private-Network`.
pub(crate) const ALLOW_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-allow-private-network");
const TRUE: HeaderValue = HeaderValue::from_static("true");
const ANY: HeaderValue = HeaderValue::from_static("*");

/// The headers to add to an actual response, prepared before the handler runs (so that they
/// can also be added to an error that has no response yet).
#[derive(Clone, Debug, Default)]
pub(crate) struct Decoration {
    /// `Access-Control-Allow-Origin` of an allowed request, and the policy that allowed it,
    /// whose other headers it gets.
    allowed: Option<(HeaderValue, Arc<Prepared>)>,
    /// Whether to list `Origin` in `Vary` (the only name an actual response lists).
    vary: bool,
    /// A policy decided this response: it carries the CORS headers the policy decides and no
    /// other (`false`: no policy, the response passes untouched).
    decided: bool,
}

impl Decoration {
    /// No CORS headers but `Vary` (the policy's
    /// [`actual_vary`](cors_core::Policy::actual_vary)): a request without `Origin`, or refused
    /// with the handler still running.
    pub(crate) fn vary_only(vary: Option<&'static str>) -> Decoration {
        Decoration {
            vary: vary.is_some(),
            decided: true,
            ..Decoration::default()
        }
    }

    /// The headers of an allowed actual request: the grant's, `origin` echoed, values from
    /// `prepared` (the policy that granted it).
    pub(crate) fn allowed(
        grant: &Grant<'_>,
        origin: Option<&HeaderValue>,
        prepared: &Loaded<'_>,
    ) -> Decoration {
        let allow_origin = match grant.allow_origin {
            AllowOrigin::Any => Some(ANY),
            AllowOrigin::Echo => origin.cloned(),
        };
        Decoration {
            allowed: allow_origin.map(|origin| (origin, prepared.share())),
            vary: grant.vary.is_some(),
            decided: true,
        }
    }

    /// Whether there is nothing to do.
    pub(crate) fn is_empty(&self) -> bool {
        !self.decided
    }

    /// Whether it writes CORS headers (those of an allowed request).
    pub(crate) fn writes_headers(&self) -> bool {
        self.allowed.is_some()
    }

    /// Whether a policy decided the response (`None`: it passes untouched), and then whether
    /// `Vary` lists `Origin`.
    pub(crate) fn vary(&self) -> Option<bool> {
        self.decided.then_some(self.vary)
    }

    /// Writes the policy's headers: removes every `Access-Control-*` header the app wrote
    /// (returned, for the log), adds the policy's, appends to `Vary`.
    pub(crate) fn apply(self, headers: &mut HeaderMap) -> Option<Vec<HeaderName>> {
        if !self.decided {
            return None;
        }
        let (removed, vary) = remove_cors_headers(headers);
        // No `Access-Control-*` header is left: `append` (half the instructions of `insert`,
        // which hands back the values it replaces) adds each as the only one.
        if let Some((origin, policy)) = self.allowed {
            headers.append(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            if policy.policy.allows_credentials() {
                headers.append(header::ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE);
            }
            if let Some(expose) = policy.expose() {
                headers.append(header::ACCESS_CONTROL_EXPOSE_HEADERS, expose);
            }
        }
        if self.vary {
            write_vary(headers, vary);
        }
        removed
    }
}

/// The headers of a response a policy decided without CORS headers (no `Origin`, refused with
/// the handler still running): the app's `Access-Control-*` removed (returned, for the log),
/// `Vary: Origin` if `vary`.
#[inline]
pub(crate) fn apply_vary_only(headers: &mut HeaderMap, vary: bool) -> Option<Vec<HeaderName>> {
    let (removed, listed) = remove_cors_headers(headers);
    if vary {
        write_vary(headers, listed);
    }
    removed
}

/// Lists `Origin` in `Vary`: appended as a value of its own, unless the response has a `Vary`
/// (`listed`), which is read first.
#[inline]
fn write_vary(headers: &mut HeaderMap, listed: bool) {
    if listed {
        append_vary(headers, "Origin");
    } else {
        headers.append(header::VARY, VARY_ORIGIN);
    }
}

/// Removes the `Access-Control-*` headers of a response, returning their names (`None`: there
/// were none), and whether it has a `Vary`. One pass over the response's names finds both (the
/// common response has neither).
#[inline]
fn remove_cors_headers(headers: &mut HeaderMap) -> (Option<Vec<HeaderName>>, bool) {
    let (mut cors, mut vary) = (false, false);
    for name in headers.keys() {
        if *name == header::VARY {
            vary = true;
        } else if is_cors_header(name) {
            cors = true;
        }
    }
    (cors.then(|| remove_listed(headers)), vary)
}

fn is_cors_header(name: &HeaderName) -> bool {
    name.as_str().starts_with("access-control-")
}

/// Removes the `Access-Control-*` headers of a response, returning their names.
#[cold]
fn remove_listed(headers: &mut HeaderMap) -> Vec<HeaderName> {
    let names: Vec<HeaderName> = headers
        .keys()
        .filter(|n| is_cors_header(n))
        .cloned()
        .collect();
    for name in &names {
        headers.remove(name);
    }
    names
}

/// Appends `name` to `Vary` unless a `Vary` value already lists it (or is `*`).
pub(crate) fn append_vary(headers: &mut HeaderMap, name: &'static str) {
    let listed = headers
        .get_all(header::VARY)
        .any(|v| cors_core::__private::vary_lists(v.as_bytes(), name));
    if let (false, Some(value)) = (listed, static_value(name)) {
        headers.append(header::VARY, value);
    }
}

/// Writes the headers of an allowed preflight into `out`, the headers of a new response (empty:
/// each is appended, the cheaper write): the grant's, the request's values echoed, values from
/// `prepared` (the policy that granted it).
pub(crate) fn preflight_headers(
    out: &mut HeaderMap,
    request: &PreflightValues<'_>,
    grant: &Grant<'_>,
    prepared: &Prepared,
) {
    match grant.allow_origin {
        AllowOrigin::Any => {
            out.append(header::ACCESS_CONTROL_ALLOW_ORIGIN, ANY);
        }
        AllowOrigin::Echo => {
            if let Some(origin) = request.origin {
                out.append(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
            }
        }
    }
    if grant.allow_credentials {
        out.append(header::ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE);
    }
    if let Some(method) = request.method {
        out.append(header::ACCESS_CONTROL_ALLOW_METHODS, method.clone());
    }
    if let Some(headers) = request.requested_headers() {
        if !headers.as_bytes().trim_ascii().is_empty() {
            out.append(header::ACCESS_CONTROL_ALLOW_HEADERS, headers.clone());
        }
    }
    if let Some(age) = grant.max_age.and_then(|text| prepared.value(text)) {
        out.append(header::ACCESS_CONTROL_MAX_AGE, age);
    }
    if grant.allow_private_network {
        out.append(ALLOW_PRIVATE_NETWORK, TRUE);
    }
    if let Some(vary) = grant.vary.and_then(|text| prepared.value(text)) {
        out.append(header::VARY, vary);
    }
}

/// The answer to a preflight that `prepared` decided, the decision logged with `log`.
pub(crate) fn preflight_answer(
    values: &PreflightValues<'_>,
    decision: Decision<'_, '_>,
    prepared: &Prepared,
    log: &Log<'_>,
    debug: bool,
    status: PreflightStatus,
) -> HttpResponse {
    match decision {
        Decision::Allowed(grant) => {
            log.allowed("preflight");
            let mut response = HttpResponse::new(status.code());
            preflight_headers(response.headers_mut(), values, &grant, prepared);
            response
        }
        Decision::Refused(reason) => {
            log.refused("preflight", Why::of(&reason), action::BLOCKED);
            refusal_response(&reason, debug, prepared.policy.preflight_vary())
        }
        // Unreachable in practice: preflights are recognized by their `Origin`.
        Decision::NotCors => {
            let reason = cors_core::Reason::MultipleOrigins;
            log.refused("preflight", Why::of(&reason), action::BLOCKED);
            refusal_response(&reason, debug, prepared.policy.preflight_vary())
        }
    }
}
