//! Rules for `headers` (request headers) and `expose` (response headers).

use std::collections::HashMap;

use crate::declare::keys::Key;
use crate::declare::problem::{Location, Problem, ProblemKind};
use crate::declare::spec::Wording;
use crate::policy::header_name::{
    is_cors_protocol_header, is_forbidden_request_header, is_forbidden_response_header,
    is_request_only_header, is_safelisted_response_header, is_token,
};

/// Validates a list of header names common to `headers` and `expose`; returns the accepted names
/// (without `*`) and whether `*` was listed.
fn validate_names(
    key: Key,
    names: &[String],
    (credentials, wording): (bool, Wording),
    problems: &mut Vec<Problem>,
    per_name: impl Fn(usize, &str) -> Option<Problem>,
) -> (Vec<String>, bool) {
    let mut accepted = Vec::new();
    let mut star = None;
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, name) in names.iter().enumerate() {
        let at = Location::Item(key, i);
        if name == "*" {
            if star.is_some() {
                problems.push(
                    Problem::new(ProblemKind::DuplicateHeader, at, "`\"*\"` is listed twice")
                        .suggest("remove this entry"),
                );
                continue;
            }
            star = Some(i);
            if credentials {
                let what = if key == Key::Headers {
                    "with credentials, browsers read `Access-Control-Allow-Headers: *` as a header literally named `*`"
                } else {
                    "with credentials, browsers read `Access-Control-Expose-Headers: *` as a header literally named `*`"
                };
                problems.push(
                    Problem::new(
                        ProblemKind::WildcardWithCredentials,
                        at,
                        match wording {
                            Wording::Macro => format!(
                                "`{} = \"*\"` cannot be combined with `credentials`: {what}",
                                key.as_str()
                            ),
                            Wording::Builder => format!(
                                "`{}` (\"*\") cannot be combined with `allow_credentials()`: {what}",
                                if key == Key::Headers { "allow_any_header()" } else { "expose_any_header()" }
                            ),
                        },
                    )
                    .suggest(match wording {
                        Wording::Macro => format!("list the header names in `{}`", key.as_str()),
                        Wording::Builder => format!(
                            "list the header names with `{}([..])`",
                            if key == Key::Headers { "allow_headers" } else { "expose_headers" }
                        ),
                    }),
                );
            }
            continue;
        }
        if name.is_empty() {
            problems.push(
                Problem::new(
                    ProblemKind::InvalidHeaderName,
                    at,
                    "an empty string is not a header name",
                )
                .suggest("remove it"),
            );
            continue;
        }
        if !is_token(name) {
            let cleaned: String = name.trim().trim_end_matches(':').replace([' ', '_'], "-");
            let problem = Problem::new(
                ProblemKind::InvalidHeaderName,
                at,
                format!("`{name}` is not a valid header name (letters, digits and !#$%&'*+-.^_`|~ only)"),
            );
            problems.push(if is_token(&cleaned) {
                problem.suggest(format!("did you mean \"{cleaned}\"?"))
            } else {
                problem
            });
            continue;
        }
        let lower = name.to_ascii_lowercase();
        if let Some(first) = seen.get(&lower) {
            problems.push(
                Problem::new(
                    ProblemKind::DuplicateHeader,
                    at,
                    format!(
                        "`{name}` is listed twice (header names are case-insensitive; first at {})",
                        Location::Item(key, *first)
                    ),
                )
                .suggest("remove this entry"),
            );
            continue;
        }
        seen.insert(lower, i);
        if let Some(p) = per_name(i, name) {
            problems.push(p);
            continue;
        }
        accepted.push(name.clone());
    }
    (accepted, star.is_some())
}

/// Validates `headers`; returns (lowercase names, `*` listed).
pub(crate) fn validate_request_headers(
    names: &[String],
    credentials: (bool, Wording),
    problems: &mut Vec<Problem>,
) -> (Vec<String>, bool) {
    let (accepted, star) = validate_names(Key::Headers, names, credentials, problems, |i, name| {
        let at = Location::Item(Key::Headers, i);
        if is_cors_protocol_header(name) {
            return Some(
                Problem::new(
                    ProblemKind::CorsProtocolHeader,
                    at,
                    format!("`{name}` belongs to the CORS protocol: pages never send it as a request header"),
                )
                .suggest("remove it; list only the custom headers your front end sets, e.g. \"X-Request-Id\""),
            );
        }
        if is_forbidden_request_header(name) {
            let hint = if name.eq_ignore_ascii_case("cookie") {
                "remove it; to let requests carry cookies, use `credentials`"
            } else {
                "remove it"
            };
            return Some(
                Problem::new(
                    ProblemKind::ForbiddenRequestHeader,
                    at,
                    format!(
                        "`{name}` is a forbidden request header: browsers never let a page set it"
                    ),
                )
                .suggest(hint),
            );
        }
        None
    });
    if star {
        for (i, name) in names.iter().enumerate() {
            if accepted.contains(name) && !name.eq_ignore_ascii_case("authorization") {
                problems.push(
                    Problem::new(
                        ProblemKind::RedundantEntry,
                        Location::Item(Key::Headers, i),
                        format!("`{name}` is already covered by `\"*\"`; only `Authorization` must be listed next to `\"*\"`"),
                    )
                    .suggest("remove this entry"),
                );
            }
        }
    }
    (
        accepted
            .into_iter()
            .map(|n| n.to_ascii_lowercase())
            .collect(),
        star,
    )
}

/// Validates `expose`; returns the `Access-Control-Expose-Headers` value.
pub(crate) fn validate_exposed_headers(
    names: &[String],
    credentials: (bool, Wording),
    problems: &mut Vec<Problem>,
) -> Option<String> {
    let (accepted, star) = validate_names(Key::Expose, names, credentials, problems, |i, name| {
        let at = Location::Item(Key::Expose, i);
        if is_request_only_header(name) {
            return Some(
                Problem::new(
                    ProblemKind::RequestOnlyExposedHeader,
                    at,
                    format!("`{name}` is a request header of the CORS protocol: it never appears on a response, so exposing it has no effect"),
                )
                .suggest("remove it; `expose` lists response headers your handlers set, e.g. \"X-Total-Count\""),
            );
        }
        if is_forbidden_response_header(name) {
            return Some(
                Problem::new(
                    ProblemKind::ForbiddenExposedHeader,
                    at,
                    format!("`{name}` is never readable by a page, whatever the server exposes"),
                )
                .suggest("remove it"),
            );
        }
        if is_safelisted_response_header(name) {
            return Some(
                Problem::new(
                    ProblemKind::SafelistedExposedHeader,
                    at,
                    format!("`{name}` is always readable by a page: exposing it is redundant"),
                )
                .suggest("remove it (Cache-Control, Content-Language, Content-Length, Content-Type, Expires, Last-Modified and Pragma never need `expose`)"),
            );
        }
        None
    });
    if star {
        for (i, name) in names.iter().enumerate() {
            if accepted.contains(name) {
                problems.push(
                    Problem::new(
                        ProblemKind::RedundantEntry,
                        Location::Item(Key::Expose, i),
                        format!("`{name}` is already covered by `\"*\"`"),
                    )
                    .suggest("remove this entry"),
                );
            }
        }
        return Some("*".to_string());
    }
    (!accepted.is_empty()).then(|| accepted.join(", "))
}
