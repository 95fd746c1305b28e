//! A deliberately simple, independent model of what a CORS policy allows.
//!
//! The security tests (proptest invariants, fuzz targets, the fuzz-corpus regression test) build
//! the code under test from a [`Model`] (through [`Policy::builder`]) and check every decision
//! against the model's own answer, computed here by plain string comparisons. Nothing in this
//! module calls into `cors-core`'s parsing or matching: if both agreed by construction, the
//! tests could not fail.
//!
//! The model covers every kind of origin rule: exact origins (and `null`), any-port rules,
//! subdomain wildcards and anchored regexes of one fixed, hand-checkable shape
//! (`^scheme://[a-z0-9-]+\.suffix$`).

use cors_core::{Policy, PolicyError};

/// The answer of the oracle for one input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The code under test must allow it.
    Allow,
    /// The code under test must refuse it.
    Refuse,
    /// Either answer is acceptable (inputs the spec leaves open, e.g. exotic origins under
    /// `origins = "*"`): only the structural invariants are checked.
    Either,
}

impl Verdict {
    /// Whether `allowed` is acceptable under this verdict.
    pub fn accepts(self, allowed: bool) -> bool {
        match self {
            Verdict::Allow => allowed,
            Verdict::Refuse => !allowed,
            Verdict::Either => true,
        }
    }
}

/// Port constraint of a subdomain rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelPort {
    /// No explicit port.
    Default,
    /// Exactly this port.
    Exact(u16),
    /// Any port or none.
    Any,
}

/// A CORS policy as plain data.
#[derive(Clone, Debug, Default)]
pub struct Model {
    /// `origins = "*"`.
    pub any_origin: bool,
    /// Exact origins (canonical), possibly `null`.
    pub exact: Vec<String>,
    /// `scheme://host:*` rules, as `(scheme, host)`.
    pub any_port: Vec<(String, String)>,
    /// `scheme://*.suffix[:port]` rules.
    pub subdomains: Vec<(String, String, ModelPort)>,
    /// `regex(r"^scheme://[a-z0-9-]+\.suffix$")` rules, as `(scheme, suffix)`.
    pub regexes: Vec<(String, String)>,
    /// `credentials`.
    pub credentials: bool,
    /// `headers = "*"` (never covers Authorization).
    pub any_header: bool,
    /// Allowed request headers, as declared (any case).
    pub headers: Vec<String>,
    /// Allowed methods (exact, case-sensitive). Empty means "any but CONNECT/TRACE/TRACK".
    pub methods: Vec<String>,
    /// Exposed response headers.
    pub expose: Vec<String>,
    /// `max_age`.
    pub max_age: Option<u32>,
    /// `private_network`.
    pub private_network: bool,
}

/// The regex source a model regex rule stands for.
pub fn regex_source(scheme: &str, suffix: &str) -> String {
    format!("^{scheme}://[a-z0-9-]+\\.{}$", suffix.replace('.', "\\."))
}

fn port_text(port: ModelPort) -> String {
    match port {
        ModelPort::Default => String::new(),
        ModelPort::Exact(p) => format!(":{p}"),
        ModelPort::Any => ":*".to_string(),
    }
}

impl Model {
    /// The origin literals and regexes, as a user would declare them.
    pub fn origin_literals(&self) -> (Vec<String>, Vec<String>) {
        if self.any_origin {
            return (vec!["*".to_string()], Vec::new());
        }
        let mut literals = self.exact.clone();
        literals.extend(self.any_port.iter().map(|(s, h)| format!("{s}://{h}:*")));
        literals.extend(
            self.subdomains
                .iter()
                .map(|(s, x, p)| format!("{s}://*.{x}{}", port_text(*p))),
        );
        let regexes = self
            .regexes
            .iter()
            .map(|(s, x)| regex_source(s, x))
            .collect();
        (literals, regexes)
    }

    /// Builds the policy under test from the model, through the public runtime builder.
    pub fn build(&self) -> Result<Policy, PolicyError> {
        let (literals, regexes) = self.origin_literals();
        let mut b = Policy::builder().allow_origins(literals);
        for r in regexes {
            b = b.allow_origin_regex(r);
        }
        if self.exact.iter().any(|o| o == "null") {
            b = b.allow_null_origin();
        }
        if self.credentials {
            b = b.allow_credentials().allow_insecure_origins();
        }
        if self.any_header {
            b = b.allow_any_header();
        }
        if !self.headers.is_empty() {
            b = b.allow_headers(self.headers.clone());
        }
        if !self.methods.is_empty() {
            b = b.allow_methods(self.methods.clone());
        }
        if !self.expose.is_empty() {
            b = b.expose_headers(self.expose.clone());
        }
        if let Some(age) = self.max_age {
            b = b.max_age(i64::from(age));
        }
        if self.private_network {
            b = b.allow_private_network();
        }
        b.build()
    }

    /// Whether `Access-Control-Allow-Origin` depends on the request's origin.
    pub fn varies_by_origin(&self) -> bool {
        !self.any_origin || self.credentials
    }

    /// Whether the allowed origin is answered with `*` rather than echoed.
    pub fn answers_star(&self) -> bool {
        self.any_origin && !self.credentials
    }

    /// The expected `Access-Control-Expose-Headers` value (names joined by `", "`), if any.
    pub fn expose_value(&self) -> Option<String> {
        (!self.expose.is_empty()).then(|| self.expose.join(", "))
    }

    /// Whether a request from `origin` (one `Origin` header, raw bytes) must be allowed.
    pub fn origin_verdict(&self, origin: &[u8]) -> Verdict {
        if origin.len() > 512 {
            return Verdict::Refuse;
        }
        let Ok(origin) = std::str::from_utf8(origin) else {
            return Verdict::Refuse;
        };
        if self.any_origin {
            return if simple_canonical_origin(origin) {
                Verdict::Allow
            } else if definitely_malformed(origin) {
                Verdict::Refuse
            } else {
                Verdict::Either
            };
        }
        if self.exact.iter().any(|e| e == origin) {
            return Verdict::Allow;
        }
        for (scheme, host) in &self.any_port {
            let base = format!("{scheme}://{host}");
            if origin == base {
                return Verdict::Allow;
            }
            if let Some(port) = origin
                .strip_prefix(base.as_str())
                .and_then(|r| r.strip_prefix(':'))
            {
                if port_ok(scheme, port) {
                    return Verdict::Allow;
                }
            }
        }
        for (scheme, suffix, rule) in &self.subdomains {
            if subdomain_match(origin, scheme, suffix, *rule) {
                return Verdict::Allow;
            }
        }
        for (scheme, suffix) in &self.regexes {
            let Some(host) = origin
                .strip_prefix(scheme.as_str())
                .and_then(|r| r.strip_prefix("://"))
            else {
                continue;
            };
            let Some(label) = host
                .strip_suffix(suffix.as_str())
                .and_then(|l| l.strip_suffix('.'))
            else {
                continue;
            };
            if !label.is_empty()
                && label.len() <= 63
                && host.len() <= 253
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            {
                return Verdict::Allow;
            }
        }
        Verdict::Refuse
    }

    /// Whether a preflight's `Access-Control-Request-Method` must be allowed.
    pub fn method_allowed(&self, method: &[u8]) -> bool {
        let forbidden = [&b"CONNECT"[..], b"TRACE", b"TRACK"]
            .iter()
            .any(|f| f.eq_ignore_ascii_case(method));
        if forbidden || method.is_empty() || !method.iter().all(|&b| is_tchar(b)) {
            return false;
        }
        if self.methods.is_empty() {
            return method.len() <= 64;
        }
        self.methods.iter().any(|m| m.as_bytes() == method)
    }

    /// Whether one requested header name is allowed.
    pub fn header_allowed(&self, name: &[u8]) -> bool {
        if self
            .headers
            .iter()
            .any(|h| h.as_bytes().eq_ignore_ascii_case(name))
        {
            return true;
        }
        self.any_header && !name.eq_ignore_ascii_case(b"authorization")
    }

    /// Whether an `Access-Control-Request-Headers` value must be allowed.
    pub fn request_headers_verdict(&self, value: &[u8]) -> Verdict {
        if value.len() > 2048 {
            return Verdict::Refuse;
        }
        let mut empty = 0;
        for element in value.split(|&b| b == b',') {
            let name = trim_sp_htab(element);
            if name.is_empty() {
                empty += 1;
                continue;
            }
            if !name.iter().all(|&b| is_tchar(b)) || !self.header_allowed(name) {
                return Verdict::Refuse;
            }
        }
        // RFC 9110 lets a recipient ignore "a reasonable number" of empty elements; how many
        // is the implementation's choice.
        if empty > 1 {
            Verdict::Either
        } else {
            Verdict::Allow
        }
    }
}

/// RFC 9110 `tchar`, written out from the grammar.
pub fn is_tchar(b: u8) -> bool {
    matches!(b,
        b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9'
        | b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.' | b'^' | b'_'
        | b'`' | b'|' | b'~')
}

fn trim_sp_htab(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

/// Whether `port` is how a browser writes an explicit port of `scheme`.
pub fn port_ok(scheme: &str, port: &str) -> bool {
    if port.is_empty() || port.len() > 5 || port.starts_with('0') {
        return false;
    }
    if !port.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let Ok(n) = port.parse::<u32>() else {
        return false;
    };
    let default = match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        "ftp" => Some(21),
        _ => None,
    };
    (1..=65535).contains(&n) && default != Some(n)
}

fn domain_label_ok(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= 63
        && label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

fn subdomain_match(origin: &str, scheme: &str, suffix: &str, rule: ModelPort) -> bool {
    let Some(rest) = origin
        .strip_prefix(scheme)
        .and_then(|r| r.strip_prefix("://"))
    else {
        return false;
    };
    let (host, port) = match rest.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (rest, None),
    };
    let port_matches = match (rule, port) {
        (ModelPort::Default, None) => true,
        (ModelPort::Exact(p), Some(text)) => text == p.to_string(),
        (ModelPort::Any, None) => true,
        (ModelPort::Any, Some(text)) => port_ok(scheme, text),
        _ => false,
    };
    if !port_matches || host.len() > 253 {
        return false;
    }
    let Some(prefix) = host.strip_suffix(suffix).and_then(|p| p.strip_suffix('.')) else {
        return false;
    };
    !prefix.is_empty() && prefix.split('.').all(domain_label_ok)
}

/// A conservative, hand-written recognizer of origins every browser could send: `http` or
/// `https`, a lowercase domain (last label not numeric), a canonical IPv4 address or `[::1]`,
/// and an optional non-default port; or `null`.
pub fn simple_canonical_origin(origin: &str) -> bool {
    if origin == "null" {
        return true;
    }
    let Some((scheme, rest)) = origin.split_once("://") else {
        return false;
    };
    if scheme != "http" && scheme != "https" {
        return false;
    }
    let (host, port) = if let Some(after) = rest.strip_prefix("[::1]") {
        ("[::1]", after)
    } else {
        match rest.find(':') {
            Some(at) => rest.split_at(at),
            None => (rest, ""),
        }
    };
    if !port.is_empty() {
        match port.strip_prefix(':') {
            Some(p) if port_ok(scheme, p) => {}
            _ => return false,
        }
    }
    if host == "[::1]" {
        return true;
    }
    if host.is_empty() || host.len() > 253 {
        return false;
    }
    let labels: Vec<&str> = host.split('.').collect();
    let last = labels.last().copied().unwrap_or("");
    if last.bytes().all(|b| b.is_ascii_digit()) {
        // IPv4: four decimal parts without leading zeros.
        return labels.len() == 4
            && labels.iter().all(|p| {
                !p.is_empty()
                    && p.len() <= 3
                    && p.bytes().all(|b| b.is_ascii_digit())
                    && !(p.len() > 1 && p.starts_with('0'))
                    && p.parse::<u16>().is_ok_and(|v| v <= 255)
            });
    }
    if last.starts_with("0x") {
        return false;
    }
    labels.iter().all(|l| domain_label_ok(l))
}

/// Whether `origin` breaks a rule of origin serialization that no browser ever breaks.
pub fn definitely_malformed(origin: &str) -> bool {
    if origin.is_empty() || origin.len() > 512 {
        return true;
    }
    if origin
        .bytes()
        .any(|b| b <= b' ' || b >= 0x7f || b.is_ascii_uppercase())
    {
        return true;
    }
    if origin == "null" {
        return false;
    }
    let Some((scheme, rest)) = origin.split_once("://") else {
        return true;
    };
    rest.is_empty()
        || rest.contains(['/', '\\', '?', '#', '@'])
        || rest.ends_with('.')
        || rest.ends_with(':')
        || rest.contains("..")
        || (scheme == "https" && rest.ends_with(":443"))
        || (scheme == "http" && rest.ends_with(":80"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oracle_matches_its_own_rules() {
        let m = Model {
            exact: vec!["https://app.example.com".into()],
            any_port: vec![("http".into(), "localhost".into())],
            subdomains: vec![(
                "https".into(),
                "preview.example.com".into(),
                ModelPort::Default,
            )],
            regexes: vec![("https".into(), "partner.example".into())],
            ..Model::default()
        };
        for ok in [
            "https://app.example.com",
            "http://localhost",
            "http://localhost:3000",
            "https://a.preview.example.com",
            "https://a.b.preview.example.com",
            "https://acme.partner.example",
        ] {
            assert_eq!(m.origin_verdict(ok.as_bytes()), Verdict::Allow, "{ok}");
        }
        for no in [
            "https://app.example.com.evil.com",
            "https://preview.example.com",
            "http://localhost:80",
            "http://localhost:0",
            "https://a.preview.example.com:443",
            "https://a.b.partner.example",
            "https://evilpartner.example",
            "null",
        ] {
            assert_eq!(m.origin_verdict(no.as_bytes()), Verdict::Refuse, "{no}");
        }
        assert!(simple_canonical_origin("http://127.0.0.1:8080"));
        assert!(!simple_canonical_origin("http://127.0.0.01"));
        assert!(definitely_malformed("https://a.example/"));
    }
}
