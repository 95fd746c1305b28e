//! Refusing a request: a short plain-text response without CORS headers.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use cors_core::__private::PREFLIGHT_VARY;
use cors_core::Reason;

use crate::policy::policy_ref::{static_value, VARY_ORIGIN};

const TEXT_PLAIN: HeaderValue = HeaderValue::from_static("text/plain; charset=utf-8");

/// Response header carrying the detailed refusal reason, in debug mode only.
pub const REFUSAL_HEADER: HeaderName = HeaderName::from_static("x-cors-refusal");

/// The refusal of an actual request outside debug mode: what its response is made of, two
/// words, made into a response only when the door's future is polled (a response would be
/// moved from the decision into the future and out of it).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Refusal {
    status: StatusCode,
    body: &'static str,
}

impl Refusal {
    /// The refusal for `reason`: `400` if the request cannot be read as CORS, `403` otherwise
    /// ([`Reason::status`]), with the reason's static summary.
    #[inline]
    pub(crate) fn of(reason: &Reason<'_>) -> Refusal {
        Refusal {
            status: if reason.status() == 400 {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::FORBIDDEN
            },
            body: reason.refusal_body(),
        }
    }

    /// Its response to an actual request, with `Vary: Origin` (the refusal depends on the
    /// origin).
    #[inline]
    pub(crate) fn response(self) -> HttpResponse {
        refusal(self.status, self.body, Some(VARY_ORIGIN), None)
    }
}

/// The response to a refused request: `400` if it cannot be read as CORS, `403` otherwise
/// ([`Reason::status`]). The body is
/// a static summary unless `debug`, which adds the detailed reason to the body and to the
/// `X-Cors-Refusal` header.
pub(crate) fn refusal_response(
    reason: &Reason<'_>,
    debug: bool,
    vary: &'static str,
) -> HttpResponse {
    let Refusal { status, body } = Refusal::of(reason);
    let vary = static_value(vary);
    if debug {
        let detail = reason.to_string();
        refusal(status, detailed(&detail), vary, Some(&detail))
    } else {
        refusal(status, body, vary, None)
    }
}

/// A `403` to a preflight refused for a reason of the route, not of the request (CORS disabled,
/// no route for the requested method): `detail` is in the body, and in debug mode also in the
/// `X-Cors-Refusal` header.
pub(crate) fn refusal_text(detail: &str, debug: bool) -> HttpResponse {
    refusal(
        StatusCode::FORBIDDEN,
        detailed(detail),
        static_value(PREFLIGHT_VARY),
        debug.then_some(detail),
    )
}

/// Every refusal: `body` as plain text, `vary`, and `detail` (debug mode) in `X-Cors-Refusal`.
#[inline]
fn refusal(
    status: StatusCode,
    body: impl MessageBody + 'static,
    vary: Option<HeaderValue>,
    detail: Option<&str>,
) -> HttpResponse {
    let mut response = HttpResponse::with_body(status, BoxBody::new(body));
    // A new response: its headers are empty, and `append` is the cheaper write.
    let headers = response.headers_mut();
    headers.append(header::CONTENT_TYPE, TEXT_PLAIN);
    if let Some(vary) = vary {
        headers.append(header::VARY, vary);
    }
    if let Some(value) = detail.and_then(|detail| HeaderValue::from_str(detail).ok()) {
        headers.append(REFUSAL_HEADER, value);
    }
    response
}

/// The body of a refusal that gives its reason.
fn detailed(detail: &str) -> String {
    format!("CORS request refused: {detail}\n")
}
