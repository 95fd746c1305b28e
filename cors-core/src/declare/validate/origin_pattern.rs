//! One literal of `origins` read as a pattern: `*`, an origin, subdomains
//! (`scheme://*.domain[:port]`) or any port (`scheme://host:*`), with the problem that says
//! what is wrong with a literal that is none of them.

use crate::declare::keys::Key;
use crate::declare::problem::{Location, Problem, ProblemKind};
use crate::origin::allowed::PortRule;
use crate::origin::host::HostKind;
use crate::origin::{Origin, OriginError};

use super::suggest::{browser_origin, browser_pattern};

/// A declared origin literal, classified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Pattern {
    /// `*`
    Any,
    /// A serialized origin (or `null`).
    Exact(String),
    /// `scheme://host:*`
    AnyPort { scheme: String, host: String },
    /// `scheme://*.suffix[:port]`
    Subdomains {
        scheme: String,
        suffix: String,
        port: PortRule,
    },
}

/// The place of the `i`-th entry of `origins`.
pub(crate) fn item(i: usize) -> Location {
    Location::Item(Key::Origins, i)
}

fn invalid(i: usize, literal: &str, error: OriginError, suggestion: Option<String>) -> Problem {
    let suggestion = suggestion
        .map(|s| {
            // The URL parser keeps a trailing dot; browsers' origins for such hosts are rare
            // and surely not meant: suggest the name without it.
            if error == OriginError::EmptyLabel && s.ends_with('.') {
                s.trim_end_matches('.').to_string()
            } else {
                s
            }
        })
        .filter(|s| s != literal && !s.is_empty());
    let message = match error {
        OriginError::Empty => "an empty string is not an origin".to_string(),
        OriginError::MissingScheme => {
            format!("`{literal}` has no scheme: an origin is `scheme://host[:port]`")
        }
        _ => format!("`{literal}` is not an origin as browsers send it: {error}"),
    };
    let suggestion = match (suggestion, error) {
        (Some(s), _) => format!("did you mean \"{s}\"?"),
        (None, OriginError::Empty) => "remove it".to_string(),
        (None, _) => "write the origin exactly as a browser sends it in the `Origin` header: `scheme://host[:port]`, e.g. \"https://app.example.com\" or \"http://localhost:8080\"".to_string(),
    };
    Problem::new(ProblemKind::InvalidOrigin, item(i), message).suggest(suggestion)
}

/// Parses one literal of `origins` (`allow_null`: whether `allow_null_origin` was given, for
/// the wording of a suggestion): `*`, an origin, or a wildcard pattern.
pub(crate) fn parse_pattern(i: usize, literal: &str, allow_null: bool) -> Result<Pattern, Problem> {
    if literal == "*" {
        return Ok(Pattern::Any);
    }
    never_sent(i, literal, allow_null)?;
    if !literal.contains('*') {
        return match Origin::parse(literal.as_bytes()) {
            Ok(_) => Ok(Pattern::Exact(literal.to_string())),
            Err(e) => Err(invalid(i, literal, e, browser_origin(literal))),
        };
    }
    parse_wildcard(i, literal)
}

/// Origins no browser sends as written: `null` in another case, `file:` URLs.
fn never_sent(i: usize, literal: &str, allow_null: bool) -> Result<(), Problem> {
    if literal != "null" && literal.trim().eq_ignore_ascii_case("null") {
        return Err(Problem::new(
            ProblemKind::InvalidOrigin,
            item(i),
            format!("`{literal}` is not an origin as browsers send it: the opaque origin is spelled `null`, in lowercase"),
        )
        .suggest(if allow_null {
            "did you mean \"null\"?"
        } else {
            "did you mean \"null\"? (it also needs the explicit opt-in `allow_null_origin`)"
        }));
    }
    if literal
        .get(..5)
        .is_some_and(|s| s.eq_ignore_ascii_case("file:"))
    {
        return Err(Problem::new(
            ProblemKind::FileOrigin,
            item(i),
            format!("`{literal}` is never sent by a browser: pages loaded from files have the origin `null`"),
        )
        .suggest("use \"null\" together with `allow_null_origin`, and only if you must"));
    }
    Ok(())
}

/// A pattern with `*`: subdomains (`scheme://*.domain[:port]`) or any port
/// (`scheme://host:*`), in three steps: its parts, its wildcards, then everything else checked
/// by the request parser on a concrete origin of the pattern.
fn parse_wildcard(i: usize, literal: &str) -> Result<Pattern, Problem> {
    let wildcard_error = |message: &str| {
        Problem::new(
            ProblemKind::InvalidWildcard,
            item(i),
            format!("`{literal}`: {message}"),
        )
        .suggest("write `scheme://*.domain` for subdomains, `scheme://host:*` for any port, or use regex(r\"^...$\")")
    };
    let Some((scheme, rest)) = literal.split_once("://") else {
        return Err(invalid(
            i,
            literal,
            OriginError::MissingScheme,
            browser_pattern(literal),
        ));
    };
    if scheme.contains('*') {
        return Err(wildcard_error(
            "the scheme cannot be a wildcard; list `https://` and `http://` patterns separately",
        ));
    }
    let (host, port) = match rest.rsplit_once(':') {
        Some((host, _)) if !host.ends_with(']') && host.contains('[') => (rest, None),
        Some((host, port)) => (host, Some(port)),
        None => (rest, None),
    };
    let port_rule = wildcard_port(port).map_err(wildcard_error)?;
    let (subdomains, host_text) = wildcard_host(scheme, host).map_err(wildcard_error)?;
    let sample_port = match (port, port_rule) {
        (Some(p), PortRule::Exact(_)) => format!(":{p}"),
        _ => String::new(),
    };
    let sample = format!(
        "{scheme}://{}{host_text}{sample_port}",
        if subdomains { "x." } else { "" }
    );
    let origin = match Origin::parse(sample.as_bytes()) {
        Ok(origin) => origin,
        Err(e) => return Err(invalid(i, literal, e, browser_pattern(literal))),
    };
    if subdomains {
        if origin.host_kind() != Some(HostKind::Domain) {
            return Err(wildcard_error(
                "a subdomain wildcard needs a domain name, not an IP address",
            ));
        }
        Ok(Pattern::Subdomains {
            scheme: scheme.to_string(),
            suffix: host_text.to_string(),
            port: port_rule,
        })
    } else if port_rule == PortRule::Any {
        Ok(Pattern::AnyPort {
            scheme: scheme.to_string(),
            host: host_text.to_string(),
        })
    } else {
        Err(wildcard_error("unsupported wildcard"))
    }
}

/// A pattern's port: none (the scheme's default), `*`, or a number (a bad number is left to
/// the origin parser, which says what is wrong with it).
fn wildcard_port(port: Option<&str>) -> Result<PortRule, &'static str> {
    Ok(match port {
        None => PortRule::Default,
        Some("*") => PortRule::Any,
        Some(p) if p.contains('*') => return Err("a port is either `*` or a number"),
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 && !p.starts_with('0') => PortRule::Exact(n),
            _ => PortRule::Exact(0), // rejected by the origin parser
        },
    })
}

/// A pattern's host: whether it is `*.`-prefixed, and the host after the prefix.
fn wildcard_host<'l>(scheme: &str, host: &'l str) -> Result<(bool, &'l str), &'static str> {
    if host == "*" {
        return Err("a bare `*` host would allow every site; use `origins = \"*\"` (without credentials) or list the hosts");
    }
    let (subdomains, host_text) = match host.strip_prefix("*.") {
        Some(suffix) => (true, suffix),
        None => (false, host),
    };
    if host_text.contains('*') {
        return Err("`*` may only stand for whole leading labels (`*.example.com`), not inside a label or in the middle");
    }
    if subdomains {
        let bare = format!("{scheme}://{host_text}");
        if Origin::parse(bare.as_bytes()).is_ok_and(|o| o.host_kind() != Some(HostKind::Domain)) {
            return Err("a subdomain wildcard needs a domain name, not an IP address");
        }
    }
    Ok((subdomains, host_text))
}
