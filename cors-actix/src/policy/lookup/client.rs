//! Who a request comes from, for the lookup budget's fairness: the peer's address, or, when
//! the peer is a proxy trusted to say so, the client it forwards for.
//!
//! The address ranges are parsed here rather than with an IP-network crate: it is twenty lines,
//! and `cors-actix`'s dependency tree stays what it was.

use std::fmt;
use std::hash::BuildHasher;
use std::net::IpAddr;

use actix_web::dev::RequestHead;
use actix_web::http::header::{HeaderName, FORWARDED};

/// At most this many hops of a forwarding header are walked, from the nearest: a client
/// further away is named by the furthest hop looked at.
const MAX_HOPS: usize = 16;

/// Which header the trusted proxies write the client's address in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ForwardedHeader {
    /// `X-Forwarded-For: client, proxy1, proxy2` (nginx, HAProxy, AWS and Google load
    /// balancers, Traefik, Envoy): the default.
    #[default]
    XForwardedFor,
    /// `Forwarded: for=client, for=proxy1` (RFC 7239).
    Forwarded,
}

/// The peers whose forwarding header is believed: your reverse proxies and load balancers, by
/// address or network. Give it to [`OriginLookupBuilder::trusted_proxies`](crate::OriginLookupBuilder::trusted_proxies).
///
/// A request from a trusted peer is taken to come from the address its header names: the
/// header's hops are read from the nearest (rightmost) to the furthest, skipping those that are
/// trusted proxies too, and the first that is not is the client. A request from any other peer
/// is taken to come from that peer, whatever its headers say: a client cannot pick who it
/// passes for by sending the header itself.
///
/// ```
/// use cors_actix::{ForwardedHeader, TrustedProxies};
///
/// let proxies = TrustedProxies::new(["10.0.0.0/8", "fd00::/8", "192.0.2.7"])?;
/// assert!(proxies.contains("10.1.2.3".parse().unwrap()));
/// assert!(!proxies.contains("192.0.2.8".parse().unwrap()));
/// // Proxies that write RFC 7239's `Forwarded` rather than `X-Forwarded-For`:
/// let proxies = proxies.header(ForwardedHeader::Forwarded);
/// # let _ = proxies;
///
/// let err = TrustedProxies::new(["10.0.0.0/33", "proxy.internal", "10.0.0.1"]).unwrap_err();
/// assert_eq!(err.entries().len(), 2);
/// # Ok::<(), cors_actix::TrustedProxiesError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies {
    nets: Vec<Net>,
    header: ForwardedHeader,
}

/// An address and how many of its leading bits a network shares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Net {
    addr: IpAddr,
    bits: u8,
}

impl Net {
    fn parse(text: &str) -> Result<Net, String> {
        let (addr, bits) = match text.split_once('/') {
            Some((addr, bits)) => (addr, Some(bits)),
            None => (text, None),
        };
        let addr: IpAddr = addr.trim().parse().map_err(|_| {
            "not an IP address or network (`10.0.0.0/8`, `fd00::/8`, `192.0.2.7`)".to_owned()
        })?;
        let addr = addr.to_canonical();
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let bits = match bits {
            None => max,
            Some(bits) => match bits.trim().parse::<u8>() {
                Ok(bits) if bits <= max => bits,
                _ => {
                    return Err(format!(
                        "the prefix length must be a number from 0 to {max}"
                    ))
                }
            },
        };
        Ok(Net { addr, bits })
    }

    fn contains(self, ip: IpAddr) -> bool {
        let shared = |a: u128, b: u128, width: u32| {
            let bits = u32::from(self.bits);
            bits == 0 || (a ^ b) >> (width - bits) == 0
        };
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                shared(u32::from(net).into(), u32::from(ip).into(), 32)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => shared(u128::from(net), u128::from(ip), 128),
            _ => false,
        }
    }
}

/// Entries of a [`TrustedProxies`] list that are not addresses or networks, each with why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustedProxiesError {
    entries: Vec<(String, String)>,
}

impl TrustedProxiesError {
    /// Each refused entry, with why.
    pub fn entries(&self) -> &[(String, String)] {
        &self.entries
    }
}

impl fmt::Display for TrustedProxiesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid trusted proxies:")?;
        for (entry, why) in &self.entries {
            write!(f, "\n  - {entry:?}: {why}")?;
        }
        Ok(())
    }
}

impl std::error::Error for TrustedProxiesError {}

impl TrustedProxies {
    /// The proxies at these addresses (`192.0.2.7`, `::1`) and networks (`10.0.0.0/8`,
    /// `fd00::/8`). Every entry that is neither is reported, and none is taken.
    pub fn new<I, S>(entries: I) -> Result<TrustedProxies, TrustedProxiesError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut nets = Vec::new();
        let mut refused = Vec::new();
        for entry in entries {
            let entry = entry.as_ref();
            match Net::parse(entry) {
                Ok(net) => nets.push(net),
                Err(why) => refused.push((entry.to_owned(), why)),
            }
        }
        if refused.is_empty() {
            Ok(TrustedProxies {
                nets,
                header: ForwardedHeader::default(),
            })
        } else {
            Err(TrustedProxiesError { entries: refused })
        }
    }

    /// Reads the client's address from `header` (default: `X-Forwarded-For`).
    pub fn header(mut self, header: ForwardedHeader) -> TrustedProxies {
        self.header = header;
        self
    }

    /// Whether `ip` is one of the trusted proxies.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.nets.iter().any(|net| net.contains(ip))
    }

    /// Who `head` comes from, as a key of fixed size: the peer, or the client a trusted peer
    /// forwards for. `None` without a peer address (a request made in a test).
    pub(crate) fn client(&self, head: &RequestHead) -> Option<u64> {
        let key = foldhash::fast::FixedState::with_seed(0x636f_7273);
        let peer = head.peer_addr?.ip().to_canonical();
        if self.nets.is_empty() || !self.contains(peer) {
            return Some(key.hash_one(peer));
        }
        let name = match self.header {
            ForwardedHeader::XForwardedFor => HeaderName::from_static("x-forwarded-for"),
            ForwardedHeader::Forwarded => FORWARDED,
        };
        // Every hop of every line of the header, nearest last.
        let mut hops: Vec<&str> = Vec::new();
        for value in head.headers.get_all(&name) {
            let Ok(value) = value.to_str() else {
                // Not text: no hop can be read; the peer is all that is known.
                return Some(key.hash_one(peer));
            };
            hops.extend(value.split(',').map(str::trim));
        }
        let mut client = Client::Address(peer);
        for hop in hops.iter().rev().take(MAX_HOPS) {
            let named = match self.header {
                ForwardedHeader::XForwardedFor => *hop,
                ForwardedHeader::Forwarded => forwarded_for(hop).unwrap_or(""),
            };
            client = match address(named) {
                Some(ip) => Client::Address(ip),
                // `unknown`, an obfuscated name (`_hidden`), garbage: the hop's name is all
                // that is known of the client.
                None => Client::Name(named),
            };
            match client {
                Client::Address(ip) if self.contains(ip) => continue,
                _ => break,
            }
        }
        Some(match client {
            Client::Address(ip) => key.hash_one(ip),
            Client::Name(name) => key.hash_one(name),
        })
    }
}

/// A client named by a forwarding header.
enum Client<'a> {
    Address(IpAddr),
    Name(&'a str),
}

/// The `for=` of one element of a `Forwarded` header, unquoted.
fn forwarded_for(element: &str) -> Option<&str> {
    element.split(';').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("for")
            .then(|| value.trim().trim_matches('"'))
    })
}

/// The address of a hop: `192.0.2.60`, `192.0.2.60:4711`, `2001:db8::1`, `[2001:db8::1]:4711`.
fn address(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    if let Ok(socket) = hop.parse::<std::net::SocketAddr>() {
        return Some(socket.ip().to_canonical());
    }
    let bracketed = hop.strip_prefix('[')?.split(']').next()?;
    bracketed.parse::<IpAddr>().ok().map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn key(ip: &str) -> u64 {
        foldhash::fast::FixedState::with_seed(0x636f_7273).hash_one(ip.parse::<IpAddr>().unwrap())
    }

    fn client(proxies: &TrustedProxies, peer: &str, headers: &[(&str, &str)]) -> Option<u64> {
        let mut req = TestRequest::default().peer_addr(format!("{peer}:4000").parse().unwrap());
        for header in headers {
            req = req.append_header(*header);
        }
        proxies.client(req.to_http_request().head())
    }

    #[test]
    fn networks_contain_their_addresses() {
        let proxies =
            TrustedProxies::new(["10.0.0.0/8", "192.0.2.7", "fd00::/8", "::1", "0.0.0.0/0"])
                .unwrap();
        for inside in [
            "10.255.0.1",
            "192.0.2.7",
            "fd12::1",
            "::1",
            "8.8.8.8",
            "::ffff:10.0.0.1",
        ] {
            assert!(proxies.contains(inside.parse().unwrap()), "{inside}");
        }
        let proxies = TrustedProxies::new(["10.0.0.0/8", "192.0.2.7/32", "fd00::/8"]).unwrap();
        for outside in ["11.0.0.1", "192.0.2.8", "fe80::1", "2001:db8::1"] {
            assert!(!proxies.contains(outside.parse().unwrap()), "{outside}");
        }
        let err = TrustedProxies::new(["10.0.0.0/33", "::/129", "proxy", "10.0.0.0/x", "1.2.3.4"])
            .unwrap_err();
        assert_eq!(err.entries().len(), 4, "{err}");
    }

    #[test]
    fn only_trusted_peers_name_the_client() {
        let proxies = TrustedProxies::new(["10.0.0.0/8"]).unwrap();
        let xff = |v| ("X-Forwarded-For", v);
        // An untrusted peer: itself, whatever it says.
        assert_eq!(
            client(&proxies, "203.0.113.9", &[xff("198.51.100.1")]),
            Some(key("203.0.113.9"))
        );
        // The trusted proxy: the nearest hop that is not a proxy.
        assert_eq!(
            client(&proxies, "10.0.0.1", &[xff("198.51.100.1")]),
            Some(key("198.51.100.1"))
        );
        assert_eq!(
            client(
                &proxies,
                "10.0.0.1",
                &[xff("6.6.6.6, 198.51.100.1, 10.0.0.2")]
            ),
            Some(key("198.51.100.1")),
            "a client cannot pass for another by sending the header itself"
        );
        assert_eq!(
            client(&proxies, "10.0.0.1", &[xff("6.6.6.6"), xff("198.51.100.1")]),
            Some(key("198.51.100.1")),
            "several lines are one list"
        );
        assert_eq!(
            client(&proxies, "10.0.0.1", &[xff("198.51.100.1:5555")]),
            Some(key("198.51.100.1"))
        );
        // No header: the proxy itself.
        assert_eq!(client(&proxies, "10.0.0.1", &[]), Some(key("10.0.0.1")));
        // Every hop a proxy: the furthest.
        assert_eq!(
            client(&proxies, "10.0.0.1", &[xff("10.0.0.3, 10.0.0.2")]),
            Some(key("10.0.0.3"))
        );
        // Without trusted proxies, the peer.
        assert_eq!(
            client(
                &TrustedProxies::default(),
                "10.0.0.1",
                &[xff("198.51.100.1")]
            ),
            Some(key("10.0.0.1"))
        );
        // Two clients behind the proxy are told apart; garbage is a client of its own.
        let a = client(&proxies, "10.0.0.1", &[xff("198.51.100.1")]);
        let b = client(&proxies, "10.0.0.1", &[xff("198.51.100.2")]);
        let c = client(&proxies, "10.0.0.1", &[xff("not-an-address")]);
        assert!(a != b && b != c && a != c);
    }

    #[test]
    fn forwarded_is_read_when_asked_for() {
        let proxies = TrustedProxies::new(["10.0.0.0/8"])
            .unwrap()
            .header(ForwardedHeader::Forwarded);
        let fwd = |v| ("Forwarded", v);
        assert_eq!(
            client(
                &proxies,
                "10.0.0.1",
                &[fwd("for=198.51.100.1;proto=https, for=10.0.0.2")]
            ),
            Some(key("198.51.100.1"))
        );
        assert_eq!(
            client(&proxies, "10.0.0.1", &[fwd("for=\"[2001:db8::1]:4711\"")]),
            Some(key("2001:db8::1"))
        );
        // X-Forwarded-For is not believed when Forwarded is the header.
        assert_eq!(
            client(&proxies, "10.0.0.1", &[("X-Forwarded-For", "198.51.100.1")]),
            Some(key("10.0.0.1"))
        );
    }
}
