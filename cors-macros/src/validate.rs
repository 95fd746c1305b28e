//! Validation at compile time: the DSL becomes a [`cors_core::__private::PolicySpec`], checked by the same
//! [`cors_core::__private::validate`] that runtime builders use; every problem becomes an error at the
//! exact token it is about.

use proc_macro2::Span;

use cors_core::__private::{OriginEntry, PolicyParts, PolicySpec};
use cors_core::{Key, Location, Problem, ProblemKind};

use crate::errors::{Errors, Range};
use crate::parse::{Declaration, Entry, Site, Value};

/// Where a route's policy comes from.
pub enum PolicySource {
    /// Declared inline and validated.
    Inline(PolicyParts),
    /// `policy = "name"`: registered on the middleware at run time.
    Named(String),
    /// `disable`.
    Disabled,
}

/// A problem as an error message: what is wrong, then how to fix it.
pub fn render(problem: &Problem) -> String {
    match &problem.suggestion {
        Some(s) => format!("{}\n  = help: {s}", problem.message),
        None => problem.message.clone(),
    }
}

/// Validates a declaration into where the route's policy comes from; `route_methods` are the
/// methods of the route (for `#[cors]`): `disable`, a named policy, or an inline one.
pub fn policy(
    decl: &Declaration,
    site: Site,
    route_methods: Option<&[(String, Span)]>,
    errors: &mut Errors,
) -> Option<PolicySource> {
    if decl.flag(Key::Disable) {
        return disabled(decl, errors);
    }
    if let Some(entry) = decl.get(Key::Policy) {
        return named(decl, entry, errors);
    }
    match cors_core::__private::validate(&inline_spec(decl, route_methods)) {
        Ok(parts) => errors.is_empty().then_some(PolicySource::Inline(parts)),
        Err(problems) => {
            report(&problems, decl, site, route_methods, errors);
            None
        }
    }
}

/// `disable`: any other key has no effect, and is an error.
fn disabled(decl: &Declaration, errors: &mut Errors) -> Option<PolicySource> {
    for entry in decl.entries.iter().filter(|e| e.key != Key::Disable) {
        errors.at(
            entry.ident.span(),
            format!("`disable` turns CORS off for this route, so `{}` has no effect\n  = help: remove `{}`, or remove `disable`", entry.ident, entry.ident),
        );
    }
    errors.is_empty().then_some(PolicySource::Disabled)
}

/// `policy = "name"`: a non-blank name, and no inline key beside it.
fn named(decl: &Declaration, entry: &Entry, errors: &mut Errors) -> Option<PolicySource> {
    let Value::List(items) = &entry.value else {
        return None;
    };
    let name = items.first().map(|i| i.value.clone()).unwrap_or_default();
    if name.trim().is_empty() || name.trim() != name {
        errors.at_range(
            entry.value_span,
            "a policy name cannot be empty or start or end with spaces\n  = help: write e.g. `policy = \"partners\"`",
        );
    }
    let inline_keys = decl
        .entries
        .iter()
        .filter(|e| e.key != Key::Policy && e.key != Key::Disable);
    for other in inline_keys {
        errors.at(
            other.ident.span(),
            format!(
                "`policy = \"{name}\"` takes the whole policy from the middleware, so `{}` cannot be given here\n  = help: set `{}` on the policy registered with `Cors::new().policy(\"{name}\", ...)`, or remove `policy` and declare the policy inline",
                other.ident, other.ident
            ),
        );
    }
    errors.is_empty().then_some(PolicySource::Named(name))
}

/// The declaration as cors-core validates it (the route's methods, for `#[cors]`).
fn inline_spec(decl: &Declaration, route_methods: Option<&[(String, Span)]>) -> PolicySpec {
    PolicySpec {
        origins: match &decl.get(Key::Origins).map(|e| &e.value) {
            Some(Value::List(items)) => Some(
                items
                    .iter()
                    .map(|i| {
                        if i.regex {
                            OriginEntry::Regex(i.value.clone())
                        } else {
                            OriginEntry::Literal(i.value.clone())
                        }
                    })
                    .collect(),
            ),
            _ => None,
        },
        credentials: decl.flag(Key::Credentials),
        headers: decl.strings(Key::Headers),
        expose: decl.strings(Key::Expose),
        max_age: decl.number(Key::MaxAge),
        private_network: decl.flag(Key::PrivateNetwork),
        allow_null_origin: decl.flag(Key::AllowNullOrigin),
        allow_insecure_origins: decl.flag(Key::AllowInsecureOrigins),
        // Per-request origins are given at run time (`Cors::dynamic_policy`), never in the DSL.
        dynamic_origins: false,
        methods: match route_methods {
            Some(methods) => Some(methods.iter().map(|(m, _)| m.clone()).collect()),
            None => decl.strings(Key::Methods),
        },
        wording: cors_core::__private::Wording::Macro,
    }
}

/// Each problem of the validation as an error at its token, but those already said (a
/// malformed `origins` is not also missing; actix-web's route attribute reports a misspelled
/// method itself), with the macros' own advice where the fix is not the runtime builder's.
fn report(
    problems: &[Problem],
    decl: &Declaration,
    site: Site,
    route_methods: Option<&[(String, Span)]>,
    errors: &mut Errors,
) {
    for problem in problems {
        let said = match problem.kind {
            ProblemKind::MissingOrigins => decl.reported.contains(&Key::Origins),
            ProblemKind::InvalidMethod | ProblemKind::NonCanonicalMethod => route_methods.is_some(),
            _ => false,
        };
        if said {
            continue;
        }
        let span = span_of(decl, route_methods, problem.location);
        let message = match problem.kind {
            ProblemKind::MissingOrigins if site == Site::Route => format!(
                "{}\n  = help: add `origins = [\"https://app.example.com\"]`, take a policy registered on the middleware with `policy = \"name\"`, or turn CORS off for this route with `disable`",
                problem.message
            ),
            // The method is the route's: the fix is not to edit a list.
            ProblemKind::ForbiddenMethod if route_methods.is_some() => format!(
                "{}\n  = help: remove `#[cors]` from this route: no page can send this method cross-origin, so a CORS policy can only be wrong here",
                problem.message
            ),
            _ => render(problem),
        };
        errors.at_range(span, message);
    }
}

fn span_of(
    decl: &Declaration,
    route_methods: Option<&[(String, Span)]>,
    location: Location,
) -> Range {
    let entry_for = |key: Key| decl.get(key);
    match location {
        Location::Policy => decl.span,
        Location::Key(key) => entry_for(key).map_or(decl.span, |e| e.value_span),
        Location::Item(Key::Methods, i) if route_methods.is_some() => route_methods
            .and_then(|m| m.get(i))
            .map_or(decl.span, |(_, span)| (*span, *span)),
        Location::Item(key, i) => match entry_for(key) {
            Some(entry) => match &entry.value {
                Value::List(items) => items
                    .get(i)
                    .map_or(entry.value_span, |item| (item.span, item.span)),
                _ => entry.value_span,
            },
            None => decl.span,
        },
    }
}
