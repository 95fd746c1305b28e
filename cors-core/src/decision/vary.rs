//! The `Vary` header, kept correct for caches.

/// `Vary` of every preflight response: its headers depend on all three.
pub const PREFLIGHT_VARY: &str =
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";

/// `Vary` of the preflight responses of a policy with `private_network`, whose answer also
/// depends on `Access-Control-Request-Private-Network`.
pub const PREFLIGHT_VARY_PRIVATE_NETWORK: &str = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network";

/// Whether a `Vary` value already lists `name` (case-insensitive) or is `*`, so that appending
/// `name` again would duplicate it.
///
/// ```
/// use cors_core::__private::vary_lists;
///
/// assert!(vary_lists(b"Accept-Encoding, origin", "Origin"));
/// assert!(vary_lists(b"*", "Origin"));
/// assert!(!vary_lists(b"Accept-Encoding", "Origin"));
/// assert!(!vary_lists(b"X-Origin", "Origin"));
/// ```
pub fn vary_lists(value: &[u8], name: &str) -> bool {
    value.split(|&b| b == b',').any(|element| {
        let element = element.trim_ascii();
        element == b"*" || element.eq_ignore_ascii_case(name.as_bytes())
    })
}
