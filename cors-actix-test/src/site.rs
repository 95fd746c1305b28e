//! Sites, as browsers compare them for `Sec-Fetch-Site` and for cookies: HTML's "schemeful
//! same site" (scheme and registrable domain), and which URLs are potentially trustworthy
//! (the secure contexts that get `Sec-Fetch-*` headers and `Secure` cookies).

/// How a request's URL relates to the page that made it, across its redirect chain: the
/// value of `Sec-Fetch-Site`, ordered from the closest to the farthest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum FetchSite {
    SameOrigin,
    SameSite,
    CrossSite,
}

impl FetchSite {
    /// How `url_origin` relates to `page` (both serialized origins).
    pub(crate) fn of(page: &str, url_origin: &str) -> FetchSite {
        if page == url_origin {
            FetchSite::SameOrigin
        } else if site(page) == site(url_origin) {
            FetchSite::SameSite
        } else {
            FetchSite::CrossSite
        }
    }

    /// The header's value.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            FetchSite::SameOrigin => "same-origin",
            FetchSite::SameSite => "same-site",
            FetchSite::CrossSite => "cross-site",
        }
    }
}

/// `(scheme, host)` of a serialized origin (`scheme://host[:port]`; IPv6 in brackets).
pub(crate) fn scheme_and_host(origin: &str) -> (&str, &str) {
    let (scheme, authority) = origin.split_once("://").unwrap_or(("", origin));
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(v6),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    (scheme, host)
}

/// The site of an origin: its scheme and registrable domain (the host itself for an IP
/// address or a host the Public Suffix List gives no registrable domain).
pub(crate) fn site(origin: &str) -> (String, String) {
    let (scheme, host) = scheme_and_host(origin);
    (scheme.to_owned(), registrable_domain(host).to_owned())
}

/// The registrable domain of `host` (a public suffix and one label), from the Public Suffix
/// List; hosts under a suffix the list does not know (`app.localhost`, `api.test`) take their
/// last label as the suffix, as the list's default rule and the engines do.
#[cfg(feature = "public-suffix-list")]
pub(crate) fn registrable_domain(host: &str) -> &str {
    if host.parse::<std::net::IpAddr>().is_ok() {
        return host;
    }
    psl::domain_str(host).unwrap_or(host)
}

/// Without the `public-suffix-list` feature: the last two labels (wrong under suffixes of
/// several labels such as `co.uk`, which the kit then takes for one site).
#[cfg(not(feature = "public-suffix-list"))]
pub(crate) fn registrable_domain(host: &str) -> &str {
    if host.parse::<std::net::IpAddr>().is_ok() {
        return host;
    }
    match host.rmatch_indices('.').nth(1) {
        Some((i, _)) => &host[i + 1..],
        None => host,
    }
}

/// Whether `domain` is a public suffix (a cookie may not be set for it).
#[cfg(feature = "public-suffix-list")]
pub(crate) fn is_public_suffix(domain: &str) -> bool {
    psl::suffix_str(domain) == Some(domain)
}

/// Without the `public-suffix-list` feature: a single label.
#[cfg(not(feature = "public-suffix-list"))]
pub(crate) fn is_public_suffix(domain: &str) -> bool {
    !domain.contains('.')
}

/// A potentially trustworthy origin: `https`, or a loopback host (`localhost`, `*.localhost`,
/// `127.0.0.0/8`, `[::1]`). Browsers send `Sec-Fetch-*` headers and `Secure` cookies only to
/// these.
pub(crate) fn is_trustworthy(origin: &str) -> bool {
    let (scheme, host) = scheme_and_host(origin);
    if scheme == "https" {
        return true;
    }
    let host = host.to_ascii_lowercase();
    host == "localhost"
        || host.ends_with(".localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fetch_site_compares_origins_then_schemeful_sites() {
        let of = FetchSite::of;
        assert_eq!(
            of("https://app.example.com", "https://app.example.com"),
            FetchSite::SameOrigin
        );
        assert_eq!(
            of("https://app.example.com", "https://api.example.com"),
            FetchSite::SameSite
        );
        assert_eq!(
            of("https://app.example.com", "https://app.example.com:8443"),
            FetchSite::SameSite
        );
        // Schemeful: the same host over http is another site.
        assert_eq!(
            of("https://app.example.com", "http://app.example.com"),
            FetchSite::CrossSite
        );
        assert_eq!(
            of("https://app.example.com", "https://example.org"),
            FetchSite::CrossSite
        );
        // Names under a suffix the list does not know are sites of their own.
        assert_eq!(
            of("http://app.localhost:1", "http://api.localhost:1"),
            FetchSite::CrossSite
        );
        assert_eq!(
            of("http://127.0.0.1:1", "http://127.0.0.1:2"),
            FetchSite::SameSite
        );
        assert!(FetchSite::SameOrigin < FetchSite::SameSite);
        assert!(FetchSite::SameSite < FetchSite::CrossSite);
    }

    #[cfg(feature = "public-suffix-list")]
    #[test]
    fn registrable_domains_follow_the_public_suffix_list() {
        assert_eq!(registrable_domain("a.b.example.co.uk"), "example.co.uk");
        assert_eq!(registrable_domain("app.github.io"), "app.github.io");
        assert!(is_public_suffix("co.uk"));
        assert!(!is_public_suffix("example.co.uk"));
    }

    #[test]
    fn trustworthy_origins_are_https_and_loopback() {
        assert!(is_trustworthy("https://api.example.com"));
        assert!(is_trustworthy("http://localhost:8080"));
        assert!(is_trustworthy("http://api.localhost:8080"));
        assert!(is_trustworthy("http://127.0.0.1:9"));
        assert!(is_trustworthy("http://[::1]:9"));
        assert!(!is_trustworthy("http://api.test:8080"));
        assert!(!is_trustworthy("http://10.0.0.1"));
    }
}
