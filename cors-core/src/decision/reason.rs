//! Why a request was refused.

use std::fmt;

use crate::origin::error::OriginError;
use crate::origin::Origin;

/// Why a preflight or an actual request was refused.
///
/// [`Reason::summary`] is static text, safe to send to any client; the `Display` form adds the
/// offending value (bounded and escaped) for logs and opt-in debug responses.
///
/// ```
/// use cors_core::{Origin, Reason};
///
/// let r = Reason::OriginNotAllowed(Origin::parse(b"https://evil.example").unwrap());
/// assert_eq!(r.summary(), "origin not allowed");
/// assert_eq!(r.refusal_body(), "CORS request refused: origin not allowed\n");
/// assert_eq!(r.to_string(), "origin `https://evil.example` is not allowed by this route's CORS policy");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason<'r> {
    /// Several `Origin` headers.
    MultipleOrigins,
    /// The `Origin` header is not a serialized origin.
    MalformedOrigin(OriginError),
    /// A well-formed origin the policy does not allow ([`Origin::as_str`] for its text, which
    /// is only made when asked for: a refusal that is not logged never converts it).
    OriginNotAllowed(Origin<'r>),
    /// An origin that is none of the policy's exact origins, from a policy that has nothing
    /// else to match it against (no patterns, no dynamic origins): refused without parsing it,
    /// since every value is refused alike, well-formed or not (browsers never send a malformed
    /// one). Always ASCII and at most [`MAX_ORIGIN_LEN`](crate::limits::MAX_ORIGIN_LEN) bytes:
    /// other values are parsed, and refused as [`MalformedOrigin`](Reason::MalformedOrigin)
    /// when they are not origins. Its `Display` parses it, to tell a malformed one in a log
    /// line or a debug answer.
    ///
    /// ```
    /// use cors_core::{Decision, HeaderInput, Policy, Reason};
    ///
    /// let policy = Policy::builder().allow_origin("https://app.example.com").build()?;
    /// for origin in [&b"https://evil.example"[..], b"evil.example"] {
    ///     match policy.actual(HeaderInput::One(origin)) {
    ///         Decision::Refused(reason @ Reason::OriginNotListed(_)) => {
    ///             assert_eq!(reason.status(), 403);
    ///             assert_eq!(reason.summary(), "origin not allowed");
    ///         }
    ///         other => panic!("{other:?}"),
    ///     }
    /// }
    /// # Ok::<(), cors_core::PolicyError>(())
    /// ```
    OriginNotListed(&'r [u8]),
    /// Several `Access-Control-Request-Method` headers.
    MultipleMethods,
    /// `Access-Control-Request-Method` is not a method token.
    MalformedMethod,
    /// The requested method is not allowed (or is forbidden: CONNECT, TRACE, TRACK).
    MethodNotAllowed(&'r str),
    /// Several `Access-Control-Request-Headers` headers.
    MultipleRequestHeaders,
    /// `Access-Control-Request-Headers` is longer than the bound.
    RequestHeadersTooLong,
    /// `Access-Control-Request-Headers` is not a comma-separated list of tokens.
    MalformedRequestHeaders,
    /// A requested header is not allowed.
    HeaderNotAllowed(&'r str),
    /// `Authorization` was requested under `headers = "*"`, which never covers it.
    AuthorizationNotCovered,
}

/// `summary` and `refusal_body` from one table, so that they never disagree.
macro_rules! summaries {
    ($($pattern:pat => $text:literal,)*) => {
        /// A short, static description that never echoes request data.
        pub fn summary(&self) -> &'static str {
            match self {
                $($pattern => $text,)*
            }
        }

        /// The plain-text body of a refusal response: `CORS request refused: <summary>\n`,
        /// static so that refusing a request allocates nothing for it.
        pub fn refusal_body(&self) -> &'static str {
            match self {
                $($pattern => concat!("CORS request refused: ", $text, "\n"),)*
            }
        }
    };
}

impl Reason<'_> {
    summaries! {
        Reason::MultipleOrigins => "several Origin headers",
        Reason::MalformedOrigin(_) => "malformed Origin header",
        Reason::OriginNotAllowed(_) => "origin not allowed",
        Reason::OriginNotListed(_) => "origin not allowed",
        Reason::MultipleMethods => "several Access-Control-Request-Method headers",
        Reason::MalformedMethod => "malformed Access-Control-Request-Method header",
        Reason::MethodNotAllowed(_) => "method not allowed",
        Reason::MultipleRequestHeaders => "several Access-Control-Request-Headers headers",
        Reason::RequestHeadersTooLong => "Access-Control-Request-Headers too long",
        Reason::MalformedRequestHeaders => "malformed Access-Control-Request-Headers header",
        Reason::HeaderNotAllowed(_) => "request header not allowed",
        Reason::AuthorizationNotCovered => "request header not allowed",
    }

    /// The status of a refusal for this reason: `400 Bad Request` where the request cannot be
    /// read as a CORS request at all (several `Origin` headers, an `Origin` that is not ASCII
    /// or is longer than [`MAX_ORIGIN_LEN`](crate::limits::MAX_ORIGIN_LEN), a preflight's
    /// repeated, malformed or oversized `Access-Control-Request-*` headers); `403 Forbidden`
    /// for every other refusal, an origin the policy does not allow whether or not it is a
    /// well-formed origin among them: a browser never sends a malformed one, and telling them
    /// apart would cost a parse the decision does not need.
    ///
    /// ```
    /// use cors_core::{Decision, HeaderInput, Policy};
    ///
    /// let policy = Policy::builder().allow_origin("https://*.example.com").build()?;
    /// let status = |origin: &[u8]| match policy.actual(HeaderInput::One(origin)) {
    ///     Decision::Refused(reason) => reason.status(),
    ///     other => panic!("{other:?}"),
    /// };
    /// assert_eq!(status(b"https://evil.example"), 403);
    /// assert_eq!(status(b"https://example.com/"), 403); // malformed (a path), still 403
    /// assert_eq!(status("https://\u{e9}.example.com".as_bytes()), 400); // not ASCII
    /// assert_eq!(policy.actual(HeaderInput::Many), Decision::Refused(cors_core::Reason::MultipleOrigins));
    /// # Ok::<(), cors_core::PolicyError>(())
    /// ```
    pub fn status(&self) -> u16 {
        match self {
            Reason::MalformedOrigin(e) => {
                if matches!(e, OriginError::NonAscii { .. } | OriginError::TooLong) {
                    400
                } else {
                    403
                }
            }
            reason if reason.is_malformed() => 400,
            _ => 403,
        }
    }

    /// Whether the request was malformed (as opposed to well-formed but not allowed). A
    /// malformed `Origin` is answered `403` all the same, unless it is not ASCII text or is too
    /// long (see [`status`](Reason::status)).
    pub fn is_malformed(&self) -> bool {
        matches!(
            self,
            Reason::MultipleOrigins
                | Reason::MalformedOrigin(_)
                | Reason::MultipleMethods
                | Reason::MalformedMethod
                | Reason::MultipleRequestHeaders
                | Reason::RequestHeadersTooLong
                | Reason::MalformedRequestHeaders
        )
    }
}

/// Writes request-controlled text bounded to 100 characters, with anything but printable ASCII
/// escaped, so that a log line or debug header can never be forged or flooded.
pub(crate) struct Bounded<'a>(pub &'a str);

impl fmt::Display for Bounded<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const MAX: usize = 100;
        for (i, c) in self.0.chars().enumerate() {
            if i == MAX {
                return f.write_str("...");
            }
            if c.is_ascii_graphic() || c == ' ' {
                fmt::Write::write_char(f, c)?;
            } else {
                write!(f, "{}", c.escape_default())?;
            }
        }
        Ok(())
    }
}

/// The refusal a parse of the unlisted origin `raw` makes ([`Reason::OriginNotListed`] is the
/// same refusal, not parsed): [`Reason::OriginNotAllowed`] for a well-formed origin,
/// [`Reason::MalformedOrigin`] otherwise. What its text and an adapter's fix for it tell.
pub fn as_parsed(raw: &[u8]) -> Reason<'_> {
    match Origin::parse(raw) {
        Ok(origin) => Reason::OriginNotAllowed(origin),
        Err(e) => Reason::MalformedOrigin(e),
    }
}

impl fmt::Display for Reason<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::MalformedOrigin(e) => write!(f, "malformed Origin header: {e}"),
            Reason::OriginNotAllowed(o) => write!(
                f,
                "origin `{}` is not allowed by this route's CORS policy",
                Bounded(o.as_str())
            ),
            // Told as the parse would have refused it.
            Reason::OriginNotListed(raw) => as_parsed(raw).fmt(f),
            Reason::MethodNotAllowed(m) => write!(
                f,
                "method `{}` is not allowed by this route's CORS policy",
                Bounded(m)
            ),
            Reason::HeaderNotAllowed(h) => write!(
                f,
                "request header `{}` is not allowed by this route's CORS policy (list it in `headers`)",
                Bounded(h)
            ),
            Reason::AuthorizationNotCovered => f.write_str(
                "request header `authorization` is not allowed: `headers = \"*\"` never covers Authorization, list it explicitly",
            ),
            Reason::RequestHeadersTooLong => write!(
                f,
                "Access-Control-Request-Headers is longer than {} bytes",
                crate::request::MAX_REQUEST_HEADERS_LEN
            ),
            other => f.write_str(other.summary()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_bounded_and_escaped() {
        let long = "x".repeat(1000);
        let shown = Reason::HeaderNotAllowed(&long).to_string();
        assert!(shown.len() < 250, "{}", shown.len());
        let shown = Reason::MethodNotAllowed("a\r\nb").to_string();
        assert!(shown.contains("a\\r\\nb"), "{shown}");
    }
}
