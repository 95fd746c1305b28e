//! After routing: whether actix-web ran what the door took the request for, and the headers
//! the response gets. The door chose from what it knows (the declarations); actix-web's own
//! routing is the truth, read here from what it left on the request:
//!
//! - a `#[cors]` route's door takes off the mark of its route, or decides for twins through the
//!   [mark](crate::door::mark) of the request;
//! - a scope policy's scope marks every request actix-web routes into it (scope app data);
//! - the pattern of the resource actix-web matched (`HttpRequest::match_pattern`) tells a
//!   `resource_policy` resource.
//!
//! When they disagree, the response gets the headers of the policy that covers what ran (or
//! none), never the policy the door chose, and the disagreement is logged as an error.

use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::{HttpMessage, HttpRequest};
use cors_core::Decision;

use crate::door::decide::{Check, Marked, Predicted};
use crate::door::mark::Seen;
use crate::door::read::origin;
use crate::door::route_door::RouteDoorAnswered;
use crate::door::write::Decoration;
use crate::door::Door;
use crate::policy::dynamic::Answer;
use crate::policy::slot::PolicySlot;
use crate::routes::path_policy::ScopeMark;

/// What actix-web ran, in the door's terms.
enum Ran {
    /// What the door took the request for (or nothing that can be told apart from it).
    AsPredicted,
    /// A declared route or a scope policy's scope the door did not take the request for; or no
    /// declaration at all (`None`): the default policy, or none.
    Other(Option<Covering>, Option<String>),
}

/// The declaration covering what actix-web ran.
#[derive(Clone, Copy)]
enum Covering {
    Route(u32),
    Scope(u32),
}

impl Door {
    /// The headers of a response the door let in with `check`, `predicted` being those it
    /// prepared; `request`: the request as actix-web routed it (`None` for an error, which has
    /// no request: the route doors' marks still tell).
    #[inline(always)]
    pub(crate) fn settle(
        &self,
        check: Check,
        predicted: Decoration,
        request: Option<&HttpRequest>,
    ) -> Decoration {
        // The common answer, inlined: the chosen `#[cors]` route's door took its mark off (it
        // ran, and confirmed), so the prepared headers stand.
        if let (Marked::Route(mark), Some(req)) = (&check.mark, request) {
            if !mark.is_on(&req.extensions()) {
                return predicted;
            }
        }
        self.settle_other(check, predicted, request)
    }

    /// [`settle`](Door::settle) when the chosen route's door did not confirm (when it did,
    /// `settle` has answered).
    #[inline(never)]
    fn settle_other(
        &self,
        check: Check,
        predicted: Decoration,
        request: Option<&HttpRequest>,
    ) -> Decoration {
        let seen = match check.mark {
            Marked::Route(_) => match request {
                Some(_) => Some(Seen::Nothing),
                // An error has no request (a route door's own answer is told by its error).
                None => return predicted,
            },
            Marked::Deferred(guard) => guard.take().map(|mark| mark.seen),
            Marked::None => None,
        };
        if request.is_some_and(|req| req.extensions().contains::<RouteDoorAnswered>()) {
            // A route door answered (a refusal): it stays bare.
            return Decoration::default();
        }
        let ran = match (seen, check.predicted, request) {
            (Some(Seen::Decided(decoration)), ..) => return *decoration,
            (Some(Seen::Answered), ..) => return Decoration::default(),
            // An error has no request: an error from a route the door does not know cannot be
            // told from an inner middleware's (an authentication 401); the door's choice holds.
            (_, _, None) => return predicted,
            (Some(Seen::Nothing), predicted, Some(req)) => match req.match_pattern() {
                // No route door ran, nothing was routed: an inner middleware answered.
                None => Ran::AsPredicted,
                // The path leads to the predicted route's pattern, whose door did not run, and
                // routing stopped before any resource took the rest of the path: a middleware
                // inside `Cors` answered on the way (an authentication 401, a rate limiter's
                // 429, as actix-web-httpauth and actix-governor do, with a response rather than
                // an error). `match_pattern` is actix-web's resource map looked up by path, not
                // what ran; what ran shows in the request's match info, whose unprocessed part
                // each router that matches consumes (a scope its prefix, a resource the rest):
                // when it is empty, a resource of that pattern ran without the route door,
                // another service (a host-guarded twin scope's plain route, say).
                Some(pattern)
                    if !req.match_info().unprocessed().is_empty()
                        && matches!(predicted, Predicted::Route(index)
                            if self.table.routes[index as usize].pattern == pattern) =>
                {
                    Ran::AsPredicted
                }
                Some(pattern) => Ran::Other(self.covering(req, Some(&pattern)), Some(pattern)),
            },
            (None, Predicted::Route(index), Some(req)) => {
                // A `resource_policy`: did actix-web run a resource of its pattern?
                match req.match_pattern() {
                    None => Ran::AsPredicted,
                    Some(pattern) if pattern == self.table.routes[index as usize].pattern => {
                        Ran::AsPredicted
                    }
                    Some(pattern) => Ran::Other(self.covering(req, Some(&pattern)), Some(pattern)),
                }
            }
            (None, Predicted::Scope(index), Some(req)) => {
                let mark = self.table.scope_policies[index as usize].mark;
                match self.covering(req, None) {
                    Some(Covering::Scope(found))
                        if self.table.scope_policies[found as usize].mark == mark =>
                    {
                        Ran::AsPredicted
                    }
                    Some(other) => Ran::Other(Some(other), None),
                    // Not in the scope: if something was routed, it is outside it.
                    None => match req.match_pattern() {
                        None => Ran::AsPredicted,
                        Some(pattern) => Ran::Other(None, Some(pattern)),
                    },
                }
            }
            (None, Predicted::Nothing, Some(_)) if !self.checks_unclaimed() => Ran::AsPredicted,
            (None, Predicted::Nothing, Some(req)) => match self.covering(req, None) {
                None => Ran::AsPredicted,
                Some(other) => Ran::Other(Some(other), None),
            },
        };
        match ran {
            Ran::AsPredicted => predicted,
            Ran::Other(covering, pattern) => {
                let Some(req) = request else {
                    return predicted;
                };
                misrouted(check.predicted, pattern.as_deref(), req);
                self.redecide(covering, req)
            }
        }
    }

    /// The declaration that covers what actix-web ran for `req`: the `resource_policy` of the
    /// matched pattern (if `pattern` is given and one is declared for it), else the scope
    /// policy of the innermost scope actix-web routed the request into.
    fn covering(&self, req: &HttpRequest, pattern: Option<&str>) -> Option<Covering> {
        if !self.table.resource_patterns.is_empty() {
            let pattern = match pattern {
                Some(pattern) => Some(std::borrow::Cow::Borrowed(pattern)),
                None => req.match_pattern().map(std::borrow::Cow::Owned),
            };
            if let Some(&index) = pattern.and_then(|p| self.table.resource_patterns.get(&*p)) {
                return Some(Covering::Route(index));
            }
        }
        if !self.table.has_scope_policies() {
            return None;
        }
        let mark = req.app_data::<ScopeMark>()?;
        self.table
            .scope_policies
            .iter()
            .position(|s| s.mark == mark.0)
            .map(|i| Covering::Scope(i as u32))
    }

    /// The headers the policy covering what ran gives this request (its `Origin` decided
    /// again; a dynamic origin only from the cache, as nothing can be awaited here).
    fn redecide(&self, covering: Option<Covering>, req: &HttpRequest) -> Decoration {
        let slot: Option<&PolicySlot> = match covering {
            Some(Covering::Route(index)) => match &self.table.routes[index as usize].policy {
                crate::door::route_table::RoutePolicy::Decide(slot) => Some(slot),
                crate::door::route_table::RoutePolicy::Disabled => None,
            },
            Some(Covering::Scope(index)) => Some(&self.table.scope_policies[index as usize].policy),
            None => self.default.as_ref(),
        };
        let Some(slot) = slot else {
            // No policy covers what ran: the response stays as the app wrote it, with
            // `Vary: Origin` (the door's choice depended on the origin).
            return Decoration::vary_only(Some("Origin"));
        };
        let prepared = slot.load();
        let (input, echoed) = origin(req.headers());
        let head = req.head();
        let decision = prepared.policy.actual_with(input, |o| {
            matches!(
                slot.dynamic.as_ref().map(|d| d.answer(o, head)),
                Some(Answer::Allowed)
            )
        });
        match decision {
            Decision::Allowed(grant) => Decoration::allowed(&grant, echoed, &prepared),
            _ => Decoration::vary_only(prepared.actual_vary.or(Some("Origin"))),
        }
    }
}

/// Logs that actix-web ran something else than the door took a request for (target `cors`,
/// level error: the app has a service the door cannot see, or rewrites paths inside `Cors`).
/// The 1st, 2nd, 4th, 8th... such request is logged: a misconfiguration cannot flood the log.
fn misrouted(predicted: Predicted, pattern: Option<&str>, req: &HttpRequest) {
    static SEEN: AtomicU64 = AtomicU64::new(0);
    let seen = SEEN.fetch_add(1, Ordering::Relaxed) + 1;
    if !seen.is_power_of_two() {
        return;
    }
    tracing::error!(
        target: "cors",
        method = %req.method(),
        path = req.path(),
        ran = pattern.unwrap_or("(a scope policy's scope, or none)"),
        door_chose = ?predicted,
        misrouted = seen,
        "CORS door chose another route than actix-web ran: the response gets the headers of what ran (or none). Likely causes: a service registered before the declared one takes this path (a plain `web::scope` or resource), scopes split by guards the door cannot see, or a path rewritten inside `Cors` (put `NormalizePath` outside it)"
    );
}
