//! At the first request, when actix-web's resource map exists: the declared routes a service
//! the door cannot see may keep actix-web from reaching.

use actix_web::dev::ResourceMap;

use crate::door::route_table::RouteTable;

/// The declared routes a service the door cannot see keeps actix-web from reaching, found at
/// the first request (actix-web's resource map exists only then): each `#[cors]` route's
/// pattern, taken as a path, must lead to the route itself in the map (by its resource name).
/// The map ignores guards, so a finding says "may": a resource registered before with a
/// method guard of another method (`App::route("/x", web::post())`) steps aside at run time.
pub(crate) fn check_reachable(table: &RouteTable, map: &ResourceMap) -> Vec<String> {
    let twins: Vec<u32> = table
        .routes
        .iter()
        .flat_map(|r| r.twins.iter().copied())
        .collect();
    let declared: Vec<&str> = table
        .routes
        .iter()
        .filter_map(|r| r.declaration.map(|d| d.resource))
        .collect();
    let mut findings = Vec::new();
    for (i, route) in table.routes.iter().enumerate() {
        let Some(declaration) = route.declaration else {
            continue;
        };
        if !route.twins.is_empty() || twins.contains(&(i as u32)) {
            continue;
        }
        let Some(sample) = sample_path(&route.pattern) else {
            continue;
        };
        // Reached, or first reaching another declared route: one the door knows, whose
        // methods (checked against this route's at start-up) step aside for this one's.
        if let Some(name) = map.match_name(&sample) {
            if name == declaration.resource || declared.contains(&name) {
                continue;
            }
        }
        let what = match map.match_pattern(&sample) {
            Some(pattern) => format!("the resource `{pattern}`"),
            None => "a scope without a route for it".to_owned(),
        };
        findings.push(format!(
            "`{}` ({} {}) may be unreachable: actix-web routes `{sample}` to {what}, registered before it and not declared to the door; register `{}` first (unless that service's guards step aside for its requests)",
            route.handler,
            route.methods_text(),
            route.pattern,
            route.handler
        ));
    }
    findings
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
