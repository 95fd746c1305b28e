//! Rules for `regex(...)` origins.

use regex_syntax::hir::literal::Extractor;
use regex_syntax::hir::{Hir, HirKind, Look};

use crate::declare::keys::Key;
use crate::declare::problem::{Location, Problem, ProblemKind};
use crate::origin::host::is_loopback_host;

fn item(i: usize) -> Location {
    Location::Item(Key::Origins, i)
}

/// Where the syntax of the `regex` crate is documented, for compile errors.
const SYNTAX_HELP: &str =
    "fix the pattern; its syntax is the `regex` crate's: https://docs.rs/regex/latest/regex/#syntax";

/// Validates one regex origin: it compiles, is anchored at both ends (for every alternative), has
/// no unescaped `.` standing for a literal dot, and (with credentials) does not allow plain-http
/// non-loopback origins. Returns the compiled regex.
pub(crate) fn validate_regex(
    i: usize,
    source: &str,
    credentials: bool,
    allow_insecure: bool,
) -> Result<regex::Regex, Vec<Problem>> {
    let mut problems = Vec::new();
    let hir = match regex_syntax::parse(source) {
        Ok(hir) => hir,
        Err(e) => {
            problems.push(
                Problem::new(
                    ProblemKind::InvalidRegex,
                    item(i),
                    format!("regex does not compile: {}", syntax_error(source, &e)),
                )
                .suggest(SYNTAX_HELP),
            );
            return Err(problems);
        }
    };
    let compiled = match regex::Regex::new(source) {
        Ok(compiled) => compiled,
        Err(e) => {
            problems.push(
                Problem::new(
                    ProblemKind::InvalidRegex,
                    item(i),
                    format!("regex does not compile: {}", error_line(&e.to_string())),
                )
                .suggest(SYNTAX_HELP),
            );
            return Err(problems);
        }
    };
    let props = hir.properties();
    let starts = props.look_set_prefix().contains(Look::Start);
    let ends = props.look_set_suffix().contains(Look::End);
    if !starts || !ends {
        problems.push(
            Problem::new(
                ProblemKind::UnanchoredRegex,
                item(i),
                if source.contains("(?m") || source.contains("(?sm") || source.contains("(?im") {
                    "regex is not anchored: in multi-line mode (`(?m)`), `^` and `$` match at line breaks, not only at the ends of the origin".to_string()
                } else if lexically_anchored(source) {
                    "regex is not anchored: `^` and `$` bind tighter than `|`, so `^a|b$` anchors `a` only at the start and `b` only at the end, and also matches origins like `https://app.example.com.evil.com`".to_string()
                } else {
                    "regex is not anchored: without `^` and `$` it also matches origins that merely contain the pattern, like `https://app.example.com.evil.com`".to_string()
                },
            )
            .suggest(format!("write regex(r\"{}\")", anchored(source))),
        );
    }
    let dots = unescaped_dots(source);
    if !dots.is_empty() {
        let mut fixed = String::with_capacity(source.len() + dots.len());
        for (at, c) in source.char_indices() {
            if dots.contains(&at) {
                fixed.push('\\');
            }
            fixed.push(c);
        }
        problems.push(
            Problem::new(
                ProblemKind::UnescapedDotInRegex,
                item(i),
                "regex has an unescaped `.`, which matches any character: `app.example.com` would also match `appXexample.com`, a domain anyone can register",
            )
            .suggest(format!("escape it: regex(r\"{fixed}\")")),
        );
    }
    if credentials && !allow_insecure && allows_plain_http(source, &hir) {
        problems.push(
            Problem::new(
                ProblemKind::InsecureOrigin,
                item(i),
                "regex allows plain-http origins with `credentials`: a network attacker can forge them and read credentialed responses",
            )
            .suggest("match `^https://` only, or add the explicit opt-in `allow_insecure_origins`"),
        );
    }
    if problems.is_empty() {
        Ok(compiled)
    } else {
        Err(problems)
    }
}

/// The reason of a syntax error, and where it is in the pattern.
fn syntax_error(source: &str, error: &regex_syntax::Error) -> String {
    let (kind, offset) = match error {
        regex_syntax::Error::Parse(e) => (e.kind().to_string(), e.span().start.offset),
        regex_syntax::Error::Translate(e) => (e.kind().to_string(), e.span().start.offset),
        other => return error_line(&other.to_string()).to_string(),
    };
    match source.get(offset..) {
        Some(rest) if !rest.is_empty() => {
            let shown: String = rest.chars().take(12).collect();
            let more = if shown.len() < rest.len() { "..." } else { "" };
            format!("{kind}, at `{shown}{more}`")
        }
        _ => format!("{kind}, at the end of the pattern"),
    }
}

/// The line of a multi-line `regex` error that says what is wrong.
fn error_line(s: &str) -> &str {
    s.lines()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .or_else(|| s.lines().find(|l| !l.trim().is_empty()))
        .unwrap_or(s)
        .trim()
}

/// Whether the text starts with `^` (or `\A`) and ends with an unescaped `$` (or `\z`).
fn lexically_anchored(source: &str) -> bool {
    let (starts, ends, _) = strip_anchors(source);
    starts && ends
}

/// Removes one leading `^`/`\A` and one trailing unescaped `$`/`\z`; says which were there.
fn strip_anchors(source: &str) -> (bool, bool, &str) {
    let (starts, body) = match source
        .strip_prefix('^')
        .or_else(|| source.strip_prefix("\\A"))
    {
        Some(rest) => (true, rest),
        None => (false, source),
    };
    let (ends, body) = match body.strip_suffix('$') {
        Some(rest) if rest_trailing_backslashes(rest).is_multiple_of(2) => (true, rest),
        _ => match body.strip_suffix("\\z") {
            Some(rest) if rest_trailing_backslashes(rest).is_multiple_of(2) => (true, rest),
            _ => (false, body),
        },
    };
    (starts, ends, body)
}

fn rest_trailing_backslashes(s: &str) -> usize {
    s.len() - s.trim_end_matches('\\').len()
}

/// `source` anchored at both ends, with a top-level alternation grouped.
fn anchored(source: &str) -> String {
    let (_, _, body) = strip_anchors(source);
    let alternation = regex_syntax::parse(body)
        .map(|h| matches!(h.kind(), HirKind::Alternation(_)))
        .unwrap_or(false)
        || top_level_bar(body);
    if alternation {
        format!("^(?:{body})$")
    } else {
        format!("^{body}$")
    }
}

/// Whether `body` has a `|` outside every group and class (the parser may have folded an
/// alternation of literals into a class, hiding it from the HIR).
fn top_level_bar(body: &str) -> bool {
    let bytes = body.as_bytes();
    let (mut depth, mut class, mut i) = (0usize, 0usize, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => {
                i += 2;
                continue;
            }
            b'[' => class += 1,
            b']' if class > 0 => class -= 1,
            b'(' if class == 0 => depth += 1,
            b')' if class == 0 => depth = depth.saturating_sub(1),
            b'|' if class == 0 && depth == 0 => return true,
            _ => {}
        }
        i += 1;
    }
    false
}

/// Byte offsets of `.` characters that stand alone outside a character class: not escaped, and
/// not followed by a quantifier (`.*`, `.+`, `.?` and `.{n}` are deliberate "any characters",
/// which the strict origin parser keeps to host characters).
fn unescaped_dots(source: &str) -> Vec<usize> {
    let bytes = source.as_bytes();
    let mut dots = Vec::new();
    let mut class_depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => {
                i += 2;
                continue;
            }
            b'[' => class_depth += 1,
            b']' if class_depth > 0 => class_depth -= 1,
            b'.' if class_depth == 0 => {
                let next = bytes.get(i + 1).copied();
                if !matches!(next, Some(b'*' | b'+' | b'?' | b'{')) {
                    dots.push(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    dots
}

/// Whether the regex admits `http://` origins (not only https) for a non-loopback host, judged
/// from the literal prefixes of its matches (so `https?://`, `(http|https)://` and `(?i)HTTP://`
/// are all seen), with a lexical fallback when the prefixes are unknown.
fn allows_plain_http(source: &str, hir: &Hir) -> bool {
    let prefixes = Extractor::new().extract(hir);
    if let Some(literals) = prefixes.literals() {
        if !literals.is_empty() {
            return literals.iter().any(|lit| {
                let bytes = lit.as_bytes();
                let plain = bytes.len() >= 7 && bytes[..7].eq_ignore_ascii_case(b"http://");
                // A prefix shorter than `http://` (e.g. `h` before a class) says nothing: fall
                // back to the lexical check below by treating it as plain only if the text says so.
                if bytes.len() < 7 {
                    return b"http://"[..bytes.len()].eq_ignore_ascii_case(bytes)
                        && lexical_plain_http(source);
                }
                plain && !is_loopback_prefix(&bytes[7..], lit.is_exact())
            });
        }
    }
    lexical_plain_http(source)
}

/// Whether `host` (the text after `http://` of a literal prefix) is certainly a loopback host:
/// the name is complete, followed by a port or by the end of the match.
fn is_loopback_prefix(host: &[u8], exact: bool) -> bool {
    // The host ends at the port's colon (after the brackets of an IPv6 address).
    let from = if host.first() == Some(&b'[') {
        host.iter()
            .position(|&b| b == b']')
            .map_or(host.len(), |end| end + 1)
    } else {
        0
    };
    let (name, complete) = match host[from..].iter().position(|&b| b == b':') {
        Some(colon) => (&host[..from + colon], true),
        None => (host, exact),
    };
    complete
        && std::str::from_utf8(name).is_ok_and(|name| is_loopback_host(&name.to_ascii_lowercase()))
}

/// Lexical fallback: the pattern visibly starts with an optional-`s` or plain `http://`.
fn lexical_plain_http(source: &str) -> bool {
    let body = source.trim_start_matches('^').trim_start_matches("\\A");
    let rest = [
        "http://",
        "https?://",
        "(http|https)://",
        "(https|http)://",
        "https{0,1}://",
        "(?:http|https)://",
        "(?:https|http)://",
    ]
    .iter()
    .find_map(|prefix| body.strip_prefix(prefix));
    match rest {
        Some(host) => {
            // The host as written, its escapes undone, up to the first character that cannot
            // be in a host: loopback only if that whole name is.
            let text = host
                .replace("\\.", ".")
                .replace("\\[", "[")
                .replace("\\]", "]");
            let name: String = if text.starts_with('[') {
                text.chars()
                    .take_while(|&c| c != ']')
                    .chain(Some(']'))
                    .collect()
            } else {
                text.chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
                    .collect()
            };
            !is_loopback_host(&name.to_ascii_lowercase())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(source: &str, credentials: bool) -> Vec<ProblemKind> {
        match validate_regex(0, source, credentials, false) {
            Ok(_) => vec![],
            Err(ps) => ps.into_iter().map(|p| p.kind).collect(),
        }
    }

    #[test]
    fn good_regexes_pass() {
        assert_eq!(
            kinds(r"^https://[a-z0-9-]+\.partner\.example$", true),
            vec![]
        );
        assert_eq!(kinds(r"^https://.+\.example\.com$", true), vec![]);
        assert_eq!(kinds(r"^http://localhost:[0-9]+$", true), vec![]);
        assert_eq!(kinds(r"^https?://localhost:[0-9]+$", true), vec![]);
        assert_eq!(kinds(r"\Ahttps://a\.example\z", false), vec![]);
        assert_eq!(
            kinds(r"^(?:https://a\.example|https://b\.example)$", true),
            vec![]
        );
        assert_eq!(kinds(r"^https://(a|b)\.example$", true), vec![]);
        assert_eq!(kinds(r"(?i)^https://a\.example$", true), vec![]);
    }

    #[test]
    fn bad_regexes_fail() {
        assert_eq!(
            kinds(r"^https://(a\.example$", false),
            vec![ProblemKind::InvalidRegex]
        );
        assert_eq!(
            kinds(r"https://a\.example", false),
            vec![ProblemKind::UnanchoredRegex]
        );
        assert_eq!(
            kinds(r"^https://a\.example\$", false),
            vec![ProblemKind::UnanchoredRegex]
        );
        assert_eq!(
            kinds(r"(?m)^https://a\.example$", false),
            vec![ProblemKind::UnanchoredRegex]
        );
        assert_eq!(
            kinds(r"^https://app.example.com$", false),
            vec![ProblemKind::UnescapedDotInRegex]
        );
        assert_eq!(
            kinds(r"^https?://a\.example$", true),
            vec![ProblemKind::InsecureOrigin]
        );
        assert_eq!(
            kinds(r"(?i)^HTTP://a\.example$", true),
            vec![ProblemKind::InsecureOrigin]
        );
        assert_eq!(
            kinds(r"^http://localhost\.evil\.com$", true),
            vec![ProblemKind::InsecureOrigin]
        );
        assert_eq!(
            kinds(r"^(https://a\.example|http://b\.example)$", true),
            vec![ProblemKind::InsecureOrigin]
        );
        assert_eq!(kinds(r"^https://a[.]example$", false), vec![]);
    }

    #[test]
    fn alternation_is_not_anchored() {
        // `^` and `$` bind tighter than `|`: each alternative is anchored at one end only.
        let ps = validate_regex(0, r"^https://a\.example|https://b\.example$", false, false)
            .unwrap_err();
        assert_eq!(ps[0].kind, ProblemKind::UnanchoredRegex);
        assert!(ps[0].message.contains("bind tighter than `|`"));
        assert_eq!(
            ps[0].suggestion.as_deref(),
            Some(r#"write regex(r"^(?:https://a\.example|https://b\.example)$")"#)
        );
        let re = regex::Regex::new(r"^https://a\.example|https://b\.example$").unwrap();
        assert!(
            re.is_match("https://a.example.evil.com"),
            "the hole this rule closes"
        );
    }

    #[test]
    fn compile_errors_say_what_and_where() {
        let ps = validate_regex(0, r"^https://(a\.example$", false, false).unwrap_err();
        assert_eq!(
            ps[0].message,
            "regex does not compile: unclosed group, at `(a\\.example$`"
        );
        assert_eq!(ps[0].suggestion.as_deref(), Some(SYNTAX_HELP));
        let ps = validate_regex(0, r"^https://a{2,1}$", false, false).unwrap_err();
        assert!(
            ps[0].message.starts_with("regex does not compile: "),
            "{}",
            ps[0].message
        );
    }

    #[test]
    fn suggestion_escapes_dots() {
        let ps = validate_regex(0, r"^https://app.example.com$", false, false).unwrap_err();
        assert_eq!(
            ps[0].suggestion.as_deref(),
            Some(r#"escape it: regex(r"^https://app\.example\.com$")"#)
        );
    }

    #[test]
    fn anchoring_suggestions() {
        assert_eq!(anchored(r"https://a\.example"), r"^https://a\.example$");
        assert_eq!(anchored(r"^https://a\.example"), r"^https://a\.example$");
        assert_eq!(anchored(r"https://a\.example$"), r"^https://a\.example$");
        assert_eq!(anchored(r"https://a\.example\$"), r"^https://a\.example\$$");
        assert_eq!(anchored(r"^a|b$"), r"^(?:a|b)$");
        assert_eq!(anchored(r"^(a|b)$"), r"^(a|b)$");
    }
}
