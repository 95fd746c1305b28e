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
