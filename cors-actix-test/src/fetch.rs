//! The Fetch standard's CORS rules, as a browser applies them to a page's `fetch()`
//! (<https://fetch.spec.whatwg.org/#http-cors-protocol>): which requests are simple and which
//! are preflighted, the preflight's checks, the CORS check of a response, and which response
//! headers the page may read. Pure functions over names and values: the kit's transports send
//! the requests.
//!
//! Written by hand, not taken from a crate: no crate models the browser's side of CORS, and
//! this model is what the kit is (checked against Chromium, Firefox and WebKit by the
//! repository's browser suite).

// The facts about names the engine already states (forbidden methods and request headers,
// safelisted and forbidden response headers) come from cors-core (its hidden `__private`,
// released in step with this crate): one definition for the policies' validation and for the
// kit.
pub(crate) use cors_core::__private::header_name::is_forbidden_request_header;
use cors_core::__private::header_name::{
    is_forbidden_response_header, is_safelisted_response_header,
};
pub(crate) use cors_core::__private::is_forbidden_method;

use crate::CorsError;

/// The method as the browser sends it: the six standard ones upper-cased, others as written.
pub(crate) fn normalize_method(method: &str) -> String {
    for standard in ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"] {
        if standard.eq_ignore_ascii_case(method) {
            return standard.to_owned();
        }
    }
    method.to_owned()
}

/// `GET`, `HEAD` and `POST`: sent without a preflight (with safelisted headers).
pub(crate) fn is_safelisted_method(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "POST")
}

/// A byte the standard calls CORS-unsafe in a request header value.
fn is_unsafe_byte(b: u8) -> bool {
    (b < 0x20 && b != b'\t') || b == 0x7f || b"\"():<>?@[\\]{}".contains(&b)
}

/// Whether `name: value` is a CORS-safelisted request header (lowercase `name`).
fn is_safelisted_header(name: &str, value: &str) -> bool {
    if value.len() > 128 {
        return false;
    }
    let bytes = value.as_bytes();
    match name {
        "accept" => !bytes.iter().any(|&b| is_unsafe_byte(b)),
        "accept-language" | "content-language" => bytes
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b" *,-.;=".contains(&b)),
        "content-type" => {
            if bytes.iter().any(|&b| is_unsafe_byte(b)) {
                return false;
            }
            let essence = value
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            matches!(
                essence.as_str(),
                "application/x-www-form-urlencoded" | "multipart/form-data" | "text/plain"
            )
        }
        "range" => is_simple_range(value),
        _ => false,
    }
}

/// `bytes=N-` or `bytes=N-M`.
fn is_simple_range(value: &str) -> bool {
    let Some(range) = value.strip_prefix("bytes=") else {
        return false;
    };
    let Some((start, end)) = range.split_once('-') else {
        return false;
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(start)
        && (end.is_empty() || (digits(end) && start.parse::<u64>().ok() <= end.parse().ok()))
}

/// The CORS-unsafe request-header names of `headers` (lowercase names), sorted and without
/// duplicates, as `Access-Control-Request-Headers` lists them.
pub(crate) fn unsafe_header_names(headers: &[(String, String)]) -> Vec<String> {
    let safelisted_size: usize = headers
        .iter()
        .filter(|(n, v)| is_safelisted_header(n, v))
        .map(|(n, v)| n.len() + v.len())
        .sum();
    let mut names: Vec<String> = headers
        .iter()
        .filter(|(n, v)| safelisted_size > 1024 || !is_safelisted_header(n, v))
        .map(|(n, _)| n.clone())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The CORS check of a response (`Access-Control-Allow-Origin`, `-Credentials`) for a request
/// from `origin` (serialized, `null` after a cross-origin redirect).
pub(crate) fn cors_check(
    origin: &str,
    credentials: bool,
    allow_origin: &[&str],
    allow_credentials: Option<&str>,
    preflight: bool,
) -> Result<(), CorsError> {
    let pick = |actual: CorsError, preflight_error: CorsError| {
        if preflight {
            preflight_error
        } else {
            actual
        }
    };
    let value = match allow_origin {
        [] => {
            return Err(pick(
                CorsError::MissingAllowOriginHeader,
                CorsError::PreflightMissingAllowOriginHeader,
            ))
        }
        [one] if !one.contains(',') => one.trim(),
        _ => {
            return Err(pick(
                CorsError::MultipleAllowOriginValues,
                CorsError::PreflightMultipleAllowOriginValues,
            ))
        }
    };
    if value == "*" {
        if credentials {
            return Err(pick(
                CorsError::WildcardOriginNotAllowed,
                CorsError::PreflightWildcardOriginNotAllowed,
            ));
        }
        return Ok(());
    }
    if value != origin {
        return Err(pick(
            CorsError::AllowOriginMismatch,
            CorsError::PreflightAllowOriginMismatch,
        ));
    }
    if credentials && allow_credentials != Some("true") {
        return Err(pick(
            CorsError::InvalidAllowCredentials,
            CorsError::PreflightInvalidAllowCredentials,
        ));
    }
    Ok(())
}

/// The items of a comma-separated header list (every value of the header).
pub(crate) fn list(values: &[&str]) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The preflight's checks of the method and headers (after its CORS check passed).
pub(crate) fn preflight_grants(
    method: &str,
    unsafe_names: &[String],
    credentials: bool,
    allow_methods: &[String],
    allow_headers: &[String],
) -> Result<(), CorsError> {
    let star = |list: &[String]| !credentials && list.iter().any(|m| m == "*");
    if !allow_methods.iter().any(|m| m == method)
        && !is_safelisted_method(method)
        && !star(allow_methods)
    {
        return Err(CorsError::MethodDisallowedByPreflightResponse);
    }
    for name in unsafe_names {
        let listed = allow_headers.iter().any(|h| h.eq_ignore_ascii_case(name));
        // `Authorization` is a "CORS non-wildcard request-header name": `*` never covers it.
        let covered = listed || (name != "authorization" && star(allow_headers));
        if !covered {
            return Err(CorsError::HeaderDisallowedByPreflightResponse);
        }
    }
    Ok(())
}

/// Whether a response header may be read by the page of a CORS request (lowercase `name`).
pub(crate) fn is_readable_header(name: &str, expose: &[String], credentials: bool) -> bool {
    if is_forbidden_response_header(name) {
        return false;
    }
    is_safelisted_response_header(name)
        || expose.iter().any(|e| e.eq_ignore_ascii_case(name))
        || (!credentials && expose.iter().any(|e| e == "*"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn safelisted_headers_follow_the_standard() {
        assert!(unsafe_header_names(&h(&[("accept", "*/*")])).is_empty());
        assert!(
            unsafe_header_names(&h(&[("content-type", "text/plain;charset=utf-8")])).is_empty()
        );
        assert_eq!(
            unsafe_header_names(&h(&[("content-type", "application/json")])),
            ["content-type"]
        );
        assert_eq!(
            unsafe_header_names(&h(&[("x-b", "1"), ("authorization", "x"), ("x-a", "1")])),
            ["authorization", "x-a", "x-b"]
        );
        assert!(unsafe_header_names(&h(&[("range", "bytes=0-9")])).is_empty());
        assert_eq!(
            unsafe_header_names(&h(&[("range", "bytes=9-0")])),
            ["range"]
        );
        let long = "a".repeat(129);
        assert_eq!(unsafe_header_names(&h(&[("accept", &long)])), ["accept"]);
        assert_eq!(
            unsafe_header_names(&h(&[("accept-language", "en(")])),
            ["accept-language"]
        );
    }

    #[test]
    fn methods_are_normalized_and_forbidden_ones_refused() {
        assert_eq!(normalize_method("delete"), "DELETE");
        assert_eq!(normalize_method("patch"), "patch");
        assert!(is_forbidden_method("trace"));
        assert!(!is_safelisted_method("PUT"));
    }

    #[test]
    fn the_cors_check() {
        let o = "https://a.example";
        assert_eq!(cors_check(o, false, &["*"], None, false), Ok(()));
        assert_eq!(
            cors_check(o, true, &["*"], Some("true"), false),
            Err(CorsError::WildcardOriginNotAllowed)
        );
        assert_eq!(
            cors_check(o, true, &[o], None, true),
            Err(CorsError::PreflightInvalidAllowCredentials)
        );
        assert_eq!(
            cors_check(o, false, &[], None, false),
            Err(CorsError::MissingAllowOriginHeader)
        );
        assert_eq!(
            cors_check(
                o,
                false,
                &["https://a.example, https://b.example"],
                None,
                false
            ),
            Err(CorsError::MultipleAllowOriginValues)
        );
        assert_eq!(
            cors_check("null", false, &["https://a.example"], None, false),
            Err(CorsError::AllowOriginMismatch)
        );
    }

    #[test]
    fn the_preflights_grants() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            preflight_grants("PUT", &[], false, &s(&["PUT"]), &[]),
            Ok(())
        );
        assert_eq!(
            preflight_grants("PUT", &[], true, &s(&["*"]), &[]),
            Err(CorsError::MethodDisallowedByPreflightResponse)
        );
        assert_eq!(
            preflight_grants("GET", &s(&["authorization"]), false, &[], &s(&["*"])),
            Err(CorsError::HeaderDisallowedByPreflightResponse)
        );
        assert_eq!(
            preflight_grants("GET", &s(&["x-a"]), false, &[], &s(&["X-A"])),
            Ok(())
        );
        assert!(is_readable_header("content-type", &[], true));
        assert!(!is_readable_header("x-total", &[], false));
        assert!(is_readable_header("x-total", &s(&["*"]), false));
        assert!(!is_readable_header("x-total", &s(&["*"]), true));
        assert!(!is_readable_header(
            "set-cookie",
            &s(&["Set-Cookie"]),
            false
        ));
    }
}
