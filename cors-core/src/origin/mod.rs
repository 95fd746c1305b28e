//! Strict parsing of a serialized origin, as a browser writes it in the `Origin` header.
//!
//! A serialized origin is `scheme "://" host [ ":" port ]` (or the opaque `null`). Browsers always
//! send the canonical form: lowercase scheme and host, ASCII (punycode) host, canonical IP
//! addresses, no default port, no trailing slash, path, query, fragment or userinfo. Anything else
//! did not come from a browser and is rejected, so that no matcher ever sees an ambiguous origin.

pub(crate) mod allowed;
pub(crate) mod error;
pub(crate) mod host;
pub(crate) mod regex;
pub mod table;

use std::fmt;

pub use crate::origin::error::OriginError;
use crate::origin::host::{HostKind, Stop};

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
    /// Only printable ASCII (checked by the parser), so every sub-slice is valid UTF-8.
    raw: &'a [u8],
    scheme_len: u16,
    host_len: u16,
    port: Option<u16>,
    kind: Option<HostKind>,
}

impl<'a> Origin<'a> {
    /// Parses `bytes` as a serialized origin.
    pub fn parse(bytes: &'a [u8]) -> Result<Origin<'a>, OriginError> {
        if let Some(origin) = Self::parse_common(bytes) {
            return Ok(origin);
        }
        Self::parse_precise(bytes)
    }

    /// The common case in one pass over the bytes: `scheme://host[:port]` with a domain or
    /// IPv4 host, canonical. `None` for anything else (IPv6, `null`, any error): the precise
    /// parser then decides, and names the error. Accepts nothing the precise parser rejects
    /// (tested, including by a property test over random origin-like strings).
    fn parse_common(bytes: &'a [u8]) -> Option<Origin<'a>> {
        if bytes.len() > MAX_ORIGIN_LEN {
            return None;
        }
        let sep = Self::scheme_end(bytes)?;
        let host_start = sep + 3;
        let scan = host::scan_labels(&bytes[host_start..]);
        if matches!(scan.stop, Some(Stop::EmptyLabel | Stop::LabelTooLong)) {
            return None;
        }
        let host_end = host_start + scan.end;
        let label_start = host_start + scan.last_label;
        let i = host_end;
        if host_end == label_start
            || host_end - label_start > host::MAX_LABEL_LEN
            || host_end - host_start > host::MAX_HOST_LEN
        {
            return None;
        }
        let port = match bytes.get(i) {
            None => None,
            Some(b':') => {
                let digits = &bytes[i + 1..];
                if digits.is_empty() || digits.len() > 5 || digits[0] == b'0' {
                    return None;
                }
                let mut port: u32 = 0;
                for &d in digits {
                    if !d.is_ascii_digit() {
                        return None;
                    }
                    port = port * 10 + u32::from(d - b'0');
                }
                Some(u16::try_from(port).ok()?)
            }
            Some(_) => return None,
        };
        if port.is_some() && default_port_of(&bytes[..sep]) == port {
            return None;
        }
        let kind = if host::is_numeric_label(&bytes[label_start..host_end]) {
            host::canonical_ipv4(std::str::from_utf8(&bytes[host_start..host_end]).ok()?).ok()?;
            HostKind::Ipv4
        } else {
            HostKind::Domain
        };
        Some(Origin {
            raw: bytes,
            // Bounded by MAX_ORIGIN_LEN, so these always fit.
            scheme_len: sep as u16,
            host_len: (host_end - host_start) as u16,
            port,
            kind: Some(kind),
        })
    }

    /// Where the scheme of `bytes` ends, if a lowercase one is followed by `://` (`https` and
    /// `http`, nearly every origin, told by comparing words).
    #[inline]
    fn scheme_end(bytes: &[u8]) -> Option<usize> {
        if bytes.first_chunk::<8>() == Some(b"https://") {
            return Some(5);
        }
        if bytes.first_chunk::<7>() == Some(b"http://") {
            return Some(4);
        }
        if !bytes.first()?.is_ascii_lowercase() {
            return None;
        }
        let scheme_char =
            |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.');
        let mut i = 1;
        while i < bytes.len() && scheme_char(bytes[i]) {
            i += 1;
        }
        (bytes.get(i..i + 3)? == b"://").then_some(i)
    }

    /// Every check in turn, naming the first problem: the reference the fast path agrees with.
    fn parse_precise(bytes: &'a [u8]) -> Result<Origin<'a>, OriginError> {
        if bytes.is_empty() {
            return Err(OriginError::Empty);
        }
        if bytes.len() > MAX_ORIGIN_LEN {
            return Err(OriginError::TooLong);
        }
        // Branch-free over the bytes (a fold the compiler can vectorize): printable ASCII only.
        // The position of the first bad byte is looked for only when there is one.
        let outside = |b: u8| b.wrapping_sub(0x21) > 0x7e - 0x21;
        if bytes.iter().fold(false, |bad, &b| bad | outside(b)) {
            let at = bytes.iter().position(|&b| outside(b)).unwrap_or(0);
            let byte = bytes[at];
            return Err(if byte >= 0x80 {
                OriginError::NonAscii { at }
            } else {
                OriginError::InvalidByte { at, byte }
            });
        }
        let raw = std::str::from_utf8(bytes).map_err(|_| OriginError::NonAscii { at: 0 })?;
        if bytes == b"null" {
            return Ok(Origin {
                raw: bytes,
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
        canonical_scheme(scheme)?;
        let rest = &raw[sep + 3..];
        // Userinfo, path, query and fragment: a branch-free scan, the first one found reported.
        let special = |b: u8| matches!(b, b'@' | b'/' | b'\\' | b'?' | b'#');
        if rest.bytes().fold(false, |found, b| found | special(b)) {
            return Err(match rest.bytes().find(|&b| special(b)) {
                Some(b'@') => OriginError::Userinfo,
                Some(b'?') => OriginError::Query,
                Some(b'#') => OriginError::Fragment,
                _ => OriginError::Path,
            });
        }
        let colon = rest.bytes().position(|b| b == b':');
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
        let kind = host::classify(host)?;
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
            raw: bytes,
            // Bounded by MAX_ORIGIN_LEN, so these always fit.
            scheme_len: sep as u16,
            host_len: host.len() as u16,
            port,
            kind: Some(kind),
        })
    }

    /// The origin exactly as received.
    pub fn as_str(&self) -> &'a str {
        text(self.raw)
    }

    /// The origin exactly as received, as bytes (no conversion).
    pub fn as_bytes(&self) -> &'a [u8] {
        self.raw
    }

    /// Whether this is the opaque origin `null` (sandboxed iframes, `file:` pages, redirects).
    pub fn is_null(&self) -> bool {
        self.kind.is_none()
    }

    /// The scheme, e.g. `https` (empty for `null`).
    pub fn scheme(&self) -> &'a str {
        text(self.scheme_bytes())
    }

    /// The scheme as bytes.
    pub fn scheme_bytes(&self) -> &'a [u8] {
        &self.raw[..self.scheme_len as usize]
    }

    /// The host, e.g. `app.example.com` or `[::1]` (empty for `null`).
    pub fn host(&self) -> &'a str {
        text(self.host_bytes())
    }

    /// The host as bytes.
    pub fn host_bytes(&self) -> &'a [u8] {
        if self.is_null() {
            return b"";
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
        text(self.without_port_bytes())
    }

    /// `scheme://host` as bytes.
    pub fn without_port_bytes(&self) -> &'a [u8] {
        if self.is_null() {
            return self.raw;
        }
        &self.raw[..self.scheme_len as usize + 3 + self.host_len as usize]
    }
}

/// Text of bytes the parser checked to be printable ASCII. Converting is deferred to the
/// accessors that return `&str`, so that the matching path (which compares bytes) never pays
/// for it; the conversion cannot fail on checked bytes.
fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or("")
}

impl fmt::Display for Origin<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn canonical_scheme(scheme: &str) -> Result<(), OriginError> {
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
/// assert_eq!(cors_core::__private::default_port("https"), Some(443));
/// assert_eq!(cors_core::__private::default_port("chrome-extension"), None);
/// ```
pub fn default_port(scheme: &str) -> Option<u16> {
    default_port_of(scheme.as_bytes())
}

fn default_port_of(scheme: &[u8]) -> Option<u16> {
    match scheme {
        b"http" | b"ws" => Some(80),
        b"https" | b"wss" => Some(443),
        b"ftp" => Some(21),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        // Cheap cases, and near-misses of the common schemes are a small share of them.
        #![proptest_config(ProptestConfig::with_cases(8192))]

        /// The one-pass parser never accepts what the precise parser rejects, and agrees on
        /// every part of what both accept.
        #[test]
        fn fast_path_agrees_with_precise_parser(
            input in "(https?|[a-z][a-z0-9+.-]{0,6}|HTTP)(://|:/|//)?(\\[[0-9a-f:]{0,12}\\]|[a-zA-Z0-9._-]{0,20}|[a-z0-9._-]{50,80}|(25[0-6]|1?[0-9]{1,2}|0x1)(\\.[0-9]{1,3}){0,4})(:[0-9]{0,6}|:)?[/?#@ ]?"
        ) {
            if let Some(fast) = Origin::parse_common(input.as_bytes()) {
                prop_assert_eq!(Ok(fast), Origin::parse_precise(input.as_bytes()));
            }
        }
    }

    #[test]
    fn fast_path_takes_the_common_origins() {
        for ok in [
            "https://app.example.com",
            "http://localhost:8080",
            "http://127.0.0.1:3000",
            "https://a-b_c.x9.example",
        ] {
            assert!(Origin::parse_common(ok.as_bytes()).is_some(), "{ok}");
        }
        for other in [
            "null",
            "http://[::1]:8080",
            "https://App.example.com",
            "https://a.example.com:443",
            "https://1.2.3",
        ] {
            assert!(Origin::parse_common(other.as_bytes()).is_none(), "{other}");
        }
        // Near-misses of the schemes told by comparing words.
        for other in [
            "http:/app.example.com",
            "https:/app.example.com",
            "http//app.example.com",
            "https:app.example.com",
            "http:///app.example.com",
            "https://",
            "http://",
        ] {
            assert!(Origin::parse_common(other.as_bytes()).is_none(), "{other}");
            assert!(Origin::parse(other.as_bytes()).is_err(), "{other}");
        }
    }

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
