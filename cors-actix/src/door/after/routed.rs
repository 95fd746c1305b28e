//! Where actix-web's routing of a request stopped, read from the request once a response came
//! back without the confirmation of the declaration the door chose: in front of it (a
//! middleware of the app or of a scope around it answered, an authentication `401` or a rate
//! limiter's `429`, whose answer must stay readable), at a resource, or somewhere else (a
//! default service, a plain scope, a path rewritten inside `Cors`).
//!
//! actix-web's routers consume the request's path as they match: a scope its prefix, a
//! resource the rest (`match_info().unprocessed()`). An answer from in front of a declaration
//! leaves exactly the prefix of some scope around it consumed (none for the app's middleware),
//! on a path the declaration still matches. So does routing that went past the declaration
//! through something the door cannot see: a guard on a scope around it (a `guard::Host` scope
//! whose requests for another host fall through to the app's default service), or a plain
//! service registered before it. Those are learnt at the first request (see
//! [`reachable`](crate::door::after::reachable)): a declaration they may concern is
//! *ambiguous*, and an answer that did not come from the declaration itself gets no grant.

use std::sync::OnceLock;

use actix_web::dev::ResourceDef;
use actix_web::HttpRequest;

/// Where routing stopped, for a declaration whose confirmation did not come.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Stopped {
    /// In front of the declaration: its answer came from middleware around it.
    InFront,
    /// At a resource of this full pattern (the whole path consumed).
    Resource(Option<String>),
    /// Somewhere else: another scope's default service, or a rewritten path.
    Elsewhere,
}

/// The levels of routing in front of a declaration: the prefixes of the scopes around it, each
/// as actix-web matches it (a scope's prefix may hold several segments, and segments may be
/// dynamic: every segment boundary counts).
#[derive(Debug, Default)]
pub(crate) struct Levels(Box<[ResourceDef]>);

impl Levels {
    /// The levels of a declaration inside scopes of joined prefix `prefix` (`""`: none).
    pub(crate) fn of(prefix: &str) -> Levels {
        Levels(
            segment_prefixes(prefix)
                .into_iter()
                .map(ResourceDef::root_prefix)
                .collect(),
        )
    }

    /// How many bytes of `path` actix-web has consumed at each level, the app's (none) first.
    fn lengths<'a>(&'a self, path: &'a str) -> impl Iterator<Item = usize> + 'a {
        std::iter::once(0).chain(self.0.iter().filter_map(move |def| def.find_match(path)))
    }
}

/// Every prefix of `prefix` that ends at a segment boundary (a `/` outside `{..}`), the whole
/// prefix last: `/v1/{t}/admin` gives `/v1`, `/v1/{t}`, `/v1/{t}/admin`.
fn segment_prefixes(prefix: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut depth = 0usize;
    for (i, b) in prefix.bytes().enumerate() {
        match b {
            b'{' => depth += 1,
            b'}' => depth = depth.saturating_sub(1),
            b'/' if depth == 0 && i > 0 => found.push(&prefix[..i]),
            _ => {}
        }
    }
    if !prefix.is_empty() && prefix != "/" {
        found.push(prefix.trim_end_matches('/'));
    }
    found.dedup();
    found
}

/// Where routing of `req` stopped, for a declaration with `levels` that `matches` a path and
/// that actix-web's map `reached` for it (see [`reaches`](crate::door::after::reachable::reaches)).
/// `whole`: whether, when the scopes around the declaration consumed the whole path, they are
/// known to be its own (a scope policy's scope tells by its mark; nothing tells it for a route
/// of empty pattern, `#[get("")]` in a scope, whose scope's middleware answering cannot be told
/// from another resource of the same path): otherwise a path consumed to the end was consumed
/// by a resource.
pub(crate) fn stopped(
    req: &HttpRequest,
    levels: &Levels,
    matches: impl Fn(&str) -> bool,
    whole: impl Fn() -> bool,
    ambiguous: bool,
    reached: impl Fn(&str) -> bool,
) -> Stopped {
    let info = req.match_info();
    let (path, rest) = (info.as_str(), info.unprocessed());
    let consumed = path.len() - rest.len();
    if !ambiguous
        && matches(path)
        && levels.lengths(path).any(|len| len == consumed)
        && (!rest.is_empty() || whole())
        && reached(path)
    {
        return Stopped::InFront;
    }
    if rest.is_empty() {
        return Stopped::Resource(req.match_pattern());
    }
    Stopped::Elsewhere
}

/// What the first request learnt about the declarations: which are ambiguous (see the module's
/// documentation), by index into the table's routes and scope policies.
#[derive(Debug, Default)]
pub(crate) struct Facts {
    pub(crate) routes: Box<[bool]>,
    pub(crate) scopes: Box<[bool]>,
    /// The declared routes actix-web's map does not reach where the door expects them (a plain
    /// service before them takes their path, or a sibling scope whose prefix theirs extends):
    /// not let into the path checks of the scope policies the door takes to be around them.
    pub(crate) unreachable: Box<[bool]>,
    /// The same for scope policies (their probe not found through their scope).
    pub(crate) scopes_unreachable: Box<[bool]>,
    /// For a route inside scopes whose only guards are `guard::Host`, the hosts a request must
    /// name to reach it (every one of them: one per scope), read from the guards' details; an
    /// empty list when its scopes have no guards or guards the door cannot evaluate.
    pub(crate) hosts: Box<[Box<[String]>]>,
    /// The same for scope policies (their own scope's guards included).
    pub(crate) scope_hosts: Box<[Box<[String]>]>,
    /// The declared routes some paths of which another resource of the app may take (a plain
    /// `/m/items` registered before a declared `/m/{name}`): the door lets a request for them
    /// into the path checks of the scope policies around them only when actix-web's map leads
    /// its path to them (see [`reaches`](crate::door::after::reachable::reaches)).
    pub(crate) shadowable: Box<[bool]>,
    /// For each scope policy, whether another scope lies under its prefix (see
    /// [`reaches`](crate::door::after::reachable::reaches)).
    pub(crate) scopes_crowded: Box<[bool]>,
    /// The full paths of the app's services with guards other than method guards (from the
    /// introspection tree): actix-web's map ignores them, so where a path enters one, what the
    /// map finds may not be what runs.
    pub(crate) guarded: Box<[String]>,
}

/// The facts of a table, once its first request has learnt them (`None` before: every
/// declaration is then taken as ambiguous).
pub(crate) type LearntFacts = OnceLock<Facts>;

impl Facts {
    /// Whether route `index` is ambiguous (before the first request: yes).
    pub(crate) fn route(facts: &LearntFacts, index: u32) -> bool {
        flag(facts, index, true, |f| &f.routes)
    }

    /// Whether route `index` was found unreachable (before the first request: no).
    #[inline]
    pub(crate) fn unreachable(facts: &LearntFacts, index: u32) -> bool {
        flag(facts, index, false, |f| &f.unreachable)
    }

    /// Whether a request for route `index` naming `host` cannot reach it, its scopes' host guards
    /// being known (before the first request, or guards the door cannot evaluate: no).
    #[inline]
    pub(crate) fn host_refuses(facts: &LearntFacts, index: u32, host: Option<&str>) -> bool {
        facts
            .get()
            .is_some_and(|f| hosts_refuse(f.hosts.get(index as usize).map(|h| &**h), host))
    }

    /// Whether another resource may take some of route `index`'s paths (before the first
    /// request: no; the first request learns before it is decided).
    #[inline]
    pub(crate) fn shadowable(facts: &LearntFacts, index: u32) -> bool {
        flag(facts, index, false, |f| &f.shadowable)
    }

    /// [`host_refuses`](Facts::host_refuses) for scope policy `index`.
    #[inline]
    pub(crate) fn scope_host_refuses(facts: &LearntFacts, index: u32, host: Option<&str>) -> bool {
        facts
            .get()
            .is_some_and(|f| hosts_refuse(f.scope_hosts.get(index as usize).map(|h| &**h), host))
    }

    /// Whether scope policy `index` was found unreachable (before the first request: no).
    #[inline]
    pub(crate) fn scope_unreachable(facts: &LearntFacts, index: u32) -> bool {
        flag(facts, index, false, |f| &f.scopes_unreachable)
    }

    /// Whether scope policy `index` is ambiguous (before the first request: yes).
    pub(crate) fn scope(facts: &LearntFacts, index: u32) -> bool {
        flag(facts, index, true, |f| &f.scopes)
    }

    /// Whether another scope lies under scope policy `index`'s prefix (before the first
    /// request: yes).
    pub(crate) fn scope_crowded(facts: &LearntFacts, index: u32) -> bool {
        flag(facts, index, true, |f| &f.scopes_crowded)
    }

    /// Whether `path` enters a service with guards the door cannot evaluate (before the first
    /// request: taken as yes).
    pub(crate) fn guarded_around(facts: &LearntFacts, path: &str) -> bool {
        facts.get().is_none_or(|f| {
            f.guarded
                .iter()
                .any(|full| ResourceDef::root_prefix(full).find_match(path).is_some())
        })
    }
}

/// A fact per declaration, `index` into `field`'s list; `before` until the first request has
/// learnt it.
fn flag(
    facts: &LearntFacts,
    index: u32,
    before: bool,
    field: impl FnOnce(&Facts) -> &[bool],
) -> bool {
    facts.get().map_or(before, |f| {
        field(f).get(index as usize).copied().unwrap_or(before)
    })
}

/// Whether `host` fails the host guards a declaration's scopes require (`hosts`).
fn hosts_refuse(hosts: Option<&[String]>, host: Option<&str>) -> bool {
    hosts.is_some_and(|hosts| hosts.iter().any(|h| Some(h.as_str()) != host))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_the_segment_boundaries_of_the_prefix() {
        assert_eq!(segment_prefixes(""), Vec::<&str>::new());
        assert_eq!(segment_prefixes("/api"), vec!["/api"]);
        assert_eq!(
            segment_prefixes("/v1/{t}/admin"),
            vec!["/v1", "/v1/{t}", "/v1/{t}/admin"]
        );
        assert_eq!(
            segment_prefixes("/r/{id:\\d{1,3}/x}"),
            vec!["/r", "/r/{id:\\d{1,3}/x}"]
        );
        let levels = Levels::of("/v1/{t}");
        assert_eq!(
            levels.lengths("/v1/acme/items").collect::<Vec<_>>(),
            vec![0, 3, 8]
        );
        assert_eq!(levels.lengths("/v2/acme").collect::<Vec<_>>(), vec![0]);
    }
}
