//! Deciding, before anything inside `Cors` runs: the policy of the route actix-web will run
//! (chosen in the route table), then what to do with the request: answer it (preflights,
//! refusals), call the app and write headers on what comes back, or wait for an origin lookup.

use actix_web::dev::{RequestHead, ServiceRequest};
use actix_web::http::header;
use actix_web::HttpResponse;
use cors_core::{Decision, Origin, Reason};

use crate::door::log::{action, skipped, Log};
use crate::door::read::{is_preflight, is_same_origin, origin, PreflightValues};
use crate::door::refusal::{refusal_response, refusal_text};
use crate::door::route_table::{Found, Route, RoutePolicy, RouteTable};
use crate::door::write::{preflight_answer, Decoration};
use crate::policy::dynamic::{Answer, DynamicOrigins};
use crate::policy::lookup::OriginLookup;
use crate::policy::slot::PolicySlot;
use crate::settings::{OnRefusal, PreflightStatus};

/// The `handler` of log events about the default policy.
pub(crate) const DEFAULT_POLICY: &str = "<default policy>";

/// What the door knows: the route table and the settings, fixed when the app started.
pub(crate) struct Door {
    pub(crate) table: RouteTable,
    pub(crate) default: Option<PolicySlot>,
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
        policy: &'t PolicySlot,
    },
    /// `#[cors(disable)]`.
    Disabled { handler: &'t str },
    /// Declared routes serve the path, but not with this method; no default policy.
    Unserved { route: &'t Route },
    /// No policy: the request passes untouched.
    None,
}

/// What to do with a request, decided before anything inside `Cors` runs.
pub(crate) enum Outcome {
    /// Call the app, then write these headers on its response (or error).
    Call(Decoration),
    /// Answer now; nothing inside runs.
    Respond(HttpResponse),
    /// Ask the policy's origin lookup about this origin, then decide again with its answer.
    Lookup(OriginLookup, String),
}

/// The question a policy with dynamic origins asks about an origin its list does not allow.
struct Dynamic<'a> {
    origins: Option<&'a DynamicOrigins>,
    /// The lookup's answer, when deciding again after it.
    known: Option<bool>,
    head: &'a RequestHead,
    /// Set when the answer is not cached: the request waits for a lookup.
    unknown: bool,
}

impl<'a> Dynamic<'a> {
    fn new(slot: &'a PolicySlot, known: Option<bool>, req: &'a ServiceRequest) -> Dynamic<'a> {
        Dynamic {
            origins: slot.dynamic.as_ref(),
            known,
            head: req.head(),
            unknown: false,
        }
    }

    fn ask(&mut self, origin: &Origin<'_>) -> bool {
        if let Some(known) = self.known {
            return known;
        }
        match self.origins.map(|o| o.answer(origin, self.head)) {
            Some(Answer::Allowed) => true,
            Some(Answer::Refused) | None => false,
            Some(Answer::Unknown) => {
                self.unknown = true;
                false
            }
        }
    }

    /// The lookup to wait for, if `decision` refused an origin only for want of its answer.
    #[inline]
    fn lookup(&self, decision: &Decision<'_, '_>) -> Option<Outcome> {
        if !self.unknown {
            return None;
        }
        match decision {
            Decision::Refused(Reason::OriginNotAllowed(origin)) => {
                let lookup = self.origins.and_then(DynamicOrigins::lookup)?;
                Some(Outcome::Lookup(lookup.clone(), (*origin).to_owned()))
            }
            _ => None,
        }
    }
}

impl Door {
    fn choose<'t>(&'t self, found: Found<'t>) -> Choice<'t> {
        let default = || {
            self.default.as_ref().map(|policy| Choice::Policy {
                handler: DEFAULT_POLICY,
                policy,
            })
        };
        match found {
            Found::Route(route) => match &route.policy {
                RoutePolicy::Decide(policy) => Choice::Policy {
                    handler: &route.handler,
                    policy,
                },
                RoutePolicy::Disabled => Choice::Disabled {
                    handler: &route.handler,
                },
            },
            Found::Scope(scope) => Choice::Policy {
                handler: &scope.handler,
                policy: &scope.policy,
            },
            Found::OtherMethods(route) => default().unwrap_or(Choice::Unserved { route }),
            Found::Nothing => default().unwrap_or(Choice::None),
        }
    }

    fn decide_preflight(
        &self,
        req: &ServiceRequest,
        choice: Choice<'_>,
        known: Option<bool>,
    ) -> Outcome {
        match choice {
            Choice::Policy { handler, policy } => {
                let prepared = policy.load();
                let values = PreflightValues::read(req.headers());
                let mut dynamic = Dynamic::new(policy, known, req);
                let decision = prepared
                    .policy
                    .preflight_with(&values.request, |o| dynamic.ask(o));
                if let Some(lookup) = dynamic.lookup(&decision) {
                    return lookup;
                }
                Outcome::Respond(preflight_answer(
                    &values,
                    decision,
                    &prepared,
                    &Log::of(handler, req),
                    self.debug,
                    self.preflight_status,
                ))
            }
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

    fn decide_actual(
        &self,
        req: &ServiceRequest,
        choice: Choice<'_>,
        known: Option<bool>,
    ) -> Outcome {
        let (handler, slot) = match choice {
            Choice::Policy { handler, policy } => (handler, policy),
            Choice::Disabled { handler } => {
                Log::of(handler, req).skipped("request", skipped::DISABLED);
                return Outcome::Call(Decoration::default());
            }
            Choice::Unserved { .. } | Choice::None => return Outcome::Call(Decoration::default()),
        };
        let prepared = slot.load();
        let (input, origin) = origin(req.headers());
        let mut dynamic = Dynamic::new(slot, known, req);
        let decision = prepared.policy.actual_with(input, |o| dynamic.ask(o));
        match decision {
            Decision::NotCors => {
                Log::of(handler, req).skipped("request", skipped::NOT_CORS);
                Outcome::Call(Decoration::vary_only(prepared.actual_vary))
            }
            Decision::Allowed(grant) => {
                Log::of(handler, req).allowed("request");
                Outcome::Call(Decoration::allowed(&grant, origin, &prepared))
            }
            Decision::Refused(reason) => {
                let vary = Decoration::vary_only(prepared.actual_vary);
                let log = Log::of(handler, req);
                if is_same_origin(req) {
                    log.skipped("request", skipped::SAME_ORIGIN);
                    return Outcome::Call(vary);
                }
                if let Some(lookup) = dynamic.lookup(&decision) {
                    return lookup;
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

    /// Reads the request, chooses its policy and decides, before anything inside runs. `known`
    /// is the answer of an origin lookup the request waited for.
    pub(crate) fn decide(&self, req: &ServiceRequest, known: Option<bool>) -> Outcome {
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
        let found = self.table.find(req.match_info().unprocessed(), method, req);
        let choice = self.choose(found);
        if preflight {
            self.decide_preflight(req, choice, known)
        } else {
            self.decide_actual(req, choice, known)
        }
    }
}
