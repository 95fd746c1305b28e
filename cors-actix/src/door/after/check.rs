//! What the door hands over to after routing ([`Check`]: the declaration it chose and how it
//! marked the request), and the settling of the headers once the app has answered: the door
//! chose from what it knows (the declarations); actix-web's own routing is the truth, read
//! here from what it left on the request:
//!
//! - the declaration the door chose took its mark off (its route door or path check ran):
//!   the door's headers stand (the common case, inlined);
//! - a route door or path check answered itself (a refusal): no headers;
//! - twins: what the route door of the twin actix-web ran decided;
//! - otherwise, [where routing stopped](crate::door::after::routed): in front of the
//!   declaration (a middleware's early answer), the door's headers stand; anywhere else, the
//!   response gets the headers of the policy covering what actix-web ran (a `resource_policy`
//!   of the matched pattern, the scope policy of the innermost scope actix-web routed the
//!   request into, or the default policy), or none, and the disagreement is logged.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use actix_web::dev::{RequestHead, ServiceRequest};
use actix_web::{HttpMessage, HttpRequest};
use cors_core::Decision;

use crate::door::after::marks::{Answered, PathMark, ScopeMark};
use crate::door::after::reachable::{reaches, Chosen};
use crate::door::after::route_cors::RouteMark;
use crate::door::after::routed::{stopped, Facts, Stopped};
use crate::door::after::twins::{MarkGuard, Seen};
use crate::door::read::origin;
use crate::door::route_table::{RoutePolicy, RouteTable};
use crate::door::write::Decoration;
use crate::policy::dynamic::Answer;
use crate::policy::slot::PolicySlot;

/// Which declaration the door took a request for, to be checked after routing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Predicted {
    /// A declared route (index into the table's routes): a `#[cors]` route, whose route door
    /// confirms, or a `resource_policy`, whose path check confirms.
    Route(u32),
    /// A scope policy (index into the table's scope policies), whose path check confirms.
    Scope(u32),
    /// No declaration: the default policy, or none.
    Nothing,
}

/// What to check after routing, for a request with an `Origin` that the door let in.
#[derive(Debug)]
pub(crate) struct Check {
    pub(crate) predicted: Predicted,
    pub(crate) mark: Marked,
    /// Where the bytes of the request's path were when the door read it: a path rewritten
    /// inside `Cors` (`NormalizePath`, an alias) is a new one, elsewhere.
    pub(crate) path: usize,
}

impl Check {
    /// What to check after routing `req`, taken for `predicted` and marked so.
    #[inline]
    pub(crate) fn new(req: &ServiceRequest, predicted: Predicted, mark: Marked) -> Check {
        Check {
            predicted,
            mark,
            path: path_of(req.head()),
        }
    }
}

/// Where the bytes of the request's path are.
#[inline]
fn path_of(head: &RequestHead) -> usize {
    head.uri.path().as_ptr() as usize
}

/// How the door marked a request for what confirms its choice after routing.
#[derive(Debug)]
pub(crate) enum Marked {
    /// Not marked: no declaration was chosen.
    None,
    /// Marked for the chosen `#[cors]` route, whose route door takes the mark off.
    Route(&'static RouteMark),
    /// Marked for the chosen `resource_policy` or scope policy, whose path check takes it off.
    Path(PathMark),
    /// Twins: the route door of the one actix-web runs decides, and records what it did.
    Deferred(MarkGuard),
}

/// What settling reads of the door: its table, its default policy and where findings go.
pub(crate) struct Confirm<'a> {
    pub(crate) table: &'a RouteTable,
    pub(crate) default: Option<&'a PolicySlot>,
    pub(crate) findings: &'a Mutex<Vec<String>>,
}

/// What actix-web ran, in the door's terms.
enum Ran {
    /// What the door took the request for (or something standing in front of it).
    AsPredicted,
    /// A declared route or a scope policy's scope the door did not take the request for; or no
    /// declaration at all (`None`): the default policy, or none.
    Other(Option<Covering>, Option<String>),
}

/// The declaration covering what actix-web ran.
#[derive(Clone, Copy)]
pub(crate) enum Covering {
    Route(u32),
    Scope(u32),
}

impl Check {
    /// The headers of a response the door let in with this check, `predicted` being those it
    /// prepared; `request`: the request as actix-web routed it (`None` for an error, which has
    /// no request: the twins' marks still tell).
    #[inline(always)]
    pub(crate) fn settle(
        self,
        at: &Confirm<'_>,
        predicted: Decoration,
        request: Option<&HttpRequest>,
    ) -> Decoration {
        // The common answer, inlined: the chosen declaration took its mark off (it ran, and
        // confirmed), so the prepared headers stand.
        if let Some(req) = request {
            let confirmed = match self.mark {
                Marked::Route(mark) => !mark.is_on(&req.extensions()),
                // A path check that let the request in confirms the scope (or resource), but
                // a declaration inside it the door did not choose may still have refused it.
                // A scope's check also lets in the requests of a `resource_policy` inside the
                // scope whose own check comes after its resource (see `misordered`).
                Marked::Path(mark) => {
                    let extensions = req.extensions();
                    !mark.is_on(&extensions)
                        && !extensions.contains::<Answered>()
                        && (at.table.resource_patterns.is_empty()
                            || !matches!(self.predicted, Predicted::Scope(_)))
                }
                Marked::None | Marked::Deferred(_) => false,
            };
            if confirmed {
                return predicted;
            }
        }
        self.settle_other(at, predicted, request)
    }

    /// [`settle`](Check::settle) when the chosen declaration did not confirm.
    #[inline(never)]
    fn settle_other(
        self,
        at: &Confirm<'_>,
        predicted: Decoration,
        request: Option<&HttpRequest>,
    ) -> Decoration {
        let Some(req) = request else {
            // An error has no request: an error from something the door does not know cannot
            // be told from an inner middleware's (an authentication 401); the door's choice
            // holds, but for twins, whose route door recorded what it did.
            return match self.mark {
                Marked::Deferred(guard) => match guard.take().map(|mark| mark.seen) {
                    Some(Seen::Decided(decoration)) => *decoration,
                    Some(Seen::Answered) => Decoration::default(),
                    Some(Seen::Nothing) | None => predicted,
                },
                _ => predicted,
            };
        };
        if req.extensions().contains::<Answered>() {
            // A route door or a path check answered (a refusal): it stays bare.
            return Decoration::default();
        }
        if let Marked::Deferred(guard) = self.mark {
            // Twins: no route door of theirs ran (an inner middleware answered, or something
            // else ran): which twin it stood in front of cannot be known, so the door's own
            // answer, `Vary` alone, stands.
            return match guard.take().map(|mark| mark.seen) {
                Some(Seen::Decided(decoration)) => *decoration,
                Some(Seen::Answered) => Decoration::default(),
                Some(Seen::Nothing) | None => predicted,
            };
        }
        let table = at.table;
        // A path rewritten inside `Cors` was routed as a path the door never chose for: no
        // answer stands in front of its choice.
        let rewritten = path_of(req.head()) != self.path;
        let ran = match self.predicted {
            Predicted::Route(index) => {
                let route = &table.routes[index as usize];
                let ambiguous = rewritten || Facts::route(&table.facts, index);
                // With the whole path consumed, a scope's middleware answering for a route of
                // empty pattern cannot be told from another resource of the same path.
                let whole = || false;
                match stopped(
                    req,
                    &route.levels,
                    |p| route.matches_path(p),
                    whole,
                    ambiguous,
                    |p| reaches(table, req.resource_map(), Chosen::Route(index), p),
                ) {
                    Stopped::InFront => Ran::AsPredicted,
                    // A resource of its own pattern ran without its confirmation: for a
                    // `resource_policy`, its path check was registered after the resource (it
                    // is its resource all the same); for a `#[cors]` route, another service
                    // with its pattern (a host-split twin scope's plain route).
                    Stopped::Resource(Some(pattern)) if pattern == route.pattern => {
                        // (Not when guards the door cannot evaluate may have routed the
                        // request to another scope's resource of the same full pattern.)
                        if route.declaration.is_none() && !ambiguous {
                            misordered(at, &route.handler, &route.pattern);
                            Ran::AsPredicted
                        } else if route.declaration.is_none() {
                            // Its check, first on its path, did not run: actix-web's map
                            // (which ignores guards) names its pattern, but what ran is another
                            // scope's service of the same full pattern, or a default service.
                            Ran::Other(covering(table, req, None), Some(pattern))
                        } else {
                            Ran::Other(covering(table, req, Some(&pattern)), Some(pattern))
                        }
                    }
                    Stopped::Resource(pattern) => {
                        Ran::Other(covering(table, req, pattern.as_deref()), pattern)
                    }
                    Stopped::Elsewhere => Ran::Other(covering(table, req, None), None),
                }
            }
            Predicted::Scope(index) => {
                let scope = &table.scope_policies[index as usize];
                let ambiguous = rewritten || Facts::scope(&table.facts, index);
                let within = |path: &str| scope.at_root || scope.def.find_match(path).is_some();
                let whole = || entered(req, scope.mark);
                let confirmed = !scope.path_mark.is_on(&req.extensions());
                let resource = || {
                    routed_pattern(req).filter(|p| table.resource_patterns.contains_key(p.as_str()))
                };
                let reached = |p: &str| reaches(table, req.resource_map(), Chosen::Scope(index), p);
                match stopped(req, &scope.levels, within, whole, ambiguous, reached) {
                    // Its check let the request in: what ran is inside the scope, but for a
                    // `resource_policy`'s resource, which its own policy covers.
                    _ if confirmed => match resource() {
                        Some(pattern) => {
                            Ran::Other(covering(table, req, Some(&pattern)), Some(pattern))
                        }
                        None => Ran::AsPredicted,
                    },
                    Stopped::InFront => Ran::AsPredicted,
                    // Routed into the scope, past its check: the check is not first in it.
                    Stopped::Resource(pattern) if entered(req, scope.mark) => {
                        misordered(at, &scope.handler, &scope.pattern);
                        match pattern.filter(|p| table.resource_patterns.contains_key(p.as_str())) {
                            Some(p) => Ran::Other(covering(table, req, Some(&p)), Some(p)),
                            None => Ran::AsPredicted,
                        }
                    }
                    Stopped::Resource(pattern) => {
                        Ran::Other(covering(table, req, pattern.as_deref()), pattern)
                    }
                    Stopped::Elsewhere => Ran::Other(covering(table, req, None), None),
                }
            }
            Predicted::Nothing if !table.checks_unclaimed() => Ran::AsPredicted,
            Predicted::Nothing => match covering(table, req, routed_pattern(req).as_deref()) {
                None => Ran::AsPredicted,
                Some(other) => Ran::Other(Some(other), None),
            },
        };
        match ran {
            Ran::AsPredicted => predicted,
            Ran::Other(covering, pattern) => {
                misrouted(self.predicted, pattern.as_deref(), req);
                redecide(at, covering, req)
            }
        }
    }
}

/// Whether actix-web routed `req` into the scope with scope mark `mark`.
fn entered(req: &HttpRequest, mark: u64) -> bool {
    req.app_data::<ScopeMark>().is_some_and(|m| m.0 == mark)
}

/// The declaration that covers what actix-web ran for `req`: the `resource_policy` of
/// `pattern`, the resource routing reached (`None`: it reached none, a default service ran),
/// else the scope policy of the innermost scope actix-web routed the request into.
fn covering(table: &RouteTable, req: &HttpRequest, pattern: Option<&str>) -> Option<Covering> {
    if let Some(&index) = pattern.and_then(|p| table.resource_patterns.get(p)) {
        return Some(Covering::Route(index));
    }
    if !table.has_scope_policies() {
        return None;
    }
    let mark = req.app_data::<ScopeMark>()?;
    table
        .scope_policies
        .iter()
        .position(|s| s.mark == mark.0)
        .map(|i| Covering::Scope(i as u32))
}

/// The pattern of the resource routing reached: only when a resource consumed the rest of the
/// path (`match_pattern` otherwise looks the path up in the map, which ignores guards).
fn routed_pattern(req: &HttpRequest) -> Option<String> {
    if req.match_info().unprocessed().is_empty() {
        req.match_pattern()
    } else {
        None
    }
}

/// The declaration covering what runs for `path`, from the declarations alone (for an
/// explanation, which has no routed request): the `resource_policy` of `pattern`, the resource
/// actix-web's map finds, else the scope policy of the innermost declared scope the path enters.
pub(crate) fn covering_of(
    table: &RouteTable,
    pattern: Option<&str>,
    path: &str,
    method: &[u8],
) -> Option<Covering> {
    if let Some(&index) = pattern.and_then(|p| table.resource_patterns.get(p)) {
        return Some(Covering::Route(index));
    }
    let (_, entered) = table.resolve(path, method, u32::MAX, |_| true);
    let scope = table.scope_policy_of(entered, path)?;
    table
        .scope_policies
        .iter()
        .position(|s| std::ptr::eq(s, scope))
        .map(|i| Covering::Scope(i as u32))
}

/// The headers the policy covering what ran gives this request (its `Origin` decided again; a
/// dynamic origin only from the cache, as nothing can be awaited here).
pub(crate) fn redecide(
    at: &Confirm<'_>,
    covering: Option<Covering>,
    req: &HttpRequest,
) -> Decoration {
    let slot: Option<&PolicySlot> = match covering {
        Some(Covering::Route(index)) => match &at.table.routes[index as usize].policy {
            RoutePolicy::Decide(slot) => Some(slot),
            RoutePolicy::Disabled => None,
        },
        Some(Covering::Scope(index)) => Some(&at.table.scope_policies[index as usize].policy),
        None => at.default,
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

/// Notes, once per declaration, that a path check is not where it must be to refuse before
/// the handler (registered after the resource, or not first in its scope).
#[cold]
fn misordered(at: &Confirm<'_>, handler: &str, pattern: &str) {
    let finding = format!(
        "`{handler}` ({pattern}) is not checked after routing: actix-web ran a resource it covers before its check; register `resource_policy(..)` before its resource, and give a scope `.configure(scope_policy(..))` before its services, so that a cross-origin request the door did not decide for them is refused before the handler"
    );
    let Ok(mut findings) = at.findings.lock() else {
        return;
    };
    if !findings.contains(&finding) {
        tracing::warn!(target: "cors", "{finding}");
        findings.push(finding);
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
        ran = pattern.unwrap_or("(a default service, a scope, or none)"),
        door_chose = ?predicted,
        misrouted = seen,
        "CORS door chose another route than actix-web ran: the response gets the headers of what ran (or none). Likely causes: a service registered before the declared one takes this path (a plain `web::scope` or resource), scopes split by guards the door cannot see, or a path rewritten inside `Cors` (put `NormalizePath` outside it)"
    );
}
