//! Whether a request comes from the server's own origin: CORS never blocks those, so every
//! refusal asks (the door before it refuses, the checks after routing).

use actix_web::dev::{RequestHead, ServiceRequest};
use actix_web::http::header::{self, HeaderName, HeaderValue};

/// Whether a request refused by the policy comes from the server's own origin: CORS never
/// blocks those. `origin` is the request's one `Origin` (`None` when it has several: never the
/// server's own). `Sec-Fetch-Site` is set by browsers and cannot be set by pages; otherwise the
/// `Origin` is compared to the request's own scheme and host (as seen through proxies).
pub(crate) fn is_same_origin(req: &ServiceRequest, origin: Option<&HeaderValue>) -> bool {
    let headers = req.headers();
    // Header names the request has besides its `Origin`: a header is looked up only if it can
    // be there (a lookup costs as much as a short pass over the request).
    let mut others = headers.len_keys().saturating_sub(1);
    // The headers that can tell, in the order they are looked for (one lookup each, until
    // none is left to find). `Sec-Fetch-Site` is the answer when it is there: every
    // current browser sends it, and pages cannot set it. The others may name the request's own
    // host. A request with one name besides `Origin` is not a browser's (browsers send
    // several): its `Host` first, which, when it is there, leaves nothing else to look for.
    let (order, site_at) = if others == 1 {
        (
            [
                &header::HOST,
                &SEC_FETCH_SITE,
                &header::FORWARDED,
                &X_FORWARDED_HOST,
            ],
            1,
        )
    } else {
        (
            [
                &SEC_FETCH_SITE,
                &header::HOST,
                &header::FORWARDED,
                &X_FORWARDED_HOST,
            ],
            0,
        )
    };
    // The origin's host (read when first needed) looked for in each header that can name the
    // request's own host, until one does (a refused cross-origin request, the common case,
    // looks at each and stops there).
    let mut origin_host_of = None;
    let mut names_host = |value: &[u8]| {
        origin.is_some_and(|origin| {
            origin_host_of
                .get_or_insert_with(|| origin_host(origin.as_bytes()))
                .is_some_and(|host| contains_host(value, host))
        })
    };
    let mut candidate = false;
    for (at, name) in order.into_iter().enumerate() {
        if others == 0 || (candidate && at > site_at) {
            break;
        }
        if let Some(value) = headers.get(name) {
            if at == site_at {
                return cors_core::is_same_origin_fetch(value.as_bytes());
            }
            others -= 1;
            candidate = candidate || names_host(value.as_bytes());
        }
    }
    let Some(origin) = origin else {
        return false;
    };
    let candidate = candidate || req.uri().host().is_some_and(|h| names_host(h.as_bytes()));
    if !candidate {
        return false;
    }
    // Rare: the origin names a host this request was addressed to. Compare precisely, with the
    // scheme and host actix-web derives (Forwarded, X-Forwarded-*, Host, TLS).
    let info = req.connection_info();
    cors_core::is_same_origin(origin.as_bytes(), info.scheme(), info.host())
}

/// [`is_same_origin`] from the request's head alone, for the checks that run while actix-web
/// routes (route guards see the head, not the connection): `Sec-Fetch-Site` when the request
/// has it (every current browser sends it); otherwise the origin compared with the host the
/// request names (`Forwarded`, `X-Forwarded-Host`, `Host`, the request target) and its scheme
/// (`Forwarded`, `X-Forwarded-Proto`, the request target), either scheme when none says (a
/// client that is not a browser, which CORS does not concern).
pub(crate) fn is_same_origin_head(head: &RequestHead, origin: &HeaderValue) -> bool {
    let headers = &head.headers;
    if let Some(site) = headers.get(&SEC_FETCH_SITE) {
        return cors_core::is_same_origin_fetch(site.as_bytes());
    }
    let forwarded = headers
        .get(header::FORWARDED)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next());
    let param = |name: &str| {
        forwarded.and_then(|f| {
            f.split(';').find_map(|pair| {
                let (key, value) = pair.trim().split_once('=')?;
                key.trim()
                    .eq_ignore_ascii_case(name)
                    .then(|| value.trim().trim_matches('"'))
            })
        })
    };
    let text = |name: &HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    let host = param("host")
        .or_else(|| {
            text(&X_FORWARDED_HOST)
                .and_then(|v| v.split(',').next())
                .map(str::trim)
        })
        .or_else(|| text(&header::HOST))
        .or_else(|| head.uri.authority().map(|a| a.as_str()));
    let Some(host) = host else {
        return false;
    };
    let scheme = param("proto")
        .or_else(|| {
            text(&X_FORWARDED_PROTO)
                .and_then(|v| v.split(',').next())
                .map(str::trim)
        })
        .or_else(|| head.uri.scheme_str());
    let origin = origin.as_bytes();
    match scheme {
        Some(scheme) => cors_core::is_same_origin(origin, scheme, host),
        None => ["https", "http"]
            .iter()
            .any(|scheme| cors_core::is_same_origin(origin, scheme, host)),
    }
}

static X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");

static SEC_FETCH_SITE: HeaderName = HeaderName::from_static("sec-fetch-site");

/// The host of a serialized origin, if it has one that a request's headers could name (a cheap
/// pre-check: the precise comparison follows).
fn origin_host(origin: &[u8]) -> Option<&[u8]> {
    if origin.len() > cors_core::limits::MAX_ORIGIN_LEN {
        return None;
    }
    let authority = match origin {
        [b'h', b't', b't', b'p', b's', b':', b'/', b'/', rest @ ..]
        | [b'h', b't', b't', b'p', b':', b'/', b'/', rest @ ..] => rest,
        _ => {
            let colon = origin.iter().position(|&b| b == b':')?;
            origin[colon + 1..].strip_prefix(b"//")?
        }
    };
    // A port has at most five digits: its separator is among the last six bytes. (A colon
    // further in is part of what a header must contain: the whole authority is looked for.)
    let tail = authority.len().saturating_sub(6);
    let host = match authority[tail..].iter().rposition(|&b| b == b':') {
        Some(colon) if !authority.ends_with(b"]") => &authority[..tail + colon],
        _ => authority,
    };
    (!host.is_empty()).then_some(host)
}

/// Whether `haystack` (a header naming hosts) contains `host`, ignoring case.
fn contains_host(haystack: &[u8], host: &[u8]) -> bool {
    haystack.len() >= host.len()
        && haystack
            .windows(host.len())
            .any(|w| w.eq_ignore_ascii_case(host))
}

static X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    /// The general path of [`is_same_origin`]: `Sec-Fetch-Site` when present, else the origin
    /// compared with the scheme and host actix-web derives.
    fn general(req: &ServiceRequest, origin: &HeaderValue) -> bool {
        match req.headers().get(&SEC_FETCH_SITE) {
            Some(site) => cors_core::is_same_origin_fetch(site.as_bytes()),
            None => {
                let info = req.connection_info();
                cors_core::is_same_origin(origin.as_bytes(), info.scheme(), info.host())
            }
        }
    }

    /// The fast path (headers looked up only if they can be there, the origin's host looked
    /// for before the precise comparison) against the general path, on every combination of
    /// the headers that can tell a request's own origin.
    #[test]
    fn same_origin_fast_path_agrees_with_the_general_path() {
        let hosts = [
            None,
            Some("api.example.com"),
            Some("API.example.com:443"),
            Some("evil.example"),
            Some("127.0.0.1:8080"),
            Some("[::1]:8080"),
        ];
        let forwarded = [
            None,
            Some("host=api.example.com;proto=https"),
            Some("for=192.0.2.1;host=evil.example"),
        ];
        let x_forwarded_hosts = [
            None,
            Some("api.example.com"),
            Some("other.example, api.example.com"),
        ];
        let x_forwarded_protos = [None, Some("https"), Some("http")];
        let sites = [
            None,
            Some("same-origin"),
            Some("cross-site"),
            Some("same-site"),
        ];
        let extras = [None, Some(("accept", "*/*"))];
        let uris = ["/x", "https://api.example.com/x"];
        let origins = [
            "https://api.example.com",
            "http://api.example.com",
            "https://evil.example",
            "http://127.0.0.1:8080",
            "https://api.example.com:443",
            "http://[::1]:8080",
            "http://[::1]",
            "null",
        ];
        let mut cases = 0;
        let mut same = 0;
        for host in hosts {
            for fwd in forwarded {
                for xfh in x_forwarded_hosts {
                    for xfp in x_forwarded_protos {
                        for site in sites {
                            for extra in extras {
                                for uri in uris {
                                    for origin in origins {
                                        let mut req = TestRequest::get()
                                            .uri(uri)
                                            .insert_header(("origin", origin));
                                        for (name, value) in [
                                            ("host", host),
                                            ("forwarded", fwd),
                                            ("x-forwarded-host", xfh),
                                            ("x-forwarded-proto", xfp),
                                            ("sec-fetch-site", site),
                                        ] {
                                            if let Some(value) = value {
                                                req = req.insert_header((name, value));
                                            }
                                        }
                                        if let Some(extra) = extra {
                                            req = req.insert_header(extra);
                                        }
                                        let req = req.to_srv_request();
                                        let value = HeaderValue::from_static(origin);
                                        let expected = general(&req, &value);
                                        assert_eq!(
                                            is_same_origin(&req, Some(&value)),
                                            expected,
                                            "{origin} with {:?}",
                                            req.headers()
                                        );
                                        cases += 1;
                                        same += usize::from(expected);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        // Both answers were exercised.
        assert!(same > 100 && cases - same > 100, "{same} of {cases}");
    }
}
