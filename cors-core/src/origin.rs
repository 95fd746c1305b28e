//! Strict parsing of a serialized origin, as a browser writes it in the `Origin` header.
//!
//! A serialized origin is `scheme "://" host [ ":" port ]` (or the opaque `null`). Browsers always
//! send the canonical form: lowercase scheme and host, ASCII (punycode) host, canonical IP
//! addresses, no default port, no trailing slash, path, query, fragment or userinfo. Anything else
//! did not come from a browser and is rejected, so that no matcher ever sees an ambiguous origin.

use std::fmt;

use crate::host::{self, HostKind};

/// Longest `Origin` value this library looks at. Real origins are far shorter (a domain name is
/// at most 253 bytes); anything longer is rejected before any other work.
pub const MAX_ORIGIN_LEN: usize = 512;

/// A parsed, valid serialized origin.
///
/// ```
/// use cors_core::Origin;
///
/// let o = Origin::parse(b"https://app.example.com:8443").unwrap();
/// assert_eq!(o.scheme(), "https");
/// assert_eq!(o.host(), "app.example.com");
/// assert_eq!(o.port(), Some(8443));
/// assert!(Origin::parse(b"null").unwrap().is_null());
/// assert!(Origin::parse(b"https://app.example.com/").is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin<'a> {
    raw: &'a str,
    scheme_len: u16,
    host_len: u16,
    port: Option<u16>,
    kind: Option<HostKind>,
}

impl<'a> Origin<'a> {
    /// Parses `bytes` as a serialized origin.
    pub fn parse(bytes: &'a [u8]) -> Result<Origin<'a>, OriginError> {
        if bytes.is_empty() {
            return Err(OriginError::Empty);
        }
        if bytes.len() > MAX_ORIGIN_LEN {
            return Err(OriginError::TooLong);
        }
        for (at, &byte) in bytes.iter().enumerate() {
            if byte >= 0x80 {
                return Err(OriginError::NonAscii { at });
            }
            if byte <= b' ' || byte == 0x7f {
                return Err(OriginError::InvalidByte { at, byte });
            }
        }
        let raw = std::str::from_utf8(bytes).map_err(|_| OriginError::NonAscii { at: 0 })?;
        if bytes == b"null" {
            return Ok(Origin {
                raw,
                scheme_len: 0,
                host_len: 0,
                port: None,
                kind: None,
            });
        }
        // Hand-rolled scans rather than `str::find`: this runs for every request whose origin
        // is not an exact match, and a substring searcher costs more than the whole parse.
        let sep = bytes
            .iter()
            .position(|&b| b == b':')
            .filter(|&at| bytes[at + 1..].starts_with(b"//"))
            .ok_or(OriginError::MissingScheme)?;
        let scheme = &raw[..sep];
        check_scheme(scheme)?;
        let rest = &raw[sep + 3..];
        let mut colon = None;
        for (at, b) in rest.bytes().enumerate() {
            match b {
                b'@' => return Err(OriginError::Userinfo),
                b'/' | b'\\' => return Err(OriginError::Path),
                b'?' => return Err(OriginError::Query),
                b'#' => return Err(OriginError::Fragment),
                b':' if colon.is_none() => colon = Some(at),
                _ => {}
            }
        }
        let (host, after) = if rest.starts_with('[') {
            let end = rest
                .bytes()
                .position(|b| b == b']')
                .ok_or(OriginError::InvalidIpv6)?;
            rest.split_at(end + 1)
        } else {
            match colon {
                Some(at) => rest.split_at(at),
                None => (rest, ""),
            }
        };
        let kind = host::check(host)?;
        let port = if after.is_empty() {
            None
        } else {
            let digits = after.strip_prefix(':').ok_or(OriginError::InvalidHost)?;
            let port = parse_port(digits)?;
            if default_port(scheme) == Some(port) {
                return Err(OriginError::DefaultPort);
            }
            Some(port)
        };
        Ok(Origin {
            raw,
            // Bounded by MAX_ORIGIN_LEN, so these always fit.
            scheme_len: sep as u16,
            host_len: host.len() as u16,
            port,
            kind: Some(kind),
        })
    }

    /// The origin exactly as received.
    pub fn as_str(&self) -> &'a str {
        self.raw
    }

    /// Whether this is the opaque origin `null` (sandboxed iframes, `file:` pages, redirects).
    pub fn is_null(&self) -> bool {
        self.kind.is_none()
    }

    /// The scheme, e.g. `https` (empty for `null`).
    pub fn scheme(&self) -> &'a str {
        &self.raw[..self.scheme_len as usize]
    }

    /// The host, e.g. `app.example.com` or `[::1]` (empty for `null`).
    pub fn host(&self) -> &'a str {
        if self.is_null() {
            return "";
        }
        let start = self.scheme_len as usize + 3;
        &self.raw[start..start + self.host_len as usize]
    }

    /// The kind of host (`None` for `null`).
    pub fn host_kind(&self) -> Option<HostKind> {
        self.kind
    }

    /// The explicit port, if any (default ports are never explicit).
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// `scheme://host`, without the port.
    pub fn without_port(&self) -> &'a str {
        if self.is_null() {
            return self.raw;
        }
        &self.raw[..self.scheme_len as usize + 3 + self.host_len as usize]
    }
}

impl fmt::Display for Origin<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.raw)
    }
}

fn check_scheme(scheme: &str) -> Result<(), OriginError> {
    let bytes = scheme.as_bytes();
    let Some(first) = bytes.first() else {
        return Err(OriginError::InvalidScheme);
    };
    if bytes.iter().any(u8::is_ascii_uppercase) {
        return Err(OriginError::UppercaseScheme);
    }
    let valid = first.is_ascii_lowercase()
        && bytes.iter().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.')
        });
    if valid {
        Ok(())
    } else {
        Err(OriginError::InvalidScheme)
    }
}

fn parse_port(digits: &str) -> Result<u16, OriginError> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(OriginError::InvalidPort);
    }
    if digits.len() > 1 && digits.starts_with('0') {
        return Err(OriginError::PortLeadingZero);
    }
    match digits.parse::<u32>() {
        Ok(port @ 1..=65535) if digits.len() <= 5 => Ok(port as u16),
        _ => Err(OriginError::PortOutOfRange),
    }
}

/// The default port of a scheme, which browsers never write in an origin.
///
/// ```
/// assert_eq!(cors_core::origin::default_port("https"), Some(443));
/// assert_eq!(cors_core::origin::default_port("chrome-extension"), None);
/// ```
pub fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        "ftp" => Some(21),
        _ => None,
    }
}

/// Why a byte string is not a serialized origin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OriginError {
    /// The value is empty.
    Empty,
    /// Longer than [`MAX_ORIGIN_LEN`].
    TooLong,
    /// A byte that is not ASCII.
    NonAscii {
        /// Offset of the byte.
        at: usize,
    },
    /// A space, control character or DEL.
    InvalidByte {
        /// Offset of the byte.
        at: usize,
        /// The byte.
        byte: u8,
    },
    /// No `scheme://`.
    MissingScheme,
    /// The scheme is not `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`.
    InvalidScheme,
    /// The scheme has uppercase letters.
    UppercaseScheme,
    /// `user@` before the host.
    Userinfo,
    /// A path, even a lone trailing `/`.
    Path,
    /// A `?query`.
    Query,
    /// A `#fragment`.
    Fragment,
    /// No host.
    EmptyHost,
    /// The host has uppercase letters.
    UppercaseHost,
    /// The host has a character that is not a lowercase letter, digit, `-`, `_` or `.`.
    InvalidHost,
    /// An empty label (`a..b`, a leading dot or a trailing dot).
    EmptyLabel,
    /// A label longer than 63 bytes.
    LabelTooLong,
    /// A host longer than 253 bytes.
    HostTooLong,
    /// A numeric host that is not a canonical dotted-decimal IPv4 address.
    InvalidIpv4,
    /// A bracketed host that is not a canonical IPv6 address.
    InvalidIpv6,
    /// The port is empty or not decimal digits.
    InvalidPort,
    /// The port has leading zeros.
    PortLeadingZero,
    /// The port is 0 or above 65535.
    PortOutOfRange,
    /// The port is the scheme's default (`:443` on https, `:80` on http).
    DefaultPort,
}

impl OriginError {
    /// A short, static description (safe to put in a response: it never echoes input).
    pub fn as_str(&self) -> &'static str {
        match self {
            OriginError::Empty => "the origin is empty",
            OriginError::TooLong => "the origin is too long",
            OriginError::NonAscii { .. } => {
                "the origin has non-ASCII bytes (hosts must be in punycode)"
            }
            OriginError::InvalidByte { .. } => "the origin has a space or control character",
            OriginError::MissingScheme => "the origin has no `scheme://`",
            OriginError::InvalidScheme => "the origin's scheme is invalid",
            OriginError::UppercaseScheme => "the origin's scheme is not lowercase",
            OriginError::Userinfo => "an origin has no userinfo (`user@`)",
            OriginError::Path => "an origin has no path, not even a trailing slash",
            OriginError::Query => "an origin has no query",
            OriginError::Fragment => "an origin has no fragment",
            OriginError::EmptyHost => "the origin has no host",
            OriginError::UppercaseHost => "the origin's host is not lowercase",
            OriginError::InvalidHost => "the origin's host has an invalid character",
            OriginError::EmptyLabel => "the origin's host has an empty label (or a trailing dot)",
            OriginError::LabelTooLong => "a label of the origin's host is longer than 63 bytes",
            OriginError::HostTooLong => "the origin's host is longer than 253 bytes",
            OriginError::InvalidIpv4 => {
                "the origin's IPv4 address is not in canonical dotted-decimal form"
            }
            OriginError::InvalidIpv6 => "the origin's IPv6 address is not in canonical form",
            OriginError::InvalidPort => "the origin's port is not a number",
            OriginError::PortLeadingZero => "the origin's port has leading zeros",
            OriginError::PortOutOfRange => "the origin's port is not in 1-65535",
            OriginError::DefaultPort => {
                "the origin has an explicit default port (browsers omit :443 and :80)"
            }
        }
    }
}

impl fmt::Display for OriginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::error::Error for OriginError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(s: &str) -> OriginError {
        Origin::parse(s.as_bytes()).unwrap_err()
    }

    #[test]
    fn accepts_browser_serializations() {
        for ok in [
            "https://app.example.com",
            "http://localhost:8080",
            "http://127.0.0.1:3000",
            "http://[::1]:8080",
            "https://xn--bcher-kva.example",
            "chrome-extension://abcdefghijklmnop",
            "tauri://localhost",
            "null",
        ] {
            let o = Origin::parse(ok.as_bytes()).unwrap_or_else(|e| panic!("{ok}: {e}"));
            assert_eq!(o.as_str(), ok);
        }
        let o = Origin::parse(b"http://[::1]:8080").unwrap();
        assert_eq!(
            (o.host(), o.port(), o.without_port()),
            ("[::1]", Some(8080), "http://[::1]")
        );
    }

    #[test]
    fn rejects_everything_else() {
        assert_eq!(err(""), OriginError::Empty);
        assert_eq!(
            err(&format!("https://{}.com", "a".repeat(600))),
            OriginError::TooLong
        );
        assert_eq!(err("https://app.example.com/"), OriginError::Path);
        assert_eq!(err("https://app.example.com/x"), OriginError::Path);
        assert_eq!(err("https://app.example.com?x"), OriginError::Query);
        assert_eq!(err("https://app.example.com#x"), OriginError::Fragment);
        assert_eq!(
            err("https://app.example.com@evil.com"),
            OriginError::Userinfo
        );
        assert_eq!(err("https://App.example.com"), OriginError::UppercaseHost);
        assert_eq!(err("HTTPS://app.example.com"), OriginError::UppercaseScheme);
        assert_eq!(err("https://app.example.com:443"), OriginError::DefaultPort);
        assert_eq!(err("http://app.example.com:80"), OriginError::DefaultPort);
        assert_eq!(
            err("https://app.example.com:0443"),
            OriginError::PortLeadingZero
        );
        assert_eq!(
            err("https://app.example.com:65536"),
            OriginError::PortOutOfRange
        );
        assert_eq!(
            err("https://app.example.com:0"),
            OriginError::PortOutOfRange
        );
        assert_eq!(err("https://app.example.com:"), OriginError::InvalidPort);
        assert_eq!(err("https://app.example.com."), OriginError::EmptyLabel);
        assert_eq!(err("app.example.com"), OriginError::MissingScheme);
        assert_eq!(err("://app.example.com"), OriginError::InvalidScheme);
        assert_eq!(err("https://"), OriginError::EmptyHost);
        assert_eq!(
            err("https://app .example.com"),
            OriginError::InvalidByte { at: 11, byte: b' ' }
        );
        assert_eq!(
            err("https://bücher.example"),
            OriginError::NonAscii { at: 9 }
        );
        assert_eq!(
            err("https://a.example.com`.evil.com"),
            OriginError::InvalidHost
        );
        assert_eq!(err("https://[::1]x"), OriginError::InvalidHost);
        assert_eq!(err("null "), OriginError::InvalidByte { at: 4, byte: b' ' });
        assert_eq!(err("Null"), OriginError::MissingScheme);
    }
}
