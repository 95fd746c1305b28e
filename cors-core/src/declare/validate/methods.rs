//! Rules for `methods` (policies not attached to a route).

use std::collections::HashSet;

use crate::declare::keys::Key;
use crate::declare::problem::{Location, Problem, ProblemKind};
use crate::declare::spec::Wording;
use crate::policy::allow_methods::is_forbidden_method;
use crate::policy::header_name::is_token;

/// Methods browsers normalize to uppercase; any other casing never matches a request.
const NORMALIZED: &[&str] = &["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH"];

/// Validates one method name (also used by the macro for the methods of a route).
pub fn validate_method(location: Location, method: &str) -> Option<Problem> {
    if is_forbidden_method(method) {
        return Some(
            Problem::new(
                ProblemKind::ForbiddenMethod,
                location,
                format!("`{method}` can never be allowed by CORS: browsers forbid CONNECT, TRACE and TRACK"),
            )
            .suggest("remove it"),
        );
    }
    if !is_token(method) {
        return Some(
            Problem::new(
                ProblemKind::InvalidMethod,
                location,
                if method.is_empty() {
                    "an empty string is not a method".to_string()
                } else {
                    format!("`{method}` is not a valid method name (letters, digits and !#$%&'*+-.^_`|~ only)")
                },
            )
            .suggest("write a method as browsers send it, e.g. \"GET\", \"DELETE\" or \"PURGE\""),
        );
    }
    let upper = method.to_ascii_uppercase();
    if upper != method && NORMALIZED.contains(&upper.as_str()) {
        return Some(
            Problem::new(
                ProblemKind::NonCanonicalMethod,
                location,
                format!("`{method}`: methods are case-sensitive, and browsers send `{upper}`"),
            )
            .suggest(format!("did you mean \"{upper}\"?")),
        );
    }
    None
}

/// Validates `methods`; returns the accepted methods.
pub(crate) fn validate_methods(
    methods: &[String],
    wording: Wording,
    problems: &mut Vec<Problem>,
) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut accepted = Vec::new();
    for (i, method) in methods.iter().enumerate() {
        let at = Location::Item(Key::Methods, i);
        if method == "*" {
            // `*` is a valid token, so without this rule it would be a method named `*` that no
            // request ever has: every preflight refused.
            problems.push(
                Problem::new(
                    ProblemKind::WildcardMethod,
                    at,
                    wording.pick(
                        "`\"*\"` in `methods` is not a method name: a policy allows every method (but CONNECT, TRACE and TRACK) unless `methods` lists them",
                        "`\"*\"` in `allow_methods(..)` is not a method name: a policy allows every method (but CONNECT, TRACE and TRACK) unless `allow_methods` lists them",
                    ),
                )
                .suggest(wording.pick(
                    "remove `methods` to allow every method, or list them, e.g. [\"GET\", \"POST\"]",
                    "remove the `allow_methods(..)` call to allow every method, or list them, e.g. [\"GET\", \"POST\"]",
                )),
            );
            continue;
        }
        if let Some(p) = validate_method(at, method) {
            problems.push(p);
        } else if !seen.insert(method.as_str()) {
            problems.push(
                Problem::new(
                    ProblemKind::DuplicateMethod,
                    at,
                    format!("`{method}` is listed twice"),
                )
                .suggest("remove this entry"),
            );
        } else {
            accepted.push(method.clone());
        }
    }
    accepted
}
