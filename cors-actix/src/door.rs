//! The door: the service of [`Cors`](crate::Cors). For every request, in one direction: read
//! the request, choose the policy of the route actix-web will run, decide, then answer
//! (preflights, refusals) or call the app and write the CORS headers on whatever comes back.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::{Error, HttpResponse};
use cors_core::Decision;
use pin_project_lite::pin_project;

use crate::decorate::{origin, Decoration};
use crate::policy_ref::Prepared;
use crate::preflight::{is_preflight, preflight_response};
use crate::refusal::{
    action, is_same_origin, log_removed, refusal_response, refusal_text, skipped, Log,
};
use crate::route_table::{Lookup, Route, RoutePolicy, RouteTable};
use crate::settings::{OnRefusal, PreflightStatus};

/// The `handler` of log events about the default policy.
pub(crate) const DEFAULT_POLICY: &str = "<default policy>";

/// The service of [`Cors`](crate::Cors).
#[doc(hidden)]
pub struct CorsService<S> {
    pub(crate) service: S,
    pub(crate) table: RouteTable,
    pub(crate) default: Option<Prepared>,
    pub(crate) on_refusal: OnRefusal,
    pub(crate) debug: bool,
    pub(crate) preflight_status: PreflightStatus,
}

/// The policy that applies to a request.
enum Choice<'t> {
    /// A declared route's policy, or the default policy (`handler` is then
    /// [`DEFAULT_POLICY`]).
    Policy {
        handler: &'t str,
        policy: &'t Prepared,
    },
    /// `#[cors(disable)]`.
    Disabled { handler: &'t str },
    /// Declared routes serve the path, but not with this method; no default policy.
    Unserved { route: &'t Route },
    /// No policy: the request passes untouched.
    None,
}

/// What to do with a request, decided before anything inside `Cors` runs.
enum Outcome {
    /// Call the app, then write these headers on its response (or error).
    Call(Decoration),
    /// Answer now; nothing inside runs.
    Respond(HttpResponse),
}

impl<S> CorsService<S> {
    fn choose<'t>(&'t self, lookup: Lookup<'t>) -> Choice<'t> {
        let default = || {
            self.default.as_ref().map(|policy| Choice::Policy {
                handler: DEFAULT_POLICY,
                policy,
            })
        };
        match lookup {
            Lookup::Route(route) => match &route.policy {
                RoutePolicy::Decide(policy) => Choice::Policy {
                    handler: &route.handler,
                    policy,
                },
                RoutePolicy::Disabled => Choice::Disabled {
                    handler: &route.handler,
                },
            },
            Lookup::Scope(scope) => Choice::Policy {
                handler: &scope.handler,
                policy: &scope.policy,
            },
            Lookup::OtherMethods(route) => default().unwrap_or(Choice::Unserved { route }),
            Lookup::Nothing => default().unwrap_or(Choice::None),
        }
    }

    fn decide_preflight(&self, req: &ServiceRequest, choice: Choice<'_>) -> Outcome {
        match choice {
            Choice::Policy { handler, policy } => Outcome::Respond(preflight_response(
                req.headers(),
                &policy.policy,
                &Log::of(handler, req),
                self.debug,
                self.preflight_status,
            )),
            Choice::Disabled { handler } => {
                Log::of(handler, req).refused("preflight", &skipped::DISABLED, action::BLOCKED);
                Outcome::Respond(refusal_text(skipped::DISABLED, false))
            }
            Choice::Unserved { route } => {
                // The reason's text is only made when someone reads it.
                let logging = tracing::enabled!(target: "cors", tracing::Level::DEBUG);
                if !self.debug && !logging {
                    return Outcome::Call(Decoration::default());
                }
                let reason = format!(
                    "no route with a CORS policy serves the requested method on this path ({} serves {})",
                    route.pattern(),
                    route.methods_text()
                );
                let log = Log::of(&route.handler, req);
                if self.debug {
                    log.refused("preflight", &reason, action::BLOCKED);
                    Outcome::Respond(refusal_text(&reason, true))
                } else {
                    log.refused("preflight", &reason, action::PASSED);
                    Outcome::Call(Decoration::default())
                }
            }
            Choice::None => Outcome::Call(Decoration::default()),
        }
    }

    fn decide_actual(&self, req: &ServiceRequest, choice: Choice<'_>) -> Outcome {
        let (handler, prepared) = match choice {
            Choice::Policy { handler, policy } => (handler, policy),
            Choice::Disabled { handler } => {
                Log::of(handler, req).skipped("request", skipped::DISABLED);
                return Outcome::Call(Decoration::default());
            }
            Choice::Unserved { .. } | Choice::None => return Outcome::Call(Decoration::default()),
        };
        let (input, origin) = origin(req.headers());
        match prepared.policy.actual(input) {
            Decision::NotCors => {
                Log::of(handler, req).skipped("request", skipped::NOT_CORS);
                Outcome::Call(Decoration::vary_only(prepared.vary_origin))
            }
            Decision::Allowed(grant) => {
                Log::of(handler, req).allowed("request");
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
                let log = Log::of(handler, req);
                if is_same_origin(req) {
                    log.skipped("request", skipped::SAME_ORIGIN);
                    return Outcome::Call(vary);
                }
                // Browsers do not apply CORS to WebSockets (or any upgrade): a response without
                // CORS headers would not stop the page from using the connection.
                let upgrade = req.head().upgrade();
                match self.on_refusal {
                    OnRefusal::HeadersOnly if !upgrade => {
                        log.refused("request", &reason, action::HEADERS_ONLY);
                        Outcome::Call(vary)
                    }
                    _ => {
                        let action = if upgrade {
                            action::UPGRADE_BLOCKED
                        } else {
                            action::BLOCKED
                        };
                        log.refused("request", &reason, action);
                        Outcome::Respond(refusal_response(&reason, self.debug, "Origin"))
                    }
                }
            }
        }
    }

    /// Reads the request, chooses its policy and decides, before anything inside runs.
    fn decide(&self, req: &ServiceRequest) -> Outcome {
        if self.table.is_empty() && self.default.is_none() {
            return Outcome::Call(Decoration::default());
        }
        let preflight = is_preflight(req);
        let method = if preflight {
            req.headers()
                .get(header::ACCESS_CONTROL_REQUEST_METHOD)
                .map_or(&b""[..], |m| m.as_bytes())
        } else {
            req.method().as_str().as_bytes()
        };
        // The path as actix-web's router matches it (percent-decoded where it decodes).
        let lookup = self.table.find(req.match_info().unprocessed(), method, req);
        let choice = self.choose(lookup);
        if preflight {
            self.decide_preflight(req, choice)
        } else {
            self.decide_actual(req, choice)
        }
    }
}

impl<S, B> Service<ServiceRequest> for CorsService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = CorsFuture<S::Future, B>;

    actix_service::forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        match self.decide(&req) {
            Outcome::Call(decoration) => CorsFuture::Call {
                fut: self.service.call(req),
                decoration,
            },
            Outcome::Respond(response) => CorsFuture::Ready {
                response: Some(req.into_response(response).map_into_right_body()),
            },
        }
    }
}

pin_project! {
    /// The future of [`CorsService`]: no allocation of its own.
    #[doc(hidden)]
    #[project = CorsFutureProj]
    pub enum CorsFuture<F, B> {
        Call { #[pin] fut: F, decoration: Decoration },
        Ready { response: Option<ServiceResponse<EitherBody<B>>> },
    }
}

impl<F, B> Future for CorsFuture<F, B>
where
    F: Future<Output = Result<ServiceResponse<B>, Error>>,
{
    type Output = Result<ServiceResponse<EitherBody<B>>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            CorsFutureProj::Call { fut, decoration } => match fut.poll(cx) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(Ok(mut response)) => {
                    let removed = std::mem::take(decoration).apply(response.headers_mut());
                    if let Some(removed) = removed {
                        log_removed(Some(response.request().path()), &removed);
                    }
                    Poll::Ready(Ok(response.map_into_left_body()))
                }
                Poll::Ready(Err(mut error)) => {
                    // No response exists yet: add the headers when actix-web renders the error.
                    let decoration = std::mem::take(decoration);
                    if !decoration.is_empty() {
                        error.add_response_mapper(move |mut response| {
                            if let Some(removed) = decoration.clone().apply(response.headers_mut())
                            {
                                log_removed(None, &removed);
                            }
                            response
                        });
                    }
                    Poll::Ready(Err(error))
                }
            },
            CorsFutureProj::Ready { response } => Poll::Ready(response.take().ok_or_else(|| {
                actix_web::error::ErrorInternalServerError("CORS future polled after completion")
            })),
        }
    }
}
