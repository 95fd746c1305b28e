//! Suggestions: what a browser would have sent, and "did you mean" for misspellings.

/// The origin a browser would serialize for `input`, if `input` is a URL with a tuple origin
/// (uses the WHATWG URL parser of the `url` crate, the reference for what browsers do).
pub(crate) fn browser_origin(input: &str) -> Option<String> {
    let trimmed = input.trim();
    let parse = |s: &str| -> Option<String> {
        let url = url::Url::parse(s).ok()?;
        let origin = url.origin();
        origin.is_tuple().then(|| origin.ascii_serialization())
    };
    parse(trimmed).or_else(|| {
        if trimmed.contains("://") {
            None
        } else {
            parse(&format!("https://{trimmed}"))
        }
    })
}

/// Like [`browser_origin`] for a pattern with a leading `*.` host label and/or a `:*` port.
pub(crate) fn browser_pattern(input: &str) -> Option<String> {
    const LABEL: &str = "wildcard-label-0";
    let trimmed = input.trim();
    let (body, any_port) = match trimmed.strip_suffix(":*") {
        Some(body) => (body, true),
        None => (trimmed.trim_end_matches('/'), false),
    };
    let body = body.trim_end_matches('/');
    let replaced = body.replacen("*.", &format!("{LABEL}."), 1);
    let origin = browser_origin(&replaced)?;
    let mut out = origin.replacen(LABEL, "*", 1);
    if any_port {
        out.push_str(":*");
    }
    Some(out)
}

/// The closest of `candidates` to `word`, if close enough to be a likely misspelling.
pub fn did_you_mean<'c>(word: &str, candidates: &[&'c str]) -> Option<&'c str> {
    let lower = word.to_ascii_lowercase();
    candidates
        .iter()
        .map(|c| (strsim::osa_distance(&lower, &c.to_ascii_lowercase()), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_browser_serialization() {
        assert_eq!(
            browser_origin("https://Example.com:443/").as_deref(),
            Some("https://example.com")
        );
        assert_eq!(
            browser_origin("app.example.com").as_deref(),
            Some("https://app.example.com")
        );
        assert_eq!(
            browser_origin("https://bücher.example").as_deref(),
            Some("https://xn--bcher-kva.example")
        );
        assert_eq!(
            browser_pattern("https://*.Example.com/").as_deref(),
            Some("https://*.example.com")
        );
        assert_eq!(
            browser_pattern("http://LOCALHOST:*").as_deref(),
            Some("http://localhost:*")
        );
    }

    #[test]
    fn did_you_mean_finds_close_keys() {
        let keys = ["origins", "credentials", "headers", "expose", "max_age"];
        assert_eq!(did_you_mean("orgins", &keys), Some("origins"));
        assert_eq!(did_you_mean("credential", &keys), Some("credentials"));
        assert_eq!(did_you_mean("maxage", &keys), Some("max_age"));
        assert_eq!(did_you_mean("zzzzzz", &keys), None);
    }
}
