//! The door: the service of [`Cors`](crate::Cors). For every request, in one direction:
//! [`read`] the request, choose the policy of the route actix-web will run ([`route_table`]),
//! [`decide`] (asking dynamic origins through [`ask`]), then answer ([`refusal`], preflights)
//! or call the app; [`after`] routing, what actix-web ran confirms the choice (a `#[cors]`
//! route's route door, a path policy's path check) and settles the headers, which [`write`]
//! puts on whatever comes back; [`log`] every decision.

pub(crate) mod after;
pub(crate) mod ask;
pub(crate) mod decide;
pub(crate) mod ledger;
pub(crate) mod log;
pub(crate) mod path_index;
pub(crate) mod read;
pub(crate) mod refusal;
pub(crate) mod route_table;
pub(crate) mod same_origin;
pub(crate) mod write;

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::{Error, HttpRequest};
use pin_project_lite::pin_project;

use crate::door::after::check::Check;
use crate::door::decide::{Door, Outcome};
use crate::door::log::log_removed;
use crate::door::read::Read;
use crate::door::refusal::{refusal_text, Refusal};
use crate::door::write::{apply_vary_only, Decoration};

/// The service of [`Cors`](crate::Cors).
#[doc(hidden)]
pub struct CorsService<S> {
    pub(crate) service: Rc<S>,
    pub(crate) door: Rc<Door>,
}

impl<S, B> Service<ServiceRequest> for CorsService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = CorsFuture<S, B>;

    actix_service::forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let read = Read::of(req.head());
        // The most common request has no `Origin`: at most `Vary` to write.
        if let Some(vary) = self.door.without_origin(&req, &read) {
            return CorsFuture::lean(self.service.call(req), vary);
        }
        let outcome = self.door.decide_read(&req, &read, None);
        CorsFuture::of(outcome, req, &self.service, &self.door)
    }
}

impl<S, B> CorsFuture<S, B>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
{
    /// The future that carries out `outcome` for `req`: the one place outcomes become futures.
    fn of(outcome: Outcome, req: ServiceRequest, service: &Rc<S>, door: &Rc<Door>) -> Self {
        match outcome {
            // Nothing to check after routing, nothing to write but `Vary`: the lean futures.
            Outcome::Call(decoration, None) if !decoration.writes_headers() => {
                CorsFuture::lean(service.call(req), decoration.vary())
            }
            Outcome::Pass(_) => CorsFuture::lean(service.call(req), None),
            Outcome::Call(decoration, check) => CorsFuture::Call {
                fut: service.call(req),
                after: Some(After {
                    decoration,
                    settle: check.map(|check| Settle {
                        check,
                        door: Rc::clone(door),
                    }),
                }),
            },
            Outcome::Respond(response) => CorsFuture::Ready {
                response: Some(req.into_response(response).map_into_right_body()),
            },
            Outcome::Refuse(refusal) => CorsFuture::Refused {
                req: Some(req.into_parts().0),
                refusal,
            },
            Outcome::Lookup(lookup, origin) => CorsFuture::Lookup {
                waiting: Some(Box::new(Waiting {
                    answer: Box::pin(lookup.resolve(origin, req.head())),
                    req,
                    service: Rc::clone(service),
                    door: Rc::clone(door),
                })),
            },
        }
    }
}

impl<S, B> CorsFuture<S, B>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
{
    /// The future of a call with at most `Vary` to write: none at all (`None`: no policy
    /// decides the response), or whether `Vary` lists `Origin`.
    #[inline]
    fn lean(fut: S::Future, vary: Option<bool>) -> Self {
        match vary {
            None => CorsFuture::Pass { fut },
            Some(vary) => CorsFuture::Decided { fut, vary },
        }
    }
}

/// What the door does with what comes back from the app: write `decoration`, once settled.
#[doc(hidden)]
pub struct After {
    decoration: Decoration,
    settle: Option<Settle>,
}

/// Writes the CORS headers on the app's response, once settled.
#[inline]
fn finish<B>(
    mut response: ServiceResponse<B>,
    mut decoration: Decoration,
    settle: Option<Settle>,
) -> ServiceResponse<EitherBody<B>> {
    if let Some(Settle { check, door }) = settle {
        decoration = check.settle(&door.confirm(), decoration, Some(response.request()));
    }
    if let Some(removed) = decoration.apply(response.headers_mut()) {
        log_removed(Some(response.request().path()), &removed);
    }
    response.map_into_left_body()
}

/// Has the CORS headers written on the response actix-web renders from the app's error, once
/// settled (no response exists yet).
#[cold]
fn finish_error(mut error: Error, mut decoration: Decoration, settle: Option<Settle>) -> Error {
    if let Some(Settle { check, door }) = settle {
        decoration = check.settle(&door.confirm(), decoration, None);
    }
    if !decoration.is_empty() {
        error.add_response_mapper(move |mut response| {
            if let Some(removed) = decoration.clone().apply(response.headers_mut()) {
                log_removed(None, &removed);
            }
            response
        });
    }
    error
}

/// The error of a door future polled after it completed (a bug of the caller's).
#[cold]
fn polled_again() -> Error {
    actix_web::error::ErrorInternalServerError("CORS future polled after completion")
}

/// What to check after routing, with the door that checks.
#[doc(hidden)]
pub struct Settle {
    check: Check,
    door: Rc<Door>,
}

/// A request waiting for an origin lookup, with what it needs to go on (boxed: the futures of
/// requests that do not wait stay as small as before).
#[doc(hidden)]
pub struct Waiting<S> {
    answer: Pin<Box<dyn Future<Output = bool>>>,
    req: ServiceRequest,
    service: Rc<S>,
    door: Rc<Door>,
}

pin_project! {
    /// The future of [`CorsService`]: no allocation of its own, but for requests that wait for
    /// an origin lookup.
    #[doc(hidden)]
    #[project = CorsFutureProj]
    pub enum CorsFuture<S, B>
    where
        S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    {
        /// No policy decides the response: it passes untouched.
        Pass { #[pin] fut: S::Future },
        /// A policy decides the response, but writes no CORS headers on it (no `Origin`):
        /// the app's removed, `Vary: Origin` if `vary`.
        Decided { #[pin] fut: S::Future, vary: bool },
        Call { #[pin] fut: S::Future, after: Option<After> },
        Ready { response: Option<ServiceResponse<EitherBody<B>>> },
        /// A refusal, its response made when polled.
        Refused { req: Option<HttpRequest>, refusal: Refusal },
        Lookup { waiting: Option<Box<Waiting<S>>> },
    }
}

impl<S, B> Future for CorsFuture<S, B>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
{
    type Output = Result<ServiceResponse<EitherBody<B>>, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.as_mut().project() {
            CorsFutureProj::Pass { fut } => fut
                .poll(cx)
                .map(|result| result.map(ServiceResponse::map_into_left_body)),
            CorsFutureProj::Decided { fut, vary } => {
                let vary = *vary;
                fut.poll(cx).map(|result| match result {
                    Ok(mut response) => {
                        if let Some(removed) = apply_vary_only(response.headers_mut(), vary) {
                            log_removed(Some(response.request().path()), &removed);
                        }
                        Ok(response.map_into_left_body())
                    }
                    Err(error) => Err(finish_error(
                        error,
                        Decoration::vary_only(vary.then_some("Origin")),
                        None,
                    )),
                })
            }
            CorsFutureProj::Call { fut, after } => match fut.poll(cx) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(result) => {
                    let Some(After { decoration, settle }) = after.take() else {
                        return Poll::Ready(Err(polled_again()));
                    };
                    Poll::Ready(match result {
                        Ok(response) => Ok(finish(response, decoration, settle)),
                        Err(error) => Err(finish_error(error, decoration, settle)),
                    })
                }
            },
            CorsFutureProj::Ready { response } => {
                Poll::Ready(response.take().ok_or_else(polled_again))
            }
            CorsFutureProj::Refused { req, refusal } => Poll::Ready(match req.take() {
                Some(req) => {
                    Ok(ServiceResponse::new(req, refusal.response()).map_into_right_body())
                }
                None => Err(polled_again()),
            }),
            CorsFutureProj::Lookup { waiting } => {
                let Some(state) = waiting.as_mut() else {
                    return Poll::Ready(Err(polled_again()));
                };
                let allowed = match state.answer.as_mut().poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(allowed) => allowed,
                };
                let Some(state) = waiting.take() else {
                    return Poll::Pending;
                };
                let Waiting {
                    req, service, door, ..
                } = *state;
                // Decide again, with the answer: the route is found again (only on this path),
                // the policy's rules apply as for any other request.
                let outcome = match door.decide(&req, Some(allowed)) {
                    // Not reached: with a known answer there is nothing to look up.
                    Outcome::Lookup(..) => {
                        Outcome::Respond(refusal_text("origin lookup failed", false))
                    }
                    outcome => outcome,
                };
                let next = CorsFuture::of(outcome, req, &service, &door);
                self.set(next);
                self.poll(cx)
            }
        }
    }
}
