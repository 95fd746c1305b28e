//! The door's route table: every route with a CORS declaration, with its full path pattern, its
//! methods, guards and policy, in registration order; built when the app starts, looked up by
//! `Cors` before anything inside it runs.

use std::collections::HashMap;
use std::fmt;

use actix_web::dev::{ResourceDef, ServiceRequest};

use crate::policy_ref::{PolicyRef, Prepared};
use crate::registry::{Declared, Registration};
use crate::report::ReportedRoute;
use crate::route_cors::{GuardFn, PolicySource};
use crate::settings::Settings;

/// What the door does for a route.
pub(crate) enum RoutePolicy {
    /// Decide with this policy.
    Decide(Prepared),
    /// `#[cors(disable)]`: no CORS headers, preflights refused.
    Disabled,
}

/// Where a route's policy comes from, for the report.
#[derive(Clone, Copy)]
enum Origin {
    Inline,
    Named(&'static str),
    Runtime,
}

/// One declared route: a `#[cors]` route attribute, or a [`resource_policy`](crate::resource_policy).
pub(crate) struct Route {
    pub(crate) handler: String,
    /// The full pattern (scope prefixes and the route's own), for reports and logs.
    pattern: String,
    /// The enclosing scopes' prefix (`None` at the app's root).
    prefix: Option<ResourceDef>,
    /// The route's own pattern, as actix-web registers it.
    resource: ResourceDef,
    /// `None`: every method.
    methods: Option<&'static [&'static str]>,
    guards: &'static [GuardFn],
    pub(crate) policy: RoutePolicy,
    origin: Origin,
}

/// A [`scope_policy`](crate::scope_policy).
pub(crate) struct ScopeRoute {
    pub(crate) handler: String,
    prefix: Option<ResourceDef>,
    pattern: String,
    pub(crate) policy: Prepared,
}

/// A registration, turned into what the table holds.
// Built once per registration at start-up, moved straight into the table: no need to box.
#[allow(clippy::large_enum_variant)]
enum Entry {
    Route(Route),
    Scope(ScopeRoute),
}

impl Entry {
    fn new(registration: Registration, settings: &Settings) -> Result<Entry, String> {
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
        Ok(match declared {
            Declared::Route(route) => {
                let (policy, origin) = match route.source {
                    PolicySource::Inline(policy) => (
                        RoutePolicy::Decide(Prepared::new(PolicyRef::Static(policy))),
                        Origin::Inline,
                    ),
                    PolicySource::Named(name) => match settings.named.get(*name) {
                        Some(policy) => (
                            RoutePolicy::Decide(Prepared::new(policy.clone())),
                            Origin::Named(name),
                        ),
                        None => {
                            return Err(format!(
                                "handler `{}` uses `policy = \"{name}\"`",
                                route.handler
                            ))
                        }
                    },
                    PolicySource::Disabled => (RoutePolicy::Disabled, Origin::Inline),
                };
                let own = own(route.path);
                Entry::Route(Route {
                    handler: route.handler.to_owned(),
                    pattern: format!("{prefix}{own}"),
                    prefix: scope,
                    resource: ResourceDef::new(own),
                    methods: Some(route.methods),
                    guards: route.guards,
                    policy,
                    origin,
                })
            }
            Declared::Resource { path, policy } => {
                let own = own(&path);
                Entry::Route(Route {
                    handler: format!("resource_policy(\"{path}\")"),
                    pattern: format!("{prefix}{own}"),
                    prefix: scope,
                    resource: ResourceDef::new(own),
                    methods: None,
                    guards: &[],
                    policy: RoutePolicy::Decide(Prepared::new(policy)),
                    origin: Origin::Runtime,
                })
            }
            Declared::Scope { policy } => Entry::Scope(ScopeRoute {
                handler: format!("scope_policy(\"{prefix}\")"),
                prefix: scope,
                pattern: prefix,
                policy: Prepared::new(policy),
            }),
        })
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

    /// The methods both routes serve, if any.
    fn common_methods(&self, other: &Route) -> Option<String> {
        match (self.methods, other.methods) {
            (None, None) => Some("every method".to_owned()),
            (Some(list), None) | (None, Some(list)) => Some(list.join(", ")),
            (Some(a), Some(b)) => {
                let common: Vec<&str> = b.iter().copied().filter(|m| a.contains(m)).collect();
                (!common.is_empty()).then(|| common.join(", "))
            }
        }
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

impl ScopeRoute {
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

/// The first segment of a path or pattern (`items` for `/items/{id}`).
fn first_segment(path: &str) -> &str {
    let path = path.strip_prefix('/').unwrap_or(path);
    path.split('/').next().unwrap_or("")
}

/// What the table knows about a request's path and method.
pub(crate) enum Lookup<'t> {
    /// The route actix-web will run.
    Route(&'t Route),
    /// No declared route serves the path and method; a scope policy covers the path.
    Scope(&'t ScopeRoute),
    /// Declared routes serve this path, but none with this method (and guards).
    OtherMethods(&'t Route),
    /// No declared route serves this path.
    Nothing,
}

/// Every declared route of the app, indexed by the first segment of its pattern so that a
/// lookup costs the same with 10 routes and with 1,000.
#[derive(Default)]
pub(crate) struct RouteTable {
    routes: Vec<Route>,
    /// Scope policies, in registration order.
    scopes: Vec<ScopeRoute>,
    /// Routes whose pattern starts with a static segment, by that segment.
    by_segment: HashMap<Box<str>, Vec<u32>>,
    /// Routes whose first segment is dynamic: candidates for every path.
    dynamic: Vec<u32>,
}

impl RouteTable {
    /// Builds the table, or returns every problem: named policies that are not registered,
    /// declarations for the same path and method, routes shadowed by an earlier one.
    pub(crate) fn build(
        registrations: Vec<Registration>,
        settings: &Settings,
    ) -> Result<RouteTable, Vec<String>> {
        let mut problems = Vec::new();
        let mut table = RouteTable::default();
        for registration in registrations {
            match Entry::new(registration, settings) {
                Ok(Entry::Route(route)) => table.push(route),
                Ok(Entry::Scope(scope)) => table.scopes.push(scope),
                Err(problem) => problems.push(problem),
            }
        }
        problems.extend(table.conflicts());
        if problems.is_empty() {
            Ok(table)
        } else {
            Err(problems)
        }
    }

    fn push(&mut self, route: Route) {
        let index = self.routes.len() as u32;
        let first = first_segment(&route.pattern);
        if first.contains('{') {
            self.dynamic.push(index);
        } else {
            self.by_segment.entry(first.into()).or_default().push(index);
        }
        self.routes.push(route);
    }

    /// Whether the table has no route.
    pub(crate) fn is_empty(&self) -> bool {
        self.routes.is_empty() && self.scopes.is_empty()
    }

    /// The routes then the scope policies, each in registration order, as the report shows
    /// them.
    pub(crate) fn report(&self) -> Vec<ReportedRoute> {
        let routes = self.routes.iter().map(Route::report);
        routes
            .chain(self.scopes.iter().map(ScopeRoute::report))
            .collect()
    }

    /// The routes that may match `path`, in registration order.
    fn candidates<'t>(&'t self, path: &str) -> impl Iterator<Item = &'t Route> + 't {
        let fixed = self
            .by_segment
            .get(first_segment(path))
            .map_or(&[][..], Vec::as_slice);
        Merge {
            a: fixed,
            b: &self.dynamic,
        }
        .map(|i| &self.routes[i as usize])
    }

    /// The route actix-web will run for `path` and `method`: the first declared route, in
    /// registration order, whose pattern matches the path, whose methods include `method` and
    /// whose guards accept the request; else the innermost scope policy covering the path.
    pub(crate) fn find<'t>(
        &'t self,
        path: &str,
        method: &[u8],
        req: &ServiceRequest,
    ) -> Lookup<'t> {
        let mut other = None;
        for route in self.candidates(path) {
            if !route.matches_path(path) {
                continue;
            }
            if route.serves(method) && guards_pass(route.guards, req) {
                return Lookup::Route(route);
            }
            other.get_or_insert(route);
        }
        let scope = self
            .scopes
            .iter()
            .filter(|scope| scope.matches_path(path))
            .max_by_key(|scope| scope.pattern.len());
        match (scope, other) {
            (Some(scope), _) => Lookup::Scope(scope),
            (None, Some(route)) => Lookup::OtherMethods(route),
            (None, None) => Lookup::Nothing,
        }
    }

    /// Declarations that can never run for some of their methods: the same pattern declared
    /// twice, or an earlier route without guards whose pattern matches this one's (its
    /// pattern text, taken as a path: `/items/{id}` matches `/items/new`).
    fn conflicts(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for later in &self.routes {
            let sample = later.pattern.as_str();
            for earlier in self.candidates(sample) {
                if std::ptr::eq(earlier, later) {
                    break;
                }
                if !earlier.guards.is_empty() || !earlier.matches_path(sample) {
                    continue;
                }
                let Some(methods) = earlier.common_methods(later) else {
                    continue;
                };
                problems.push(if earlier.pattern == later.pattern {
                    format!(
                        "`{}` and `{}` both declare {methods} {}: actix-web runs only `{}`, registered first; remove one declaration or give them different paths or methods",
                        earlier.handler, later.handler, later.pattern, earlier.handler
                    )
                } else {
                    format!(
                        "`{}` ({methods} {}) is shadowed by `{}` ({}), registered before it: actix-web never runs `{}` for {methods}; register `{}` first",
                        later.handler, later.pattern, earlier.handler, earlier.pattern, later.handler, later.handler
                    )
                });
            }
        }
        problems
    }
}

fn guards_pass(guards: &[GuardFn], req: &ServiceRequest) -> bool {
    if guards.is_empty() {
        return true;
    }
    let ctx = req.guard_ctx();
    guards.iter().all(|guard| guard(&ctx))
}

/// Two ascending index lists, merged.
struct Merge<'a> {
    a: &'a [u32],
    b: &'a [u32],
}

impl Iterator for Merge<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        let take_a = match (self.a.first(), self.b.first()) {
            (Some(a), Some(b)) => a < b,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return None,
        };
        let list = if take_a { &mut self.a } else { &mut self.b };
        let (first, rest) = list.split_first()?;
        *list = rest;
        Some(*first)
    }
}

impl Route {
    /// The route as the report shows it.
    fn report(&self) -> ReportedRoute {
        ReportedRoute {
            pattern: self.pattern.clone(),
            methods: self.methods.map_or_else(|| vec!["*"], <[_]>::to_vec),
            handler: self.handler.clone(),
            guarded: !self.guards.is_empty(),
            policy: match (self.origin, &self.policy) {
                (_, RoutePolicy::Disabled) => "CORS disabled".to_owned(),
                (Origin::Named(name), RoutePolicy::Decide(p)) => {
                    format!("policy \"{name}\" {}", Short(&p.policy))
                }
                (Origin::Inline, RoutePolicy::Decide(p)) => {
                    format!("inline {}", Short(&p.policy))
                }
                (Origin::Runtime, RoutePolicy::Decide(p)) => Short(&p.policy).to_string(),
            },
        }
    }
}

impl ScopeRoute {
    fn report(&self) -> ReportedRoute {
        ReportedRoute {
            pattern: format!("{}/*", self.pattern),
            methods: vec!["*"],
            handler: self.handler.clone(),
            guarded: false,
            policy: Short(&self.policy.policy).to_string(),
        }
    }
}

/// A policy in a few words: its origins, and whether it allows credentials.
pub(crate) struct Short<'a>(pub(crate) &'a PolicyRef);

impl fmt::Display for Short<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let origins = self.0.origins();
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
        if self.0.allows_credentials() {
            write!(f, " with credentials")?;
        }
        Ok(())
    }
}
