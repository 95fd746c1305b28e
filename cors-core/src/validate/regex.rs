//! Rules for `regex(...)` origins.

use crate::problem::{Key, Location, Problem, ProblemKind};

fn item(i: usize) -> Location {
    Location::Item(Key::Origins, i)
}

/// Checks one regex origin: it compiles, is anchored, has no unescaped `.` standing for a
/// literal dot, and (with credentials) does not allow plain-http non-loopback origins.
pub(crate) fn check_regex(
    i: usize,
    source: &str,
    credentials: bool,
    allow_insecure: bool,
) -> Result<(), Vec<Problem>> {
    let mut problems = Vec::new();
    if let Err(e) = regex::Regex::new(source) {
        problems.push(Problem::new(
            ProblemKind::InvalidRegex,
            item(i),
            format!("regex does not compile: {}", first_line(&e.to_string())),
        ));
        return Err(problems);
    }
    let starts = source.starts_with('^') || source.starts_with("\\A");
    let ends = (source.ends_with('$') && !source.ends_with("\\$")) || source.ends_with("\\z");
    if !starts || !ends {
        let fixed = format!(
            "{}{}{}",
            if starts { "" } else { "^" },
            source,
            if ends { "" } else { "$" }
        );
        problems.push(
            Problem::new(
                ProblemKind::UnanchoredRegex,
                item(i),
                "regex is not anchored: without `^` and `$` it also matches origins that merely contain the pattern, like `https://app.example.com.evil.com`",
            )
            .suggest(format!("write regex(r\"{fixed}\")")),
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
    if credentials && !allow_insecure && allows_plain_http(source) {
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
        Ok(())
    } else {
        Err(problems)
    }
}

fn first_line(s: &str) -> &str {
    s.lines().find(|l| !l.trim().is_empty()).unwrap_or(s).trim()
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

/// Heuristic: whether the regex visibly admits `http://` (not https) for a non-loopback host.
fn allows_plain_http(source: &str) -> bool {
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
            !(host.starts_with("localhost")
                || host.starts_with("127\\.0\\.0\\.1")
                || host.starts_with("\\[::1\\]"))
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(source: &str, credentials: bool) -> Vec<ProblemKind> {
        match check_regex(0, source, credentials, false) {
            Ok(()) => vec![],
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
        assert_eq!(kinds(r"\Ahttps://a\.example\z", false), vec![]);
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
            kinds(r"^https://app.example.com$", false),
            vec![ProblemKind::UnescapedDotInRegex]
        );
        assert_eq!(
            kinds(r"^https?://a\.example$", true),
            vec![ProblemKind::InsecureOrigin]
        );
        assert_eq!(kinds(r"^https://a[.]example$", false), vec![]);
    }

    #[test]
    fn suggestion_escapes_dots() {
        let ps = check_regex(0, r"^https://app.example.com$", false, false).unwrap_err();
        assert_eq!(
            ps[0].suggestion.as_deref(),
            Some(r#"escape it: regex(r"^https://app\.example\.com$")"#)
        );
    }
}
