//! Facts about header names from RFC 9110 and the Fetch Standard.

/// Whether `name` is an HTTP token (RFC 9110 `token = 1*tchar`).
///
/// ```
/// assert!(cors_core::__private::header_name::is_token("X-Request-Id"));
/// assert!(!cors_core::__private::header_name::is_token("X Request"));
/// assert!(!cors_core::__private::header_name::is_token(""));
/// ```
pub fn is_token(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(is_tchar)
}

/// Whether `b` is an RFC 9110 `tchar`.
#[inline]
pub fn is_tchar(b: u8) -> bool {
    TCHAR[b as usize]
}

/// `tchar` by byte, for the per-byte checks of request header values.
static TCHAR: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'!' | b'#'
                    | b'$'
                    | b'%'
                    | b'&'
                    | b'\''
                    | b'*'
                    | b'+'
                    | b'-'
                    | b'.'
                    | b'^'
                    | b'_'
                    | b'`'
                    | b'|'
                    | b'~'
            );
        b += 1;
    }
    table
};

/// Request headers a page can never set (Fetch "forbidden request-header"); listing them in a
/// policy's `headers` is a mistake.
pub const FORBIDDEN_REQUEST_HEADERS: &[&str] = &[
    "accept-charset",
    "accept-encoding",
    "access-control-request-headers",
    "access-control-request-method",
    "access-control-request-private-network",
    "connection",
    "content-length",
    "cookie",
    "cookie2",
    "date",
    "dnt",
    "expect",
    "host",
    "keep-alive",
    "origin",
    "referer",
    "set-cookie",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
];

/// Whether a page can never set `name` (case-insensitive), including the `Proxy-` and `Sec-`
/// prefixes.
///
/// ```
/// assert!(cors_core::__private::header_name::is_forbidden_request_header("Cookie"));
/// assert!(cors_core::__private::header_name::is_forbidden_request_header("Sec-Fetch-Mode"));
/// assert!(!cors_core::__private::header_name::is_forbidden_request_header("Authorization"));
/// ```
pub fn is_forbidden_request_header(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("proxy-")
        || lower.starts_with("sec-")
        || FORBIDDEN_REQUEST_HEADERS.contains(&lower.as_str())
}

/// Response headers a page can always read (Fetch "CORS-safelisted response-header name");
/// exposing them is redundant.
pub const SAFELISTED_RESPONSE_HEADERS: &[&str] = &[
    "cache-control",
    "content-language",
    "content-length",
    "content-type",
    "expires",
    "last-modified",
    "pragma",
];

/// Whether a page can always read the response header `name` (case-insensitive).
pub fn is_safelisted_response_header(name: &str) -> bool {
    SAFELISTED_RESPONSE_HEADERS
        .iter()
        .any(|h| h.eq_ignore_ascii_case(name))
}

/// Response headers a page can never read, whatever the server exposes.
pub const FORBIDDEN_RESPONSE_HEADERS: &[&str] = &["set-cookie", "set-cookie2"];

/// Whether browsers never expose the response header `name` to a page (case-insensitive).
pub fn is_forbidden_response_header(name: &str) -> bool {
    FORBIDDEN_RESPONSE_HEADERS
        .iter()
        .any(|h| h.eq_ignore_ascii_case(name))
}

/// Whether `name` is a request header of the CORS protocol (`Access-Control-Request-*`, Fetch's
/// preflight headers): it never appears on a response (case-insensitive).
pub(crate) fn is_request_only_header(name: &str) -> bool {
    name.len() >= 23 && name.as_bytes()[..23].eq_ignore_ascii_case(b"access-control-request-")
}

/// Whether `name` belongs to the CORS protocol itself (`Access-Control-*`).
pub fn is_cors_protocol_header(name: &str) -> bool {
    name.len() >= 15 && name.as_bytes()[..15].eq_ignore_ascii_case(b"access-control-")
}
