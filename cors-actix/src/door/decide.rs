//! Deciding, before anything inside `Cors` runs: the policy of the route actix-web will run
//! (chosen in the route table), then what to do with the request: answer it (preflights,
//! refusals), call the app and write headers on what comes back (checked after routing), or
//! wait for an origin lookup.

use std::rc::Rc;

use actix_web::dev::ServiceRequest;
use actix_web::http::header::HeaderValue;
use actix_web::{HttpMessage, HttpResponse};
use cors_core::{Decision, HeaderInput};

use crate::door::ask::Dynamic;
use crate::door::log::{action, skipped, Log};
use crate::door::mark::{key, Mark, MarkGuard, Seen};
use crate::door::read::{is_same_origin, PreflightValues, Read};
use crate::door::refusal::{refusal_response, refusal_text, Refusal};
use crate::door::route_table::{Found, Route, RoutePolicy};
use crate::door::write::{preflight_answer, Decoration};
use crate::door::Door;
use crate::on_refusal::OnRefusal;
use crate::policy::lookup::OriginLookup;
use crate::policy::slot::PolicySlot;
use crate::routes::route_cors::RouteMark;

/// The `handler` of log events about the default policy.
pub(crate) const DEFAULT_POLICY: &str = "<default policy>";

/// Which declaration the door took a request for, to be checked after routing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Predicted {
    /// A declared route (index into the table's routes): a `#[cors]` route, whose route door
    /// confirms, or a `resource_policy`.
    Route(u32),
    /// A scope policy (index into the table's scope policies).
    Scope(u32),
    /// No declaration: the default policy, or none.
    Nothing,
}

/// What to check after routing, for a request with an `Origin` that the door let in.
#[derive(Debug)]
pub(crate) struct Check {
    pub(crate) predicted: Predicted,
    pub(crate) mark: Marked,
}

/// How the door marked a request for the route doors of `#[cors]` routes.
#[derive(Debug)]
pub(crate) enum Marked {
    /// Not marked: no `#[cors]` route was chosen.
    None,
    /// Marked for the chosen `#[cors]` route, whose route door takes the mark off.
    Route(&'static RouteMark),
    /// Twins: the route door of the one actix-web runs decides, and records what it did.
    Deferred(MarkGuard),
}

/// The policy that applies to a request.
enum Choice<'t> {
    /// A declared route's policy, or a scope's, or the default policy (`handler` is then
    /// [`DEFAULT_POLICY`]).
    Policy {
        handler: &'t str,
        policy: &'t PolicySlot,
        predicted: Predicted,
    },
    /// A `#[cors]` route with twins of other policies: the route actix-web runs decides.
    Twins { route: &'t Route },
    /// `#[cors(disable)]`.
    Disabled { handler: &'t str, route: u32 },
    /// Declared routes serve the path, but not with this method; no default policy.
    Unserved { route: &'t Route },
    /// No policy: the request passes untouched.
    None,
}

/// What to do with a request, decided before anything inside `Cors` runs.
pub(crate) enum Outcome {
    /// Call the app, then write these headers on its response (or error), once checked.
    Call(Decoration, Option<Check>),
    /// Answer now; nothing inside runs.
    Respond(HttpResponse),
    /// Refuse now with this refusal's response (made by the future); nothing inside runs.
    Refuse(Refusal),
    /// Ask the policy's origin lookup about this origin, then decide again with its answer.
    Lookup(OriginLookup, String),
}

/// A decision made by a route door: let the request in (these headers on its response), or
/// send this answer.
pub(crate) enum AtRoute {
    Pass(Decoration),
    Answer(HttpResponse),
}

impl Door {
    #[inline]
    fn choose<'t>(&'t self, found: Found<'t>) -> Choice<'t> {
        let default = || {
            self.default.as_ref().map(|policy| Choice::Policy {
                handler: DEFAULT_POLICY,
                policy,
                predicted: Predicted::Nothing,
            })
        };
        match found {
            Found::Route(route) => {
                let index = self.table.index_of(route);
                match &route.policy {
                    RoutePolicy::Decide(_) if route.other_twins => Choice::Twins { route },
                    RoutePolicy::Decide(policy) => Choice::Policy {
                        handler: &route.handler,
                        policy,
                        predicted: Predicted::Route(index),
                    },
                    RoutePolicy::Disabled => Choice::Disabled {
                        handler: &route.handler,
                        route: index,
                    },
                }
            }
            Found::Scope(scope) => Choice::Policy {
                handler: &scope.handler,
                policy: &scope.policy,
                predicted: Predicted::Scope(self.table.scope_index_of(scope)),
            },
            Found::OtherMethods(route) => default().unwrap_or(Choice::Unserved { route }),
            Found::Nothing => default().unwrap_or(Choice::None),
        }
    }

    /// The routes a request for `route` may run: it, then its twins serving `method`.
    fn with_twins<'t>(
        &'t self,
        route: &'t Route,
        method: &'t [u8],
    ) -> impl Iterator<Item = &'t Route> {
        std::iter::once(route).chain(
            route
                .twins
                .iter()
                .map(|&twin| &self.table.routes[twin as usize])
                .filter(move |twin| twin.serves(method)),
        )
    }

    fn decide_preflight(
        &self,
        req: &ServiceRequest,
        values: &PreflightValues<'_>,
        choice: Choice<'_>,
        known: Option<bool>,
    ) -> Outcome {
        match choice {
            Choice::Policy {
                handler, policy, ..
            } => self.answer_preflight(req, values, handler, policy, known),
            Choice::Twins { route } => {
                // The actual request will be decided by the twin actix-web runs; the preflight
                // (which carries no data) is allowed if one of them allows it.
                let mut first = None;
                for twin in self.with_twins(route, values.route_method) {
                    let RoutePolicy::Decide(policy) = &twin.policy else {
                        continue;
                    };
                    match self.answer_preflight(req, values, &twin.handler, policy, known) {
                        Outcome::Respond(res) if res.status().is_success() => {
                            return Outcome::Respond(res)
                        }
                        Outcome::Lookup(lookup, origin) => return Outcome::Lookup(lookup, origin),
                        outcome => {
                            first.get_or_insert(outcome);
                        }
                    }
                }
                first.unwrap_or_else(|| Outcome::Respond(refusal_text(skipped::DISABLED, false)))
            }
            Choice::Disabled { handler, .. } => {
                Log::of(handler, req).refused("preflight", &skipped::DISABLED, action::BLOCKED);
                Outcome::Respond(refusal_text(skipped::DISABLED, false))
            }
            Choice::Unserved { route } => {
                // The reason's text is only made when someone reads it.
                let logging = tracing::enabled!(target: "cors", tracing::Level::DEBUG);
                if !self.debug && !logging {
                    return Outcome::Call(Decoration::default(), None);
                }
                let reason = format!(
                    "no route with a CORS policy serves the requested method on this path ({} serves {})",
                    route.pattern,
                    route.methods_text()
                );
                let log = Log::of(&route.handler, req);
                if self.debug {
                    log.refused("preflight", &reason, action::BLOCKED);
                    Outcome::Respond(refusal_text(&reason, true))
                } else {
                    log.refused("preflight", &reason, action::PASSED);
                    Outcome::Call(Decoration::default(), None)
                }
            }
            Choice::None => Outcome::Call(Decoration::default(), None),
        }
    }

    /// The answer to a preflight with `policy`.
    fn answer_preflight(
        &self,
        req: &ServiceRequest,
        values: &PreflightValues<'_>,
        handler: &str,
        policy: &PolicySlot,
        known: Option<bool>,
    ) -> Outcome {
        let prepared = policy.load();
        let mut dynamic = Dynamic::new(policy, known, req.head());
        let decision = prepared
            .policy
            .preflight_with(&values.request, |o| dynamic.ask(o));
        if let Some((lookup, origin)) = dynamic.lookup(&decision) {
            return Outcome::Lookup(lookup, origin);
        }
        Outcome::Respond(preflight_answer(
            values,
            decision,
            &prepared,
            &Log::of(handler, req),
            self.debug,
            self.preflight_status,
        ))
    }

    /// Decides an actual request with `choice`. `door` is this door, for the mark of a
    /// `#[cors]` route.
    fn decide_actual(
        self: &Rc<Self>,
        req: &ServiceRequest,
        (input, origin): (HeaderInput<'_>, Option<&HeaderValue>),
        choice: Choice<'_>,
        known: Option<bool>,
    ) -> Outcome {
        if !input.is_present() {
            return match self.not_cors(req, choice) {
                Ok(vary) => Outcome::Call(Decoration::vary_only(vary.then_some("Origin")), None),
                Err(handler) => self.unclaimed(req, handler, None),
            };
        }
        let (handler, slot, predicted) = match choice {
            Choice::Policy {
                handler,
                policy,
                predicted,
            } => (handler, policy, predicted),
            Choice::Twins { route } => {
                Log::of(&route.handler, req).skipped("request", skipped::TWINS);
                let index = self.table.index_of(route);
                return Outcome::Call(
                    Decoration::vary_only(Some("Origin")),
                    Some(self.defer(req, index)),
                );
            }
            Choice::Disabled { handler, route } => {
                Log::of(handler, req).skipped("request", skipped::DISABLED);
                let check = self.check(req, Predicted::Route(route));
                return self.unclaimed(req, handler, Some(check));
            }
            Choice::Unserved { .. } | Choice::None => {
                let check = self.checks_unclaimed().then_some(Check {
                    predicted: Predicted::Nothing,
                    mark: Marked::None,
                });
                return self.unclaimed(req, UNCOVERED, check);
            }
        };
        let prepared = slot.load();
        let mut dynamic = Dynamic::new(slot, known, req.head());
        let decision = prepared.policy.actual_with(input, |o| dynamic.ask(o));
        let check = || Some(self.check(req, predicted));
        match decision {
            // Not reached: a request without `Origin` is not decided (`not_cors`).
            Decision::NotCors => Outcome::Call(Decoration::vary_only(prepared.actual_vary), None),
            Decision::Allowed(grant) => {
                Log::of(handler, req).allowed("request");
                let decoration = Decoration::allowed(&grant, origin, &prepared);
                Outcome::Call(decoration, check())
            }
            Decision::Refused(reason) => {
                let vary = || Decoration::vary_only(prepared.actual_vary);
                let log = Log::of(handler, req);
                if is_same_origin(req, origin) {
                    log.skipped("request", skipped::SAME_ORIGIN);
                    return Outcome::Call(vary(), check());
                }
                if let Some((lookup, origin)) = dynamic.lookup(&decision) {
                    return Outcome::Lookup(lookup, origin);
                }
                // Browsers do not apply CORS to WebSockets (or any upgrade): a response without
                // CORS headers would not stop the page from using the connection.
                match self.on_refusal {
                    OnRefusal::HeadersOnly if !req.head().upgrade() => {
                        log.refused("request", &reason, action::HEADERS_ONLY);
                        Outcome::Call(vary(), check())
                    }
                    _ => {
                        log.refused_blocked("request", &reason);
                        if self.debug {
                            Outcome::Respond(refusal_response(&reason, true, "Origin"))
                        } else {
                            Outcome::Refuse(Refusal::of(&reason))
                        }
                    }
                }
            }
        }
    }

    /// A request without `Origin`, not a CORS request: it goes on, its response with `Vary:
    /// Origin` where the policy's answers depend on the origin (`Ok(whether)`); `Err(handler)`
    /// when no policy covers it.
    #[inline]
    fn not_cors<'t>(&self, req: &ServiceRequest, choice: Choice<'t>) -> Result<bool, &'t str> {
        match choice {
            Choice::Policy {
                handler, policy, ..
            } => {
                Log::of(handler, req).skipped("request", skipped::NOT_CORS);
                Ok(policy.load().actual_vary.is_some())
            }
            // Whichever twin runs, its headers depend on the origin.
            Choice::Twins { .. } => Ok(true),
            Choice::Disabled { handler, .. } => {
                Log::of(handler, req).skipped("request", skipped::DISABLED);
                Err(handler)
            }
            Choice::Unserved { .. } | Choice::None => Err(UNCOVERED),
        }
    }

    /// The fast path of the most common request, without `Origin`: what its response gets,
    /// `None` for no CORS headers at all, `Some(whether Vary lists Origin)` for a response a
    /// policy decides. `None` as the outer answer: the request takes the general path (it has
    /// an `Origin`, or the first request's checks or cross-origin protection apply).
    #[inline]
    pub(crate) fn without_origin(
        &self,
        req: &ServiceRequest,
        read: &Read<'_>,
    ) -> Option<Option<bool>> {
        let Read::Actual {
            origin: (HeaderInput::Missing, _),
        } = read
        else {
            return None;
        };
        if self.unchecked.get() || self.cross_origin.is_some() {
            return None;
        }
        if self.table.is_empty() && self.default.is_none() {
            return Some(None);
        }
        Some(self.not_cors(req, self.choose(self.find(req, read))).ok())
    }

    /// Whether a request no declaration claims must still be checked after routing: when
    /// actix-web may route it into a scope policy's scope or to a `resource_policy` resource
    /// that the door did not take it for.
    pub(crate) fn checks_unclaimed(&self) -> bool {
        self.table.has_scope_policies() || !self.table.resource_patterns.is_empty()
    }

    /// What to check after routing a request taken for `predicted`: a `#[cors]` route's
    /// request is marked for its route door.
    fn check(&self, req: &ServiceRequest, predicted: Predicted) -> Check {
        let mark = match predicted {
            Predicted::Route(index) => match self.table.routes[index as usize].declaration {
                Some(declaration) => {
                    declaration.mark.set(&mut req.extensions_mut());
                    Marked::Route(&declaration.mark)
                }
                None => Marked::None,
            },
            // Every request the door let in with an `Origin` is checked after routing (if
            // only for a route door's own answer).
            _ => Marked::None,
        };
        Check { predicted, mark }
    }

    /// Marks the request for twins, the first being route `index`: the route door of the one
    /// actix-web runs decides.
    fn defer(self: &Rc<Self>, req: &ServiceRequest, index: u32) -> Check {
        let mark = Mark {
            door: Rc::clone(self),
            route: index,
            seen: Seen::Nothing,
        };
        Check {
            predicted: Predicted::Route(index),
            mark: Marked::Deferred(MarkGuard::set(key(req.head()), mark)),
        }
    }

    /// A deferred decision, made by the route door of route `index` (a twin), which actix-web
    /// runs: the headers to write, or the answer to send. Origin lookups are not awaited here:
    /// an origin that is not cached yet is refused.
    pub(crate) fn decide_at_route(self: &Rc<Self>, index: u32, req: &ServiceRequest) -> AtRoute {
        let route = &self.table.routes[index as usize];
        let RoutePolicy::Decide(policy) = &route.policy else {
            return AtRoute::Pass(Decoration::default());
        };
        let choice = Choice::Policy {
            handler: &route.handler,
            policy,
            predicted: Predicted::Nothing,
        };
        let origin = crate::door::read::origin(req.headers());
        match self.decide_actual(req, origin, choice, None) {
            Outcome::Call(decoration, _) => AtRoute::Pass(decoration),
            Outcome::Respond(response) => AtRoute::Answer(response),
            Outcome::Refuse(refusal) => AtRoute::Answer(refusal.response()),
            Outcome::Lookup(..) => {
                AtRoute::Answer(refusal_text("origin lookup not done for this route", false))
            }
        }
    }

    /// Reads the request, chooses its policy and decides, before anything inside runs. `known`
    /// is the answer of an origin lookup the request waited for.
    pub(crate) fn decide(self: &Rc<Self>, req: &ServiceRequest, known: Option<bool>) -> Outcome {
        self.decide_read(req, &Read::of(req.head()), known)
    }

    /// [`decide`](Door::decide), the request already `read`.
    pub(crate) fn decide_read(
        self: &Rc<Self>,
        req: &ServiceRequest,
        read: &Read<'_>,
        known: Option<bool>,
    ) -> Outcome {
        if self.unchecked.get() {
            self.first_request(req);
        }
        if self.table.is_empty() && self.default.is_none() {
            return self.unclaimed(req, UNCOVERED, None);
        }
        let choice = self.choose(self.find(req, read));
        match read {
            Read::Preflight(values) => self.decide_preflight(req, values, choice, known),
            Read::Actual { origin } => self.decide_actual(req, *origin, choice, known),
        }
    }

    /// The declared route (or scope) `req` is for: the one of its path and method (the
    /// requested method, for a preflight), as `read` says.
    #[inline]
    pub(crate) fn find<'t>(&'t self, req: &ServiceRequest, read: &Read<'_>) -> Found<'t> {
        let method = read.route_method(req.head());
        // The path as actix-web's router matches it (percent-decoded where it decodes; the door
        // runs before any router, so none of it is processed yet).
        self.table.find(req.match_info().as_str(), method, req)
    }
}

/// The `handler` of log events about requests no policy covers.
const UNCOVERED: &str = "<no CORS policy>";

impl Door {
    /// A request no policy covers: it goes on untouched (with `check` after routing), unless
    /// cross-origin protection refuses it.
    fn unclaimed(&self, req: &ServiceRequest, handler: &str, check: Option<Check>) -> Outcome {
        if let Some(reason) = self.cross_origin.as_ref().and_then(|p| p.refusal(req)) {
            Log::of(handler, req).refused("request", &reason, action::BLOCKED);
            return Outcome::Respond(refusal_text(reason, self.debug));
        }
        Outcome::Call(Decoration::default(), check)
    }

    /// What can only be checked once actix-web's resource map exists: declared routes that a
    /// service the door cannot see may keep actix-web from reaching. Logged (target `cors`,
    /// level warn) once per app and kept for the route report.
    #[cold]
    fn first_request(&self, req: &ServiceRequest) {
        self.unchecked.set(false);
        let found = crate::door::reachable::check_reachable(&self.table, req.resource_map());
        let Ok(mut findings) = self.findings.lock() else {
            return;
        };
        if findings.is_empty() {
            for finding in &found {
                tracing::warn!(target: "cors", "{finding}");
            }
            *findings = found;
        }
    }
}

#[cfg(test)]
use crate::preflight_status::PreflightStatus;

#[cfg(test)]
impl Door {
    /// An empty door, for unit tests.
    pub(crate) fn for_tests() -> Door {
        Door {
            table: Default::default(),
            default: None,
            on_refusal: OnRefusal::Block,
            debug: false,
            preflight_status: PreflightStatus::NoContent,
            cross_origin: None,
            unchecked: std::cell::Cell::new(false),
            findings: Default::default(),
        }
    }
}
