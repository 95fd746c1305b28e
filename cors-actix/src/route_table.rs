//! The door's route table: every route with a CORS declaration, with its full path pattern, its
//! methods, guards and policy, in registration order; built when the app starts, looked up by
//! `Cors` before anything inside it runs.

use std::collections::HashMap;
use std::fmt;

use actix_web::dev::{ResourceDef, ServiceRequest};

use crate::policy_ref::{PolicyRef, Prepared};
use crate::registry::Registration;
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

/// One declared route.
pub(crate) struct Route {
    pub(crate) handler: &'static str,
    /// The full pattern (scope prefixes and the route's own), for reports and logs.
    pattern: String,
    /// The enclosing scopes' prefix (`None` at the app's root).
    prefix: Option<ResourceDef>,
    /// The route's own pattern, as actix-web registers it.
    resource: ResourceDef,
    methods: &'static [&'static str],
    guards: &'static [GuardFn],
    pub(crate) policy: RoutePolicy,
    source: &'static PolicySource,
}

impl Route {
    fn new(registration: Registration, settings: &Settings) -> Result<Route, String> {
        let Registration {
            route,
            prefix,
            is_root,
        } = registration;
        // As actix-web's `Resource::register` does: a leading slash, except for the empty
        // pattern inside a scope (which matches the scope's path itself).
        let own = if is_root || !route.path.is_empty() {
            ensure_leading_slash(route.path)
        } else {
            String::new()
        };
        let policy = match &route.source {
            PolicySource::Inline(policy) => {
                RoutePolicy::Decide(Prepared::new(PolicyRef::Static(policy)))
            }
            PolicySource::Named(name) => match settings.named.get(*name) {
                Some(policy) => RoutePolicy::Decide(Prepared::new(policy.clone())),
                None => {
                    return Err(format!(
                        "handler `{}` uses `policy = \"{name}\"`",
                        route.handler
                    ))
                }
            },
            PolicySource::Disabled => RoutePolicy::Disabled,
        };
        Ok(Route {
            handler: route.handler,
            pattern: format!("{prefix}{own}"),
            prefix: (!prefix.is_empty()).then(|| ResourceDef::root_prefix(&prefix)),
            resource: ResourceDef::new(own),
            methods: route.methods,
            guards: route.guards,
            policy,
            source: &route.source,
        })
    }

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
        self.methods.iter().any(|m| m.as_bytes() == method)
    }

    /// The route's full pattern.
    pub(crate) fn pattern(&self) -> &str {
        &self.pattern
    }

    /// The route's methods.
    pub(crate) fn methods(&self) -> &'static [&'static str] {
        self.methods
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
            match Route::new(registration, settings) {
                Ok(route) => table.push(route),
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
        self.routes.is_empty()
    }

    /// The routes, in registration order.
    pub(crate) fn routes(&self) -> &[Route] {
        &self.routes
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
    /// whose guards accept the request.
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
        match other {
            Some(route) => Lookup::OtherMethods(route),
            None => Lookup::Nothing,
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
                let common: Vec<&str> = later
                    .methods
                    .iter()
                    .copied()
                    .filter(|m| earlier.methods.contains(m))
                    .collect();
                if common.is_empty() {
                    continue;
                }
                let methods = common.join(", ");
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
    pub(crate) fn report(&self) -> ReportedRoute {
        ReportedRoute {
            pattern: self.pattern.clone(),
            methods: self.methods.to_vec(),
            handler: self.handler,
            guarded: !self.guards.is_empty(),
            policy: match (self.source, &self.policy) {
                (_, RoutePolicy::Disabled) => "CORS disabled".to_owned(),
                (PolicySource::Named(name), RoutePolicy::Decide(p)) => {
                    format!("policy \"{name}\" {}", Short(&p.policy))
                }
                (_, RoutePolicy::Decide(p)) => format!("inline {}", Short(&p.policy)),
            },
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
