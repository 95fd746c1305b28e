//! Helpers for the examples of the documentation, so that each shows its point and not the
//! plumbing. Not a public API: hidden, and free to change.

use actix_web::dev::ServiceResponse;
use actix_web::http::Method;
use actix_web::test::TestRequest;

/// `GET path` from `origin`.
pub fn get(path: &str, origin: &str) -> actix_http::Request {
    TestRequest::get()
        .uri(path)
        .insert_header(("Origin", origin))
        .to_request()
}

/// A preflight for `method` on `path` from `origin`, asking for `headers`.
pub fn preflight(path: &str, origin: &str, method: &str, headers: &str) -> actix_http::Request {
    TestRequest::default()
        .method(Method::OPTIONS)
        .uri(path)
        .insert_header(("Origin", origin))
        .insert_header(("Access-Control-Request-Method", method))
        .insert_header(("Access-Control-Request-Headers", headers))
        .to_request()
}

/// A response header's value, as text.
pub fn header<B>(res: &ServiceResponse<B>, name: &str) -> Option<String> {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}
