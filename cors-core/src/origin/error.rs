//! Why a byte string is not a serialized origin: the error of origin and host parsing alike (a
//! module of its own, so that `origin` and `host` both use it without using each other back).

use std::fmt;

/// Why a byte string is not a serialized origin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OriginError {
    /// The value is empty.
    Empty,
    /// Longer than [`MAX_ORIGIN_LEN`](crate::limits::MAX_ORIGIN_LEN).
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
