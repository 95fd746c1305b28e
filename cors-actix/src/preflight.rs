//! The hidden preflight resource `#[cors]` registers beside each route: same path, guarded by
//! `OPTIONS` + `Origin` + an `Access-Control-Request-Method` that is one of the route's
//! methods. The router therefore picks the right policy inside scopes, with path parameters,
//! and per method. The user's handler never runs for a preflight.

use std::future::ready;

use actix_web::dev::{
    AppService, HttpServiceFactory, RequestHead, ServiceRequest, ServiceResponse,
};
use actix_web::guard::{Guard, GuardContext};
use actix_web::http::header::{self, HeaderMap};
use actix_web::http::Method;
use actix_web::{Error, HttpResponse, Resource};
use cors_core::{Decision, PREFLIGHT_VARY};

use crate::decorate::{preflight_headers, PreflightValues};
use crate::policy_ref::PolicyRef;
use crate::refusal::{action, refusal_response, skipped, Log};
use crate::route_cors::{PolicySource, RouteCors};
use crate::route_middleware::unregistered;
use crate::settings::RouteContext;

/// Whether a request is a CORS preflight: `OPTIONS` with `Origin` and
/// `Access-Control-Request-Method`. Accepts a `ServiceRequest`, an `HttpRequest` or a
/// `RequestHead`.
///
/// Middleware registered *inside* [`Cors`](crate::Cors) (an authentication layer, say) sees
/// preflights, which never carry credentials: let them through.
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

/// Matches the preflights of one route.
struct PreflightGuard {
    methods: &'static [&'static str],
}

impl Guard for PreflightGuard {
    fn check(&self, ctx: &GuardContext<'_>) -> bool {
        let head = ctx.head();
        head.method == Method::OPTIONS
            && head.headers.contains_key(header::ORIGIN)
            && head
                .headers
                .get(header::ACCESS_CONTROL_REQUEST_METHOD)
                .is_some_and(|m| self.methods.iter().any(|x| x.as_bytes() == m.as_bytes()))
    }
}

/// Registers the preflight resource of `route`. Called by the code `#[cors]` generates.
#[doc(hidden)]
pub fn register_preflight(route: &'static RouteCors, config: &mut AppService) {
    if let PolicySource::Named(name) = route.source {
        crate::startup::note_named_policy(route.handler, name, config);
    }
    let resource = Resource::new(route.path)
        .name(&format!("{}.cors_preflight", route.handler))
        .guard(PreflightGuard {
            methods: route.methods,
        })
        .default_service(actix_web::dev::fn_service(move |req: ServiceRequest| {
            ready(Ok::<ServiceResponse, Error>(answer(route, req)))
        }));
    HttpServiceFactory::register(resource, config);
}

fn answer(route: &'static RouteCors, req: ServiceRequest) -> ServiceResponse {
    let named = match route.source {
        PolicySource::Named(name) => Some(name),
        _ => None,
    };
    let ctx = RouteContext::take(&req, named);
    let policy = match (&route.source, ctx.named) {
        (PolicySource::Inline(policy), _) => PolicyRef::Static(policy),
        (PolicySource::Named(_), Some(policy)) => policy,
        (PolicySource::Named(name), None) => {
            let response = unregistered(route, name, ctx.has_middleware);
            return req.into_response(response);
        }
        (PolicySource::Disabled, _) => {
            tracing::debug!(
                target: "cors",
                handler = route.handler,
                method = %req.method(),
                path = req.path(),
                request = "preflight",
                reason = skipped::DISABLED,
                action = action::BLOCKED,
                "CORS preflight refused"
            );
            let response = HttpResponse::Forbidden()
                .insert_header((header::CONTENT_TYPE, "text/plain; charset=utf-8"))
                .insert_header((header::VARY, PREFLIGHT_VARY))
                .body("CORS request refused: CORS is disabled for this route\n");
            return req.into_response(response);
        }
    };
    let response = preflight_response(
        req.headers(),
        &policy,
        Some(&Log::of(route.handler, &req)),
        ctx.debug,
    );
    req.into_response(response)
}

/// The response to a preflight under `policy`; the decision is logged if `log` is given.
pub(crate) fn preflight_response(
    headers: &HeaderMap,
    policy: &PolicyRef,
    log: Option<&Log<'_>>,
    debug: bool,
) -> HttpResponse {
    let values = PreflightValues::read(headers);
    match policy.preflight(&values.request) {
        Decision::Allowed(grant) => {
            if let Some(log) = log {
                log.allowed("preflight");
            }
            let mut response = HttpResponse::NoContent().finish();
            preflight_headers(response.headers_mut(), &values, &grant, policy);
            response
        }
        Decision::Refused(reason) => {
            if let Some(log) = log {
                log.refused("preflight", &reason, action::BLOCKED);
            }
            refusal_response(&reason, debug, PREFLIGHT_VARY)
        }
        // Unreachable in practice: preflights are recognized by their `Origin`.
        Decision::NotCors => {
            let reason = cors_core::Reason::MultipleOrigins;
            if let Some(log) = log {
                log.refused("preflight", &reason, action::BLOCKED);
            }
            refusal_response(&reason, debug, PREFLIGHT_VARY)
        }
    }
}
