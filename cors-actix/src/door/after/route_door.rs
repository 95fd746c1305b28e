//! The route door: the check `#[cors]` puts on its route (a resource middleware, outermost on
//! the route), run after actix-web has routed the request there and before anything of the
//! route runs. A cross-origin request the app's door did not decide for this route is refused:
//! whatever the door gets wrong (a service it cannot see, a path rewritten inside it, no door
//! at all) fails closed. For twins, it makes the decision the door left to it.

use std::future::{ready, Future, Ready};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header;
use actix_web::{Error, HttpMessage, HttpResponse};
use pin_project_lite::pin_project;

use crate::door::after::marks::Answered;
use crate::door::after::route_cors::RouteCors;
use crate::door::after::twins::{self as mark, AtRoute, Seen};
use crate::door::read::origin;
use crate::door::refusal::refusal_text;
use crate::door::same_origin::is_same_origin;

/// The check `#[cors]` wraps its route in, over the route's own body (actix-web's
/// [`BoxBody`]): the responses it lets through pass as they are. Not a public API: the macro
/// emits it.
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub struct RouteDoor(pub &'static RouteCors);

impl<S> Transform<S, ServiceRequest> for RouteDoor
where
    S: Service<ServiceRequest, Response = ServiceResponse<BoxBody>, Error = Error> + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = Error;
    type Transform = RouteDoorService<S>;
    type InitError = ();
    type Future = Ready<Result<RouteDoorService<S>, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(RouteDoorService {
            service,
            route: self.0,
        }))
    }
}

/// [`RouteDoor`] over a route with `wrap`s of the user's, whose responses may have a body of
/// their own: boxed, as actix-web boxes every resource's. Not a public API: the macro emits it.
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub struct RouteDoorBoxing(pub &'static RouteCors);

impl<S, B> Transform<S, ServiceRequest> for RouteDoorBoxing
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = Error;
    type Transform = RouteDoorService<Boxing<S>>;
    type InitError = ();
    type Future = Ready<Result<RouteDoorService<Boxing<S>>, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(RouteDoorService {
            service: Boxing { service },
            route: self.0,
        }))
    }
}

/// A service whose responses' bodies are boxed.
#[doc(hidden)]
pub struct Boxing<S> {
    service: S,
}

type BoxedResponse<B> = fn(ServiceResponse<B>) -> ServiceResponse<BoxBody>;

impl<S, B> Service<ServiceRequest> for Boxing<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = Error;
    type Future = futures_util::future::MapOk<S::Future, BoxedResponse<B>>;

    actix_service::forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        use futures_util::TryFutureExt;
        self.service
            .call(req)
            .map_ok(ServiceResponse::map_into_boxed_body as BoxedResponse<B>)
    }
}

/// The service of [`RouteDoor`].
#[doc(hidden)]
pub struct RouteDoorService<S> {
    service: S,
    route: &'static RouteCors,
}

/// What the route door found.
enum Verdict {
    Pass,
    Refuse(&'static str),
    Answer(HttpResponse),
}

impl<S> RouteDoorService<S> {
    #[inline]
    fn judge(&self, req: &ServiceRequest) -> Verdict {
        // Not a CORS request: nothing to check (the most common case).
        if !req.headers().contains_key(header::ORIGIN) {
            return Verdict::Pass;
        }
        // The door decided this request for this route: its mark, taken off, tells the door
        // that this route's door ran.
        if self.route.mark.take(&mut req.extensions_mut()) {
            return Verdict::Pass;
        }
        self.judge_unmarked(req)
    }

    /// A CORS request the door did not mark for this route: twins the door left to the route
    /// door actix-web runs, a same-origin request, or a request to refuse.
    #[cold]
    fn judge_unmarked(&self, req: &ServiceRequest) -> Verdict {
        let key = mark::key(req.head());
        let deferred = mark::with_mark(key, |mark| (Rc::clone(&mark.door), mark.route));
        let Some((door, chosen)) = deferred else {
            // The door did not decide this request for this route (it chose another, or no
            // door ran). A same-origin request is never refused.
            return if is_same_origin(req, origin(req.headers()).1) {
                Verdict::Pass
            } else {
                Verdict::Refuse(NOT_DECIDED)
            };
        };
        let table = door.table();
        let route = &table.routes[chosen as usize];
        // The door chose among twins; this one decides if it is one of them.
        let twin = std::iter::once(chosen)
            .chain(route.twins.iter().copied())
            .find(|&i| table.routes[i as usize].is(self.route));
        let Some(twin) = twin else {
            mark::record(key, Seen::Answered);
            return Verdict::Refuse(NOT_DECIDED);
        };
        match door.decide_at_route(twin, req) {
            AtRoute::Pass(decoration) => {
                mark::record(key, Seen::Decided(Box::new(decoration)));
                Verdict::Pass
            }
            AtRoute::Answer(answer) => {
                mark::record(key, Seen::Answered);
                Verdict::Answer(answer)
            }
        }
    }
}

const NOT_DECIDED: &str = "no CORS door decided this request for this route: `Cors` is missing, wrapped on a scope instead of the `App`, or hidden by a second `Cors`; or the door took the request for another route, because a service registered before this route takes its path in the door's view, or a path was rewritten inside `Cors` (put `NormalizePath` outside it)";

impl<S> Service<ServiceRequest> for RouteDoorService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<BoxBody>, Error = Error>,
{
    // The body actix-web turns every resource's into: the route door's answer has it, and the
    // route's responses pass as they are.
    type Response = ServiceResponse<BoxBody>;
    type Error = Error;
    type Future = RouteDoorFuture<S::Future>;

    actix_service::forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        match self.judge(&req) {
            Verdict::Pass => RouteDoorFuture::Call {
                fut: self.service.call(req),
            },
            Verdict::Refuse(why) => {
                crate::counters::decision(
                    // The route's full pattern (its resource is the one matched).
                    req.match_pattern().as_deref().unwrap_or(self.route.path),
                    "request",
                    "failed_closed",
                    "not decided by the door",
                );
                tracing::error!(
                    target: "cors",
                    handler = self.route.handler,
                    method = %req.method(),
                    path = req.path(),
                    "CORS request refused by the route's door: {why}"
                );
                answered(req, refusal_text(why, false))
            }
            Verdict::Answer(answer) => answered(req, answer),
        }
    }
}

fn answered<F>(req: ServiceRequest, answer: HttpResponse) -> RouteDoorFuture<F> {
    req.extensions_mut().insert(Answered);
    RouteDoorFuture::Answered {
        response: Some(Box::new(req.into_response(answer))),
    }
}

pin_project! {
    /// The future of [`RouteDoorService`]. Its own answer is boxed: actix-web boxes the
    /// future of every resource, so the size of this one is allocated for every request of a
    /// `#[cors]` route, and a response inline made it several hundred bytes (the common case,
    /// passing the request on, needs only the inner future).
    #[doc(hidden)]
    #[project = RouteDoorFutureProj]
    pub enum RouteDoorFuture<F> {
        Call { #[pin] fut: F },
        Answered { response: Option<Box<ServiceResponse>> },
    }
}

impl<F> Future for RouteDoorFuture<F>
where
    F: Future<Output = Result<ServiceResponse<BoxBody>, Error>>,
{
    type Output = Result<ServiceResponse<BoxBody>, Error>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            RouteDoorFutureProj::Call { fut } => fut.poll(cx),
            RouteDoorFutureProj::Answered { response } => {
                Poll::Ready(response.take().map(|r| *r).ok_or_else(|| {
                    actix_web::error::ErrorInternalServerError(
                        "CORS route door future polled after completion",
                    )
                }))
            }
        }
    }
}
