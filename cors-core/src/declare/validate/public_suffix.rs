//! Whether a subdomain wildcard's suffix is public (anyone can register names under it), from
//! the Public Suffix List (feature `public-suffix-list`; refused without it).

/// Why a subdomain wildcard over a suffix would allow sites that anyone can register.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(not(feature = "public-suffix-list"), allow(dead_code))]
pub(crate) enum PublicSuffix {
    /// The suffix is in the ICANN section of the list (`com`, `co.uk`).
    Icann,
    /// The suffix is in the private section (`github.io`, `vercel.app`).
    Private,
    /// Not in the list: a top-level domain the list does not know (`test`, `local`).
    UnknownTld,
    /// Every name directly under the suffix is itself a public suffix (a `*.suffix` rule of
    /// the list, e.g. `compute.amazonaws.com`).
    Children,
    /// Built without the `public-suffix-list` feature: cannot be checked, so refused.
    #[cfg_attr(feature = "public-suffix-list", allow(dead_code))]
    Unchecked,
}

/// Whether a subdomain wildcard over `suffix` covers sites anyone can register: `suffix` is a
/// public suffix (`com`, `co.uk`, `github.io`) or every name under it is one. `localhost` is
/// reserved for loopback (RFC 6761), not a registry: allowed. Consulted only when validating a
/// declaration (at compile time for the macros), never while deciding requests.
#[cfg(feature = "public-suffix-list")]
pub(crate) fn public_suffix(suffix: &str) -> Option<PublicSuffix> {
    if suffix == "localhost" || suffix.ends_with(".localhost") {
        return None;
    }
    fn is_suffix(name: &str) -> Option<psl::Suffix<'_>> {
        psl::suffix(name.as_bytes()).filter(|found| found.as_bytes() == name.as_bytes())
    }
    let own = is_suffix(suffix).map(|found| found.typ());
    match own {
        Some(Some(psl::Type::Icann)) => return Some(PublicSuffix::Icann),
        Some(Some(psl::Type::Private)) => return Some(PublicSuffix::Private),
        _ => {}
    }
    // A wildcard rule (`*.compute.amazonaws.com`, `*.ck`) makes every child a public suffix;
    // probe with a label no exception rule names.
    let child = format!("cors-probe-label.{suffix}");
    if is_suffix(&child).is_some_and(|found| found.is_known()) {
        return Some(PublicSuffix::Children);
    }
    own.map(|_| PublicSuffix::UnknownTld)
}

/// Without the list, no suffix but `localhost` can be shown not to be public: refuse (fail
/// closed) rather than let a wildcard over `github.io` through.
#[cfg(not(feature = "public-suffix-list"))]
pub(crate) fn public_suffix(suffix: &str) -> Option<PublicSuffix> {
    if suffix == "localhost" || suffix.ends_with(".localhost") {
        return None;
    }
    Some(PublicSuffix::Unchecked)
}
