//! Preflights: recognizing one, and the answer a policy gives it.

use actix_web::dev::{RequestHead, ServiceRequest};
use actix_web::http::header;
use actix_web::http::Method;
use actix_web::HttpResponse;
use cors_core::Decision;

use crate::decorate::{preflight_headers, preflight_vary, PreflightValues};
use crate::policy_ref::PolicyRef;
use crate::refusal::{action, refusal_response, Log};
use crate::settings::PreflightStatus;

/// Whether a request is a CORS preflight: `OPTIONS` with `Origin` and
/// `Access-Control-Request-Method`. Accepts a `ServiceRequest`, an `HttpRequest` or a
/// `RequestHead`.
///
/// [`Cors`](crate::Cors) answers the preflights of every route that has a policy before
/// anything inside it runs; use this in your own code for the preflights it passes on (those
/// of paths without a policy).
///
/// ```
/// use actix_web::test::TestRequest;
/// use cors_actix::is_preflight;
///
/// let req = TestRequest::default()
///     .method(actix_web::http::Method::OPTIONS)
///     .insert_header(("Origin", "https://app.example.com"))
///     .insert_header(("Access-Control-Request-Method", "DELETE"))
///     .to_srv_request();
/// assert!(is_preflight(&req));
/// assert!(is_preflight(req.request()));
/// assert!(is_preflight(req.head()));
/// assert!(!is_preflight(&TestRequest::default().to_srv_request()));
/// ```
pub fn is_preflight(req: &impl AsRequestHead) -> bool {
    let head = req.request_head();
    head.method == Method::OPTIONS
        && head.headers.contains_key(header::ORIGIN)
        && head
            .headers
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
}

/// Request types [`is_preflight`] accepts.
pub trait AsRequestHead: sealed::Sealed {
    /// The request's head.
    fn request_head(&self) -> &RequestHead;
}

impl AsRequestHead for RequestHead {
    fn request_head(&self) -> &RequestHead {
        self
    }
}

impl AsRequestHead for ServiceRequest {
    fn request_head(&self) -> &RequestHead {
        self.head()
    }
}

impl AsRequestHead for actix_web::HttpRequest {
    fn request_head(&self) -> &RequestHead {
        self.head()
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for actix_web::dev::RequestHead {}
    impl Sealed for actix_web::dev::ServiceRequest {}
    impl Sealed for actix_web::HttpRequest {}
}

/// The answer to a preflight that `policy` decided, the decision logged with `log`.
pub(crate) fn preflight_answer(
    values: &PreflightValues<'_>,
    decision: Decision<'_, '_>,
    policy: &PolicyRef,
    log: &Log<'_>,
    debug: bool,
    status: PreflightStatus,
) -> HttpResponse {
    match decision {
        Decision::Allowed(grant) => {
            log.allowed("preflight");
            let mut response = HttpResponse::new(status.code());
            preflight_headers(response.headers_mut(), values, &grant, policy);
            response
        }
        Decision::Refused(reason) => {
            log.refused("preflight", &reason, action::BLOCKED);
            refusal_response(&reason, debug, preflight_vary(policy))
        }
        // Unreachable in practice: preflights are recognized by their `Origin`.
        Decision::NotCors => {
            let reason = cors_core::Reason::MultipleOrigins;
            log.refused("preflight", &reason, action::BLOCKED);
            refusal_response(&reason, debug, preflight_vary(policy))
        }
    }
}
