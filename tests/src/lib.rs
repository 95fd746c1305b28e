//! Shared helpers of the integration tests: request builders and a handler-call counter; the
//! security suite's oracle, invariants, fixtures and fuzz-target bodies (see SECURITY.md).
#![forbid(unsafe_code)]

pub mod fixtures;
pub mod fuzzing;
pub mod invariants;
pub mod oracle;
pub mod wire;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use actix_web::dev::ServiceResponse;
use actix_web::http::Method;
use actix_web::test::TestRequest;

/// Counts handler invocations, to prove that a handler did or did not run.
#[derive(Clone, Default)]
pub struct Calls(Arc<AtomicUsize>);

impl Calls {
    /// Records one call.
    pub fn hit(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }

    /// Calls so far.
    pub fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// A preflight for `method` on `path` from `origin`, asking for `headers` (if any).
pub fn preflight(path: &str, origin: &str, method: &str, headers: Option<&str>) -> TestRequest {
    let mut req = TestRequest::default()
        .method(Method::OPTIONS)
        .uri(path)
        .insert_header(("Origin", origin))
        .insert_header(("Access-Control-Request-Method", method));
    if let Some(headers) = headers {
        req = req.insert_header(("Access-Control-Request-Headers", headers));
    }
    req
}

/// An actual request with `method` on `path` from `origin` (no `Origin` header if `None`).
pub fn actual(method: Method, path: &str, origin: Option<&str>) -> TestRequest {
    let req = TestRequest::default().method(method).uri(path);
    match origin {
        Some(origin) => req.insert_header(("Origin", origin)),
        None => req,
    }
}

/// The value of a response header, if present and text.
pub fn header<B>(res: &ServiceResponse<B>, name: &str) -> Option<String> {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Every value of a response header.
pub fn headers<B>(res: &ServiceResponse<B>, name: &str) -> Vec<String> {
    res.headers()
        .get_all(name)
        .filter_map(|v| v.to_str().ok())
        .map(str::to_owned)
        .collect()
}

/// Whether the response carries any `Access-Control-*` header.
pub fn has_cors_headers<B>(res: &ServiceResponse<B>) -> bool {
    res.headers()
        .keys()
        .any(|name| name.as_str().starts_with("access-control-"))
}

/// A response as a client receives it: an `Err` from the service is rendered the way the
/// server renders it (`Error::error_response`, with its response mappers).
pub struct Reply {
    /// Status code.
    pub status: actix_web::http::StatusCode,
    /// Headers.
    pub headers: actix_web::http::header::HeaderMap,
    /// Body.
    pub body: actix_web::web::Bytes,
}

impl Reply {
    /// The value of a header, if present and text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Sends `req` to `app` and returns what a client would receive.
pub async fn reply<S, B>(app: &S, req: actix_http::Request) -> Reply
where
    S: actix_web::dev::Service<
        actix_http::Request,
        Response = ServiceResponse<B>,
        Error = actix_web::Error,
    >,
    B: actix_web::body::MessageBody,
{
    match actix_web::test::try_call_service(app, req).await {
        Ok(res) => {
            let status = res.status();
            let headers = res.headers().clone();
            let body = actix_web::body::to_bytes(res.into_body())
                .await
                .unwrap_or_default();
            Reply {
                status,
                headers,
                body,
            }
        }
        Err(err) => {
            let res = err.error_response();
            let status = res.status();
            let headers = res.headers().clone();
            let body = actix_web::body::to_bytes(res.into_body())
                .await
                .unwrap_or_default();
            Reply {
                status,
                headers,
                body,
            }
        }
    }
}
