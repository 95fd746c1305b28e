//! The route door: the check `#[cors]` puts on its route (a resource middleware, outermost on
//! the route), run after actix-web has routed the request there and before anything of the
//! route runs. A cross-origin request the app's door did not decide for this route is refused:
//! whatever the door gets wrong (a service it cannot see, a path rewritten inside it, no door
//! at all) fails closed. For twins, it makes the decision the door left to it.

use std::future::{ready, Future, Ready};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header;
use actix_web::Error;
use pin_project_lite::pin_project;

use crate::door::decide::AtRoute;
use crate::door::mark::{self, Seen};
use crate::door::read::is_same_origin;
use crate::door::refusal::refusal_text;
use crate::door::Door;
use crate::routes::route_cors::RouteCors;

/// The check `#[cors]` wraps its route in. Not a public API: the macro emits it.
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub struct RouteDoor(pub &'static RouteCors);

impl<S, B> Transform<S, ServiceRequest> for RouteDoor
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
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
    Answer(actix_web::HttpResponse),
}

/// What a request's mark tells its route door.
enum Marked {
    /// The door chose one route: the verdict on it, already recorded in the mark.
    Judged(Verdict),
    /// The door left the choice among twins to the route door actix-web runs: the door, and
    /// the route it chose.
    Deferred(Rc<Door>, u32),
}

impl<S> RouteDoorService<S> {
    fn judge(&self, req: &ServiceRequest) -> Verdict {
        // Not a CORS request: nothing to check (the cheap, common case).
        if !req.headers().contains_key(header::ORIGIN) {
            return Verdict::Pass;
        }
        let key = mark::key(req.head());
        // One access to the mark table: the door chose one route (confirm it is this one, or
        // refuse, and record that), or left the choice among twins to this route door.
        let marked = mark::with_mark(key, |mark| {
            if mark.deferred {
                return Marked::Deferred(Rc::clone(&mark.door), mark.route);
            }
            let chosen = &mark.door.table.routes[mark.route as usize];
            Marked::Judged(if chosen.is(self.route) {
                mark.seen = Seen::Confirmed;
                Verdict::Pass
            } else {
                mark.seen = Seen::Answered;
                Verdict::Refuse(OTHER_ROUTE)
            })
        });
        let (door, chosen) = match marked {
            None if is_same_origin(req) => return Verdict::Pass,
            None => return Verdict::Refuse(NO_DOOR),
            Some(Marked::Judged(verdict)) => return verdict,
            Some(Marked::Deferred(door, chosen)) => (door, chosen),
        };
        let route = &door.table.routes[chosen as usize];
        // Deferred: the door chose among twins; this one decides if it is one of them.
        let twin = std::iter::once(chosen)
            .chain(route.twins.iter().copied())
            .find(|&i| door.table.routes[i as usize].is(self.route));
        let Some(twin) = twin else {
            mark::record(key, Seen::Answered);
            return Verdict::Refuse(OTHER_ROUTE);
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

const NO_DOOR: &str = "no CORS door decided this request: `Cors` is missing, wrapped on a scope instead of the `App`, or a second `Cors` hides it";
const OTHER_ROUTE: &str = "the CORS door decided this request for another route: a service registered before this route takes its path in the door's view, or a path was rewritten inside `Cors` (put `NormalizePath` outside it)";

impl<S, B> Service<ServiceRequest> for RouteDoorService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = RouteDoorFuture<S::Future, B>;

    actix_service::forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        match self.judge(&req) {
            Verdict::Pass => RouteDoorFuture::Call {
                fut: self.service.call(req),
            },
            Verdict::Refuse(why) => {
                tracing::error!(
                    target: "cors",
                    handler = self.route.handler,
                    method = %req.method(),
                    path = req.path(),
                    "CORS request refused by the route's door: {why}"
                );
                RouteDoorFuture::Ready {
                    response: Some(Box::new(answered(req, refusal_text(why, false)))),
                }
            }
            Verdict::Answer(answer) => RouteDoorFuture::Ready {
                response: Some(Box::new(answered(req, answer))),
            },
        }
    }
}

/// Marks a response as the route door's own answer: the app's door writes no CORS headers on
/// it (an extension, so that whatever the door chose, a refusal stays a bare refusal).
#[derive(Clone, Copy, Debug)]
pub(crate) struct AnsweredByRouteDoor;

fn answered<B>(
    req: ServiceRequest,
    mut answer: actix_web::HttpResponse,
) -> ServiceResponse<EitherBody<B>> {
    answer.extensions_mut().insert(AnsweredByRouteDoor);
    req.into_response(answer).map_into_right_body()
}

pin_project! {
    /// The future of [`RouteDoorService`]. Its own answer is boxed: actix-web boxes the
    /// future of every resource, so the size of this one is allocated for every request of a
    /// `#[cors]` route, and a response inline made it several hundred bytes (the common case,
    /// passing the request on, needs only the inner future).
    #[doc(hidden)]
    #[project = RouteDoorFutureProj]
    pub enum RouteDoorFuture<F, B> {
        Call { #[pin] fut: F },
        Ready { response: Option<Box<ServiceResponse<EitherBody<B>>>> },
    }
}

impl<F, B> Future for RouteDoorFuture<F, B>
where
    F: Future<Output = Result<ServiceResponse<B>, Error>>,
{
    type Output = Result<ServiceResponse<EitherBody<B>>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            RouteDoorFutureProj::Call { fut } => fut
                .poll(cx)
                .map(|res| res.map(ServiceResponse::map_into_left_body)),
            RouteDoorFutureProj::Ready { response } => {
                Poll::Ready(response.take().map(|r| *r).ok_or_else(|| {
                    actix_web::error::ErrorInternalServerError(
                        "CORS route door future polled after completion",
                    )
                }))
            }
        }
    }
}
