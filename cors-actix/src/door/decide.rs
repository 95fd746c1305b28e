//! Deciding, before anything inside `Cors` runs: the policy of the route actix-web will run
//! (chosen in the route table), then what to do with the request: answer it (preflights,
//! refusals), call the app and write headers on what comes back (checked after routing), or
//! wait for an origin lookup.

use std::cell::Cell;
use std::rc::{Rc, Weak};
use std::sync::{Arc, Mutex};

use actix_web::dev::ServiceRequest;
use actix_web::http::header::HeaderValue;
use actix_web::{HttpMessage, HttpResponse};
use cors_core::{Decision, HeaderInput};

use crate::door::after::check::{Check, Confirm, Marked, Predicted};
use crate::door::after::marks::PathMark;
use crate::door::after::reachable::{reaches, Chosen};
use crate::door::after::routed::Facts;
use crate::door::after::twins::{key, AtRoute, Mark, MarkGuard, Seen, TwinDoor};
use crate::door::ask::Dynamic;
use crate::door::ledger::{Ledger, Recent};
use crate::door::log::{action, skipped, Log, Why};
use crate::door::read::{PreflightValues, Read};
use crate::door::refusal::{refusal_response, refusal_text, Refusal};
use crate::door::route_table::{Found, Route, RoutePolicy, RouteTable};
use crate::door::same_origin::is_same_origin;
use crate::door::write::{preflight_answer, Decoration};
use crate::on_refusal::OnRefusal;
use crate::policy::lookup::OriginLookup;
use crate::policy::slot::PolicySlot;
use crate::preflight_status::PreflightStatus;

/// The door: what it knows (the route table and the settings, fixed when the app started) and
/// its decisions, made for every request before anything inside `Cors` runs. One per worker.
pub(crate) struct Door {
    /// Shared with [`Cors::explain`](crate::Cors::explain) (one per app, whatever the workers).
    pub(crate) table: Arc<RouteTable>,
    pub(crate) default: Option<PolicySlot>,
    pub(crate) on_refusal: OnRefusal,
    /// Debug mode, which changes one decision: a preflight for a method no declared route of
    /// the path serves is refused with its reason instead of passed on.
    pub(crate) debug: bool,
    /// Whether refusals carry their detailed reason (debug mode, or an explanation): changes
    /// what an answer says, never what is decided.
    pub(crate) detail: bool,
    pub(crate) preflight_status: PreflightStatus,
    /// Cross-origin protection of the requests no policy covers, if opted in.
    pub(crate) cross_origin: Option<crate::cross_origin::CrossOriginProtection>,
    /// Report-only mode: what would be refused goes on without CORS headers.
    pub(crate) report_only: bool,
    /// The app's refusal ledger, for the operators' log.
    pub(crate) ledger: Arc<Ledger>,
    /// This worker's memory of its last refusals (see [`Recent`]).
    pub(crate) recent: Recent,
    /// Whether the first request's checks are still to run (see [`Door::first_request`]).
    pub(crate) unchecked: Cell<bool>,
    /// Where the findings after start-up go (shared by the workers, read by the report).
    pub(crate) findings: Arc<Mutex<Vec<String>>>,
    /// This door, for the twins' marks (the route door of the twin actix-web runs asks it).
    pub(crate) this: Weak<Door>,
}

/// The `handler` of log events about the default policy.
pub(crate) const DEFAULT_POLICY: &str = "<default policy>";

/// The policy that applies to a request.
enum Choice<'t> {
    /// A declared route's policy, or a scope's, or the default policy (`handler` is then
    /// [`DEFAULT_POLICY`]).
    Policy {
        handler: &'t str,
        /// The declaration's path pattern.
        pattern: &'t str,
        policy: &'t PolicySlot,
        predicted: Predicted,
    },
    /// A `#[cors]` route with twins of other policies: the route actix-web runs decides.
    Twins { route: &'t Route },
    /// `#[cors(disable)]`.
    Disabled {
        handler: &'t str,
        pattern: &'t str,
        route: u32,
    },
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
    /// A preflight no policy answers (no declared route of its path serves the requested
    /// method): it goes on to the app untouched, for this reason.
    Pass(String),
}

impl Door {
    #[inline]
    fn choose<'t>(&'t self, found: Found<'t>) -> Choice<'t> {
        let default = || {
            self.default.as_ref().map(|policy| Choice::Policy {
                handler: DEFAULT_POLICY,
                pattern: ANY_PATH,
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
                        pattern: &route.pattern,
                        policy,
                        predicted: Predicted::Route(index),
                    },
                    RoutePolicy::Disabled => Choice::Disabled {
                        handler: &route.handler,
                        pattern: &route.pattern,
                        route: index,
                    },
                }
            }
            Found::Scope(scope) => Choice::Policy {
                handler: &scope.handler,
                pattern: &scope.pattern,
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
                handler,
                pattern,
                policy,
                predicted,
            } => {
                let at = (handler, pattern, predicted);
                self.answer_preflight(req, values, at, policy, known)
            }
            Choice::Twins { route } => {
                // The actual request will be decided by the twin actix-web runs; the preflight
                // (which carries no data) is allowed if one of them allows it.
                let mut first = None;
                for twin in self.with_twins(route, values.route_method) {
                    let RoutePolicy::Decide(policy) = &twin.policy else {
                        continue;
                    };
                    let at = (
                        &twin.handler[..],
                        &twin.pattern[..],
                        Predicted::Route(self.table.index_of(route)),
                    );
                    match self.answer_preflight(req, values, at, policy, known) {
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
            Choice::Disabled {
                handler,
                pattern,
                route,
            } => {
                let why = Why::text(&skipped::DISABLED, skipped::DISABLED, FIX_DISABLED);
                let log = self.log(handler, pattern, req);
                if self.report_only {
                    log.refused("preflight", why, action::WOULD_REFUSE);
                    return Outcome::Call(
                        Decoration::default(),
                        Some(self.check(req, Predicted::Route(route))),
                    );
                }
                log.refused("preflight", why, action::BLOCKED);
                Outcome::Respond(refusal_text(skipped::DISABLED, false))
            }
            Choice::Unserved { route } => {
                // The reason's text is only made when someone reads it.
                let logging = tracing::enabled!(target: "cors", tracing::Level::DEBUG)
                    || self.ledger.level().is_some_and(crate::door::log::enabled);
                if !self.debug && !self.detail && !logging {
                    return Outcome::Call(Decoration::default(), None);
                }
                let reason = format!(
                    "no route with a CORS policy serves the requested method on this path ({} serves {})",
                    route.pattern,
                    route.methods_text()
                );
                let log = self.log(&route.handler, &route.pattern, req);
                let why = Why::text(&reason, UNSERVED, FIX_UNSERVED);
                if self.debug && !self.report_only {
                    log.refused("preflight", why, action::BLOCKED);
                    Outcome::Respond(refusal_text(&reason, true))
                } else {
                    log.refused("preflight", why, action::PASSED);
                    Outcome::Pass(reason)
                }
            }
            Choice::None => Outcome::Call(Decoration::default(), None),
        }
    }

    /// The answer to a preflight with `policy`, the policy of `handler` (`pattern`), taken for
    /// `predicted`.
    fn answer_preflight(
        &self,
        req: &ServiceRequest,
        values: &PreflightValues<'_>,
        (handler, pattern, predicted): (&str, &str, Predicted),
        policy: &PolicySlot,
        known: Option<bool>,
    ) -> Outcome {
        let prepared = policy.load();
        let mut dynamic = Dynamic::new(policy, known, req.head());
        let decision = prepared
            .policy
            .preflight_dynamic(&values.request(), &mut dynamic);
        if let Some((lookup, origin)) = dynamic.lookup(&decision) {
            return Outcome::Lookup(lookup, origin);
        }
        let log = self.log(handler, pattern, req);
        if self.report_only {
            if let Decision::Refused(reason) = &decision {
                log.refused("preflight", Why::of(reason), action::WOULD_REFUSE);
                return Outcome::Call(Decoration::default(), Some(self.check(req, predicted)));
            }
        }
        Outcome::Respond(preflight_answer(
            values,
            decision,
            &prepared,
            &log,
            self.detail,
            self.preflight_status,
        ))
    }

    /// Decides an actual request with `choice`. `door` is this door, for the mark of a
    /// `#[cors]` route.
    fn decide_actual(
        &self,
        req: &ServiceRequest,
        (input, origin): (HeaderInput<'_>, Option<&HeaderValue>),
        choice: Choice<'_>,
        known: Option<bool>,
    ) -> Outcome {
        if !input.is_present() {
            return match self.not_cors(req, choice) {
                Ok(vary) => Outcome::Call(Decoration::vary_only(vary.then_some("Origin")), None),
                Err(declaration) => self.unclaimed(req, declaration, None),
            };
        }
        let (handler, pattern, slot, predicted) = match choice {
            Choice::Policy {
                handler,
                pattern,
                policy,
                predicted,
            } => (handler, pattern, policy, predicted),
            Choice::Twins { route } => {
                self.log(&route.handler, &route.pattern, req)
                    .skipped("request", skipped::TWINS);
                let index = self.table.index_of(route);
                return Outcome::Call(
                    Decoration::vary_only(Some("Origin")),
                    Some(self.defer(req, index)),
                );
            }
            Choice::Disabled {
                handler,
                pattern,
                route,
            } => {
                self.log(handler, pattern, req)
                    .skipped("request", skipped::DISABLED);
                let check = self.check(req, Predicted::Route(route));
                return self.unclaimed(req, (handler, pattern), Some(check));
            }
            Choice::Unserved { .. } | Choice::None => {
                let check = self
                    .table
                    .checks_unclaimed()
                    .then(|| Check::new(req, Predicted::Nothing, Marked::None));
                return self.unclaimed(req, (UNCOVERED, ANY_PATH), check);
            }
        };
        let prepared = slot.load();
        let mut dynamic = Dynamic::new(slot, known, req.head());
        let decision = prepared.policy.actual_dynamic(input, &mut dynamic);
        let check = || Some(self.check(req, predicted));
        match decision {
            // Not reached: a request without `Origin` is not decided (`not_cors`).
            Decision::NotCors => Outcome::Call(Decoration::vary_only(prepared.actual_vary), None),
            Decision::Allowed(grant) => {
                self.log(handler, pattern, req).allowed("request");
                let decoration = Decoration::allowed(&grant, origin, &prepared);
                Outcome::Call(decoration, check())
            }
            Decision::Refused(reason) => {
                let vary = || Decoration::vary_only(prepared.actual_vary);
                let log = self.log(handler, pattern, req).with_origin(origin);
                if is_same_origin(req, origin) {
                    log.skipped("request", skipped::SAME_ORIGIN);
                    return Outcome::Call(vary(), check());
                }
                if let Some((lookup, origin)) = dynamic.lookup(&decision) {
                    return Outcome::Lookup(lookup, origin);
                }
                // Browsers do not apply CORS to WebSockets (or any upgrade): a response without
                // CORS headers would not stop the page from using the connection.
                if self.report_only {
                    log.refused("request", Why::of(&reason), action::WOULD_REFUSE);
                    return Outcome::Call(vary(), check());
                }
                match self.on_refusal {
                    OnRefusal::HeadersOnly if !req.head().upgrade() => {
                        log.refused("request", Why::of(&reason), action::HEADERS_ONLY);
                        Outcome::Call(vary(), check())
                    }
                    _ => {
                        log.refused_blocked("request", Why::of(&reason));
                        if self.detail {
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
    fn not_cors<'t>(
        &self,
        req: &ServiceRequest,
        choice: Choice<'t>,
    ) -> Result<bool, (&'t str, &'t str)> {
        match choice {
            Choice::Policy {
                handler,
                pattern,
                policy,
                ..
            } => {
                self.log(handler, pattern, req)
                    .skipped("request", skipped::NOT_CORS);
                Ok(policy.load().actual_vary.is_some())
            }
            // Whichever twin runs, its headers depend on the origin.
            Choice::Twins { .. } => Ok(true),
            Choice::Disabled {
                handler, pattern, ..
            } => {
                self.log(handler, pattern, req)
                    .skipped("request", skipped::DISABLED);
                Err((handler, pattern))
            }
            Choice::Unserved { .. } | Choice::None => Err((UNCOVERED, ANY_PATH)),
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

    /// What to check after routing a request taken for `predicted`, which is marked for what
    /// confirms it: a `#[cors]` route's route door, a path policy's path check, and the path
    /// checks of the scope policies around it, which see the request first.
    #[inline]
    fn check(&self, req: &ServiceRequest, predicted: Predicted) -> Check {
        let (mark, enclosing) = match predicted {
            Predicted::Route(index) => {
                let route = &self.table.routes[index as usize];
                let mark = match (route.declaration, route.path_mark) {
                    (Some(declaration), _) => {
                        declaration.mark.set(&mut req.extensions_mut());
                        Marked::Route(&declaration.mark)
                    }
                    (None, Some(mark)) => {
                        mark.set(&mut req.extensions_mut());
                        Marked::Path(mark)
                    }
                    (None, None) => Marked::None,
                };
                // A route actix-web does not reach where the door expects it is not inside the
                // scopes the door takes to be around it (see `Facts::unreachable`), nor is a
                // route behind host guards this request's host does not pass.
                let facts = &self.table.facts;
                let enclosing = if route.enclosing.is_empty()
                    || Facts::unreachable(facts, index)
                    || Facts::host_refuses(facts, index, host(req))
                    || (Facts::shadowable(facts, index)
                        && !reaches(
                            &self.table,
                            req.resource_map(),
                            Chosen::Route(index),
                            req.path(),
                        )) {
                    &[][..]
                } else {
                    &route.enclosing[..]
                };
                (mark, enclosing)
            }
            Predicted::Scope(index) => {
                let scope = &self.table.scope_policies[index as usize];
                scope.path_mark.set(&mut req.extensions_mut());
                let facts = &self.table.facts;
                let enclosing = if Facts::scope_unreachable(facts, index)
                    || Facts::scope_host_refuses(facts, index, host(req))
                {
                    &[][..]
                } else {
                    &scope.enclosing[..]
                };
                (Marked::Path(scope.path_mark), enclosing)
            }
            // Every request the door let in with an `Origin` is checked after routing (if
            // only for a route door's own answer).
            Predicted::Nothing => (Marked::None, &[][..]),
        };
        mark_all(req, enclosing);
        Check::new(req, predicted, mark)
    }

    /// Marks the request for twins, the first being route `index`: the route door of the one
    /// actix-web runs decides.
    fn defer(&self, req: &ServiceRequest, index: u32) -> Check {
        let route = &self.table.routes[index as usize];
        mark_all(req, &route.enclosing);
        for &twin in &route.twins {
            mark_all(req, &self.table.routes[twin as usize].enclosing);
        }
        let mark = self.this.upgrade().map(|door| Mark {
            door: door as Rc<dyn TwinDoor>,
            route: index,
            seen: Seen::Nothing,
        });
        Check::new(
            req,
            Predicted::Route(index),
            match mark {
                Some(mark) => Marked::Deferred(MarkGuard::set(key(req.head()), mark)),
                // Not reached: a door is always held by its `Rc` while it decides.
                None => Marked::None,
            },
        )
    }

    /// What settling after routing reads of this door.
    #[inline]
    pub(crate) fn confirm(&self) -> Confirm<'_> {
        Confirm {
            table: &self.table,
            default: self.default.as_ref(),
            findings: &self.findings,
        }
    }
}

/// The host a request names, as actix-web's `guard::Host` reads it: its `Host` header's, else
/// its target's (without port).
fn host(req: &ServiceRequest) -> Option<&str> {
    let authority = req
        .headers()
        .get(actix_web::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| req.uri().authority().map(|a| a.as_str()))?;
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    Some(match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(v6),
        None => authority.split(':').next().unwrap_or(authority),
    })
}

/// Puts `marks` on the request.
#[inline]
fn mark_all(req: &ServiceRequest, marks: &[PathMark]) {
    if marks.is_empty() {
        return;
    }
    let mut extensions = req.extensions_mut();
    for mark in marks {
        mark.set(&mut extensions);
    }
}

impl TwinDoor for Door {
    fn table(&self) -> &RouteTable {
        &self.table
    }

    /// A deferred decision, made by the route door of route `index` (a twin), which actix-web
    /// runs: the headers to write, or the answer to send. Origin lookups are not awaited here:
    /// an origin that is not cached yet is refused.
    fn decide_at_route(&self, index: u32, req: &ServiceRequest) -> AtRoute {
        let route = &self.table.routes[index as usize];
        let RoutePolicy::Decide(policy) = &route.policy else {
            return AtRoute::Pass(Decoration::default());
        };
        let choice = Choice::Policy {
            handler: &route.handler,
            pattern: &route.pattern,
            policy,
            predicted: Predicted::Nothing,
        };
        let origin = crate::door::read::origin(req.headers());
        match self.decide_actual(req, origin, choice, None) {
            Outcome::Call(decoration, _) => AtRoute::Pass(decoration),
            Outcome::Respond(response) => AtRoute::Answer(response),
            Outcome::Refuse(refusal) => AtRoute::Answer(refusal.response()),
            Outcome::Pass(_) => AtRoute::Pass(Decoration::default()),
            Outcome::Lookup(..) => {
                AtRoute::Answer(refusal_text("origin lookup not done for this route", false))
            }
        }
    }
}

impl Door {
    /// Reads the request, chooses its policy and decides, before anything inside runs. `known`
    /// is the answer of an origin lookup the request waited for.
    pub(crate) fn decide(&self, req: &ServiceRequest, known: Option<bool>) -> Outcome {
        self.decide_read(req, &Read::of(req.head()), known)
    }

    /// [`decide`](Door::decide), the request already `read`.
    pub(crate) fn decide_read(
        &self,
        req: &ServiceRequest,
        read: &Read<'_>,
        known: Option<bool>,
    ) -> Outcome {
        if self.unchecked.get() {
            self.first_request(req);
        }
        if self.table.is_empty() && self.default.is_none() {
            return self.unclaimed(req, (UNCOVERED, ANY_PATH), None);
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

/// The pattern of log events about the default policy and requests no policy covers.
const ANY_PATH: &str = "<any path without a declaration>";

/// The summaries and fixes of the refusals that are not a policy's (see [`Why::text`]).
const UNSERVED: &str = "no declared route serves the requested method";
const FIX_UNSERVED: &str = "declare the route that serves this method (`#[cors]` on it), or give `Cors` a default policy; or nothing, if the path should not serve it";
const FIX_DISABLED: &str =
    "remove `#[cors(disable)]` if browsers on other sites should call this route";
const CROSS_ORIGIN: &str = "cross-origin protection";
const FIX_CROSS_ORIGIN: &str = "give the route a CORS policy that allows the origin, trust the origin in `CrossOriginProtection`, or bypass the path";

impl Door {
    /// A request no policy covers: it goes on untouched (with `check` after routing), unless
    /// cross-origin protection refuses it.
    fn unclaimed(
        &self,
        req: &ServiceRequest,
        (handler, pattern): (&str, &str),
        check: Option<Check>,
    ) -> Outcome {
        if let Some(reason) = self.cross_origin.as_ref().and_then(|p| p.refusal(req)) {
            let why = Why::text(&reason, CROSS_ORIGIN, FIX_CROSS_ORIGIN);
            let log = self.log(handler, pattern, req);
            if self.report_only {
                log.refused("request", why, action::WOULD_REFUSE);
            } else {
                log.refused("request", why, action::BLOCKED);
                return Outcome::Respond(refusal_text(reason, self.detail));
            }
        }
        Outcome::Call(Decoration::default(), check)
    }

    /// The log of a decision by `handler` (`pattern`) about `req`.
    #[inline(always)]
    fn log<'a>(&'a self, handler: &'a str, pattern: &'a str, req: &'a ServiceRequest) -> Log<'a> {
        Log::of(&self.ledger, &self.recent, handler, pattern, req)
    }

    /// What can only be learnt once actix-web's resource map exists: declared routes that a
    /// service the door cannot see may keep actix-web from reaching (logged, target `cors`,
    /// level warn, once per app, and kept for the route report), and which declarations are
    /// ambiguous after routing (see [`routed`](crate::door::after::routed)).
    #[cold]
    fn first_request(&self, req: &ServiceRequest) {
        self.unchecked.set(false);
        let tree =
            req.app_data::<actix_web::web::Data<actix_web::introspection::IntrospectionTree>>();
        let learnt = crate::door::after::reachable::learn(
            &self.table,
            req.resource_map(),
            tree.map(|t| &***t),
        );
        crate::door::after::reachable::remember_map(&self.table, req.resource_map());
        let _ = self.table.facts.set(learnt.facts);
        let Ok(mut findings) = self.findings.lock() else {
            return;
        };
        for finding in learnt.findings {
            if !findings.contains(&finding) {
                tracing::warn!(target: "cors", "{finding}");
                findings.push(finding);
            }
        }
    }
}

#[cfg(test)]
impl Door {
    /// A door of `table` with `default`, for unit tests.
    pub(crate) fn for_tests(
        table: RouteTable,
        default: Option<PolicySlot>,
        cross_origin: Option<crate::cross_origin::CrossOriginProtection>,
        unchecked: bool,
    ) -> Rc<Door> {
        Rc::new_cyclic(|this| Door {
            table: Arc::new(table),
            default,
            on_refusal: OnRefusal::Block,
            debug: false,
            detail: false,
            preflight_status: PreflightStatus::NoContent,
            cross_origin,
            report_only: false,
            ledger: Arc::new(Ledger::new(crate::RefusalLog::new())),
            recent: Recent::default(),
            unchecked: std::cell::Cell::new(unchecked),
            findings: Default::default(),
            this: this.clone(),
        })
    }
}
