//! Validation of a declared policy: the one function behind compile-time checks (the `#[cors]`
//! macro turns each [`Problem`] into a spanned `compile_error!`) and runtime builders (which
//! return them in a [`PolicyError`](crate::PolicyError)).

mod dynamic_origin;
mod headers;
mod methods;
mod origin_pattern;
mod origins;
mod public_suffix;
mod regex;
mod suggest;

pub use methods::validate_method;
pub use suggest::did_you_mean;

use crate::declare::keys::Key;
use crate::declare::parts::PolicyParts;
use crate::declare::problem::{Location, Problem, ProblemKind};
use crate::declare::spec::PolicySpec;

/// Largest `max_age` accepted: Firefox caps preflight caching at 24 hours (Chromium at 2 hours).
pub const MAX_AGE_LIMIT: i64 = 86_400;

/// Applies every rule (see `docs/validation.md`) and returns the normalized policy, or every
/// problem found, in declaration order.
///
/// ```
/// use cors_core::ProblemKind;
/// use cors_core::__private::{validate, OriginEntry, PolicySpec};
///
/// let spec = PolicySpec {
///     origins: Some(vec![
///         OriginEntry::Literal("*".into()),
///     ]),
///     credentials: true,
///     max_age: Some(100_000),
///     ..PolicySpec::default()
/// };
/// let problems = validate(&spec).unwrap_err();
/// let kinds: Vec<_> = problems.iter().map(|p| p.kind).collect();
/// assert_eq!(kinds, [ProblemKind::WildcardWithCredentials, ProblemKind::MaxAgeTooLarge]);
/// ```
pub fn validate(spec: &PolicySpec) -> Result<PolicyParts, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut parts = PolicyParts {
        credentials: spec.credentials,
        private_network: spec.private_network,
        allow_insecure_origins: spec.allow_insecure_origins,
        dynamic_origins: spec.dynamic_origins,
        ..PolicyParts::default()
    };

    origins::validate(spec, &mut parts, &mut problems);

    if let Some(names) = &spec.headers {
        let (names, any) = headers::validate_request_headers(
            names,
            (spec.credentials, spec.wording),
            &mut problems,
        );
        parts.headers = names;
        parts.any_header = any;
    }
    if let Some(names) = &spec.expose {
        parts.expose = headers::validate_exposed_headers(
            names,
            (spec.credentials, spec.wording),
            &mut problems,
        );
    }
    if let Some(age) = spec.max_age {
        match u32::try_from(age) {
            Err(_) if age < 0 => problems.push(
                Problem::new(
                    ProblemKind::MaxAgeNegative,
                    Location::Key(Key::MaxAge),
                    format!("`max_age = {age}` is negative"),
                )
                .suggest("use a number of seconds from 0 to 86400; 0 disables preflight caching"),
            ),
            Ok(age) if i64::from(age) <= MAX_AGE_LIMIT => parts.max_age = Some(age),
            _ => problems.push(
                Problem::new(
                    ProblemKind::MaxAgeTooLarge,
                    Location::Key(Key::MaxAge),
                    format!("`max_age = {age}` is above 86400: Firefox caps preflight caching at 24 hours and Chromium at 2 hours, so larger values only mislead"),
                )
                .suggest("use `max_age = 7200` (Chromium's cap) or at most 86400"),
            ),
        }
    }
    if let Some(methods) = &spec.methods {
        parts.methods = Some(methods::validate_methods(
            methods,
            spec.wording,
            &mut problems,
        ));
    }

    // Report in declaration order: by key, then by entry.
    problems.sort_by_key(|p| order(p.location));
    if problems.is_empty() {
        Ok(parts)
    } else {
        Err(problems)
    }
}

/// Sort key of a location: the policy as a whole first, then the keys in DSL order, then the
/// entries of a list in order.
fn order(location: Location) -> (usize, usize) {
    let rank = |key: Key| key.rank() + 1;
    match location {
        Location::Policy => (0, 0),
        Location::Key(key) => (rank(key), 0),
        Location::Item(key, i) => (rank(key), i),
    }
}
