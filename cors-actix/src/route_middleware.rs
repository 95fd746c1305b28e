//! The route-level middleware `#[cors]` installs as the outermost `wrap` of its route: it
//! decides actual requests before the handler runs, and decorates the response (or the error).

use std::future::{ready, Future, Ready};
use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::{self, HeaderValue};
use actix_web::{Error, HttpResponse};
use cors_core::Decision;
use pin_project_lite::pin_project;

use crate::decorate::{origin, Decoration};
use crate::policy_ref::PolicyRef;
use crate::refusal::{action, is_same_origin, refusal_response, skipped, Log};
use crate::route_cors::{PolicySource, RouteCors};
use crate::settings::{OnRefusal, RouteContext};

/// The middleware `#[cors]` wraps its route in. Not for direct use.
#[doc(hidden)]
pub struct RouteMiddleware {
    route: &'static RouteCors,
}

impl RouteMiddleware {
    /// Used by the macro.
    pub fn new(route: &'static RouteCors) -> RouteMiddleware {
        RouteMiddleware { route }
    }
}

impl<S, B> Transform<S, ServiceRequest> for RouteMiddleware
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = RouteService<S>;
    type InitError = ();
    type Future = Ready<Result<RouteService<S>, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        // An inline policy is known now: prepare its constant header values once per worker.
        let inline = match self.route.source {
            PolicySource::Inline(policy) => Some(Prepared::new(PolicyRef::Static(policy))),
            _ => None,
        };
        ready(Ok(RouteService {
            service,
            route: self.route,
            inline,
        }))
    }
}

/// The service of [`RouteMiddleware`].
#[doc(hidden)]
pub struct RouteService<S> {
    service: S,
    route: &'static RouteCors,
    inline: Option<Prepared>,
}

/// A policy with the values every allowed response needs, prepared ahead of requests.
struct Prepared {
    policy: PolicyRef,
    expose: Option<HeaderValue>,
    vary_origin: bool,
}

impl Prepared {
    fn new(policy: PolicyRef) -> Prepared {
        Prepared {
            expose: policy.expose_value(),
            vary_origin: policy.varies_by_origin(),
            policy,
        }
    }
}

/// What to do with a request, decided before the inner service runs.
enum Outcome {
    Call(Decoration),
    Respond(HttpResponse),
}

/// A policy named by a route but not registered on the middleware.
pub(crate) fn unregistered(route: &RouteCors, name: &str, has_middleware: bool) -> HttpResponse {
    tracing::error!(
        target: "cors",
        handler = route.handler,
        policy = name,
        "route uses CORS policy `{name}`, which is not registered{}",
        if has_middleware { "" } else { " (is `Cors` wrapping this app?)" }
    );
    HttpResponse::InternalServerError()
        .insert_header((header::CONTENT_TYPE, "text/plain; charset=utf-8"))
        .body("CORS policy not registered\n")
}

impl<S> RouteService<S> {
    fn decide(&self, req: &ServiceRequest) -> Outcome {
        let route = self.route;
        let named = match route.source {
            PolicySource::Named(name) => Some(name),
            _ => None,
        };
        let ctx = RouteContext::take(req, named);
        let named_policy;
        let prepared = match (&self.inline, &route.source, ctx.named) {
            (Some(prepared), _, _) => prepared,
            (None, PolicySource::Named(_), Some(policy)) => {
                named_policy = Prepared::new(policy);
                &named_policy
            }
            (None, PolicySource::Named(name), None) => {
                return Outcome::Respond(unregistered(route, name, ctx.has_middleware))
            }
            // Disabled (an inline policy is always prepared).
            (None, _, _) => {
                Log::of(route.handler, req).skipped("request", skipped::DISABLED);
                return Outcome::Call(Decoration::default());
            }
        };
        let (input, origin) = origin(req.headers());
        match prepared.policy.actual(input) {
            Decision::NotCors => {
                Log::of(route.handler, req).skipped("request", skipped::NOT_CORS);
                Outcome::Call(Decoration::vary_only(prepared.vary_origin))
            }
            Decision::Allowed(grant) => {
                Log::of(route.handler, req).allowed("request");
                let expose = grant.expose_headers.and(prepared.expose.as_ref());
                Outcome::Call(Decoration::allowed(
                    &grant,
                    origin,
                    expose,
                    prepared.vary_origin,
                ))
            }
            Decision::Refused(reason) => {
                let vary = Decoration::vary_only(prepared.vary_origin);
                let log = Log::of(route.handler, req);
                if is_same_origin(req) {
                    log.skipped("request", skipped::SAME_ORIGIN);
                    return Outcome::Call(vary);
                }
                match ctx.on_refusal {
                    OnRefusal::Block => {
                        log.refused("request", &reason, action::BLOCKED);
                        Outcome::Respond(refusal_response(&reason, ctx.debug, "Origin"))
                    }
                    OnRefusal::HeadersOnly => {
                        log.refused("request", &reason, action::HEADERS_ONLY);
                        Outcome::Call(vary)
                    }
                }
            }
        }
    }
}

impl<S, B> Service<ServiceRequest> for RouteService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = RouteFuture<S::Future, B>;

    actix_service::forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        match self.decide(&req) {
            Outcome::Call(decoration) => RouteFuture::Call {
                fut: self.service.call(req),
                decoration,
            },
            Outcome::Respond(response) => RouteFuture::Ready {
                response: Some(req.into_response(response).map_into_right_body()),
            },
        }
    }
}

pin_project! {
    /// The future of [`RouteService`]: no allocation of its own.
    #[doc(hidden)]
    #[project = RouteFutureProj]
    pub enum RouteFuture<F, B> {
        Call { #[pin] fut: F, decoration: Decoration },
        Ready { response: Option<ServiceResponse<EitherBody<B>>> },
    }
}

impl<F, B> Future for RouteFuture<F, B>
where
    F: Future<Output = Result<ServiceResponse<B>, Error>>,
{
    type Output = Result<ServiceResponse<EitherBody<B>>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            RouteFutureProj::Call { fut, decoration } => match fut.poll(cx) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(Ok(mut response)) => {
                    std::mem::take(decoration).apply(response.headers_mut());
                    Poll::Ready(Ok(response.map_into_left_body()))
                }
                Poll::Ready(Err(mut error)) => {
                    // No response exists yet: add the headers when actix-web renders the error.
                    let decoration = std::mem::take(decoration);
                    error.add_response_mapper(move |mut response| {
                        decoration.clone().apply(response.headers_mut());
                        response
                    });
                    Poll::Ready(Err(error))
                }
            },
            RouteFutureProj::Ready { response } => Poll::Ready(response.take().ok_or_else(|| {
                actix_web::error::ErrorInternalServerError("CORS future polled after completion")
            })),
        }
    }
}
