//! Host syntax, exactly as browsers serialize it in an `Origin` header: a lowercase ASCII domain,
//! a canonical dotted-decimal IPv4 address, or a canonical bracketed IPv6 address.
//!
//! Hand-written: this runs on every request that carries an unknown origin and must neither
//! allocate nor accept anything a browser would not send. (The `url` crate, used at validation
//! time to *suggest* corrections, allocates and normalizes instead of rejecting.)

use crate::origin::error::OriginError;

/// Longest domain name (RFC 1035).
pub const MAX_HOST_LEN: usize = 253;
pub(crate) const MAX_LABEL_LEN: usize = 63;

pub(crate) const LABEL: u8 = 0;
pub(crate) const DOT: u8 = 1;
const UPPER: u8 = 2;
const OTHER: u8 = 3;

/// The class of each byte in a host name: label characters (`a-z 0-9 - _`), the dot, uppercase
/// letters (reported as such), anything else.
pub(crate) static HOST_CLASS: [u8; 256] = {
    let mut table = [OTHER; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = match c {
            b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' => LABEL,
            b'.' => DOT,
            b'A'..=b'Z' => UPPER,
            _ => OTHER,
        };
        b += 1;
    }
    table
};

/// Whether `host` is a loopback name or address (`localhost`, `*.localhost`, `127.x.y.z`,
/// `[::1]`), where plain `http` cannot be forged by a network attacker. The one definition of
/// loopback: origin lists, regexes and dynamic origins are all judged by it.
pub(crate) fn is_loopback_host(host: &str) -> bool {
    host == "localhost"
        || host.ends_with(".localhost")
        || host == "[::1]"
        || (host.starts_with("127.")
            && host.split('.').count() == 4
            && host.split('.').all(|p| p.parse::<u8>().is_ok()))
}

/// Why [`scan_labels`] stopped before the end of its input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    /// A dot at the start or after another dot.
    EmptyLabel,
    /// A label longer than 63 bytes.
    LabelTooLong,
    /// An uppercase letter.
    Uppercase,
    /// Any other byte that cannot be in a host.
    Other,
}

/// Where a scan of dot-separated labels ended.
pub(crate) struct Labels {
    /// The index of the first byte not scanned (the input's length if all were).
    pub(crate) end: usize,
    /// Where the last label starts.
    pub(crate) last_label: usize,
    /// Why the scan stopped early, if it did.
    pub(crate) stop: Option<Stop>,
}

/// Scans `bytes` from the start as dot-separated labels of `a-z 0-9 - _`, in one pass with a
/// class table, until the end or the first byte or label that cannot be in a host. The one
/// label scanner of the crate: both origin parsers use it.
pub(crate) fn scan_labels(bytes: &[u8]) -> Labels {
    let mut label_start = 0;
    for (at, &b) in bytes.iter().enumerate() {
        let stop = match HOST_CLASS[b as usize] {
            LABEL => continue,
            DOT if at == label_start => Stop::EmptyLabel,
            DOT if at - label_start > MAX_LABEL_LEN => Stop::LabelTooLong,
            DOT => {
                label_start = at + 1;
                continue;
            }
            UPPER => Stop::Uppercase,
            _ => Stop::Other,
        };
        return Labels {
            end: at,
            last_label: label_start,
            stop: Some(stop),
        };
    }
    Labels {
        end: bytes.len(),
        last_label: label_start,
        stop: None,
    }
}

/// Whether a host's last label is a number, which makes the host an IPv4 address (WHATWG URL).
pub(crate) fn is_numeric_label(label: &[u8]) -> bool {
    label.iter().all(u8::is_ascii_digit)
        || (label.starts_with(b"0x") && label[2..].iter().all(u8::is_ascii_hexdigit))
}

/// The kind of a valid host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostKind {
    /// A domain name such as `app.example.com` or `localhost`.
    Domain,
    /// A dotted-decimal IPv4 address.
    Ipv4,
    /// A bracketed IPv6 address such as `[::1]`.
    Ipv6,
}

/// The kind of `host`, if it is a host as browsers serialize it.
pub(crate) fn classify(host: &str) -> Result<HostKind, OriginError> {
    if let Some(inner) = host.strip_prefix('[') {
        let inner = inner.strip_suffix(']').ok_or(OriginError::InvalidIpv6)?;
        canonical_ipv6(inner)?;
        return Ok(HostKind::Ipv6);
    }
    domain_or_ipv4(host)
}

fn domain_or_ipv4(host: &str) -> Result<HostKind, OriginError> {
    let bytes = host.as_bytes();
    if bytes.is_empty() {
        return Err(OriginError::EmptyHost);
    }
    if bytes.len() > MAX_HOST_LEN {
        return Err(OriginError::HostTooLong);
    }
    // This runs for every request whose origin is not an exact match.
    let scan = scan_labels(bytes);
    match scan.stop {
        None => {}
        Some(Stop::EmptyLabel) => return Err(OriginError::EmptyLabel),
        Some(Stop::LabelTooLong) => return Err(OriginError::LabelTooLong),
        Some(Stop::Uppercase) => return Err(OriginError::UppercaseHost),
        Some(Stop::Other) => return Err(OriginError::InvalidHost),
    }
    if bytes.len() - scan.last_label > MAX_LABEL_LEN {
        return Err(OriginError::LabelTooLong);
    }
    let last_label = &bytes[scan.last_label..];
    if last_label.is_empty() {
        return Err(OriginError::EmptyLabel);
    }
    // WHATWG URL: a host whose last label is a number is parsed (and re-serialized) as IPv4.
    if is_numeric_label(last_label) {
        canonical_ipv4(host)?;
        return Ok(HostKind::Ipv4);
    }
    Ok(HostKind::Domain)
}

pub(crate) fn canonical_ipv4(host: &str) -> Result<(), OriginError> {
    let mut parts = 0;
    for part in host.split('.') {
        parts += 1;
        let canonical = !part.is_empty()
            && part.len() <= 3
            && part.bytes().all(|b| b.is_ascii_digit())
            && !(part.len() > 1 && part.starts_with('0'))
            && part.parse::<u16>().is_ok_and(|v| v <= 255);
        if !canonical {
            return Err(OriginError::InvalidIpv4);
        }
    }
    if parts == 4 {
        Ok(())
    } else {
        Err(OriginError::InvalidIpv4)
    }
}

/// Parses the text between the brackets of an IPv6 host and checks that it is the canonical
/// serialization (WHATWG URL "IPv6 serializer": lowercase, no leading zeros, the first longest
/// run of two or more zero pieces compressed, no embedded IPv4 form).
fn canonical_ipv6(text: &str) -> Result<(), OriginError> {
    let pieces = parse_ipv6(text).ok_or(OriginError::InvalidIpv6)?;
    let mut buf = [0u8; 40];
    let len = serialize_ipv6(&pieces, &mut buf);
    if &buf[..len] == text.as_bytes() {
        Ok(())
    } else {
        Err(OriginError::InvalidIpv6)
    }
}

fn parse_ipv6(text: &str) -> Option<[u16; 8]> {
    if text.len() > 39 {
        return None;
    }
    let (head, tail) = match text.find("::") {
        Some(at) => (&text[..at], Some(&text[at + 2..])),
        None => (text, None),
    };
    let mut pieces = [0u16; 8];
    let mut count = 0;
    let read = |part: &str, into: &mut Vec16| -> Option<()> {
        if part.is_empty() {
            return Some(());
        }
        for group in part.split(':') {
            if group.is_empty() || group.len() > 4 {
                return None;
            }
            into.push(u16::from_str_radix(group, 16).ok()?)?;
        }
        Some(())
    };
    let mut head_pieces = Vec16::default();
    read(head, &mut head_pieces)?;
    let mut tail_pieces = Vec16::default();
    if let Some(tail) = tail {
        if tail.contains("::") {
            return None;
        }
        read(tail, &mut tail_pieces)?;
        if head_pieces.len + tail_pieces.len > 7 {
            return None;
        }
    } else if head_pieces.len != 8 {
        return None;
    }
    for &p in &head_pieces.items[..head_pieces.len] {
        pieces[count] = p;
        count += 1;
    }
    let start = 8 - tail_pieces.len;
    pieces[start..].copy_from_slice(&tail_pieces.items[..tail_pieces.len]);
    Some(pieces)
}

/// A fixed-capacity list of up to eight IPv6 pieces (no allocation).
#[derive(Default)]
struct Vec16 {
    items: [u16; 8],
    len: usize,
}

impl Vec16 {
    fn push(&mut self, v: u16) -> Option<()> {
        *self.items.get_mut(self.len)? = v;
        self.len += 1;
        Some(())
    }
}

fn serialize_ipv6(pieces: &[u16; 8], out: &mut [u8; 40]) -> usize {
    // First longest run of at least two zero pieces.
    let (mut best_start, mut best_len) = (8, 0);
    let mut i = 0;
    while i < 8 {
        if pieces[i] == 0 {
            let start = i;
            while i < 8 && pieces[i] == 0 {
                i += 1;
            }
            if i - start > best_len && i - start >= 2 {
                best_start = start;
                best_len = i - start;
            }
        } else {
            i += 1;
        }
    }
    let mut len = 0;
    let mut push = |b: u8, len: &mut usize| {
        if let Some(slot) = out.get_mut(*len) {
            *slot = b;
            *len += 1;
        }
    };
    let mut i = 0;
    while i < 8 {
        if i == best_start {
            if i == 0 {
                push(b':', &mut len);
            }
            push(b':', &mut len);
            i += best_len;
            continue;
        }
        let piece = pieces[i];
        let mut started = false;
        for shift in [12u32, 8, 4, 0] {
            let nibble = ((piece >> shift) & 0xf) as u8;
            if nibble != 0 || started || shift == 0 {
                started = true;
                push(b"0123456789abcdef"[nibble as usize], &mut len);
            }
        }
        if i < 7 {
            push(b':', &mut len);
        }
        i += 1;
    }
    len
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains() {
        assert_eq!(classify("app.example.com"), Ok(HostKind::Domain));
        assert_eq!(classify("localhost"), Ok(HostKind::Domain));
        assert_eq!(classify("xn--bcher-kva.example"), Ok(HostKind::Domain));
        assert_eq!(classify("my_host.example"), Ok(HostKind::Domain));
        assert_eq!(classify("App.example.com"), Err(OriginError::UppercaseHost));
        assert_eq!(classify("example.com."), Err(OriginError::EmptyLabel));
        assert_eq!(classify(".example.com"), Err(OriginError::EmptyLabel));
        assert_eq!(classify("a..b"), Err(OriginError::EmptyLabel));
        assert_eq!(classify("a`b.example"), Err(OriginError::InvalidHost));
        assert_eq!(classify(&"a".repeat(64)), Err(OriginError::LabelTooLong));
        assert_eq!(classify(""), Err(OriginError::EmptyHost));
    }

    #[test]
    fn ipv4_must_be_canonical() {
        assert_eq!(classify("127.0.0.1"), Ok(HostKind::Ipv4));
        assert_eq!(classify("255.255.255.255"), Ok(HostKind::Ipv4));
        for bad in [
            "127.1",
            "127.0.0.01",
            "256.0.0.1",
            "1.2.3.4.5",
            "0x7f.0.0.1",
            "a.0x10",
        ] {
            assert_eq!(classify(bad), Err(OriginError::InvalidIpv4), "{bad}");
        }
    }

    #[test]
    fn ipv6_must_be_canonical() {
        for good in [
            "[::1]",
            "[::]",
            "[2001:db8::1]",
            "[fe80::1:2]",
            "[1:0:1:1:1:1:1:1]",
            "[1::]",
        ] {
            assert_eq!(classify(good), Ok(HostKind::Ipv6), "{good}");
        }
        for bad in [
            "[0:0:0:0:0:0:0:1]",
            "[::01]",
            "[2001:DB8::1]",
            "[1:0:0:1:0:0:0:0]",
            "[::ffff:127.0.0.1]",
            "[1::1::1]",
            "[12345::]",
            "[::1",
            "[1:2:3:4:5:6:7]",
            "[1:2:3:4:5:6:7:8:9]",
            "[1::0:0]",
        ] {
            assert_eq!(classify(bad), Err(OriginError::InvalidIpv6), "{bad}");
        }
    }

    #[test]
    fn ipv6_serializer_compresses_first_longest_run() {
        let mut buf = [0u8; 40];
        let n = serialize_ipv6(&[1, 0, 0, 2, 0, 0, 0, 3], &mut buf);
        assert_eq!(&buf[..n], b"1:0:0:2::3");
        let n = serialize_ipv6(&[1, 0, 0, 2, 0, 0, 3, 4], &mut buf);
        assert_eq!(&buf[..n], b"1::2:0:0:3:4");
        let n = serialize_ipv6(&[0; 8], &mut buf);
        assert_eq!(&buf[..n], b"::");
    }
}
