//! Reading a request: whether it is a preflight, the CORS headers a decision needs (each looked
//! up once, with the values an answer echoes), and whether it comes from the server's own
//! origin. The first step of the door.

use actix_web::dev::{RequestHead, ServiceRequest};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::Method;
use cors_core::HeaderInput;

/// `Access-Control-Request-Private-Network`.
pub(crate) const REQUEST_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-request-private-network");

/// The values of one header of a request, for `cors-core`.
pub(crate) fn input<'a>(headers: &'a HeaderMap, name: &HeaderName) -> HeaderInput<'a> {
    HeaderInput::from_values(headers.get_all(name).map(HeaderValue::as_bytes))
}

/// One request header for `cors-core`, and its value to echo (one lookup for both).
pub(crate) fn lookup<'a>(
    headers: &'a HeaderMap,
    name: &HeaderName,
) -> (HeaderInput<'a>, Option<&'a HeaderValue>) {
    let mut values = headers.get_all(name);
    match (values.next(), values.next()) {
        (None, _) => (HeaderInput::Missing, None),
        (Some(value), None) => (HeaderInput::One(value.as_bytes()), Some(value)),
        (Some(_), Some(_)) => (HeaderInput::Many, None),
    }
}

/// The request's `Origin` for `cors-core`, and its value to echo.
pub(crate) fn origin(headers: &HeaderMap) -> (HeaderInput<'_>, Option<&HeaderValue>) {
    lookup(headers, &header::ORIGIN)
}

/// The CORS headers of a preflight, each looked up once: what `cors-core` decides on, and the
/// values an allowed answer echoes.
pub(crate) struct PreflightValues<'a> {
    origin_input: HeaderInput<'a>,
    method_input: HeaderInput<'a>,
    private_network: HeaderInput<'a>,
    pub(crate) origin: Option<&'a HeaderValue>,
    pub(crate) method: Option<&'a HeaderValue>,
    /// `Access-Control-Request-Headers`: its one line, or its lines read as one list.
    headers: RequestedHeaders<'a>,
    /// The method the preflight's route is chosen by: the first requested method (a preflight
    /// with several is refused by the decision, at the route it names).
    pub(crate) route_method: &'a [u8],
}

/// The value of `Access-Control-Request-Headers`, whose lines an intermediary may have split.
enum RequestedHeaders<'a> {
    Missing,
    One(&'a HeaderValue),
    /// Several lines, joined with `, ` into one list (HTTP lets an intermediary split a
    /// list-valued field over lines, and back): rare, so its one allocation is of no concern.
    Joined(HeaderValue),
    /// Several lines longer together than [`cors_core::limits::MAX_REQUEST_HEADERS_LEN`]: refused as
    /// one value that long would be, without reading them.
    TooLong,
}

/// What the door reads of a request before it chooses a policy, in one pass over its CORS
/// headers: a preflight with all of them, or another request with its `Origin`. Everything
/// after (the route's method, the decision, the echoed values) takes them from here.
pub(crate) enum Read<'a> {
    /// `OPTIONS` with `Origin` and `Access-Control-Request-Method`.
    Preflight(PreflightValues<'a>),
    /// Any other request.
    Actual {
        /// `Origin`, for `cors-core`, and its value to echo.
        origin: (HeaderInput<'a>, Option<&'a HeaderValue>),
    },
}

impl<'a> Read<'a> {
    /// Reads `head`: `Origin` once; for an `OPTIONS` with one, the preflight's headers.
    #[inline]
    pub(crate) fn of(head: &'a RequestHead) -> Read<'a> {
        let headers = &head.headers;
        let origin = lookup(headers, &header::ORIGIN);
        if head.method == Method::OPTIONS && origin.0.is_present() {
            let method = lookup(headers, &header::ACCESS_CONTROL_REQUEST_METHOD);
            if method.0.is_present() {
                return Read::Preflight(PreflightValues::read(headers, origin, method));
            }
        }
        Read::Actual { origin }
    }

    /// The method a declared route is chosen by: the requested one for a preflight (its first
    /// value, as sent), the request's own otherwise.
    #[inline]
    pub(crate) fn route_method<'m>(&'m self, head: &'m RequestHead) -> &'m [u8] {
        match self {
            Read::Preflight(values) => values.route_method,
            Read::Actual { .. } => head.method.as_str().as_bytes(),
        }
    }
}

impl<'a> PreflightValues<'a> {
    /// The preflight's values, given its `Origin` and `Access-Control-Request-Method` already
    /// looked up.
    fn read(
        headers: &'a HeaderMap,
        (origin_input, origin): (HeaderInput<'a>, Option<&'a HeaderValue>),
        (method_input, method): (HeaderInput<'a>, Option<&'a HeaderValue>),
    ) -> PreflightValues<'a> {
        PreflightValues {
            origin_input,
            method_input,
            private_network: input(headers, &REQUEST_PRIVATE_NETWORK),
            origin,
            method,
            headers: RequestedHeaders::read(headers),
            route_method: match method {
                Some(method) => method.as_bytes(),
                None => headers
                    .get(header::ACCESS_CONTROL_REQUEST_METHOD)
                    .map_or(&b""[..], HeaderValue::as_bytes),
            },
        }
    }

    /// The preflight, as `cors-core` decides it.
    #[inline]
    pub(crate) fn request(&self) -> cors_core::PreflightRequest<'_> {
        let headers = match &self.headers {
            RequestedHeaders::Missing => HeaderInput::Missing,
            RequestedHeaders::One(value) => HeaderInput::One(value.as_bytes()),
            RequestedHeaders::Joined(value) => HeaderInput::One(value.as_bytes()),
            RequestedHeaders::TooLong => HeaderInput::One(TOO_LONG),
        };
        cors_core::PreflightRequest::new(self.origin_input, self.method_input)
            .headers(headers)
            .private_network(self.private_network)
    }

    /// The requested headers, as an allowed answer echoes them.
    #[inline]
    pub(crate) fn requested_headers(&self) -> Option<&HeaderValue> {
        match &self.headers {
            RequestedHeaders::One(value) => Some(value),
            RequestedHeaders::Joined(value) => Some(value),
            RequestedHeaders::Missing | RequestedHeaders::TooLong => None,
        }
    }
}

/// A value longer than [`cors_core::limits::MAX_REQUEST_HEADERS_LEN`], which `cors-core` refuses by its
/// length alone: what several lines too long together are decided as.
const TOO_LONG: &[u8] = &[b' '; cors_core::limits::MAX_REQUEST_HEADERS_LEN + 1];

impl<'a> RequestedHeaders<'a> {
    fn read(headers: &'a HeaderMap) -> RequestedHeaders<'a> {
        let mut lines = headers.get_all(header::ACCESS_CONTROL_REQUEST_HEADERS);
        match (lines.next(), lines.next()) {
            (None, _) => RequestedHeaders::Missing,
            (Some(value), None) => RequestedHeaders::One(value),
            (Some(_), Some(_)) => Self::join(headers),
        }
    }

    /// Several lines, read as one list within the bound on the whole.
    #[cold]
    fn join(headers: &'a HeaderMap) -> RequestedHeaders<'a> {
        let lines = headers.get_all(header::ACCESS_CONTROL_REQUEST_HEADERS);
        // Checked before anything is copied: the lines' count is bounded by the request's
        // header limit, their total size here.
        let total = lines.clone().try_fold(0usize, |total, line| {
            let total = total + line.len() + 2;
            (total <= cors_core::limits::MAX_REQUEST_HEADERS_LEN + 2).then_some(total)
        });
        if total.is_none() {
            return RequestedHeaders::TooLong;
        }
        // Empty lines name nothing: left out, so that the list echoed holds only names (no
        // line at all but empty ones reads as the first, empty, line).
        let mut named = lines.filter(|line| !line.as_bytes().trim_ascii().is_empty());
        let Some(first) = named.next() else {
            return match headers.get(header::ACCESS_CONTROL_REQUEST_HEADERS) {
                Some(value) => RequestedHeaders::One(value),
                None => RequestedHeaders::Missing,
            };
        };
        let mut joined = Vec::with_capacity(cors_core::limits::MAX_REQUEST_HEADERS_LEN);
        joined.extend_from_slice(first.as_bytes());
        for line in named {
            joined.extend_from_slice(b", ");
            joined.extend_from_slice(line.as_bytes());
        }
        match HeaderValue::from_bytes(&joined) {
            Ok(value) => RequestedHeaders::Joined(value),
            // Not reached: each line was a valid value, and `, ` is one too.
            Err(_) => RequestedHeaders::TooLong,
        }
    }
}

/// Whether a request is a CORS preflight: `OPTIONS` with `Origin` and
/// `Access-Control-Request-Method`. Accepts a `ServiceRequest`, an `HttpRequest` or a
/// `RequestHead`.
///
/// [`Cors`](crate::Cors) answers the preflights of every route that has a policy before
/// anything inside it runs; use this in your own code for the preflights it passes on (those
/// of paths without a policy).
///
/// ```
/// use actix_web::test::TestRequest;
/// use cors_actix::is_preflight;
///
/// let req = TestRequest::default()
///     .method(actix_web::http::Method::OPTIONS)
///     .insert_header(("Origin", "https://app.example.com"))
///     .insert_header(("Access-Control-Request-Method", "DELETE"))
///     .to_srv_request();
/// assert!(is_preflight(&req));
/// assert!(is_preflight(req.request()));
/// assert!(is_preflight(req.head()));
/// assert!(!is_preflight(&TestRequest::default().to_srv_request()));
/// ```
///
#[doc = include_str!("../../docs/authentication.md")]
///
#[doc = include_str!("../../docs/links.md")]
pub fn is_preflight(req: &impl AsRequestHead) -> bool {
    let head = req.request_head();
    head.method == Method::OPTIONS
        && head.headers.contains_key(header::ORIGIN)
        && head
            .headers
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
}

/// Request types [`is_preflight`] accepts.
pub trait AsRequestHead: sealed::Sealed {
    /// The request's head.
    fn request_head(&self) -> &RequestHead;
}

impl AsRequestHead for RequestHead {
    fn request_head(&self) -> &RequestHead {
        self
    }
}

impl AsRequestHead for ServiceRequest {
    fn request_head(&self) -> &RequestHead {
        self.head()
    }
}

impl AsRequestHead for actix_web::HttpRequest {
    fn request_head(&self) -> &RequestHead {
        self.head()
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for actix_web::dev::RequestHead {}
    impl Sealed for actix_web::dev::ServiceRequest {}
    impl Sealed for actix_web::HttpRequest {}
}

/// Whether a request refused by the policy comes from the server's own origin: CORS never
/// blocks those. `origin` is the request's one `Origin` (`None` when it has several: never the
/// server's own). `Sec-Fetch-Site` is set by browsers and cannot be set by pages; otherwise the
/// `Origin` is compared to the request's own scheme and host (as seen through proxies).
pub(crate) fn is_same_origin(req: &ServiceRequest, origin: Option<&HeaderValue>) -> bool {
    let headers = req.headers();
    // Header names the request has besides its `Origin`: a header is looked up only if it can
    // be there (a lookup costs as much as a short pass over the request).
    let mut others = headers.len_keys().saturating_sub(1);
    // One name besides `Origin`: a client that is not a browser (browsers send several), most
    // often with `Host` alone, which then leaves no `Sec-Fetch-Site` to look for.
    let mut host = None;
    if others == 1 {
        host = headers.get(header::HOST);
        if host.is_some() {
            others = 0;
        }
    }
    // Every current browser sends it, and pages cannot set it: it is the answer.
    if others > 0 {
        if let Some(site) = headers.get(&SEC_FETCH_SITE) {
            return cors_core::is_same_origin_fetch(site.as_bytes());
        }
    }
    let Some(origin) = origin else {
        return false;
    };
    // Other clients: the origin's host (read when first needed) looked for in each header that
    // can name the request's own host, until one does (a refused cross-origin request, the
    // common case, looks at each and stops there).
    let mut origin_host_of = None;
    let mut names_host = |value: &[u8]| {
        origin_host_of
            .get_or_insert_with(|| origin_host(origin.as_bytes()))
            .is_some_and(|host| contains_host(value, host))
    };
    let mut candidate = host.is_some_and(|value| names_host(value.as_bytes()));
    for name in [&header::HOST, &header::FORWARDED, &X_FORWARDED_HOST] {
        if candidate || others == 0 {
            break;
        }
        if let Some(value) = headers.get(name) {
            others -= 1;
            candidate = names_host(value.as_bytes());
        }
    }
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
