//! What a decision reads from a request: a few header values, framework-free.

pub(crate) mod same_origin;

/// The value(s) of one request header.
///
/// ```
/// use cors_core::HeaderInput;
///
/// assert_eq!(HeaderInput::from_values(Vec::<&[u8]>::new()), HeaderInput::Missing);
/// assert_eq!(HeaderInput::from_values([&b"a"[..]]), HeaderInput::One(b"a"));
/// assert_eq!(HeaderInput::from_values([&b"a"[..], b"b"]), HeaderInput::Many);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeaderInput<'a> {
    /// The header is absent.
    Missing,
    /// Exactly one header line, with this value.
    One(&'a [u8]),
    /// Several header lines: always refused for CORS request headers, which browsers send once.
    Many,
}

impl<'a> HeaderInput<'a> {
    /// Classifies the values of a header, looking at no more than two.
    pub fn from_values<I>(values: I) -> HeaderInput<'a>
    where
        I: IntoIterator<Item = &'a [u8]>,
    {
        let mut values = values.into_iter();
        match (values.next(), values.next()) {
            (None, _) => HeaderInput::Missing,
            (Some(v), None) => HeaderInput::One(v),
            (Some(_), Some(_)) => HeaderInput::Many,
        }
    }

    /// Whether the header is present.
    pub fn is_present(&self) -> bool {
        !matches!(self, HeaderInput::Missing)
    }
}

/// The CORS-relevant headers of a preflight (`OPTIONS` with `Origin` and
/// `Access-Control-Request-Method`).
///
/// ```
/// use cors_core::{HeaderInput, PreflightRequest};
///
/// let preflight = PreflightRequest::new(
///     HeaderInput::One(b"https://app.example.com"),
///     HeaderInput::One(b"PUT"),
/// )
/// .headers(HeaderInput::One(b"content-type"));
/// assert_eq!(preflight.private_network, HeaderInput::Missing);
/// ```
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct PreflightRequest<'a> {
    /// `Origin`.
    pub origin: HeaderInput<'a>,
    /// `Access-Control-Request-Method`.
    pub method: HeaderInput<'a>,
    /// `Access-Control-Request-Headers`.
    pub headers: HeaderInput<'a>,
    /// `Access-Control-Request-Private-Network`.
    pub private_network: HeaderInput<'a>,
}

impl<'a> PreflightRequest<'a> {
    /// A preflight with `Origin` and `Access-Control-Request-Method`, no other CORS header.
    pub fn new(origin: HeaderInput<'a>, method: HeaderInput<'a>) -> PreflightRequest<'a> {
        PreflightRequest {
            origin,
            method,
            headers: HeaderInput::Missing,
            private_network: HeaderInput::Missing,
        }
    }

    /// With `Access-Control-Request-Headers`.
    pub fn headers(mut self, headers: HeaderInput<'a>) -> PreflightRequest<'a> {
        self.headers = headers;
        self
    }

    /// With `Access-Control-Request-Private-Network`.
    pub fn private_network(mut self, private_network: HeaderInput<'a>) -> PreflightRequest<'a> {
        self.private_network = private_network;
        self
    }
}

/// Longest `Access-Control-Request-Headers` value examined. Browsers send only the names of
/// non-safelisted headers, lowercase and comma-separated: a few hundred bytes at most. A longer
/// value is refused in constant time, before it is read.
pub const MAX_REQUEST_HEADERS_LEN: usize = 2048;
