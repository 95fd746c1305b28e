//! What a page sees of a fetch: the response it may read, or why the browser blocked it.

use std::fmt;

use crate::fetch::{is_readable_header, list};
use crate::transport::Got;

/// What the page sees.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Seen {
    /// Whether the page can read the response (the promise resolves).
    pub readable: bool,
    /// The response's status, when readable.
    pub status: Option<u16>,
    /// The response's body, when readable.
    pub body: String,
    /// The response headers the page can read (lowercase names), when readable.
    pub headers: Vec<(String, String)>,
    /// Why the browser blocked it (the promise rejects with a `TypeError`).
    pub blocked: Option<CorsError>,
    /// Whether a preflight was sent.
    pub preflighted: bool,
    /// What was sent and answered: `(method, URL, status)`, preflights included.
    pub requests: Vec<(String, String, u16)>,
}

impl Seen {
    /// A readable response header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why a browser blocked a request, named as Chromium names it (`corsErrorStatus.corsError`
/// in DevTools); its `Display` is the console's message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CorsError {
    /// The response has no `Access-Control-Allow-Origin`.
    MissingAllowOriginHeader,
    /// Several `Access-Control-Allow-Origin` values.
    MultipleAllowOriginValues,
    /// `Access-Control-Allow-Origin` is another origin.
    AllowOriginMismatch,
    /// `Access-Control-Allow-Origin: *` for a credentialed request.
    WildcardOriginNotAllowed,
    /// A credentialed request without `Access-Control-Allow-Credentials: true`.
    InvalidAllowCredentials,
    /// The preflight's answer has no `Access-Control-Allow-Origin`.
    PreflightMissingAllowOriginHeader,
    /// The preflight's answer has several `Access-Control-Allow-Origin` values.
    PreflightMultipleAllowOriginValues,
    /// The preflight's `Access-Control-Allow-Origin` is another origin.
    PreflightAllowOriginMismatch,
    /// The preflight's `Access-Control-Allow-Origin: *` for a credentialed request.
    PreflightWildcardOriginNotAllowed,
    /// The preflight's answer lacks `Access-Control-Allow-Credentials: true`.
    PreflightInvalidAllowCredentials,
    /// The preflight's answer is not a 2xx.
    PreflightInvalidStatus,
    /// The method is not in the preflight's `Access-Control-Allow-Methods`.
    MethodDisallowedByPreflightResponse,
    /// A header is not in the preflight's `Access-Control-Allow-Headers`.
    HeaderDisallowedByPreflightResponse,
    /// Too many redirects, or a redirect that cannot be followed.
    RedirectFailed,
    /// `CONNECT`, `TRACE`, `TRACK`: `fetch()` refuses before sending.
    ForbiddenMethod,
}

impl fmt::Display for CorsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use CorsError::*;
        let preflight = "Response to preflight request doesn't pass access control check: ";
        let (prefix, text) = match self {
            MissingAllowOriginHeader => ("", "No 'Access-Control-Allow-Origin' header is present on the requested resource."),
            PreflightMissingAllowOriginHeader => (preflight, "No 'Access-Control-Allow-Origin' header is present on the requested resource."),
            MultipleAllowOriginValues => ("", "The 'Access-Control-Allow-Origin' header contains multiple values, but only one is allowed."),
            PreflightMultipleAllowOriginValues => (preflight, "The 'Access-Control-Allow-Origin' header contains multiple values, but only one is allowed."),
            AllowOriginMismatch => ("", "The 'Access-Control-Allow-Origin' header has a value that is not equal to the supplied origin."),
            PreflightAllowOriginMismatch => (preflight, "The 'Access-Control-Allow-Origin' header has a value that is not equal to the supplied origin."),
            WildcardOriginNotAllowed => ("", "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'."),
            PreflightWildcardOriginNotAllowed => (preflight, "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'."),
            InvalidAllowCredentials => ("", "The value of the 'Access-Control-Allow-Credentials' header in the response must be 'true' when the request's credentials mode is 'include'."),
            PreflightInvalidAllowCredentials => (preflight, "The value of the 'Access-Control-Allow-Credentials' header in the response must be 'true' when the request's credentials mode is 'include'."),
            PreflightInvalidStatus => (preflight, "It does not have HTTP ok status."),
            MethodDisallowedByPreflightResponse => ("", "The method is not allowed by Access-Control-Allow-Methods in preflight response."),
            HeaderDisallowedByPreflightResponse => ("", "A request header field is not allowed by Access-Control-Allow-Headers in preflight response."),
            RedirectFailed => ("", "The request was redirected too many times, or to a URL that cannot be fetched."),
            ForbiddenMethod => ("", "The method is forbidden: fetch() refuses to send it."),
        };
        write!(f, "{prefix}{text}")
    }
}

impl Seen {
    /// The page reads `got`: its status, body, and the headers it may read.
    pub(crate) fn read(&mut self, got: Got, cors: bool, credentials: bool) {
        let expose = list(&got.all("access-control-expose-headers"));
        self.readable = true;
        self.status = Some(got.status);
        self.body = String::from_utf8_lossy(&got.body).into_owned();
        self.headers = got
            .headers
            .into_iter()
            .filter(|(n, _)| {
                if cors {
                    is_readable_header(n, &expose, credentials)
                } else {
                    n != "set-cookie" && n != "set-cookie2"
                }
            })
            .collect();
    }
}
