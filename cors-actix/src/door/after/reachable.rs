//! At the first request, when actix-web's resource map and introspection tree exist: what the
//! door cannot see that may take a declaration's requests, so that after routing an answer that
//! did not come from the declaration itself is not taken for one from in front of it.
//!
//! - Declared routes a plain service registered before them may keep actix-web from reaching
//!   (the resource map, looked up by each route's pattern taken as a path): logged (target
//!   `cors`, level warn) and listed in the route report's findings.
//! - Declarations inside a scope with guards (a `guard::Host` scope, read from actix-web's
//!   introspection tree, which `experimental-introspection` provides): the door cannot evaluate
//!   them, so actix-web may route the declaration's requests elsewhere (the next scope, the
//!   app's default service). Logged at info.
//!
//! Both make the declaration *ambiguous* (see [`routed`](crate::door::after::routed)).

use std::cell::RefCell;
use std::sync::Arc;

use actix_web::dev::ResourceMap;
use actix_web::introspection::{IntrospectionReportItem, IntrospectionTree, ResourceType};

use crate::door::after::routed::Facts;
use crate::door::route_table::{is_within, RouteTable};

/// What the first request learnt.
pub(crate) struct Learnt {
    pub(crate) findings: Vec<String>,
    pub(crate) facts: Facts,
}

/// Learns what [the module](self) says from the app's resource map and introspection tree
/// (`None`: not provided, every declaration inside a scope is then ambiguous).
pub(crate) fn learn(
    table: &RouteTable,
    map: &ResourceMap,
    tree: Option<&IntrospectionTree>,
) -> Learnt {
    let unreachable = check_reachable(table, map);
    let guarded = guarded_scopes(tree);
    let guards_of = |prefix: &str, in_scope: bool| -> Option<String> {
        if !in_scope {
            return None;
        }
        match &guarded {
            None => Some("(no introspection tree: unknown)".to_owned()),
            Some(scopes) => scopes
                .iter()
                .find(|(path, _)| is_within(prefix, path))
                .map(|(path, guards)| format!("`{path}` ({})", guards.join(", "))),
        }
    };
    let by_path = tree.map(guards_by_path);
    // The hosts a route's scopes require, if every guard around it is a host guard.
    let hosts_of = |prefix: &str| -> Box<[String]> {
        let Some(by_path) = &by_path else {
            return Box::default();
        };
        let around: Vec<&(String, Option<String>)> = by_path
            .iter()
            .filter(|(path, _)| is_within(prefix, path))
            .flat_map(|(_, guards)| guards)
            .collect();
        if around.iter().all(|(_, host)| host.is_some()) {
            around.into_iter().filter_map(|(_, h)| h.clone()).collect()
        } else {
            Box::default()
        }
    };
    let hosts: Box<[Box<[String]>]> = table
        .routes
        .iter()
        .map(|r| {
            if r.in_scope {
                hosts_of(&r.scope)
            } else {
                Box::default()
            }
        })
        .collect();
    let scope_hosts: Box<[Box<[String]>]> = table
        .scope_policies
        .iter()
        .map(|sp| {
            if sp.at_root {
                Box::default()
            } else {
                hosts_of(&sp.pattern)
            }
        })
        .collect();
    let mut routes = vec![false; table.routes.len()];
    let mut unreached = vec![false; table.routes.len()];
    for (i, route) in table.routes.iter().enumerate() {
        let guards = guards_of(&route.scope, route.in_scope);
        if let Some(guards) = &guards {
            note_guarded(&route.handler, guards);
        }
        unreached[i] = unreachable.iter().any(|(r, _)| *r == i as u32);
        routes[i] = guards.is_some() || unreached[i];
    }
    let mut findings: Vec<String> = unreachable.into_iter().map(|(_, f)| f).collect();
    let mut scopes_unreachable = Vec::new();
    let scopes = table
        .scope_policies
        .iter()
        .map(|scope| {
            let guards = guards_of(&scope.pattern, !scope.at_root);
            if let Some(guards) = &guards {
                note_guarded(&scope.handler, guards);
            }
            // Its probe, found through the map's walk for the scope's paths, or another scope
            // (a plain `web::scope("")`, a sibling of a shorter prefix) takes them first.
            let probe = sample_path(&scope.pattern).map(|sample| {
                let name = crate::door::after::path_check::probe_name(scope.path_mark);
                map.match_name(&format!("{sample}{}", crate::door::after::path_check::PROBE))
                    == Some(name.as_str())
            });
            scopes_unreachable.push(probe == Some(false));
            if probe == Some(false) {
                findings.push(format!(
                    "`{}` may never apply: actix-web routes the paths of its scope into a scope registered before it (a `web::scope(\"\")`, or a scope of a shorter prefix), which the door cannot see; register its scope first",
                    scope.handler
                ));
            }
            guards.is_some() || probe != Some(true)
        })
        .collect();
    let shadowable = shadowable(table, tree);
    let scopes_crowded = crowded(table, tree);
    Learnt {
        findings,
        facts: Facts {
            shadowable,
            scopes_crowded,
            guarded: guarded
                .iter()
                .flatten()
                .map(|(path, _)| path.clone())
                .collect(),
            routes: routes.into(),
            scopes,
            unreachable: unreached.into(),
            scopes_unreachable: scopes_unreachable.into(),
            hosts,
            scope_hosts,
        },
    }
}

#[cold]
fn note_guarded(handler: &str, guards: &str) {
    tracing::info!(
        target: "cors",
        "`{handler}` is inside the scope {guards} whose guards the door cannot evaluate: an answer that does not come from the declaration itself (a 401 from authentication on the app, the app's default service) gets no CORS headers; put such middleware on that scope or on the route"
    );
}

/// The scopes with guards other than method guards, by full path, with their guards' names
/// (`None`: no tree). Method guards (`guard::Get()`) are told by their details. What shares a
/// scope's full path shares its entry (a route's own guards there make it ambiguous too: safe).
fn guarded_scopes(tree: Option<&IntrospectionTree>) -> Option<Vec<(String, Vec<String>)>> {
    Some(
        guards_by_path(tree?)
            .into_iter()
            .map(|(path, guards)| (path, guards.into_iter().map(|(name, _)| name).collect()))
            .collect(),
    )
}

/// A guard's host, when it is a `guard::Host` the door can evaluate: its details name exactly
/// one header, `host`.
fn host_of(guard: &actix_web::introspection::GuardReport) -> Option<String> {
    use actix_web::introspection::GuardDetailReport;
    match guard.details.as_slice() {
        [GuardDetailReport::Headers { headers }] if guard.name.starts_with("Host(") => {
            match headers.as_slice() {
                [header] if header.name.eq_ignore_ascii_case("host") => Some(header.value.clone()),
                _ => None,
            }
        }
        _ => None,
    }
}

/// A guard's name, and its host if it is a `guard::Host`.
type Guard = (String, Option<String>);

/// The non-method guards of each full path of the tree: name, and host if a host guard.
fn guards_by_path(tree: &IntrospectionTree) -> Vec<(String, Vec<Guard>)> {
    let items: Vec<IntrospectionReportItem> = (&tree.root).into();
    items
        .into_iter()
        .filter_map(|item| {
            let guards: Vec<(String, Option<String>)> = item
                .guards_detail
                .iter()
                .filter(|g| g.name != crate::door::after::path_check::GUARD_NAME)
                .filter(|g| {
                    !g.details.iter().all(|d| {
                        matches!(
                            d,
                            actix_web::introspection::GuardDetailReport::HttpMethods { .. }
                        )
                    }) || g.details.is_empty()
                })
                .map(|g| (g.name.clone(), host_of(g)))
                .collect();
            let path = item.full_path.trim_end_matches('/').to_owned();
            (!guards.is_empty()).then_some((path, guards))
        })
        .collect()
}

/// The declared routes a service the door cannot see keeps actix-web from reaching, found at
/// the first request (actix-web's resource map exists only then): each `#[cors]` route's
/// pattern, taken as a path, must lead to the route itself in the map (by its resource name),
/// or to another declared route (twins split by guards lead to the first of them).
/// The map ignores guards, so a finding says "may": a resource registered before with a
/// method guard of another method (`App::route("/x", web::post())`) steps aside at run time.
/// Path checks are not in the map (see [`path_check`](crate::door::after::path_check)).
pub(crate) fn check_reachable(table: &RouteTable, map: &ResourceMap) -> Vec<(u32, String)> {
    let declared: Vec<&str> = table
        .routes
        .iter()
        .filter_map(|r| r.declaration.map(|d| d.resource))
        .collect();
    let mut findings = Vec::new();
    for (i, route) in table.routes.iter().enumerate() {
        let Some(sample) = sample_path(&route.pattern) else {
            continue;
        };
        let found = map.match_name(&sample);
        match (route.declaration, route.path_mark) {
            // Reached, or first reaching another declared route: one the door knows, whose
            // methods (checked against this route's at start-up) step aside for this one's.
            // Another declared route first counts only inside the same scope policies: past a
            // route of another scope (a `web::scope("")` around one of them), services the door
            // cannot see may stand between the two, and the scope policies' checks must not
            // let the request in on this route's word.
            (Some(declaration), _) => {
                let same_scopes = |name: &str| {
                    table.routes.iter().any(|other| {
                        other.declaration.is_some_and(|d| d.resource == name)
                            && other.enclosing == route.enclosing
                    })
                };
                if found.is_some_and(|name| {
                    name == declaration.resource || (declared.contains(&name) && same_scopes(name))
                }) {
                    continue;
                }
            }
            // A `resource_policy`: its check, named, comes first on its path.
            (None, Some(mark)) => {
                if found == Some(crate::door::after::path_check::check_name(mark).as_str()) {
                    continue;
                }
                if map.match_pattern(&sample).as_deref() == Some(route.pattern.as_str()) {
                    findings.push((
                        i as u32,
                        format!(
                            "`{}` is registered after a resource of its path: actix-web runs that resource before its check, so a cross-origin request the door did not decide for it (a path rewritten inside `Cors`) reaches the handler; register `resource_policy(\"..\")` before its resource",
                            route.handler
                        ),
                    ));
                    continue;
                }
            }
            (None, None) => continue,
        }
        let what = match map.match_pattern(&sample) {
            Some(pattern) => format!("the resource `{pattern}`"),
            None => "a scope without a route for it".to_owned(),
        };
        findings.push((
            i as u32,
            format!(
                "`{}` ({} {}) may be unreachable: actix-web routes `{sample}` to {what}, registered before it and not declared to the door; register `{}` first (unless that service's guards step aside for its requests)",
                route.handler,
                route.methods_text(),
                route.pattern,
                route.handler
            ),
        ));
    }
    findings
}

/// Whether actix-web's map, walked for `path` as its router walks it (guards ignored), leads to
/// the declaration the door chose: for a `#[cors]` route its resource; for a `resource_policy` a resource of its pattern; for a
/// scope policy a resource inside its scope, or, when no resource takes the path, its scope
/// (its probe reached through the path's prefix). Read once routing did not confirm the
/// choice, before an early answer is taken for one from in front of the declaration: a plain
/// service registered before it that takes this path (a resource of the app, a sibling scope)
/// is what actix-web would have run, and no policy of the door's choice covers it.
pub(crate) fn reaches(table: &RouteTable, map: &ResourceMap, chosen: Chosen, path: &str) -> bool {
    match chosen {
        Chosen::Route(index) => {
            let route = &table.routes[index as usize];
            match route.declaration {
                // Itself. Not another declared route found first on the path (whose methods
                // step aside): what follows it, up to this one, the door cannot see (a plain
                // resource of the path, a guarded `web::scope("")`).
                Some(declaration) => map.match_name(path) == Some(declaration.resource),
                None => map.match_pattern(path).as_deref() == Some(route.pattern.as_str()),
            }
        }
        Chosen::Scope(index) => {
            let scope = &table.scope_policies[index as usize];
            let crowded = Facts::scope_crowded(&table.facts, index);
            match map.match_pattern(path) {
                _ if scope.at_root => true,
                Some(pattern) => {
                    // A declaration known to be inside the scope; else a resource whose full
                    // pattern lies under the scope's prefix (a plain resource of the parent
                    // registered before the scope, of a path under its prefix, cannot be told
                    // from one inside: see the crate's Limitations). Under `web::scope("")`
                    // every resource's does: only declarations count.
                    let mark = scope.path_mark;
                    let name = map.match_name(path);
                    table.routes.iter().any(|r| {
                        r.enclosing.contains(&mark)
                            && match r.declaration {
                                Some(d) => name == Some(d.resource),
                                None => r.pattern == pattern,
                            }
                    }) || (!crowded
                        && !scope.pattern.trim_end_matches('/').is_empty()
                        && is_within(pattern.trim_end_matches('/'), &scope.pattern))
                }
                // No resource takes the path: a scope's default service runs, this scope's if
                // its probe is reached through the scope's prefix and no other scope lies under
                // that prefix (one registered before it, of a longer prefix, takes some paths).
                None => {
                    !crowded
                        && scope.def.find_match(path).is_some_and(|len| {
                            let name = crate::door::after::path_check::probe_name(scope.path_mark);
                            map.match_name(&format!(
                                "{}{}",
                                &path[..len],
                                crate::door::after::path_check::PROBE
                            )) == Some(name.as_str())
                        })
                }
            }
        }
    }
}

/// A declaration the door chose, by index into the table's routes or scope policies.
#[derive(Clone, Copy)]
pub(crate) enum Chosen {
    Route(u32),
    Scope(u32),
}

/// For each declared route, whether another resource of the app may take some of its paths:
/// a resource whose full path, taken as a path, the route's pattern matches, or any other
/// dynamic resource when the route's pattern is dynamic (overlaps of two dynamic patterns are
/// not worked out: taken as possible). Without the introspection tree: every dynamic route.
/// Registration order is not known here: a resource registered after the route counts too,
/// which costs those requests a walk of the map, never a wrong grant.
fn shadowable(table: &RouteTable, tree: Option<&IntrospectionTree>) -> Box<[bool]> {
    let resources: Option<Vec<String>> = tree.map(|tree| {
        let items: Vec<IntrospectionReportItem> = (&tree.root).into();
        items
            .into_iter()
            .map(|item| item.full_path)
            .filter(|path| {
                !path.contains(crate::door::after::path_check::PROBE)
                    && !path.contains("{cors_check}")
            })
            .collect()
    });
    table
        .routes
        .iter()
        .map(|route| {
            let dynamic = route.pattern.contains('{');
            match &resources {
                None => dynamic,
                Some(resources) => resources.iter().any(|full| {
                    full.trim_end_matches('/') != route.pattern.trim_end_matches('/')
                        && ((dynamic && full.contains('{'))
                            || sample_path(full).is_some_and(|sample| route.matches_path(&sample)))
                }),
            }
        })
        .collect()
}

/// For each scope policy, whether another scope of the app lies under its scope's prefix (a
/// scope of a longer prefix, registered before it or nested in it): the introspection tree
/// keeps a registered scope's own pattern, which the nodes it makes for the segments of
/// resources' paths do not have. Without the tree: every scope policy.
fn crowded(table: &RouteTable, tree: Option<&IntrospectionTree>) -> Box<[bool]> {
    let scopes: Option<Vec<String>> = tree.map(|tree| {
        let mut found = Vec::new();
        let mut stack = vec![&tree.root];
        while let Some(node) = stack.pop() {
            if matches!(node.kind, ResourceType::Scope) && !node.patterns.is_empty() {
                found.push(node.full_path.trim_end_matches('/').to_owned());
            }
            stack.extend(node.children.iter());
        }
        found
    });
    table
        .scope_policies
        .iter()
        .map(|scope| match &scopes {
            None => true,
            Some(scopes) => {
                let own = scope.pattern.trim_end_matches('/');
                scopes
                    .iter()
                    .any(|full| full.len() > own.len() && is_within(full, own))
            }
        })
        .collect()
}

/// A path `pattern` matches: each `{name}` or `{tail}*` segment replaced by `x`; `None` for a
/// pattern with a regex segment (`{id:\d+}`), which `x` may not match.
fn sample_path(pattern: &str) -> Option<String> {
    let mut sample = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(start) = rest.find('{') {
        let end = rest[start..].find('}')? + start;
        if rest[start..end].contains(':') {
            return None;
        }
        sample.push_str(&rest[..start]);
        sample.push('x');
        rest = rest[end + 1..]
            .strip_prefix('*')
            .unwrap_or(&rest[end + 1..]);
    }
    sample.push_str(rest);
    Some(sample)
}

thread_local! {
    /// The resource maps of the apps this thread served, by their route table, for
    /// [`Cors::explain`](crate::Cors::explain) on the same thread (a map is not `Send`).
    static MAPS: RefCell<Vec<(std::sync::Weak<RouteTable>, ResourceMap)>> = const { RefCell::new(Vec::new()) };
}

/// Keeps `map` for explanations of `table`'s requests on this thread.
pub(crate) fn remember_map(table: &Arc<RouteTable>, map: &ResourceMap) {
    MAPS.with(|maps| {
        let mut maps = maps.borrow_mut();
        maps.retain(|(t, _)| t.strong_count() > 0);
        maps.push((Arc::downgrade(table), map.clone()));
    });
}

/// Runs `f` with the resource map of `table`'s app, if a request of it was served on this
/// thread.
pub(crate) fn with_map<R>(table: &Arc<RouteTable>, f: impl FnOnce(&ResourceMap) -> R) -> Option<R> {
    MAPS.with(|maps| {
        let maps = maps.borrow();
        let (_, map) = maps
            .iter()
            .find(|(t, _)| std::ptr::eq(t.as_ptr(), Arc::as_ptr(table)))?;
        Some(f(map))
    })
}

#[cfg(test)]
mod tests {
    use super::sample_path;

    #[test]
    fn sample_paths_match_their_patterns() {
        assert_eq!(sample_path("/items").as_deref(), Some("/items"));
        assert_eq!(
            sample_path("/v1/{tenant}/items/{id}").as_deref(),
            Some("/v1/x/items/x")
        );
        assert_eq!(sample_path("/files/{tail}*").as_deref(), Some("/files/x"));
        assert_eq!(sample_path("/items/{id:\\d+}"), None);
    }
}
