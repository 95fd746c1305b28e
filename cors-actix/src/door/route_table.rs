//! The door's route table: every route with a CORS declaration, with its full path pattern, its
//! methods, guards and policy, in registration order; built when the app starts, looked up by
//! `Cors` before anything inside it runs.

use std::collections::HashMap;
use std::fmt;

use foldhash::fast::RandomState;

use actix_web::dev::{ResourceDef, ServiceRequest};

use crate::declare::registry::{Declared, Registration};
use crate::declare::route_cors::{GuardFn, PolicySource};
use crate::door::path_index::{PathIndex, Visit};
use crate::policy::policy_ref::PolicyRef;
use crate::policy::slot::PolicySlot;
use crate::report::ReportedRoute;
use crate::settings::Settings;

/// What the door does for a route.
pub(crate) enum RoutePolicy {
    /// Decide with this policy.
    Decide(PolicySlot),
    /// `#[cors(disable)]`: no CORS headers, preflights refused.
    Disabled,
}

/// Where a route's policy comes from, for the report.
#[derive(Clone, Copy)]
enum PolicyFrom {
    Inline,
    Named(&'static str),
    Runtime,
}

/// One declared route: a `#[cors]` route attribute, or a [`resource_policy`](crate::resource_policy).
pub(crate) struct Route {
    /// Its registration number.
    number: u32,
    pub(crate) handler: String,
    /// The full pattern (scope prefixes and the route's own), for reports and logs.
    pattern: String,
    /// The enclosing scopes' prefix pattern (empty at the app's root).
    scope: String,
    /// The same, for matching (`None` at the app's root).
    prefix: Option<ResourceDef>,
    /// The route's own pattern, as actix-web registers it.
    resource: ResourceDef,
    /// `None`: every method.
    methods: Option<&'static [&'static str]>,
    guards: &'static [GuardFn],
    pub(crate) policy: RoutePolicy,
    from: PolicyFrom,
}

/// A [`scope_policy`](crate::scope_policy).
pub(crate) struct ScopePolicy {
    pub(crate) handler: String,
    prefix: Option<ResourceDef>,
    pattern: String,
    pub(crate) policy: PolicySlot,
}

/// A registration, turned into what the table holds.
// Built once per registration at start-up, moved straight into the table: no need to box.
#[allow(clippy::large_enum_variant)]
enum TableEntry {
    Route(Route),
    Scope(ScopePolicy),
}

impl TableEntry {
    fn new(registration: Registration, settings: &Settings) -> Result<TableEntry, String> {
        let Registration {
            declared,
            prefix,
            is_root,
        } = registration;
        let scope = (!prefix.is_empty()).then(|| ResourceDef::root_prefix(&prefix));
        // As actix-web's `Resource::register` does: a leading slash, except for the empty
        // pattern inside a scope (which matches the scope's path itself).
        let own = |path: &str| {
            if is_root || !path.is_empty() {
                ensure_leading_slash(path)
            } else {
                String::new()
            }
        };
        // What differs between a `#[cors]` route and a `resource_policy`; the rest is shared.
        let (handler, path, methods, guards, policy, from) = match declared {
            Declared::Route(route) => {
                let (policy, from) = match route.source {
                    PolicySource::Inline(policy) => (
                        RoutePolicy::Decide(PolicySlot::from(PolicyRef::Static(policy))),
                        PolicyFrom::Inline,
                    ),
                    PolicySource::Named(name) => match settings.named.get(*name) {
                        Some(policy) => {
                            (RoutePolicy::Decide(policy.clone()), PolicyFrom::Named(name))
                        }
                        None => {
                            return Err(format!(
                                "handler `{}` uses `policy = \"{name}\"`",
                                route.handler
                            ))
                        }
                    },
                    PolicySource::Disabled => (RoutePolicy::Disabled, PolicyFrom::Inline),
                };
                let handler = route.handler.to_owned();
                (
                    handler,
                    route.path.to_owned(),
                    Some(route.methods),
                    route.guards,
                    policy,
                    from,
                )
            }
            Declared::Resource { path, policy } => (
                format!("resource_policy(\"{path}\")"),
                path,
                None,
                &[][..],
                RoutePolicy::Decide(policy),
                PolicyFrom::Runtime,
            ),
            Declared::Scope { policy } => {
                return Ok(TableEntry::Scope(ScopePolicy {
                    handler: format!("scope_policy(\"{prefix}\")"),
                    prefix: scope,
                    pattern: prefix,
                    policy,
                }))
            }
        };
        let own = own(&path);
        Ok(TableEntry::Route(Route {
            number: 0,
            handler,
            pattern: format!("{prefix}{own}"),
            scope: prefix,
            prefix: scope,
            resource: ResourceDef::new(own),
            methods,
            guards,
            policy,
            from,
        }))
    }
}

impl Route {
    /// Whether the route's pattern matches `path` (as actix-web's router sees it).
    fn matches_path(&self, path: &str) -> bool {
        match &self.prefix {
            None => self.resource.is_match(path),
            Some(prefix) => prefix
                .find_match(path)
                .is_some_and(|len| self.resource.is_match(&path[len..])),
        }
    }

    fn serves(&self, method: &[u8]) -> bool {
        self.methods
            .is_none_or(|methods| methods.iter().any(|m| m.as_bytes() == method))
    }

    /// The route's full pattern.
    pub(crate) fn pattern(&self) -> &str {
        &self.pattern
    }

    /// The route's methods, for messages.
    pub(crate) fn methods_text(&self) -> String {
        self.methods
            .map_or_else(|| "every method".to_owned(), |m| m.join(", "))
    }
}

impl ScopePolicy {
    fn matches_path(&self, path: &str) -> bool {
        self.prefix
            .as_ref()
            .is_none_or(|prefix| prefix.find_match(path).is_some())
    }
}

fn ensure_leading_slash(path: &str) -> String {
    if path.is_empty() || path.starts_with('/') {
        path.to_owned()
    } else {
        format!("/{path}")
    }
}

/// What the table knows about a request's path and method.
pub(crate) enum Found<'t> {
    /// The route actix-web will run.
    Route(&'t Route),
    /// No declared route serves the path and method; a scope policy covers the path.
    Scope(&'t ScopePolicy),
    /// Declared routes serve this path, but none with this method (and guards).
    OtherMethods(&'t Route),
    /// No declared route serves this path.
    Nothing,
}

/// Why an app cannot start.
pub(crate) struct StartupProblems {
    /// Routes naming a policy that is not registered on the middleware.
    pub(crate) unregistered: Vec<String>,
    /// Duplicate, shadowed and unreachable declarations.
    pub(crate) conflicts: Vec<String>,
    /// Registered policies that cannot work as registered.
    pub(crate) misconfigured: Vec<String>,
}

/// A scope the routes are registered in, known from its first declaration.
struct Scope {
    prefix: String,
    def: ResourceDef,
    /// The handler of its first declaration, for messages.
    first: String,
}

/// What a registration number stands for.
#[derive(Clone, Copy)]
enum Event {
    Route(u32),
    Scope(u32),
}

/// Every declared route of the app, in registration order, with the scopes they are in,
/// indexed by the static segments of their patterns so that a lookup costs the same with 10
/// routes and with 1,000.
#[derive(Default)]
pub(crate) struct RouteTable {
    routes: Vec<Route>,
    /// Scope policies, in registration order.
    scope_policies: Vec<ScopePolicy>,
    /// The scopes the declarations are in.
    scopes: Vec<Scope>,
    /// Routes and scopes, by registration number.
    events: Vec<Event>,
    index: PathIndex,
    /// For the paths of routes without dynamic segments, the registration numbers that concern
    /// them, computed at start-up: one hash lookup for the most common requests.
    exact: HashMap<Box<str>, Vec<u32>, RandomState>,
}

impl RouteTable {
    /// Builds the table, or returns every problem: named policies that are not registered,
    /// declarations for the same path and method, routes shadowed by an earlier one.
    pub(crate) fn build(
        registrations: Vec<Registration>,
        settings: &Settings,
    ) -> Result<RouteTable, StartupProblems> {
        let mut unregistered = Vec::new();
        let mut table = RouteTable::default();
        for registration in registrations {
            let prefix = registration.prefix.clone();
            match TableEntry::new(registration, settings) {
                Ok(TableEntry::Route(route)) => {
                    table.note_scope(&prefix, &route.handler);
                    table.push(route);
                }
                Ok(TableEntry::Scope(scope)) => {
                    table.note_scope(&prefix, &scope.handler);
                    table.scope_policies.push(scope);
                }
                Err(problem) => unregistered.push(problem),
            }
        }
        let conflicts = table.conflicts();
        // Every policy with dynamic origins must be built to take them.
        let mut slots: Vec<(String, &PolicySlot)> = settings
            .named
            .iter()
            .map(|(name, slot)| (format!("policy \"{name}\""), slot))
            .collect();
        slots.sort_by(|a, b| a.0.cmp(&b.0));
        slots.extend(
            settings
                .default
                .iter()
                .map(|slot| ("the default policy".to_owned(), slot)),
        );
        for route in &table.routes {
            if let (PolicyFrom::Runtime, RoutePolicy::Decide(slot)) = (route.from, &route.policy) {
                slots.push((route.handler.clone(), slot));
            }
        }
        for scope in &table.scope_policies {
            slots.push((scope.handler.clone(), &scope.policy));
        }
        let misconfigured: Vec<String> = slots
            .into_iter()
            .filter(|(_, slot)| slot.dynamic.is_some() && !slot.load().policy.allows_dynamic_origins())
            .map(|(what, _)| {
                format!(
                    "{what} has dynamic origins but was built without `allow_dynamic_origins()`, so they would never be asked"
                )
            })
            .collect();
        if unregistered.is_empty() && conflicts.is_empty() && misconfigured.is_empty() {
            table.index_exact_paths();
            Ok(table)
        } else {
            Err(StartupProblems {
                unregistered,
                conflicts,
                misconfigured,
            })
        }
    }

    /// Records the scope `prefix` at its first declaration.
    fn note_scope(&mut self, prefix: &str, handler: &str) {
        if prefix.is_empty() || self.scopes.iter().any(|s| s.prefix == prefix) {
            return;
        }
        let number = self.events.len() as u32;
        self.events.push(Event::Scope(self.scopes.len() as u32));
        self.scopes.push(Scope {
            prefix: prefix.to_owned(),
            def: ResourceDef::root_prefix(prefix),
            first: handler.to_owned(),
        });
        self.index.insert(prefix, number);
    }

    /// Fills [`RouteTable::exact`].
    fn index_exact_paths(&mut self) {
        let mut exact = HashMap::default();
        for route in self.routes.iter().filter(|r| !r.pattern.contains('{')) {
            let path = route.pattern.as_str();
            if exact.contains_key(path) {
                continue;
            }
            let concerned: Vec<u32> = self
                .index
                .visit(path)
                .filter(|&number| match self.events[number as usize] {
                    Event::Scope(scope) => {
                        self.scopes[scope as usize].def.find_match(path).is_some()
                    }
                    Event::Route(route) => self.routes[route as usize].matches_path(path),
                })
                .collect();
            exact.insert(path.into(), concerned);
        }
        self.exact = exact;
    }

    fn push(&mut self, mut route: Route) {
        let number = self.events.len() as u32;
        route.number = number;
        self.events.push(Event::Route(self.routes.len() as u32));
        self.index.insert(&route.pattern, number);
        self.routes.push(route);
    }

    /// Whether the table has no route.
    pub(crate) fn is_empty(&self) -> bool {
        self.routes.is_empty() && self.scope_policies.is_empty()
    }

    /// The routes then the scope policies, each in registration order, as the report shows
    /// them.
    pub(crate) fn report(&self) -> Vec<ReportedRoute> {
        let routes = self.routes.iter().map(Route::report);
        routes
            .chain(self.scope_policies.iter().map(ScopePolicy::report))
            .collect()
    }

    /// The route actix-web will run for `path` and `method`: the first declared route, in
    /// registration order, whose pattern matches the path, whose methods include `method` and
    /// whose guards accept the request; else the innermost scope policy covering the path.
    pub(crate) fn find<'t>(&'t self, path: &str, method: &[u8], req: &ServiceRequest) -> Found<'t> {
        match self.resolve(path, method, u32::MAX, |route| {
            guards_pass(route.guards, req)
        }) {
            Resolved::Route(route) => Found::Route(route),
            resolved => {
                let scope = self
                    .scope_policies
                    .iter()
                    .filter(|scope| scope.matches_path(path))
                    .max_by_key(|scope| scope.pattern.len());
                match (scope, resolved) {
                    (Some(scope), _) => Found::Scope(scope),
                    (None, Resolved::OtherMethods(route)) => Found::OtherMethods(route),
                    (None, _) => Found::Nothing,
                }
            }
        }
    }

    /// actix-web's routing over the declared routes. actix-web tries services in registration
    /// order and never backtracks out of a scope whose prefix matched: once a path is inside
    /// the scope of an earlier route (`/api` for `/api/users`), routes outside that scope are
    /// out of reach, even if their pattern matches (a later root route `/api/items`).
    fn resolve<'t>(
        &'t self,
        path: &str,
        method: &[u8],
        limit: u32,
        guards_pass: impl Fn(&Route) -> bool,
    ) -> Resolved<'t> {
        let mut entered: Option<&'t Scope> = None;
        let mut other = None;
        let numbers = match self.exact.get(path) {
            Some(numbers) => Numbers::Exact(numbers.iter()),
            None => Numbers::Visit(self.index.visit(path)),
        };
        for number in numbers {
            if number >= limit {
                break;
            }
            match self.events[number as usize] {
                Event::Scope(scope) => {
                    let scope = &self.scopes[scope as usize];
                    // The path enters this scope if it is the first to take it, or nested in
                    // the one the path is in.
                    let deeper = entered.is_none_or(|e| {
                        scope.prefix.len() > e.prefix.len() && is_within(&scope.prefix, &e.prefix)
                    });
                    if deeper && scope.def.find_match(path).is_some() {
                        entered = Some(scope);
                    }
                }
                Event::Route(route) => {
                    let route = &self.routes[route as usize];
                    if entered.is_some_and(|e| !is_within(&route.scope, &e.prefix)) {
                        continue;
                    }
                    if !route.matches_path(path) {
                        continue;
                    }
                    if route.serves(method) && guards_pass(route) {
                        return Resolved::Route(route);
                    }
                    other.get_or_insert(route);
                }
            }
        }
        match (other, entered) {
            (Some(route), _) => Resolved::OtherMethods(route),
            (None, Some(scope)) => Resolved::Swallowed(scope),
            (None, None) => Resolved::Nothing,
        }
    }

    /// Declarations that can never run for some of their methods: the same pattern declared
    /// twice, a route shadowed by an earlier route without guards whose pattern matches this
    /// one's (its pattern text taken as a path: `/items/{id}` matches `/items/new`), or a route
    /// outside a scope that an earlier route's scope swallows.
    fn conflicts(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for later in &self.routes {
            let sample = later.pattern.as_str();
            // A route for every method is checked against routes for every method.
            let methods = later.methods.unwrap_or(&["*"]);
            for method in methods {
                // Guarded routes may step aside for a request: they never count as shadowing.
                let winner = self.resolve(sample, method.as_bytes(), later.number, |r| {
                    r.guards.is_empty()
                });
                let problem = match winner {
                    Resolved::Route(earlier) if earlier.pattern == later.pattern => format!(
                        "`{}` and `{}` both declare {method} {}: actix-web runs only `{}`, registered first; remove one declaration or give them different paths or methods",
                        earlier.handler, later.handler, later.pattern, earlier.handler
                    ),
                    Resolved::Route(earlier) => format!(
                        "`{}` ({method} {}) is shadowed by `{}` ({}), registered before it: actix-web never runs `{}` for {method} {}; register `{}` first",
                        later.handler, later.pattern, earlier.handler, earlier.pattern, later.handler, later.pattern, later.handler
                    ),
                    Resolved::Swallowed(scope) if !is_within(&later.scope, &scope.prefix) => format!(
                        "`{}` ({method} {}) is unreachable: the scope `{}` of `{}`, registered before it, takes every path under it; register `{}` before that scope or move it into it",
                        later.handler, later.pattern, scope.prefix, scope.first, later.handler
                    ),
                    _ => continue,
                };
                if !problems.contains(&problem) {
                    problems.push(problem);
                }
            }
        }
        problems
    }
}

/// Where the registration numbers of a lookup come from.
// Lives on the stack for one lookup; boxing the large variant would allocate per request.
#[allow(clippy::large_enum_variant)]
enum Numbers<'t> {
    Exact(std::slice::Iter<'t, u32>),
    Visit(Visit<'t>),
}

impl Iterator for Numbers<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        match self {
            Numbers::Exact(numbers) => numbers.next().copied(),
            Numbers::Visit(visit) => visit.next(),
        }
    }
}

/// The outcome of [`RouteTable::resolve`].
enum Resolved<'t> {
    /// The route that runs.
    Route(&'t Route),
    /// Routes match the path, but not the method (or guards).
    OtherMethods(&'t Route),
    /// The path is inside this scope, where no route matches it.
    Swallowed(&'t Scope),
    /// No declared route is concerned.
    Nothing,
}

/// Whether a route under scope prefix `inner` is inside the scope with prefix `outer`.
fn is_within(inner: &str, outer: &str) -> bool {
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

impl Route {
    /// The route as the report shows it.
    fn report(&self) -> ReportedRoute {
        ReportedRoute {
            pattern: self.pattern.clone(),
            methods: self.methods.map_or_else(|| vec!["*"], <[_]>::to_vec),
            handler: self.handler.clone(),
            guarded: !self.guards.is_empty(),
            policy: match (self.from, &self.policy) {
                (_, RoutePolicy::Disabled) => "CORS disabled".to_owned(),
                (PolicyFrom::Named(name), RoutePolicy::Decide(p)) => {
                    format!("policy \"{name}\" {}", Short(p))
                }
                (PolicyFrom::Inline, RoutePolicy::Decide(p)) => {
                    format!("inline {}", Short(p))
                }
                (PolicyFrom::Runtime, RoutePolicy::Decide(p)) => Short(p).to_string(),
            },
        }
    }
}

impl ScopePolicy {
    fn report(&self) -> ReportedRoute {
        ReportedRoute {
            pattern: format!("{}/*", self.pattern),
            methods: vec!["*"],
            handler: self.handler.clone(),
            guarded: false,
            policy: Short(&self.policy).to_string(),
        }
    }
}

/// A policy in a few words: its origins, and whether it allows credentials.
pub(crate) struct Short<'a>(pub(crate) &'a PolicySlot);

impl fmt::Display for Short<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let slot = self.0;
        let loaded = slot.load();
        let policy = &loaded.policy;
        let origins = policy.origins();
        if origins.is_any() {
            write!(f, "[*]")?;
        } else {
            let exact: Vec<&str> = origins.exact().collect();
            write!(f, "[{}", exact.join(", "))?;
            match (exact.is_empty(), origins.pattern_count()) {
                (_, 0) => {}
                (true, n) => write!(f, "{n} pattern{}", if n == 1 { "" } else { "s" })?,
                (false, n) => write!(f, ", +{n} pattern{}", if n == 1 { "" } else { "s" })?,
            }
            write!(f, "]")?;
        }
        if slot.dynamic.is_some() {
            write!(f, " + dynamic origins")?;
        }
        if policy.allows_credentials() {
            write!(f, " with credentials")?;
        }
        if slot.is_live() {
            write!(f, " (live)")?;
        }
        Ok(())
    }
}
