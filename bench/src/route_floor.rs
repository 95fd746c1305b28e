//! `route-floor`: the least a correct door costs in an app whose routes have policies of their
//! own, written by hand for this app only. Next to `single-floor` (one policy for every path),
//! it does what a per-route door cannot skip and nothing else:
//! - it finds the policy of the path (a hash map from the exact path: this app has no patterns,
//!   scopes or guards to mirror);
//! - without `Origin`: `Vary: Origin` on the responses of paths with a policy, none elsewhere;
//! - a preflight: the origin compared byte for byte, the requested method checked against the
//!   route's, each requested header against the route's list (case-insensitive); a `204` with
//!   ACAO, ACAC, ACAM, ACAH, max-age and `Vary`, else a static `403` with `Vary`;
//! - an actual request: the origin compared; allowed: ACAO, ACAC, ACEH and `Vary`; another
//!   origin: a same-origin request (`Sec-Fetch-Site: same-origin`, or without it an `Origin`
//!   equal to `scheme://Host`) passes with `Vary`, any other gets a static `403` with `Vary`.
//!
//! What it does not do, and cors-actix does: tell a malformed origin (400) from a foreign one
//! (403), `Content-Type` on refusals, remove `Access-Control-*` headers the handler wrote, fail
//! closed when its view of the routes differs from actix-web's (the route doors), logging,
//! patterns, dynamic origins, live policies.

use std::collections::HashMap;
use std::future::{ready, Ready};
use std::rc::Rc;

use actix_web::body::EitherBody;
use actix_web::dev::{forward_ready, Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::Method;
use actix_web::HttpResponse;
use futures_util::future::{Either, MapOk};
use futures_util::TryFutureExt;

/// One route's policy: the shape of every policy of the benchmark's app.
struct Policy {
    origin: HeaderValue,
}

const METHOD: &[u8] = b"GET";
const HEADERS: [&str; 3] = ["authorization", "x-request-id", "content-type"];
const PREFLIGHT_VARY: &str =
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";
// Header values made at compile time, as the cheapest door would have them.
const V_ORIGIN: HeaderValue = HeaderValue::from_static("Origin");
const V_TRUE: HeaderValue = HeaderValue::from_static("true");
const V_600: HeaderValue = HeaderValue::from_static("600");
const V_X_TOTAL_COUNT: HeaderValue = HeaderValue::from_static("X-Total-Count");
const V_PREFLIGHT_VARY: HeaderValue = HeaderValue::from_static(PREFLIGHT_VARY);
const SEC_FETCH_SITE: HeaderName = HeaderName::from_static("sec-fetch-site");

/// The middleware factory, with the app's policies by path.
pub struct Door {
    routes: Rc<HashMap<String, Policy, foldhash::fast::FixedState>>,
}

impl Door {
    /// The policies of an app of `routes` routes, as the declared shape has them: `/api/r{i}`
    /// allows `https://app{i}.example.com` (with `plain_half`, every other filler has no
    /// policy), `/api/items` allows `https://app.example.com`.
    pub fn new(routes: usize, plain_half: bool) -> Door {
        let mut map = HashMap::default();
        for i in 0..routes.saturating_sub(1) {
            if plain_half && i % 2 == 1 {
                continue;
            }
            let origin = HeaderValue::from_str(&format!("https://app{i}.example.com"))
                .expect("a valid header value");
            map.insert(format!("/api/r{i}"), Policy { origin });
        }
        let origin = HeaderValue::from_static("https://app.example.com");
        map.insert("/api/items".to_owned(), Policy { origin });
        Door {
            routes: Rc::new(map),
        }
    }
}

impl<S, B> Transform<S, ServiceRequest> for Door
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
    S::Future: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Transform = DoorService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(DoorService {
            service,
            routes: Rc::clone(&self.routes),
        }))
    }
}

/// The middleware.
pub struct DoorService<S> {
    service: S,
    routes: Rc<HashMap<String, Policy, foldhash::fast::FixedState>>,
}

type Map<B> = fn(ServiceResponse<B>) -> ServiceResponse<EitherBody<B>>;

/// What the response of a call gets: nothing, `Vary`, or the allowed request's headers (the
/// allowed origin is the route's, a static value here, so a plain `fn` can write it).
enum Write {
    Nothing,
    Vary,
    Allowed(HeaderValue),
}

impl<S, B> Service<ServiceRequest> for DoorService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
    S::Future: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Future = Either<
        Either<MapOk<S::Future, Map<B>>, Allowed<S::Future>>,
        Ready<Result<Self::Response, Self::Error>>,
    >;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let write = match self.routes.get(req.path()) {
            None => Write::Nothing,
            Some(policy) => match req.headers().get(header::ORIGIN) {
                None => Write::Vary,
                Some(origin) => {
                    let allowed = origin == policy.origin;
                    if req.method() == Method::OPTIONS {
                        if let Some(method) =
                            req.headers().get(header::ACCESS_CONTROL_REQUEST_METHOD)
                        {
                            let res = preflight(&req, allowed, method);
                            return Either::Right(ready(Ok(req
                                .into_response(res)
                                .map_into_right_body())));
                        }
                    }
                    if allowed {
                        Write::Allowed(origin.clone())
                    } else if same_origin(&req, origin) {
                        Write::Vary
                    } else {
                        let res = HttpResponse::Forbidden()
                            .append_header((header::VARY, V_ORIGIN))
                            .body("CORS request refused: origin not allowed\n");
                        return Either::Right(ready(Ok(req
                            .into_response(res)
                            .map_into_right_body())));
                    }
                }
            },
        };
        let fut = self.service.call(req);
        Either::Left(match write {
            Write::Nothing => {
                Either::Left(fut.map_ok(ServiceResponse::map_into_left_body as Map<B>))
            }
            Write::Vary => Either::Left(fut.map_ok(
                (|mut res| {
                    res.headers_mut().append(header::VARY, V_ORIGIN);
                    res.map_into_left_body()
                }) as Map<B>,
            )),
            Write::Allowed(origin) => Either::Right(Allowed {
                fut,
                origin: Some(origin),
            }),
        })
    }
}

/// The answer to a preflight of a route with a policy.
fn preflight(req: &ServiceRequest, origin_allowed: bool, method: &HeaderValue) -> HttpResponse {
    let requested = req.headers().get(header::ACCESS_CONTROL_REQUEST_HEADERS);
    let headers_allowed = requested.is_none_or(|value| {
        value.as_bytes().split(|&b| b == b',').all(|name| {
            let name = name.trim_ascii();
            name.is_empty()
                || HEADERS
                    .iter()
                    .any(|h| h.as_bytes().eq_ignore_ascii_case(name))
        })
    });
    if !(origin_allowed && method.as_bytes() == METHOD && headers_allowed) {
        return HttpResponse::Forbidden()
            .append_header((header::VARY, V_PREFLIGHT_VARY))
            .body("CORS request refused\n");
    }
    let mut res = HttpResponse::NoContent();
    if let Some(origin) = req.headers().get(header::ORIGIN) {
        res.append_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone()));
    }
    res.append_header((header::ACCESS_CONTROL_ALLOW_CREDENTIALS, V_TRUE))
        .append_header((header::ACCESS_CONTROL_ALLOW_METHODS, method.clone()))
        .append_header((header::ACCESS_CONTROL_MAX_AGE, V_600))
        .append_header((header::VARY, V_PREFLIGHT_VARY));
    if let Some(requested) = requested {
        res.append_header((header::ACCESS_CONTROL_ALLOW_HEADERS, requested.clone()));
    }
    res.finish()
}

/// Whether a request comes from the server's own origin, which CORS never blocks: what the
/// browser says in `Sec-Fetch-Site`, else the `Origin` against `scheme://Host` (no proxies in
/// front of this app).
fn same_origin(req: &ServiceRequest, origin: &HeaderValue) -> bool {
    if let Some(site) = req.headers().get(SEC_FETCH_SITE) {
        return site.as_bytes() == b"same-origin";
    }
    let Some(host) = req.headers().get(header::HOST) else {
        return false;
    };
    let scheme: &[u8] = if req.app_config().secure() {
        b"https://"
    } else {
        b"http://"
    };
    origin
        .as_bytes()
        .strip_prefix(scheme)
        .is_some_and(|rest| rest.eq_ignore_ascii_case(host.as_bytes()))
}

pin_project_lite::pin_project! {
    /// The future of an allowed actual request: writes the headers on the response.
    pub struct Allowed<F> {
        #[pin]
        fut: F,
        origin: Option<HeaderValue>,
    }
}

impl<F, B> std::future::Future for Allowed<F>
where
    F: std::future::Future<Output = Result<ServiceResponse<B>, actix_web::Error>>,
{
    type Output = Result<ServiceResponse<EitherBody<B>>, actix_web::Error>;

    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let this = self.project();
        let mut res = std::task::ready!(this.fut.poll(cx))?;
        let headers = res.headers_mut();
        if let Some(origin) = this.origin.take() {
            headers.append(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        }
        headers.append(header::ACCESS_CONTROL_ALLOW_CREDENTIALS, V_TRUE);
        headers.append(header::ACCESS_CONTROL_EXPOSE_HEADERS, V_X_TOTAL_COUNT);
        headers.append(header::VARY, V_ORIGIN);
        std::task::Poll::Ready(Ok(res.map_into_left_body()))
    }
}
