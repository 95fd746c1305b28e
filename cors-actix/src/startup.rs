//! When the app starts: the door is built from the declarations its app registered, and every
//! start-up rule is checked. Each rule is one `check_*` function, called from [`build_table`]'s
//! list; each problem names the registrations concerned and says what to write instead.
//!
//! Guarded by `tests/tests/startup.rs`, `tests/tests/app_shapes.rs` and the unit tests below.

use std::rc::Rc;
use std::sync::Arc;

use actix_web::dev::ResourceDef;

use crate::door::after::route_cors::DeclaredPolicy;
use crate::door::after::routed::Levels;
use crate::door::decide::Door;
use crate::door::ledger::Ledger;
use crate::door::route_table::{
    is_within, PolicyFrom, Resolved, Route, RoutePolicy, RouteTable, ScopePolicy,
};
use crate::door::CorsService;
use crate::policy::policy_ref::PolicyRef;
use crate::policy::slot::PolicySlot;
use crate::report::RouteReport;
use crate::routes::registry::{take_app_routes, Declared, Registration};
use crate::settings::Settings;

/// Why an app cannot start, and what it should know.
#[derive(Default)]
pub(crate) struct StartupProblems {
    /// Routes naming a policy that is not registered on the middleware.
    pub(crate) unregistered: Vec<String>,
    /// Duplicate, shadowed and unreachable declarations; misplaced middleware.
    pub(crate) conflicts: Vec<String>,
    /// Registered policies that cannot work as registered.
    pub(crate) misconfigured: Vec<String>,
}

impl StartupProblems {
    fn is_empty(&self) -> bool {
        self.unregistered.is_empty() && self.conflicts.is_empty() && self.misconfigured.is_empty()
    }

    /// The message the app refuses to start with.
    pub(crate) fn message(&self) -> String {
        let hint = match self.unregistered.len() {
            0 => "",
            1 => "; register it with `Cors::new().policy(\"name\", policy)`",
            _ => "; register them with `Cors::new().policy(\"name\", policy)`",
        };
        let all: Vec<&str> = self
            .unregistered
            .iter()
            .chain(&self.conflicts)
            .chain(&self.misconfigured)
            .map(String::as_str)
            .collect();
        format!("cors-actix: refusing to start: {}{hint}", all.join("; "))
    }
}

/// Builds the door of one app: takes the routes it registered, checks them, reports them. On a
/// problem, the app refuses to start: the message is printed to stderr and logged as an
/// `error` event (target `cors`).
pub(crate) fn build_door<S>(
    settings: &Arc<Settings>,
    reported: &std::sync::OnceLock<RouteReport>,
    service: S,
) -> Result<CorsService<S>, ()> {
    let registrations = take_app_routes();
    let inner = std::any::type_name::<S>();
    let built = match check_placement(inner) {
        Some(problem) => Err(StartupProblems {
            conflicts: vec![problem],
            ..StartupProblems::default()
        }),
        None => build_table(registrations, settings),
    };
    let (table, warnings) = match built {
        Ok(built) => built,
        Err(problems) => {
            let message = problems.message();
            tracing::error!(target: "cors", "{message}");
            eprintln!("{message}");
            return Err(());
        }
    };
    let default = settings.default.clone();
    let mut warnings = warnings;
    warnings.extend(check_rewrites(inner));
    let report = RouteReport::of(&table, default.as_ref());
    let table = Arc::new(table);
    // For `Cors::explain`: the first app's table, as the report is the first app's.
    let _ = settings.table.set(Arc::clone(&table));
    // Logged once per middleware: the workers of one server (sharing a `Cors` through clones)
    // build the same table.
    if reported.set(report).is_ok() {
        if let Some(report) = reported.get() {
            tracing::info!(target: "cors", "CORS route table:\n{report}");
        }
        for warning in &warnings {
            tracing::warn!(target: "cors", "{warning}");
        }
        // What may make the door's choice wrong is also a finding of the route report.
        if let Ok(mut findings) = settings.findings.lock() {
            for warning in check_rewrites(inner) {
                if !findings.contains(&warning) {
                    findings.push(warning);
                }
            }
        }
    }
    let ledger = Ledger::shared(settings.refusal_log);
    Ok(CorsService {
        service: Rc::new(service),
        door: Rc::new_cyclic(|this| Door {
            table,
            default,
            on_refusal: settings.on_refusal,
            debug: settings.debug,
            detail: settings.debug,
            preflight_status: settings.preflight_status,
            cross_origin: settings.cross_origin.clone(),
            report_only: settings.report_only,
            ledger,
            recent: Default::default(),
            unchecked: std::cell::Cell::new(true),
            findings: std::sync::Arc::clone(&settings.findings),
            this: this.clone(),
        }),
    })
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
            path_mark,
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
        let (handler, path, methods, guards, policy, from, declaration) = match declared {
            Declared::Route(route) => {
                let (policy, from) = match route.source {
                    DeclaredPolicy::Inline(policy) => (
                        RoutePolicy::Decide(PolicySlot::from(PolicyRef::from(*policy))),
                        PolicyFrom::Inline,
                    ),
                    DeclaredPolicy::Named(name) => match settings.named.get(*name) {
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
                    DeclaredPolicy::Disabled => (RoutePolicy::Disabled, PolicyFrom::Inline),
                };
                (
                    route.handler.to_owned(),
                    route.path.to_owned(),
                    Some(route.methods),
                    route.guards,
                    policy,
                    from,
                    Some(route),
                )
            }
            Declared::Resource { path, policy } => (
                format!("resource_policy(\"{path}\")"),
                path,
                None,
                &[][..],
                RoutePolicy::Decide(policy),
                PolicyFrom::Runtime,
                None,
            ),
            Declared::Scope { policy, mark } => {
                let shown = if is_root && prefix.is_empty() {
                    "(app root)"
                } else {
                    prefix.as_str()
                };
                return Ok(TableEntry::Scope(ScopePolicy {
                    number: 0,
                    seq: 0,
                    handler: format!("scope_policy(\"{shown}\")"),
                    def: ResourceDef::root_prefix(&prefix),
                    levels: Levels::of(&prefix),
                    pattern: prefix,
                    at_root: is_root,
                    policy,
                    mark,
                    path_mark: path_mark.unwrap_or(crate::door::after::marks::PathMark(0)),
                    enclosing: Box::default(),
                }));
            }
        };
        let own = own(&path);
        Ok(TableEntry::Route(Route {
            number: 0,
            seq: 0,
            handler,
            pattern: format!("{prefix}{own}"),
            levels: Levels::of(&prefix),
            path_mark: declaration.is_none().then_some(path_mark).flatten(),
            enclosing: Box::default(),
            scope: prefix,
            in_scope: !is_root,
            prefix: scope,
            resource: ResourceDef::new(own),
            methods,
            guards,
            policy,
            from,
            declaration,
            twins: Vec::new(),
            other_twins: false,
        }))
    }
}

fn ensure_leading_slash(path: &str) -> String {
    if path.is_empty() || path.starts_with('/') {
        path.to_owned()
    } else {
        format!("/{path}")
    }
}

/// What start-up found that does not stop the app: logged as warnings.
pub(crate) type Warnings = Vec<String>;

/// Builds the table from the app's registrations, or returns every problem.
pub(crate) fn build_table(
    registrations: Vec<Registration>,
    settings: &Settings,
) -> Result<(RouteTable, Warnings), StartupProblems> {
    let mut problems = StartupProblems::default();
    let mut table = RouteTable::default();
    for registration in registrations {
        // A `web::scope("")` at the app's root is a scope of its own (it takes every path);
        // the app's root is not.
        let scope_key = (!registration.is_root).then(|| registration.prefix.clone());
        match TableEntry::new(registration, settings) {
            Ok(TableEntry::Route(route)) => table.add_route(route, scope_key.as_deref()),
            Ok(TableEntry::Scope(scope)) => table.add_scope_policy(scope, scope_key.as_deref()),
            Err(problem) => problems.unregistered.push(problem),
        }
    }
    let mut warnings = Vec::new();
    // The rules, in the order their problems are reported.
    check_conflicts(&mut table, &mut problems.conflicts, &mut warnings);
    check_scope_policies(&table, &mut problems.conflicts);
    check_dynamic_origins(&table, settings, &mut problems.misconfigured);
    check_max_age(&table, settings, &mut warnings);
    if problems.is_empty() {
        table.finish();
        Ok((table, warnings))
    } else {
        Err(problems)
    }
}

/// WebKit caches a preflight answer for at most 600 s, Chromium for at most 7,200 s.
const WEBKIT_MAX_AGE: u64 = 600;
const CHROMIUM_MAX_AGE: u64 = 7200;

/// Declarations that browsers treat differently from what is written: a `max_age` above what
/// an engine caches (each one warning, beside the route table). Not a problem: the browser
/// only asks again sooner than the policy says.
fn check_max_age(table: &RouteTable, settings: &Settings, warnings: &mut Warnings) {
    let routes = table.routes.iter().filter_map(|route| match &route.policy {
        RoutePolicy::Decide(policy) => Some((&route.handler[..], &route.pattern[..], policy)),
        RoutePolicy::Disabled => None,
    });
    let scopes = table
        .scope_policies
        .iter()
        .map(|scope| (&scope.handler[..], &scope.pattern[..], &scope.policy));
    let default = settings.default.iter().map(|policy| {
        (
            "the default policy",
            "(routes without a declaration)",
            policy,
        )
    });
    for (handler, pattern, policy) in routes.chain(scopes).chain(default) {
        let prepared = policy.load();
        let Some(age) = prepared
            .policy
            .max_age()
            .and_then(|a| a.parse::<u64>().ok())
        else {
            continue;
        };
        if age <= WEBKIT_MAX_AGE {
            continue;
        }
        let engines = if age > CHROMIUM_MAX_AGE {
            format!("Chromium caches a preflight answer for at most {CHROMIUM_MAX_AGE} s and WebKit (Safari) for at most {WEBKIT_MAX_AGE} s")
        } else {
            format!("WebKit (Safari) caches a preflight answer for at most {WEBKIT_MAX_AGE} s")
        };
        let warning = format!(
            "`{handler}` ({pattern}): `max_age = {age}`, but {engines}: those browsers send the preflight again sooner than written (harmless; Firefox keeps it up to 86400 s; write `max_age = {WEBKIT_MAX_AGE}` if every engine should behave alike)"
        );
        if !warnings.contains(&warning) {
            warnings.push(warning);
        }
    }
}

/// Declarations that can never run for some of their methods: a route shadowed by an earlier
/// route without guards whose pattern matches this one's (its pattern text taken as a path:
/// `/items/{id}` matches `/items/new`), a route outside a scope that an earlier route's scope
/// swallows, a `resource_policy` declared twice. Two `#[cors]` routes with the same pattern
/// and a method in common start, as twins: actix-web may run either, split by guards of
/// their scopes that the door cannot see (a `guard::Host` on each `web::scope`); each
/// request is decided by the one it runs (a warning says so, and that without such guards
/// only the first ever runs).
fn check_conflicts(table: &mut RouteTable, problems: &mut Vec<String>, warnings: &mut Warnings) {
    let mut twins: Vec<(usize, u32)> = Vec::new();
    for (later_index, later) in table.routes.iter().enumerate() {
        let sample = later.pattern.as_str();
        // A route for every method is checked against routes for every method.
        let methods = later.methods.unwrap_or(&["*"]);
        for method in methods {
            // Guarded routes may step aside for a request: they never count as shadowing.
            let (winner, _) = table.resolve(sample, method.as_bytes(), later.number, |r| {
                r.guards.is_empty()
            });
            let problem = match winner {
                Resolved::Route(earlier) if earlier.pattern == later.pattern => {
                    // Only scopes can be split by guards: at the app's root they are duplicates.
                    if earlier.declaration.is_some()
                        && later.declaration.is_some()
                        && later.prefix.is_some()
                    {
                        let earlier_index = table
                            .routes
                            .iter()
                            .position(|r| std::ptr::eq(r, earlier))
                            .unwrap_or(0);
                        if !twins.contains(&(earlier_index, later_index as u32)) {
                            twins.push((earlier_index, later_index as u32));
                            warnings.push(format!(
                                "`{}` and `{}` both declare {method} {}: if guards on their scopes split them (a `guard::Host` on each `web::scope`), each request is decided by the one actix-web runs; without such guards actix-web runs only `{}`, registered first",
                                earlier.handler, later.handler, later.pattern, earlier.handler
                            ));
                        }
                        continue;
                    }
                    format!(
                        "`{}` and `{}` both declare {method} {}: actix-web runs only `{}`, registered first; remove one declaration or give them different paths or methods",
                        earlier.handler, later.handler, later.pattern, earlier.handler
                    )
                }
                Resolved::Route(earlier) => format!(
                    "`{}` ({method} {}) is shadowed by `{}` ({}), registered before it: actix-web never runs `{}` for {method} {}; register `{}` first",
                    later.handler, later.pattern, earlier.handler, earlier.pattern, later.handler, later.pattern, later.handler
                ),
                Resolved::Swallowed(scope) if !later.is_inside(scope) => format!(
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
    for (earlier, later) in twins {
        let route = &mut table.routes[earlier];
        if !route.twins.contains(&later) {
            route.twins.push(later);
        }
    }
}

/// Scope policies that cannot apply as written: two in scopes of the same prefix (actix-web
/// enters only the first such scope, unless guards split them, which the door cannot see), and
/// one whose scope an earlier scope swallows (`/api` registered before `/api/v2`).
fn check_scope_policies(table: &RouteTable, problems: &mut Vec<String>) {
    for (i, later) in table.scope_policies.iter().enumerate() {
        let same = table.scope_policies[..i]
            .iter()
            .find(|earlier| earlier.pattern == later.pattern && earlier.at_root == later.at_root);
        if let Some(earlier) = same {
            problems.push(format!(
                "`{}` and `{}` are scope policies of scopes with the same prefix: actix-web enters only the first scope registered, unless guards on the scopes split them, which the door cannot see; give the scopes different prefixes, or declare the policy on each route (`#[cors]`, whose route door decides by the route actix-web runs)",
                earlier.handler, later.handler
            ));
            continue;
        }
        if later.at_root {
            continue;
        }
        let (_, entered) = table.resolve(&later.pattern, b"*", later.number, |_| true);
        if let Some(scope) = entered {
            if !is_within(&later.pattern, &scope.prefix) {
                problems.push(format!(
                    "`{}` never applies: the scope `{}` of `{}`, registered before it, takes every path under `{}`; register `{}`'s scope first",
                    later.handler, scope.prefix, scope.first, later.pattern, later.handler
                ));
            }
        }
    }
}

/// Every policy with dynamic origins must be built to take them.
fn check_dynamic_origins(table: &RouteTable, settings: &Settings, problems: &mut Vec<String>) {
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
    problems.extend(
        slots
            .into_iter()
            .filter(|(_, slot)| {
                slot.dynamic.is_some() && !slot.load().policy.allows_dynamic_origins()
            })
            .map(|(what, _)| {
                format!(
                    "{what} has dynamic origins but was built without `allow_dynamic_origins()`, so they would never be asked"
                )
            }),
    );
}

/// The path of a generic type, without its parameters, as [`std::any::type_name`] spells it:
/// read from the type itself, so that a rename cannot silently turn a check off.
fn type_path<T: ?Sized>() -> &'static str {
    let name = std::any::type_name::<T>();
    name.split('<').next().unwrap_or(name)
}

/// Where a `Cors` is wrapped, from the type of the service it wraps: on the `App` (its router,
/// possibly under other middleware), on a `web::scope`, on a resource, or around another
/// `Cors`. `None` when it is the app's.
pub(crate) fn check_placement(inner_type: &str) -> Option<String> {
    if inner_type.contains(type_path::<CorsService<()>>()) {
        return Some(
            "a second `Cors` is wrapped inside this one: one app has one door; wrap one `Cors` on the `App`, last (outermost), and give scopes their policies with `scope_policy`".to_owned(),
        );
    }
    if inner_type.contains("actix_web::scope::") {
        return Some(
            "`Cors` is wrapped on a `web::scope`: the door must see requests before the app routes them; wrap it on the `App`, last (outermost), and give the scope its policy with `.configure(scope_policy(..))`".to_owned(),
        );
    }
    if inner_type.contains("actix_web::resource::") || inner_type.contains("actix_web::route::") {
        return Some(
            "`Cors` is wrapped on a resource: the door must see requests before the app routes them; wrap it on the `App`, last (outermost), and declare the resource's policy with `#[cors]` or `resource_policy`".to_owned(),
        );
    }
    None
}

/// Middleware inside `Cors` that rewrites paths, from the type of the service it wraps:
/// `NormalizePath` (its service's type is named after it). Routes then see paths the door did
/// not: declarations refuse cross-origin requests (fail closed) and responses of what actix-web
/// ran get no CORS headers. Middleware written with `from_fn` cannot be told by its type.
pub(crate) fn check_rewrites(inner_type: &str) -> Vec<String> {
    let normalize = type_path::<actix_web::middleware::NormalizePath>();
    if inner_type.contains(normalize) {
        vec!["`NormalizePath` is wrapped inside `Cors`: routes see the paths it rewrites, which the door did not see, so declared routes refuse cross-origin requests for them and their answers get no CORS headers; wrap it outside `Cors` (`.wrap(Cors::new())` first, then `.wrap(NormalizePath::trim())`)".to_owned()]
    } else {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::{check_placement, check_rewrites, type_path};

    #[test]
    fn the_checks_name_types_as_type_name_spells_them() {
        // A rename of the door's service or of actix-web's `NormalizePath` moves these paths,
        // and the checks with them; their names are compared with what `type_name` says.
        assert_eq!(
            type_path::<crate::door::CorsService<()>>(),
            "cors_actix::door::CorsService"
        );
        // (The real type, `NormalizePath` wrapped inside `Cors`, is checked by
        // `tests/tests/fail_closed.rs`.)
        let normalized = format!(
            "{}Normalization<actix_web::app_service::AppRouting>",
            type_path::<actix_web::middleware::NormalizePath>()
        );
        assert_eq!(check_rewrites(&normalized).len(), 1, "{normalized}");
        assert!(check_rewrites("actix_web::app_service::AppRouting").is_empty());
    }

    #[test]
    fn placement_is_read_from_the_wrapped_service() {
        assert_eq!(check_placement("actix_web::app_service::AppRouting"), None);
        assert_eq!(
            check_placement("actix_web::middleware::logger::LoggerMiddleware<actix_web::app_service::AppRouting>"),
            None
        );
        assert!(check_placement("actix_web::scope::ScopeService")
            .is_some_and(|m| m.contains("web::scope")));
        assert!(check_placement("actix_web::resource::ResourceService")
            .is_some_and(|m| m.contains("resource")));
        assert!(check_placement(
            "cors_actix::door::CorsService<actix_web::app_service::AppRouting>"
        )
        .is_some_and(|m| m.contains("second `Cors`")));
    }
}
