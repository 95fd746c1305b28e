//! Refusing a request: a short plain-text response without CORS headers.

use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
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
