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
//! `checked-floor` is the same door (`Door<true>`) doing also, each at its least cost, what
//! cors-actix promises beyond CORS itself, so that the price of those promises can be told
//! from the rest:
//! - it fails closed (DESIGN section 4): a request it lets in with an `Origin` is marked for
//!   its route (a unit value in the request's extensions), the route's own check
//!   ([`RouteCheck`], a resource middleware) refuses a cross-origin request without the mark
//!   and takes the mark off, and the door writes no CORS headers when the route's check did not
//!   run;
//! - a response it decides carries exactly its CORS headers: those the app wrote are removed
//!   (one pass over the response's names);
//! - a malformed origin gets `400` (cors-core's strict parse, the least there is), a refusal
//!   `Content-Type: text/plain`;
//! - every decision is a `tracing` event (target `cors`; disabled, as in the benchmark, it costs
//!   the check that it is).
//!
//! What neither does, and cors-actix does: patterns, scopes, guards, twins, dynamic origins,
//! live policies, default policies, the route report, debug mode.

use std::collections::HashMap;
use std::future::{ready, Ready};
use std::rc::Rc;

use actix_web::body::EitherBody;
use actix_web::dev::{forward_ready, Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::Method;
use actix_web::{HttpMessage, HttpResponse};
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
const V_TEXT_PLAIN: HeaderValue = HeaderValue::from_static("text/plain; charset=utf-8");

/// The middleware factory, with the app's policies by path; `CHECKED`: `checked-floor`.
pub struct Door<const CHECKED: bool> {
    routes: Rc<HashMap<String, Policy, foldhash::fast::FixedState>>,
}

impl<const CHECKED: bool> Door<CHECKED> {
    /// The policies of an app of `routes` routes, as the declared shape has them: `/api/r{i}`
    /// allows `https://app{i}.example.com` (with `plain_half`, every other filler has no
    /// policy), `/api/items` allows `https://app.example.com`.
    pub fn new(routes: usize, plain_half: bool) -> Door<CHECKED> {
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

impl<S, B, const CHECKED: bool> Transform<S, ServiceRequest> for Door<CHECKED>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
    S::Future: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Transform = DoorService<S, CHECKED>;
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
pub struct DoorService<S, const CHECKED: bool> {
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

impl<S, B, const CHECKED: bool> Service<ServiceRequest> for DoorService<S, CHECKED>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
    S::Future: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Future = Either<
        Either<MapOk<S::Future, Map<B>>, Allowed<S::Future, Mode<CHECKED>>>,
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
                            let res = preflight::<CHECKED>(&req, allowed, method);
                            return Either::Right(ready(Ok(req
                                .into_response(res)
                                .map_into_right_body())));
                        }
                    }
                    if allowed {
                        if CHECKED {
                            tracing::trace!(target: "cors", path = req.path(), "CORS request allowed");
                            req.extensions_mut().insert(Marked);
                        }
                        Write::Allowed(origin.clone())
                    } else if same_origin(&req, origin) {
                        if CHECKED {
                            req.extensions_mut().insert(Marked);
                        }
                        Write::Vary
                    } else {
                        let res = refusal::<CHECKED>(origin, V_ORIGIN);
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
                    if CHECKED {
                        remove_cors_headers(res.headers_mut());
                    }
                    res.headers_mut().append(header::VARY, V_ORIGIN);
                    res.map_into_left_body()
                }) as Map<B>,
            )),
            Write::Allowed(origin) => Either::Right(Allowed {
                fut,
                origin: Some(origin),
                mode: std::marker::PhantomData,
            }),
        })
    }
}

/// The refusal of a request from `origin`: a static `403` with `Vary` (`checked-floor`: a `400`
/// for a malformed origin, `Content-Type`, and a log event).
fn refusal<const CHECKED: bool>(origin: &HeaderValue, vary: HeaderValue) -> HttpResponse {
    if !CHECKED {
        return HttpResponse::Forbidden()
            .append_header((header::VARY, vary))
            .body("CORS request refused: origin not allowed\n");
    }
    let malformed = cors_actix::__private::core::Origin::parse(origin.as_bytes()).is_err();
    tracing::debug!(target: "cors", malformed, "CORS request refused");
    let (mut res, body) = if malformed {
        (
            HttpResponse::BadRequest(),
            "CORS request refused: malformed origin\n",
        )
    } else {
        (
            HttpResponse::Forbidden(),
            "CORS request refused: origin not allowed\n",
        )
    };
    res.append_header((header::CONTENT_TYPE, V_TEXT_PLAIN))
        .append_header((header::VARY, vary))
        .body(body)
}

/// Removes the `Access-Control-*` headers the app wrote (`checked-floor`), in one pass over the
/// names when there are none.
fn remove_cors_headers(headers: &mut actix_web::http::header::HeaderMap) {
    let cors = |name: &HeaderName| name.as_str().starts_with("access-control-");
    if headers.keys().any(cors) {
        let names: Vec<HeaderName> = headers.keys().filter(|n| cors(n)).cloned().collect();
        for name in &names {
            headers.remove(name);
        }
    }
}

/// The mark of a request the door let in for the measured route (`checked-floor`).
#[derive(Clone, Copy, Debug)]
struct Marked;

/// The route's own check (`checked-floor`): a cross-origin request the door did not mark for
/// this route is refused; the mark is taken off, telling the door that the check ran.
pub struct RouteCheck;

impl<S> Transform<S, ServiceRequest> for RouteCheck
where
    S: Service<ServiceRequest, Response = ServiceResponse, Error = actix_web::Error>,
{
    type Response = ServiceResponse;
    type Error = actix_web::Error;
    type Transform = RouteCheckService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(RouteCheckService { service }))
    }
}

/// The service of [`RouteCheck`].
pub struct RouteCheckService<S> {
    service: S,
}

impl<S> Service<ServiceRequest> for RouteCheckService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse, Error = actix_web::Error>,
{
    type Response = ServiceResponse;
    type Error = actix_web::Error;
    type Future = Either<S::Future, Ready<Result<ServiceResponse, actix_web::Error>>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        if req.headers().contains_key(header::ORIGIN)
            && req.extensions_mut().remove::<Marked>().is_none()
        {
            let res = HttpResponse::Forbidden().body("CORS request refused: not decided\n");
            return Either::Right(ready(Ok(req.into_response(res))));
        }
        Either::Left(self.service.call(req))
    }
}

/// The answer to a preflight of a route with a policy.
fn preflight<const CHECKED: bool>(
    req: &ServiceRequest,
    origin_allowed: bool,
    method: &HeaderValue,
) -> HttpResponse {
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
        let Some(origin) = req.headers().get(header::ORIGIN) else {
            return HttpResponse::Forbidden().finish();
        };
        return refusal::<CHECKED>(origin, V_PREFLIGHT_VARY);
    }
    if CHECKED {
        tracing::trace!(target: "cors", path = req.path(), "CORS preflight allowed");
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

/// Which door a future belongs to (`pin-project-lite` takes no `const` parameters).
pub struct Mode<const CHECKED: bool>;

/// `true` for `checked-floor`.
pub trait Checked {
    const CHECKED: bool;
}

impl<const CHECKED: bool> Checked for Mode<CHECKED> {
    const CHECKED: bool = CHECKED;
}

pin_project_lite::pin_project! {
    /// The future of an allowed actual request: writes the headers on the response.
    pub struct Allowed<F, M> {
        #[pin]
        fut: F,
        origin: Option<HeaderValue>,
        mode: std::marker::PhantomData<M>,
    }
}

impl<F, B, M: Checked> std::future::Future for Allowed<F, M>
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
        // The route's check took the mark off (it ran): the door's view held.
        let confirmed = !M::CHECKED || !res.request().extensions().contains::<Marked>();
        let headers = res.headers_mut();
        if M::CHECKED {
            remove_cors_headers(headers);
        }
        if confirmed {
            if let Some(origin) = this.origin.take() {
                headers.append(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            }
            headers.append(header::ACCESS_CONTROL_ALLOW_CREDENTIALS, V_TRUE);
            headers.append(header::ACCESS_CONTROL_EXPOSE_HEADERS, V_X_TOTAL_COUNT);
        }
        headers.append(header::VARY, V_ORIGIN);
        std::task::Poll::Ready(Ok(res.map_into_left_body()))
    }
}
