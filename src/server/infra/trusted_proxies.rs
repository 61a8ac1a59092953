//! Which address a request comes from, behind reverse proxies (`STEWARD_TRUSTED_PROXIES`).
//!
//! A forwarding header is believed only when the peer that sent it is a trusted proxy, and only
//! as far as the chain of trusted proxies goes: walking the header from the right, the first
//! address that is not a trusted proxy is the client. A client can write anything at the left
//! of the header, and nothing it writes there moves a rate limit or an activity row.

use http::HeaderMap;
use ipnet::IpNet;
use std::net::IpAddr;

/// The header the proxies in front write the client's address in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ProxyHeader {
    /// `X-Forwarded-For: client, proxy1` (nginx, Caddy, HAProxy, Traefik).
    #[value(name = "x-forwarded-for")]
    XForwardedFor,
    /// RFC 7239 `Forwarded: for=client, for=proxy1`.
    Forwarded,
}

/// The proxies whose forwarding header is believed; none by default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedProxies {
    ranges: Vec<IpNet>,
    header: ProxyHeader,
}

impl Default for TrustedProxies {
    fn default() -> Self {
        Self {
            ranges: Vec::new(),
            header: ProxyHeader::XForwardedFor,
        }
    }
}

impl TrustedProxies {
    /// Reads a list of addresses and CIDR ranges separated by commas or spaces, such as
    /// `127.0.0.1/32, 10.0.0.0/8, ::1`.
    pub fn parse(list: &str, header: ProxyHeader) -> Result<Self, String> {
        let ranges = list
            .split([',', ' ', '\t', '\n'])
            .filter(|part| !part.is_empty())
            .map(|part| {
                part.parse::<IpNet>()
                    .or_else(|_| part.parse::<IpAddr>().map(IpNet::from))
                    .map(|net| net.trunc())
                    .map_err(|_| {
                        format!(
                            "STEWARD_TRUSTED_PROXIES: {part:?} is neither an address nor a CIDR range"
                        )
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { ranges, header })
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.ranges.iter().any(|range| range.contains(&ip))
    }

    /// The client's address: the peer's, unless the peer is a trusted proxy, in which case the
    /// right-most address of the forwarding header that is not a trusted proxy. An entry that is
    /// not an address ends the walk at the proxy that passed it on.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = peer.to_canonical();
        if !self.trusts(client) {
            return client;
        }
        let entries = self.entries(headers);
        for entry in entries.iter().rev() {
            if !self.trusts(client) {
                break;
            }
            match parse_node(entry) {
                Some(ip) => client = ip.to_canonical(),
                None => break,
            }
        }
        client
    }

    /// The header's addresses, left to right, over every line of it.
    fn entries<'h>(&self, headers: &'h HeaderMap) -> Vec<&'h str> {
        let name = match self.header {
            ProxyHeader::XForwardedFor => "x-forwarded-for",
            ProxyHeader::Forwarded => "forwarded",
        };
        let elements = headers
            .get_all(name)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(str::trim);
        match self.header {
            ProxyHeader::XForwardedFor => elements.collect(),
            // `for=192.0.2.60;proto=https;by=203.0.113.43`: only `for` names the client. An
            // element without one stands as an entry that is not an address.
            ProxyHeader::Forwarded => elements
                .map(|element| {
                    element
                        .split(';')
                        .filter_map(|pair| pair.trim().split_once('='))
                        .find(|(key, _)| key.trim().eq_ignore_ascii_case("for"))
                        .map_or("", |(_, value)| value.trim().trim_matches('"'))
                })
                .collect(),
        }
    }
}

/// `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`, `[2001:db8::1]:4711`; `None` for anything else
/// (`unknown`, an obfuscated `_name`, garbage).
fn parse_node(node: &str) -> Option<IpAddr> {
    let node = node.trim();
    if let Some(rest) = node.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    if let Ok(ip) = node.parse::<IpAddr>() {
        return Some(ip);
    }
    // An IPv4 address with a port.
    node.parse::<std::net::SocketAddrV4>()
        .ok()
        .map(|addr| IpAddr::V4(*addr.ip()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn headers(name: &'static str, values: &[&'static str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in values {
            map.append(name, value.parse().unwrap());
        }
        map
    }

    fn nginx() -> TrustedProxies {
        TrustedProxies::parse("127.0.0.1/32, ::1, 10.0.0.0/8", ProxyHeader::XForwardedFor).unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_socket_address_stands() {
        let none = TrustedProxies::default();
        let spoofed = headers("x-forwarded-for", &["198.51.100.9"]);
        assert_eq!(none.client(ip("127.0.0.1"), &spoofed), ip("127.0.0.1"));
    }

    #[test]
    fn a_stranger_cannot_move_its_address_with_a_header() {
        let spoofed = headers("x-forwarded-for", &["10.0.0.1"]);
        assert_eq!(
            nginx().client(ip("203.0.113.5"), &spoofed),
            ip("203.0.113.5")
        );
    }

    #[test]
    fn the_right_most_untrusted_address_is_the_client() {
        // The client wrote "1.2.3.4"; nginx appended the address it saw.
        let chain = headers("x-forwarded-for", &["1.2.3.4, 198.51.100.9"]);
        assert_eq!(nginx().client(ip("127.0.0.1"), &chain), ip("198.51.100.9"));
        // Two trusted hops, over two header lines.
        let chain = headers("x-forwarded-for", &["1.2.3.4", "198.51.100.9, 10.1.2.3"]);
        assert_eq!(nginx().client(ip("127.0.0.1"), &chain), ip("198.51.100.9"));
        // Only trusted hops: the left-most one.
        let chain = headers("x-forwarded-for", &["10.0.0.7"]);
        assert_eq!(nginx().client(ip("::1"), &chain), ip("10.0.0.7"));
        // No header: the proxy's own address.
        assert_eq!(
            nginx().client(ip("127.0.0.1"), &HeaderMap::new()),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn garbage_stops_at_the_proxy_that_passed_it() {
        let chain = headers("x-forwarded-for", &["198.51.100.9, not-an-ip"]);
        assert_eq!(nginx().client(ip("127.0.0.1"), &chain), ip("127.0.0.1"));
        let chain = headers("x-forwarded-for", &["198.51.100.9:5000"]);
        assert_eq!(nginx().client(ip("127.0.0.1"), &chain), ip("198.51.100.9"));
    }

    #[test]
    fn the_forwarded_header_is_read_when_chosen() {
        let proxies = TrustedProxies::parse("127.0.0.1", ProxyHeader::Forwarded).unwrap();
        let chain = headers(
            "forwarded",
            &[r#"for=1.2.3.4, for="[2001:db8:cafe::17]:4711";proto=https, for=127.0.0.1"#],
        );
        assert_eq!(
            proxies.client(ip("127.0.0.1"), &chain),
            ip("2001:db8:cafe::17")
        );
        // X-Forwarded-For is not read then: a client could send it through a proxy that
        // writes only Forwarded.
        let other = headers("x-forwarded-for", &["198.51.100.9"]);
        assert_eq!(proxies.client(ip("127.0.0.1"), &other), ip("127.0.0.1"));
        let hidden = headers("forwarded", &["for=_hidden"]);
        assert_eq!(proxies.client(ip("127.0.0.1"), &hidden), ip("127.0.0.1"));
    }

    #[test]
    fn ipv4_mapped_peers_are_plain_ipv4() {
        let chain = headers("x-forwarded-for", &["198.51.100.9"]);
        assert_eq!(
            nginx().client(ip("::ffff:127.0.0.1"), &chain),
            ip("198.51.100.9")
        );
    }

    #[test]
    fn a_bad_list_is_refused_with_the_culprit() {
        let error = TrustedProxies::parse("127.0.0.1, 10.0.0.0/33", ProxyHeader::XForwardedFor)
            .unwrap_err();
        assert!(error.contains("10.0.0.0/33"), "{error}");
    }
}
