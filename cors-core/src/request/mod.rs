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
#[derive(Clone, Copy, Debug)]
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

/// Longest `Access-Control-Request-Headers` value examined. Browsers send only the names of
/// non-safelisted headers, lowercase and comma-separated: a few hundred bytes at most. A longer
/// value is refused in constant time, before it is read.
pub const MAX_REQUEST_HEADERS_LEN: usize = 2048;
