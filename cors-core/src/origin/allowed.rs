//! The set of origins a policy allows, indexed for constant-time matching.
//!
//! Four kinds of rules, each in its own index:
//! - exact origins (`https://app.example.com`, `null`): one hash lookup on the raw header value,
//!   before any parsing (a stored origin is canonical, so an equal header is valid too);
//! - any-port rules (`http://localhost:*`): one lookup on `scheme://host`;
//! - subdomain rules (`https://*.example.com`): one lookup per label of the request's host,
//!   keyed by the host suffix, then a check of scheme and port;
//! - anchored regexes: tried last, in order.

use std::borrow::Cow;

use crate::origin::host::HostKind;
use crate::origin::regex::RegexRef;
use crate::origin::table::Table;
use crate::origin::{Origin, OriginError};

/// Up to this many subdomain rules, each is tested against the host directly.
const SMALL: usize = 4;

/// Whether `host` is `suffix` preceded by at least one label (`a.example.com` for
/// `example.com`).
fn is_strict_subdomain(host: &[u8], suffix: &[u8]) -> bool {
    host.len() > suffix.len() + 1
        && host.ends_with(suffix)
        && host[host.len() - suffix.len() - 1] == b'.'
}

/// Which ports a wildcard rule accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PortRule {
    /// No explicit port (the scheme's default).
    Default,
    /// Exactly this port.
    Exact(u16),
    /// Any port, or none (`:*`).
    Any,
}

impl PortRule {
    /// Whether an origin with `port` satisfies the rule.
    #[inline]
    pub fn accepts(self, port: Option<u16>) -> bool {
        match self {
            PortRule::Default => port.is_none(),
            PortRule::Exact(p) => port == Some(p),
            PortRule::Any => true,
        }
    }
}

/// The scheme and port constraint of a subdomain rule (its host suffix is the table key).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubdomainRule {
    /// The scheme, e.g. `https`.
    pub scheme: Cow<'static, str>,
    /// The port constraint.
    pub port: PortRule,
}

/// Outcome of matching a request's `Origin` against a policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OriginMatch<'a> {
    /// Allowed.
    Allowed,
    /// Well-formed, but not allowed: the parsed origin (so that a dynamic decision does not
    /// parse it again).
    NotAllowed(Origin<'a>),
    /// Not a serialized origin.
    Malformed(OriginError),
}

/// The origins a policy allows.
#[derive(Clone, Debug)]
pub struct AllowedOrigins {
    any: bool,
    exact: Table,
    any_port: Table,
    subdomains: Table,
    subdomain_rules: Cow<'static, [SubdomainRule]>,
    regexes: Cow<'static, [RegexRef]>,
    /// Whether any rule besides the exact origins (any port, subdomains, regexes): an
    /// exact-only policy, the common one, has nothing more to match once its table misses.
    patterns: bool,
}

/// Whether a policy has rules besides its exact origins: origins on any port, subdomains (a
/// rule per suffix in `subdomains`), regexes.
const fn has_patterns(any_port: &Table, subdomains: &Table, regexes: &[RegexRef]) -> bool {
    !any_port.is_empty() || !subdomains.is_empty() || !regexes.is_empty()
}

impl AllowedOrigins {
    /// Every origin (`origins = "*"`).
    pub const ANY: AllowedOrigins = AllowedOrigins {
        any: true,
        exact: Table::EMPTY,
        any_port: Table::EMPTY,
        subdomains: Table::EMPTY,
        subdomain_rules: Cow::Borrowed(&[]),
        regexes: Cow::Borrowed(&[]),
        patterns: false,
    };

    /// Static parts laid out at compile time (from [`StaticPolicy`](crate::StaticPolicy)).
    pub(crate) const fn from_static(
        exact: Table,
        any_port: Table,
        subdomains: Table,
        subdomain_rules: &'static [SubdomainRule],
        regexes: &'static [RegexRef],
    ) -> AllowedOrigins {
        let patterns = has_patterns(&any_port, &subdomains, regexes);
        AllowedOrigins {
            any: false,
            exact,
            any_port,
            subdomains,
            subdomain_rules: Cow::Borrowed(subdomain_rules),
            regexes: Cow::Borrowed(regexes),
            patterns,
        }
    }

    /// Owned parts built at run time.
    pub(crate) fn from_owned(
        exact: Vec<String>,
        any_port: Vec<String>,
        subdomains: Vec<(String, SubdomainRule)>,
        regexes: Vec<RegexRef>,
    ) -> AllowedOrigins {
        let (suffixes, rules): (Vec<String>, Vec<SubdomainRule>) = subdomains.into_iter().unzip();
        let (any_port, subdomains) = (Table::new(any_port), Table::new(suffixes));
        let patterns = has_patterns(&any_port, &subdomains, &regexes);
        AllowedOrigins {
            any: false,
            exact: Table::new(exact),
            any_port,
            subdomains,
            subdomain_rules: Cow::Owned(rules),
            regexes: Cow::Owned(regexes),
            patterns,
        }
    }

    /// Whether every origin is allowed.
    pub fn is_any(&self) -> bool {
        self.any
    }

    /// The exact origins, in declaration order.
    pub fn exact(&self) -> impl Iterator<Item = &str> {
        self.exact.keys()
    }

    /// How many rules are not exact origins: any-port, subdomain and regex rules.
    ///
    /// ```
    /// use cors_core::Policy;
    ///
    /// let policy = Policy::builder()
    ///     .allow_origins(["https://app.example.com", "http://localhost:*"])
    ///     .build()?;
    /// assert_eq!(policy.origins().exact().count(), 1);
    /// assert_eq!(policy.origins().pattern_count(), 1);
    /// # Ok::<(), cors_core::PolicyError>(())
    /// ```
    pub fn pattern_count(&self) -> usize {
        self.any_port.len() + self.subdomains.len() + self.regexes.len()
    }

    /// Whether every rule is an exact origin (not every origin, no patterns): an origin is
    /// allowed if and only if it is byte for byte one of them.
    #[inline]
    pub(crate) fn is_exact_only(&self) -> bool {
        !self.any && !self.patterns
    }

    /// Whether `raw` is byte for byte one of the exact origins.
    #[inline]
    pub(crate) fn is_listed(&self, raw: &[u8]) -> bool {
        self.exact.contains(raw)
    }

    /// Matches a raw `Origin` header value.
    ///
    /// ```
    /// use cors_core::{OriginMatch, Policy};
    ///
    /// let policy = Policy::builder().allow_origin("https://*.example.com").build()?;
    /// assert_eq!(policy.origins().check(b"https://a.example.com"), OriginMatch::Allowed);
    /// match policy.origins().check(b"https://example.com") {
    ///     OriginMatch::NotAllowed(origin) => assert_eq!(origin.as_str(), "https://example.com"),
    ///     other => panic!("{other:?}"),
    /// }
    /// assert!(matches!(policy.origins().check(b"example.com"), OriginMatch::Malformed(_)));
    /// # Ok::<(), cors_core::PolicyError>(())
    /// ```
    #[inline]
    pub fn check<'a>(&self, raw: &'a [u8]) -> OriginMatch<'a> {
        if self.exact.contains(raw) {
            return OriginMatch::Allowed;
        }
        let origin = match Origin::parse(raw) {
            Ok(origin) => origin,
            Err(e) => return OriginMatch::Malformed(e),
        };
        if self.any || (self.patterns && self.matches_parsed(&origin)) {
            OriginMatch::Allowed
        } else {
            OriginMatch::NotAllowed(origin)
        }
    }

    /// Whether the rules besides the exact origins match `origin`.
    fn matches_parsed(&self, origin: &Origin<'_>) -> bool {
        if origin.is_null() {
            // `null` is only ever allowed by an exact `"null"` entry.
            return false;
        }
        if !self.any_port.is_empty() && self.any_port.contains(origin.without_port_bytes()) {
            return true;
        }
        if !self.subdomains.is_empty() && origin.host_kind() == Some(HostKind::Domain) {
            let host = origin.host_bytes();
            let accepts = |rule: &SubdomainRule| {
                rule.scheme.as_bytes() == origin.scheme_bytes() && rule.port.accepts(origin.port())
            };
            // A rule for `example.com` matches `a.example.com` and `a.b.example.com`, never
            // `example.com` or `evilexample.com`. A few rules: test each; many: look up each
            // suffix of the host that starts after a dot.
            if self.subdomains.len() <= SMALL {
                return self.subdomains.keys().zip(self.subdomain_rules.iter()).any(
                    |(suffix, rule)| is_strict_subdomain(host, suffix.as_bytes()) && accepts(rule),
                ) || self.regexes.iter().any(|r| r.is_match(origin.as_str()));
            }
            for (dot, _) in host.iter().enumerate().filter(|(_, &b)| b == b'.') {
                let suffix = &host[dot + 1..];
                for index in self.subdomains.find(suffix) {
                    if self.subdomain_rules.get(index).is_some_and(accepts) {
                        return true;
                    }
                }
            }
        }
        self.regexes.iter().any(|r| r.is_match(origin.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::origin::regex::RegexOrigin;
    use std::sync::Arc;

    fn set() -> AllowedOrigins {
        AllowedOrigins::from_owned(
            vec!["https://app.example.com".into(), "null".into()],
            vec!["http://localhost".into()],
            vec![(
                "preview.example.com".into(),
                SubdomainRule {
                    scheme: "https".into(),
                    port: PortRule::Default,
                },
            )],
            vec![RegexRef::Shared(Arc::new(
                RegexOrigin::new(r"^https://[a-z0-9-]+\.partner\.example$").unwrap(),
            ))],
        )
    }

    #[test]
    fn matches_each_kind() {
        let s = set();
        for ok in [
            "https://app.example.com",
            "null",
            "http://localhost",
            "http://localhost:3000",
            "https://pr-1.preview.example.com",
            "https://a.b.preview.example.com",
            "https://acme.partner.example",
        ] {
            assert_eq!(s.check(ok.as_bytes()), OriginMatch::Allowed, "{ok}");
        }
        for no in [
            "https://preview.example.com",
            "http://pr-1.preview.example.com",
            "https://pr-1.preview.example.com:8443",
            "https://evilpreview.example.com",
            "https://app.example.com.evil.com",
            "https://localhost:3000",
            "https://acme.partner.example.evil",
            "https://evil.test",
        ] {
            assert!(
                matches!(s.check(no.as_bytes()), OriginMatch::NotAllowed(o) if o.as_str() == no),
                "{no}"
            );
        }
        assert_eq!(
            s.check(b"https://app.example.com/"),
            OriginMatch::Malformed(OriginError::Path)
        );
    }

    #[test]
    fn any_allows_well_formed_only() {
        assert_eq!(
            AllowedOrigins::ANY.check(b"https://x.test"),
            OriginMatch::Allowed
        );
        assert_eq!(AllowedOrigins::ANY.check(b"null"), OriginMatch::Allowed);
        assert!(matches!(
            AllowedOrigins::ANY.check(b"x"),
            OriginMatch::Malformed(_)
        ));
    }
}
