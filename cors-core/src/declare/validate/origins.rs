//! Rules for `origins`.

use std::collections::HashMap;

use crate::declare::keys::Key;
use crate::declare::parts::{PolicyParts, SubdomainParts};
use crate::declare::problem::{Location, Problem, ProblemKind};
use crate::declare::spec::{OriginEntry, PolicySpec, Wording};
use crate::origin::allowed::PortRule;
use crate::origin::host::is_loopback_host;
use crate::origin::Origin;

use super::origin_pattern::{item, parse_pattern, Pattern};
use super::public_suffix::{public_suffix, PublicSuffix};
use super::regex::validate_regex;

/// For each pattern, the first other rule of the list (by position) that already allows every
/// origin it allows. Rules are indexed by host and by suffix, so that a list of 10,000 origins
/// and 1,000 wildcards is checked in linear time (at compile time too).
fn shadowed_by(parsed: &[(usize, Pattern)]) -> Vec<Option<usize>> {
    let mut any_port: HashMap<(&str, &str), usize> = HashMap::new();
    let mut subdomains: HashMap<&str, Vec<(usize, &str, PortRule)>> = HashMap::new();
    for (i, pattern) in parsed {
        match pattern {
            Pattern::AnyPort { scheme, host } => {
                any_port.entry((scheme, host)).or_insert(*i);
            }
            Pattern::Subdomains {
                scheme,
                suffix,
                port,
            } => subdomains
                .entry(suffix)
                .or_default()
                .push((*i, scheme, *port)),
            _ => {}
        }
    }
    // The suffixes after each dot: `a.b.c` has `b.c` and `c`.
    fn parents(host: &str) -> impl Iterator<Item = &str> {
        host.match_indices('.')
            .map(move |(dot, _)| &host[dot + 1..])
    }
    // The first subdomain rule over one of `suffixes` accepting `scheme` and `accepts(port)`.
    let first_rule = |suffixes: &mut dyn Iterator<Item = &str>,
                      scheme: &str,
                      skip: usize,
                      accepts: &dyn Fn(PortRule) -> bool| {
        suffixes
            .filter_map(|suffix| subdomains.get(suffix))
            .flatten()
            .filter(|(j, s, port)| *j != skip && *s == scheme && accepts(*port))
            .map(|(j, _, _)| *j)
            .min()
    };
    parsed
        .iter()
        .map(|(i, pattern)| match pattern {
            Pattern::Exact(s) => {
                let origin = Origin::parse(s.as_bytes()).ok().filter(|o| !o.is_null())?;
                let by_port = any_port.get(&(origin.scheme(), origin.host())).copied();
                let by_suffix =
                    first_rule(&mut parents(origin.host()), origin.scheme(), *i, &|p| {
                        p.accepts(origin.port())
                    });
                by_port.into_iter().chain(by_suffix).min()
            }
            Pattern::Subdomains {
                scheme,
                suffix,
                port,
            } => first_rule(
                &mut std::iter::once(suffix.as_str()).chain(parents(suffix)),
                scheme,
                *i,
                &|outer| port_covered(*port, outer),
            ),
            Pattern::AnyPort { scheme, host } => {
                first_rule(&mut parents(host), scheme, *i, &|p| p == PortRule::Any)
            }
            Pattern::Any => None,
        })
        .collect()
}

fn port_covered(inner: PortRule, outer: PortRule) -> bool {
    outer == PortRule::Any || inner == outer
}

fn describe(entry: &OriginEntry) -> String {
    match entry {
        OriginEntry::Literal(s) => format!("\"{s}\""),
        OriginEntry::Regex(r) => format!("regex(r\"{r}\")"),
    }
}

/// What a value read from configuration often carries by mistake: quotes or whitespace kept by
/// an env-file loader, several origins joined by commas, a regex among literal origins.
pub(super) fn configuration_mistake(i: usize, literal: &str, wording: Wording) -> Option<Problem> {
    let quoted = |c: char| c == '"' || c == '\'';
    let core = literal.trim().trim_matches(quoted).trim();
    if core != literal && !core.is_empty() {
        let what = if literal.trim() != literal {
            "is surrounded by whitespace, which is"
        } else {
            "is wrapped in quotes, which are"
        };
        return Some(
            Problem::new(
                ProblemKind::InvalidOrigin,
                item(i),
                format!("`{literal}` {what} not part of an origin (configuration files and env-file loaders often keep them)"),
            )
            .suggest(format!("did you mean \"{core}\"?")),
        );
    }
    if literal.contains(',') {
        return Some(
            Problem::new(
                ProblemKind::InvalidOrigin,
                item(i),
                format!("\"{literal}\" holds several origins separated by commas"),
            )
            .suggest(wording.pick(
                "write each origin as its own string: `origins = [\"https://a.example\", \"https://b.example\"]`",
                "pass the list to `allow_origins_list(..)`, which splits it on commas and whitespace, or give each origin to `allow_origin(..)`",
            )),
        );
    }
    if literal.starts_with('^') || literal.ends_with('$') || literal.contains("\\.") {
        return Some(
            Problem::new(
                ProblemKind::InvalidOrigin,
                item(i),
                format!("\"{literal}\" is a regular expression, given where a literal origin is expected"),
            )
            .suggest(wording.pick(
                "write it as `regex(r\"...\")` in `origins`",
                "add it with `allow_origin_regex(..)`",
            )),
        );
    }
    None
}

/// Validates `origins` and fills the origin parts of `parts`, in four phases: the list as a
/// whole, each entry, the entries against each other, and the parts.
pub(crate) fn validate(spec: &PolicySpec, parts: &mut PolicyParts, problems: &mut Vec<Problem>) {
    let Some(entries) = entries_to_check(spec, problems) else {
        return;
    };
    let any_at = entries
        .iter()
        .position(|e| matches!(e, OriginEntry::Literal(s) if s == "*"));
    let (parsed, regexes) = check_entries(entries, spec, problems);
    match any_at {
        Some(any_at) => report_redundant_next_to_any(entries, any_at, problems),
        // Next to `"*"`, every other entry is already reported as redundant.
        None => report_shadowed(entries, &parsed, &regexes, problems),
    }
    fill_parts(parsed, regexes, parts);
}

/// The list's entries when they are to be checked one by one; `None` when the list as a whole
/// is settled: every origin dynamic, or a problem reported (dynamic next to `*`, no `origins`,
/// an empty list).
fn entries_to_check<'s>(
    spec: &'s PolicySpec,
    problems: &mut Vec<Problem>,
) -> Option<&'s [OriginEntry]> {
    if spec.dynamic_origins {
        let entries = spec.origins.as_deref().unwrap_or_default();
        if entries
            .iter()
            .any(|e| matches!(e, OriginEntry::Literal(s) if s == "*"))
        {
            problems.push(
                Problem::new(
                    ProblemKind::RedundantEntry,
                    Location::Policy,
                    "dynamic origins next to any origin (`*`): `*` already allows every origin, so no lookup would ever be asked",
                )
                .suggest("remove `allow_any_origin()`, or `allow_dynamic_origins()`"),
            );
            return None;
        }
        if entries.is_empty() {
            // Every origin comes from the dynamic source.
            return None;
        }
    }
    let Some(entries) = &spec.origins else {
        problems.push(
            Problem::new(
                ProblemKind::MissingOrigins,
                Location::Policy,
                "no `origins`: a CORS policy must say which origins may read responses",
            )
            .suggest("add `origins = [\"https://app.example.com\"]` (or `origins = \"*\"` for a public, credential-free API)"),
        );
        return None;
    };
    if entries.is_empty() {
        problems.push(
            Problem::new(
                ProblemKind::EmptyOrigins,
                Location::Key(Key::Origins),
                "`origins` is empty: no origin could ever be allowed",
            )
            .suggest(spec.wording.pick(
                "list at least one origin, or remove `#[cors]` / use `disable`",
                "the configured list is empty or unset: give at least one origin (e.g. set the environment variable you read it from)",
            )),
        );
        return None;
    }
    Some(entries)
}

/// The entries that passed their own checks (duplicates, configuration mistakes, syntax, the
/// rules that depend on the rest of the policy), with their positions: literal patterns, and
/// compiled regexes.
type Checked<'s> = (Vec<(usize, Pattern)>, Vec<(usize, &'s str, regex::Regex)>);

fn check_entries<'s>(
    entries: &'s [OriginEntry],
    spec: &PolicySpec,
    problems: &mut Vec<Problem>,
) -> Checked<'s> {
    let mut parsed: Vec<(usize, Pattern)> = Vec::new();
    let mut regexes: Vec<(usize, &str, regex::Regex)> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, entry) in entries.iter().enumerate() {
        let key = describe(entry);
        if let Some(first) = seen.get(&key) {
            problems.push(
                Problem::new(
                    ProblemKind::DuplicateOrigin,
                    item(i),
                    format!("{key} is listed twice (first at {})", item(*first)),
                )
                .suggest("remove this entry"),
            );
            continue;
        }
        seen.insert(key, i);
        match entry {
            OriginEntry::Regex(source) => {
                match validate_regex(i, source, spec.credentials, spec.allow_insecure_origins) {
                    Ok(compiled) => regexes.push((i, source, compiled)),
                    Err(p) => problems.extend(p),
                }
            }
            OriginEntry::Literal(literal) => {
                if let Some(problem) = configuration_mistake(i, literal, spec.wording) {
                    problems.push(problem);
                    continue;
                }
                match parse_pattern(i, literal, spec.allow_null_origin) {
                    Ok(pattern) => {
                        if let Some(p) = validate_pattern(i, literal, &pattern, spec) {
                            problems.push(p);
                        } else {
                            parsed.push((i, pattern));
                        }
                    }
                    Err(p) => problems.push(p),
                }
            }
        }
    }
    (parsed, regexes)
}

/// Next to `"*"`, every other entry not already reported is redundant.
fn report_redundant_next_to_any(
    entries: &[OriginEntry],
    any_at: usize,
    problems: &mut Vec<Problem>,
) {
    let reported: Vec<usize> = problems
        .iter()
        .filter_map(|p| match p.location {
            Location::Item(Key::Origins, i) => Some(i),
            _ => None,
        })
        .collect();
    for (i, entry) in entries.iter().enumerate() {
        if i != any_at && !reported.contains(&i) {
            problems.push(
                Problem::new(
                    ProblemKind::RedundantEntry,
                    item(i),
                    format!(
                        "{} is redundant: `\"*\"` already allows every origin",
                        describe(entry)
                    ),
                )
                .suggest("remove it, or remove \"*\" to allow only the listed origins"),
            );
        }
    }
}

/// Shadowed entries: an origin or wildcard already covered by another rule of the list.
fn report_shadowed(
    entries: &[OriginEntry],
    parsed: &[(usize, Pattern)],
    regexes: &[(usize, &str, regex::Regex)],
    problems: &mut Vec<Problem>,
) {
    let shadows = shadowed_by(parsed);
    for ((i, pattern), shadow) in parsed.iter().zip(shadows) {
        let shadow = shadow.or_else(|| match pattern {
            Pattern::Exact(s) if s != "null" => regexes
                .iter()
                .find(|(_, _, re)| re.is_match(s))
                .map(|(j, _, _)| *j),
            _ => None,
        });
        if let Some(j) = shadow {
            problems.push(
                Problem::new(
                    ProblemKind::ShadowedOrigin,
                    item(*i),
                    format!(
                        "{} is already allowed by {}",
                        describe(&entries[*i]),
                        describe(&entries[j])
                    ),
                )
                .suggest("remove this entry"),
            );
        }
    }
}

/// The origin parts of a policy, from the entries that passed.
fn fill_parts(
    parsed: Vec<(usize, Pattern)>,
    regexes: Vec<(usize, &str, regex::Regex)>,
    parts: &mut PolicyParts,
) {
    for (_, pattern) in parsed {
        match pattern {
            Pattern::Any => parts.any_origin = true,
            Pattern::Exact(s) => parts.exact_origins.push(s),
            Pattern::AnyPort { scheme, host } => {
                parts.any_port_origins.push(format!("{scheme}://{host}"))
            }
            Pattern::Subdomains {
                scheme,
                suffix,
                port,
            } => parts.subdomain_origins.push(SubdomainParts {
                suffix,
                scheme,
                port,
            }),
        }
    }
    parts.regex_origins = regexes.into_iter().map(|(_, r, _)| r.to_string()).collect();
}

/// Rules that depend on the rest of the policy (credentials, opt-ins).
pub(super) fn validate_pattern(
    i: usize,
    literal: &str,
    pattern: &Pattern,
    spec: &PolicySpec,
) -> Option<Problem> {
    let (scheme, host) = match pattern {
        Pattern::Any => {
            return spec.credentials.then(|| {
                Problem::new(
                    ProblemKind::WildcardWithCredentials,
                    item(i),
                    format!(
                        "{} cannot be combined with `credentials`: browsers reject a credentialed response whose Access-Control-Allow-Origin is `*`",
                        spec.wording.pick("`origins = \"*\"`", "any origin (`allow_any_origin()` or \"*\")"),
                    ),
                )
                .suggest(spec.wording.pick(
                    "list the allowed origins, e.g. `origins = [\"https://app.example.com\"]`, or remove `credentials`",
                    "list the allowed origins, e.g. `allow_origin(\"https://app.example.com\")`, or drop `allow_credentials()`",
                ))
            });
        }
        Pattern::Exact(s) if s == "null" => {
            return (!spec.allow_null_origin).then(|| {
                Problem::new(
                    ProblemKind::NullOrigin,
                    item(i),
                    "the `null` origin is sent by every sandboxed iframe, `data:` URL and `file:` page, including an attacker's: allowing it allows them all",
                )
                .suggest("remove \"null\", or add the explicit opt-in `allow_null_origin` if you really must")
            });
        }
        Pattern::Exact(s) => match Origin::parse(s.as_bytes()) {
            Ok(o) => (o.scheme().to_string(), o.host().to_string()),
            Err(_) => return None,
        },
        Pattern::AnyPort { scheme, host } => (scheme.clone(), host.clone()),
        Pattern::Subdomains { scheme, suffix, .. } => {
            if let Some(kind) = public_suffix(suffix) {
                let why = match kind {
                    PublicSuffix::Icann | PublicSuffix::Private => format!("`{suffix}` is a public suffix (Public Suffix List): anyone can register a site under it"),
                    PublicSuffix::UnknownTld => format!("`{suffix}` is a whole top-level domain, not a domain you own"),
                    PublicSuffix::Children => format!("every name directly under `{suffix}` is a public suffix (Public Suffix List), where anyone can register a site"),
                    PublicSuffix::Unchecked => {
                        return Some(
                            Problem::new(
                                ProblemKind::PublicSuffixWildcard,
                                item(i),
                                format!("`{literal}` cannot be checked: this build has no Public Suffix List to tell whether `{suffix}` is a public suffix (like `github.io`), where anyone can register a site"),
                            )
                            .suggest("enable the `public-suffix-list` feature of cors-actix (on by default), list the origins exactly, or declare the policy with `#[cors]`/`cors_policy!`, which are checked at compile time"),
                        );
                    }
                };
                return Some(
                    Problem::new(
                        ProblemKind::PublicSuffixWildcard,
                        item(i),
                        format!("`{literal}` allows sites of strangers: {why}"),
                    )
                    .suggest(format!(
                        "narrow it to a domain you own, e.g. \"{scheme}://*.yourname.{suffix}\""
                    )),
                );
            }
            (scheme.clone(), suffix.clone())
        }
    };
    if scheme == "http"
        && spec.credentials
        && !spec.allow_insecure_origins
        && !is_loopback_host(&host)
    {
        let https = literal.replacen("http://", "https://", 1);
        return Some(
            Problem::new(
                ProblemKind::InsecureOrigin,
                item(i),
                format!("`{literal}` is plain http with `credentials`: a network attacker can forge this origin and read credentialed responses"),
            )
            .suggest(format!("use \"{https}\", or add the explicit opt-in `allow_insecure_origins`")),
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_patterns() {
        assert_eq!(parse_pattern(0, "*", false), Ok(Pattern::Any));
        assert_eq!(
            parse_pattern(0, "https://a.example", false),
            Ok(Pattern::Exact("https://a.example".into()))
        );
        assert_eq!(
            parse_pattern(0, "https://*.a.example", false),
            Ok(Pattern::Subdomains {
                scheme: "https".into(),
                suffix: "a.example".into(),
                port: PortRule::Default
            })
        );
        assert_eq!(
            parse_pattern(0, "https://*.a.example:8443", false),
            Ok(Pattern::Subdomains {
                scheme: "https".into(),
                suffix: "a.example".into(),
                port: PortRule::Exact(8443)
            })
        );
        assert_eq!(
            parse_pattern(0, "http://localhost:*", false),
            Ok(Pattern::AnyPort {
                scheme: "http".into(),
                host: "localhost".into()
            })
        );
        assert_eq!(
            parse_pattern(0, "http://[::1]:*", false),
            Ok(Pattern::AnyPort {
                scheme: "http".into(),
                host: "[::1]".into()
            })
        );
    }

    #[test]
    fn rejects_bad_patterns_with_suggestions() {
        let p = parse_pattern(0, "https://Example.com:443/", false).unwrap_err();
        assert_eq!(p.kind, ProblemKind::InvalidOrigin);
        assert_eq!(
            p.suggestion.as_deref(),
            Some("did you mean \"https://example.com\"?")
        );
        let p = parse_pattern(0, "https://*.Example.com/", false).unwrap_err();
        assert_eq!(
            p.suggestion.as_deref(),
            Some("did you mean \"https://*.example.com\"?")
        );
        for bad in [
            "https://app.*.example.com",
            "https://*example.com",
            "*://a.example",
            "https://*",
            "https://a.example:8*",
        ] {
            assert_eq!(
                parse_pattern(0, bad, false).unwrap_err().kind,
                ProblemKind::InvalidWildcard,
                "{bad}"
            );
        }
        assert_eq!(
            parse_pattern(0, "file:///tmp/x.html", false)
                .unwrap_err()
                .kind,
            ProblemKind::FileOrigin
        );
        assert_eq!(
            parse_pattern(0, "https://*.1.2.3.4", false)
                .unwrap_err()
                .kind,
            ProblemKind::InvalidWildcard
        );
    }

    #[test]
    #[cfg(feature = "public-suffix-list")]
    fn public_suffixes() {
        assert_eq!(public_suffix("com"), Some(PublicSuffix::Icann));
        assert_eq!(public_suffix("co.uk"), Some(PublicSuffix::Icann));
        assert_eq!(public_suffix("github.io"), Some(PublicSuffix::Private));
        assert_eq!(public_suffix("test"), Some(PublicSuffix::UnknownTld));
        assert_eq!(
            public_suffix("compute.amazonaws.com"),
            Some(PublicSuffix::Children)
        );
        assert_eq!(public_suffix("ck"), Some(PublicSuffix::Children));
        assert_eq!(public_suffix("example.com"), None);
        assert_eq!(public_suffix("myteam.github.io"), None);
        assert_eq!(public_suffix("example.co.uk"), None);
        assert_eq!(public_suffix("localhost"), None);
        assert_eq!(public_suffix("app.test"), None);
    }

    #[test]
    #[cfg(not(feature = "public-suffix-list"))]
    fn without_the_list_wildcards_fail_closed() {
        assert_eq!(public_suffix("example.com"), Some(PublicSuffix::Unchecked));
        assert_eq!(public_suffix("localhost"), None);
    }
}
