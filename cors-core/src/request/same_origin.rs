//! Recognizing same-origin requests, which CORS never blocks.

/// Whether `Sec-Fetch-Site` says the request came from the same origin. Browsers set this
/// header and pages cannot.
///
/// ```
/// assert!(cors_core::is_same_origin_fetch(b"same-origin"));
/// assert!(!cors_core::is_same_origin_fetch(b"same-site"));
/// ```
pub fn is_same_origin_fetch(sec_fetch_site: &[u8]) -> bool {
    sec_fetch_site == b"same-origin"
}

/// Whether `origin` is the request's own origin: `scheme://host`, where `host` is the request's
/// `Host` (authority), compared case-insensitively and with the scheme's default port dropped.
///
/// ```
/// use cors_core::is_same_origin;
///
/// assert!(is_same_origin(b"https://api.example.com", "https", "api.example.com"));
/// assert!(is_same_origin(b"https://api.example.com", "https", "API.example.com:443"));
/// assert!(is_same_origin(b"http://localhost:8080", "http", "localhost:8080"));
/// assert!(!is_same_origin(b"https://app.example.com", "https", "api.example.com"));
/// assert!(!is_same_origin(b"http://api.example.com", "https", "api.example.com"));
/// ```
pub fn is_same_origin(origin: &[u8], scheme: &str, host: &str) -> bool {
    let Some(rest) = origin.strip_prefix(scheme.as_bytes()) else {
        return false;
    };
    let Some(authority) = rest.strip_prefix(b"://") else {
        return false;
    };
    let host = match (crate::origin::default_port(scheme), host.rsplit_once(':')) {
        (Some(default), Some((name, port)))
            if !name.ends_with('[') && port.parse() == Ok(default) && !port.starts_with('0') =>
        {
            name
        }
        _ => host,
    };
    authority.eq_ignore_ascii_case(host.as_bytes())
}
