//! The door's route table and its lookup: every declared route (full path pattern, methods,
//! guards, policy) and every scope the declarations are in, in registration order; for a
//! request's path and method, the route actix-web will run by actix-web's own rules (first
//! registration wins, no backtracking out of a scope), and the scope policy around it.
//!
//! Built when the app starts ([`crate::startup`]); read here for every request. Guarded by the
//! unit tests at the bottom, `tests/tests/routing.rs`, `tests/tests/door_differential.rs` and
//! `tests/tests/app_shapes.rs`.

use std::collections::HashMap;

use foldhash::fast::RandomState;

use actix_web::dev::{ResourceDef, ServiceRequest};

use crate::door::after::marks::PathMark;
use crate::door::after::route_cors::{GuardFn, RouteCors};
use crate::door::after::routed::{LearntFacts, Levels};
use crate::door::path_index::PathIndex;
use crate::policy::slot::PolicySlot;

/// What the door does for a route.
pub(crate) enum RoutePolicy {
    /// Decide with this policy.
    Decide(PolicySlot),
    /// `#[cors(disable)]`: no CORS headers, preflights refused.
    Disabled,
}

/// Where a route's policy comes from, for the report.
#[derive(Clone, Copy)]
pub(crate) enum PolicyFrom {
    Inline,
    Named(&'static str),
    Runtime,
}

/// One declared route: a `#[cors]` route attribute, or a [`resource_policy`](crate::resource_policy).
pub(crate) struct Route {
    /// Its registration number.
    pub(crate) number: u32,
    /// Its place among the app's declarations, in registration order.
    pub(crate) seq: u32,
    pub(crate) handler: String,
    /// The full pattern (scope prefixes and the route's own), for reports and logs.
    pub(crate) pattern: String,
    /// The enclosing scopes' prefix pattern (empty at the app's root).
    pub(crate) scope: String,
    /// Whether it is registered in a scope (`web::scope("")` included), not at the app's root.
    pub(crate) in_scope: bool,
    /// The same, for matching (`None` at the app's root).
    pub(crate) prefix: Option<ResourceDef>,
    /// The route's own pattern, as actix-web registers it.
    pub(crate) resource: ResourceDef,
    /// `None`: every method.
    pub(crate) methods: Option<&'static [&'static str]>,
    pub(crate) guards: &'static [GuardFn],
    pub(crate) policy: RoutePolicy,
    pub(crate) from: PolicyFrom,
    /// The `#[cors]` declaration, whose route door confirms the door's choice after routing;
    /// `None` for a `resource_policy`.
    pub(crate) declaration: Option<&'static RouteCors>,
    /// Later `#[cors]` routes with the same full pattern and a method in common (indices into
    /// the table's routes): actix-web runs one of them per request, chosen by guards of their
    /// scopes that the door cannot see.
    pub(crate) twins: Vec<u32>,
    /// Whether some of its twins are declared with another policy (then the route door of the
    /// one actix-web runs decides). Known once the table is finished.
    pub(crate) other_twins: bool,
    /// A `resource_policy`'s mark, which its path check takes off (`None` for a `#[cors]`
    /// route, whose mark is its declaration's).
    pub(crate) path_mark: Option<PathMark>,
    /// The marks of the scope policies around it, whose path checks see its requests first.
    /// Known once the table is finished.
    pub(crate) enclosing: Box<[PathMark]>,
    /// The levels of routing in front of it (the prefixes of its scopes).
    pub(crate) levels: Levels,
}

/// A [`scope_policy`](crate::scope_policy).
pub(crate) struct ScopePolicy {
    pub(crate) number: u32,
    /// Its place among the app's declarations, in registration order.
    pub(crate) seq: u32,
    pub(crate) handler: String,
    /// The scope's prefix pattern (`""` at the app's root or for `web::scope("")`).
    pub(crate) pattern: String,
    /// Whether it is registered at the app's root (it then covers every path).
    pub(crate) at_root: bool,
    pub(crate) policy: PolicySlot,
    /// The mark actix-web puts on requests routed into its scope (scope app data).
    pub(crate) mark: u64,
    /// The mark its path check takes off.
    pub(crate) path_mark: PathMark,
    /// The marks of the scope policies around it. Known once the table is finished.
    pub(crate) enclosing: Box<[PathMark]>,
    /// Its scope's prefix, for matching (`""` at the app's root).
    pub(crate) def: ResourceDef,
    /// The levels of routing in front of its scope's routes (the prefixes of its scopes).
    pub(crate) levels: Levels,
}

impl Route {
    /// Whether the route's pattern matches `path` (as actix-web's router sees it).
    pub(crate) fn matches_path(&self, path: &str) -> bool {
        match &self.prefix {
            None => self.resource.is_match(path),
            Some(prefix) => prefix
                .find_match(path)
                .is_some_and(|len| self.resource.is_match(&path[len..])),
        }
    }

    pub(crate) fn serves(&self, method: &[u8]) -> bool {
        self.methods
            .is_none_or(|methods| methods.iter().any(|m| m.as_bytes() == method))
    }

    /// The route's methods, for messages.
    pub(crate) fn methods_text(&self) -> String {
        self.methods
            .map_or_else(|| "every method".to_owned(), |m| m.join(", "))
    }

    /// Whether the route is registered inside `scope` (by their prefixes: a root route never is).
    pub(crate) fn is_inside(&self, scope: &Scope) -> bool {
        self.in_scope && is_within(&self.scope, &scope.prefix)
    }

    /// Whether this route is the one `declaration`'s route door stands for.
    pub(crate) fn is(&self, declaration: &'static RouteCors) -> bool {
        self.declaration
            .is_some_and(|mine| std::ptr::eq(mine, declaration))
    }
}

/// A scope the declarations are registered in, known from its first declaration.
pub(crate) struct Scope {
    /// Its prefix pattern; `""` for a `web::scope("")` at the app's root.
    pub(crate) prefix: String,
    pub(crate) def: ResourceDef,
    /// The handler of its first declaration, for messages.
    pub(crate) first: String,
    /// Its scope policy (index into the table's scope policies), if one is registered in it.
    pub(crate) policy: Option<u32>,
}

/// What a registration number stands for.
#[derive(Clone, Copy)]
pub(crate) enum Event {
    Route(u32),
    Scope(u32),
}

/// What the table knows about a request's path and method.
pub(crate) enum Found<'t> {
    /// The route actix-web will run (and its twins, if it has any).
    Route(&'t Route),
    /// No declared route serves the path and method; a scope policy covers the path.
    Scope(&'t ScopePolicy),
    /// Declared routes serve this path, but none with this method (and guards).
    OtherMethods(&'t Route),
    /// No declared route serves this path.
    Nothing,
}

/// The outcome of [`RouteTable::resolve`].
pub(crate) enum Resolved<'t> {
    /// The route that runs.
    Route(&'t Route),
    /// Routes match the path, but not the method (or guards).
    OtherMethods(&'t Route),
    /// The path is inside this scope, where no route matches it.
    Swallowed(&'t Scope),
    /// No declared route is concerned.
    Nothing,
}

impl std::fmt::Debug for RouteTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouteTable")
            .field("routes", &self.routes.len())
            .field("scope_policies", &self.scope_policies.len())
            .finish_non_exhaustive()
    }
}

/// Every declared route of the app, in registration order, with the scopes they are in,
/// indexed by the static segments of their patterns so that a lookup costs the same with 10
/// routes and with 1,000.
#[derive(Default)]
pub(crate) struct RouteTable {
    pub(crate) routes: Vec<Route>,
    /// Scope policies, in registration order.
    pub(crate) scope_policies: Vec<ScopePolicy>,
    /// The scopes the declarations are in.
    pub(crate) scopes: Vec<Scope>,
    /// Routes and scopes, by registration number.
    pub(crate) events: Vec<Event>,
    pub(crate) index: PathIndex,
    /// For the paths of routes without dynamic segments, how actix-web resolves them, worked
    /// out at start-up: one hash lookup for the most common requests.
    pub(crate) exact: HashMap<Box<str>, ExactPath, RandomState>,
    /// A scope policy at the app's root (`App::configure(scope_policy(..))`): it covers every
    /// path no scope of its own covers.
    pub(crate) root_policy: Option<u32>,
    /// The full patterns of the `resource_policy` routes, for checking after routing which one
    /// actix-web ran.
    pub(crate) resource_patterns: HashMap<Box<str>, u32, RandomState>,
    /// What the first request learnt about the declarations (see
    /// [`routed`](crate::door::after::routed)).
    pub(crate) facts: LearntFacts,
    /// How many declarations were added.
    pub(crate) declarations: u32,
}

/// A path some routes have as their whole pattern, resolved when the table is finished: what
/// [`RouteTable::resolve`] finds for it but for the method and the guards, which are the
/// request's.
pub(crate) struct ExactPath {
    /// The routes a request for the path may run, in registration order: those whose pattern
    /// matches it and that the scopes registered before them leave reachable (indices into the
    /// table's routes).
    routes: Box<[u32]>,
    /// The scope the path enters (index into the table's scopes).
    entered: Option<u32>,
}

impl RouteTable {
    /// Whether the table has no route.
    pub(crate) fn is_empty(&self) -> bool {
        self.routes.is_empty() && self.scope_policies.is_empty()
    }

    /// Whether some declaration concerns the path at all (cheap: used to skip work for
    /// requests no policy can concern).
    pub(crate) fn has_scope_policies(&self) -> bool {
        !self.scope_policies.is_empty()
    }

    /// Whether a request no declaration claims must still be checked after routing: when
    /// actix-web may route it into a scope policy's scope or to a `resource_policy` resource
    /// that the door did not take it for.
    pub(crate) fn checks_unclaimed(&self) -> bool {
        self.has_scope_policies() || !self.resource_patterns.is_empty()
    }

    /// The marks of the scope policies whose scopes are around a declaration of registration
    /// order `seq` in `scope` (a joined prefix; `in_scope`: not at the app's root). A scope
    /// policy is around it if its prefix is, and it was registered before it: a scope's
    /// `configure(scope_policy(..))` comes first in the scope, so what its scope holds is
    /// registered after it, while a sibling scope whose prefix extends its prefix (`/api/v2`
    /// registered before `/api`) is not inside it, and must not be let into it.
    fn enclosing(&self, seq: u32, scope: &str, in_scope: bool) -> Box<[PathMark]> {
        self.scope_policies
            .iter()
            .filter(|sp| {
                sp.seq < seq && (sp.at_root || (in_scope && is_within(scope, &sp.pattern)))
            })
            .map(|sp| sp.path_mark)
            .collect()
    }

    /// The route actix-web will run for `path` and `method`: the first declared route, in
    /// registration order, whose pattern matches the path, whose methods include `method` and
    /// whose guards accept the request; else the scope policy of the innermost scope the path
    /// enters.
    #[inline]
    pub(crate) fn find<'t>(&'t self, path: &str, method: &[u8], req: &ServiceRequest) -> Found<'t> {
        let (resolved, entered) = match self.exact.get(path) {
            Some(exact) => {
                // The most common path: one route without guards (its tuple and loop skipped:
                // about 30 instructions a request, measured side by side).
                if let [single] = *exact.routes {
                    let route = &self.routes[single as usize];
                    if route.guards.is_empty() && route.serves(method) {
                        return Found::Route(route);
                    }
                }
                self.resolve_exact(exact, method, req)
            }
            None => self.resolve(path, method, u32::MAX, |route| {
                guards_pass(route.guards, req)
            }),
        };
        match resolved {
            Resolved::Route(route) => Found::Route(route),
            resolved => match (self.scope_policy_of(entered, path), resolved) {
                (Some(scope), _) => Found::Scope(scope),
                (None, Resolved::OtherMethods(route)) => Found::OtherMethods(route),
                (None, _) => Found::Nothing,
            },
        }
    }

    /// The scope policy of the innermost scope, among `entered` and the scopes around it, that
    /// has one; else the app's root scope policy.
    pub(crate) fn scope_policy_of(
        &self,
        entered: Option<&Scope>,
        path: &str,
    ) -> Option<&ScopePolicy> {
        let mut best: Option<&Scope> = None;
        if let Some(entered) = entered {
            for scope in self.scopes.iter().filter(|s| s.policy.is_some()) {
                let around = is_within(&entered.prefix, &scope.prefix);
                let deeper = best.is_none_or(|b| scope.prefix.len() > b.prefix.len());
                if around && deeper && scope.def.find_match(path).is_some() {
                    best = Some(scope);
                }
            }
        }
        best.and_then(|s| s.policy)
            .or(self.root_policy)
            .map(|i| &self.scope_policies[i as usize])
    }

    /// actix-web's routing over the declared routes, with the scope the path enters. actix-web
    /// tries services in registration order and never backtracks out of a scope whose prefix
    /// matched: once a path is inside the scope of an earlier route (`/api` for `/api/users`),
    /// routes outside that scope are out of reach, even if their pattern matches (a later root
    /// route `/api/items`). Only registrations before `limit` count.
    pub(crate) fn resolve<'t>(
        &'t self,
        path: &str,
        method: &[u8],
        limit: u32,
        guards_pass: impl Fn(&Route) -> bool,
    ) -> (Resolved<'t>, Option<&'t Scope>) {
        let mut entered: Option<&'t Scope> = None;
        let mut other = None;
        for number in self.index.visit(path) {
            if number >= limit {
                break;
            }
            match self.step(number, path, entered) {
                Step::Enter(scope) => entered = Some(scope),
                Step::Candidate(route) => {
                    if route.serves(method) && guards_pass(route) {
                        return (Resolved::Route(route), entered);
                    }
                    other.get_or_insert(route);
                }
                Step::Skip => {}
            }
        }
        (Resolved::of(other, entered), entered)
    }

    /// One registration of actix-web's routing for `path`, the path having entered `entered`
    /// so far.
    fn step<'t>(&'t self, number: u32, path: &str, entered: Option<&'t Scope>) -> Step<'t> {
        match self.events[number as usize] {
            Event::Scope(scope) => {
                let scope = &self.scopes[scope as usize];
                // The path enters this scope if it is the first to take it, or nested in the
                // one the path is in.
                let deeper = entered.is_none_or(|e| {
                    scope.prefix.len() > e.prefix.len() && is_within(&scope.prefix, &e.prefix)
                });
                if deeper && scope.def.find_match(path).is_some() {
                    Step::Enter(scope)
                } else {
                    Step::Skip
                }
            }
            Event::Route(route) => {
                let route = &self.routes[route as usize];
                if entered.is_some_and(|e| !route.is_inside(e)) || !route.matches_path(path) {
                    Step::Skip
                } else {
                    Step::Candidate(route)
                }
            }
        }
    }

    /// [`resolve`](RouteTable::resolve) for a path resolved when the table was finished: only
    /// the method and the guards are left to check.
    #[inline]
    fn resolve_exact<'t>(
        &'t self,
        exact: &ExactPath,
        method: &[u8],
        req: &ServiceRequest,
    ) -> (Resolved<'t>, Option<&'t Scope>) {
        let mut other = None;
        for &index in exact.routes.iter() {
            let route = &self.routes[index as usize];
            if route.serves(method) && guards_pass(route.guards, req) {
                return (Resolved::Route(route), None);
            }
            other.get_or_insert(route);
        }
        let entered = exact.entered.map(|scope| &self.scopes[scope as usize]);
        (Resolved::of(other, entered), entered)
    }
}

/// One registration of actix-web's routing for a path.
enum Step<'t> {
    /// The path enters this scope.
    Enter(&'t Scope),
    /// This route runs if it serves the method and its guards pass.
    Candidate(&'t Route),
    /// Not concerned.
    Skip,
}

impl<'t> Resolved<'t> {
    /// What routing found without a route to run: the first route of the path (for other
    /// methods), else the scope the path is in.
    fn of(other: Option<&'t Route>, entered: Option<&'t Scope>) -> Resolved<'t> {
        match (other, entered) {
            (Some(route), _) => Resolved::OtherMethods(route),
            (None, Some(scope)) => Resolved::Swallowed(scope),
            (None, None) => Resolved::Nothing,
        }
    }
}

/// Whether something under scope prefix `inner` is inside the scope with prefix `outer`.
pub(crate) fn is_within(inner: &str, outer: &str) -> bool {
    inner
        .strip_prefix(outer)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

fn guards_pass(guards: &[GuardFn], req: &ServiceRequest) -> bool {
    if guards.is_empty() {
        return true;
    }
    let ctx = req.guard_ctx();
    guards.iter().all(|guard| guard(&ctx))
}

/// Building the table, in registration order (from the start-up's registrations, or a test's).
impl RouteTable {
    /// Adds a route registered in scope `key` (`None`: the app's root).
    pub(crate) fn add_route(&mut self, mut route: Route, key: Option<&str>) {
        if let Some(key) = key {
            self.note_scope(key, &route.handler);
        }
        let number = self.events.len() as u32;
        route.number = number;
        route.seq = self.declarations;
        self.declarations += 1;
        self.events.push(Event::Route(self.routes.len() as u32));
        self.index.insert(&route.pattern, number);
        self.routes.push(route);
    }

    /// Adds a scope policy registered in scope `key` (`None`: the app's root).
    pub(crate) fn add_scope_policy(&mut self, mut scope: ScopePolicy, key: Option<&str>) {
        let index = self.scope_policies.len() as u32;
        scope.number = self.events.len() as u32;
        scope.seq = self.declarations;
        self.declarations += 1;
        match key {
            Some(key) => {
                self.note_scope(key, &scope.handler);
                if let Some(s) = self.scopes.iter_mut().find(|s| s.prefix == key) {
                    s.policy.get_or_insert(index);
                }
            }
            None => {
                self.root_policy.get_or_insert(index);
            }
        }
        self.scope_policies.push(scope);
    }

    /// Records the scope `prefix` at its first declaration.
    fn note_scope(&mut self, prefix: &str, handler: &str) {
        if self.scopes.iter().any(|s| s.prefix == prefix) {
            return;
        }
        let number = self.events.len() as u32;
        self.events.push(Event::Scope(self.scopes.len() as u32));
        self.scopes.push(Scope {
            prefix: prefix.to_owned(),
            def: ResourceDef::root_prefix(prefix),
            first: handler.to_owned(),
            policy: None,
        });
        self.index.insert(prefix, number);
    }

    /// Completes the indexes, once every registration is in (and twins are known).
    pub(crate) fn finish(&mut self) {
        // For the paths of routes without dynamic segments, how actix-web resolves them.
        let mut exact = HashMap::default();
        for route in self.routes.iter().filter(|r| !r.pattern.contains('{')) {
            let path = route.pattern.as_str();
            if exact.contains_key(path) {
                continue;
            }
            let (mut entered, mut routes) = (None, Vec::new());
            for number in self.index.visit(path) {
                match self.step(number, path, entered) {
                    Step::Enter(scope) => entered = Some(scope),
                    Step::Candidate(route) => routes.push(self.index_of(route)),
                    Step::Skip => {}
                }
            }
            let entered = entered.map(|scope| {
                self.scopes
                    .iter()
                    .position(|s| std::ptr::eq(s, scope))
                    .unwrap_or(0) as u32
            });
            let routes = routes.into_boxed_slice();
            exact.insert(path.into(), ExactPath { routes, entered });
        }
        self.exact = exact;
        for i in 0..self.routes.len() {
            let route = &self.routes[i];
            self.routes[i].enclosing = self.enclosing(route.seq, &route.scope, route.in_scope);
        }
        for i in 0..self.scope_policies.len() {
            let sp = &self.scope_policies[i];
            self.scope_policies[i].enclosing = self.enclosing(sp.seq, &sp.pattern, !sp.at_root);
        }
        for (i, route) in self.routes.iter().enumerate() {
            if route.declaration.is_none() {
                self.resource_patterns
                    .entry(route.pattern.as_str().into())
                    .or_insert(i as u32);
            }
        }
        for i in 0..self.routes.len() {
            let route = &self.routes[i];
            let source = route.declaration.map(|d| d.source as *const _);
            let other = route.twins.iter().any(|&twin| {
                self.routes[twin as usize]
                    .declaration
                    .map(|d| d.source as *const _)
                    != source
            });
            self.routes[i].other_twins = other;
        }
    }

    /// The index of `route` in the table's routes.
    pub(crate) fn index_of(&self, route: &Route) -> u32 {
        match self.events[route.number as usize] {
            Event::Route(index) => index,
            Event::Scope(_) => 0,
        }
    }

    /// The index of `scope` in the table's scope policies.
    pub(crate) fn scope_index_of(&self, scope: &ScopePolicy) -> u32 {
        self.scope_policies
            .iter()
            .position(|s| std::ptr::eq(s, scope))
            .unwrap_or(0) as u32
    }
}

#[cfg(test)]
mod tests {
    //! Route resolution, the subtlest code of the door: actix-web's rules over the declarations.
    use super::*;

    /// A route of every method, `path` in scope `prefix` (`None`: the app's root).
    fn route(path: &str, prefix: Option<&str>) -> (Route, Option<String>) {
        let scope = prefix.unwrap_or("").to_owned();
        let own = if prefix.is_none() || !path.is_empty() {
            path.to_owned()
        } else {
            String::new()
        };
        let route = Route {
            number: 0,
            seq: 0,
            handler: format!("h{path}"),
            pattern: format!("{scope}{own}"),
            in_scope: prefix.is_some(),
            prefix: (!scope.is_empty()).then(|| ResourceDef::root_prefix(&scope)),
            scope,
            resource: ResourceDef::new(own),
            methods: None,
            guards: &[],
            policy: RoutePolicy::Disabled,
            from: PolicyFrom::Inline,
            declaration: None,
            twins: Vec::new(),
            other_twins: false,
            path_mark: None,
            enclosing: Box::default(),
            levels: Levels::default(),
        };
        (route, prefix.map(str::to_owned))
    }

    fn table(routes: Vec<(Route, Option<String>)>) -> RouteTable {
        let mut table = RouteTable::default();
        for (route, key) in routes {
            table.add_route(route, key.as_deref());
        }
        table.finish();
        table
    }

    /// The pattern of the route `path` resolves to, or what else it resolves to.
    fn resolved(table: &RouteTable, path: &str) -> String {
        match table.resolve(path, b"GET", u32::MAX, |_| true).0 {
            Resolved::Route(route) => route.pattern.clone(),
            Resolved::OtherMethods(route) => format!("other methods of {}", route.pattern),
            Resolved::Swallowed(scope) => format!("swallowed by {}", scope.prefix),
            Resolved::Nothing => "nothing".to_owned(),
        }
    }

    #[test]
    fn the_first_registration_wins() {
        let t = table(vec![route("/items/new", None), route("/items/{id}", None)]);
        assert_eq!(resolved(&t, "/items/new"), "/items/new");
        assert_eq!(resolved(&t, "/items/7"), "/items/{id}");
        assert_eq!(resolved(&t, "/other"), "nothing");
    }

    #[test]
    fn a_path_never_backtracks_out_of_the_scope_it_entered() {
        let t = table(vec![
            route("/users", Some("/api")),
            route("/api/items", None),
        ]);
        assert_eq!(resolved(&t, "/api/users"), "/api/users");
        // `/api/items` is under `/api`, registered first: the root route is out of reach.
        assert_eq!(resolved(&t, "/api/items"), "swallowed by /api");
    }

    #[test]
    fn a_root_route_is_never_inside_an_empty_scope() {
        // `web::scope("")` takes every path: a root route registered before it is not part of
        // it, one registered after it never runs.
        let t = table(vec![route("/health", None), route("/catalog", Some(""))]);
        assert_eq!(resolved(&t, "/health"), "/health");
        assert_eq!(resolved(&t, "/catalog"), "/catalog");
        let t = table(vec![route("/catalog", Some("")), route("/health", None)]);
        assert_eq!(resolved(&t, "/health"), "swallowed by ");
    }

    #[test]
    fn nested_scopes_are_entered_deeper_only() {
        let t = table(vec![
            route("/x", Some("/v1")),
            route("/items", Some("/v1/{tenant}")),
        ]);
        assert_eq!(resolved(&t, "/v1/x"), "/v1/x");
        assert_eq!(resolved(&t, "/v1/acme/items"), "/v1/{tenant}/items");
        assert_eq!(resolved(&t, "/v1/acme/other"), "swallowed by /v1/{tenant}");
    }
}
