//! The client's address: the peer, or what a trusted proxy says in `X-Forwarded-For`; and the
//! network that limits count a client under.

use actix_web::HttpRequest;
use std::net::IpAddr;

/// The address a request comes from. `X-Forwarded-For` is believed only when the peer is
/// one of `trusted` proxies; then the nearest address in it that is not a trusted proxy
/// wins, so a client cannot choose its address by sending the header itself. Addresses are
/// compared in canonical form: a dual-stack listener sees an IPv4 proxy as `::ffff:a.b.c.d`.
pub fn client_ip(req: &HttpRequest, trusted: &[IpAddr]) -> Option<IpAddr> {
    let peer = req.peer_addr().map(|a| a.ip().to_canonical())?;
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|t| t.to_canonical() == *ip);
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let forwarded: Vec<IpAddr> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|part| part.trim().parse::<IpAddr>().ok())
        .map(|ip| ip.to_canonical())
        .collect();
    Some(forwarded.into_iter().rev().find(|ip| !is_trusted(ip)).unwrap_or(peer))
}

/// The network that `ip` counts as for limits: an IPv4 address is itself, an IPv6 address
/// its /64 (one subscriber is usually handed a whole /64, so counting single addresses
/// would give each 2^64 budgets), and an IPv4-mapped IPv6 address the IPv4 address it maps.
pub fn network_of(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let prefix = std::net::Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX));
                format!("{prefix}/64")
            }
        },
    }
}

/// The network of the client of `req` (see [`network_of`]); `unknown` when there is no
/// peer address, so that such requests share one budget rather than having none.
pub fn client_network(req: &HttpRequest, trusted: &[IpAddr]) -> String {
    client_ip(req, trusted).map_or_else(|| "unknown".to_owned(), network_of)
}

/// Where `req` comes from, as the audit log records it: its request ID and client address.
pub fn origin_of(req: &HttpRequest, trusted: &[IpAddr]) -> crate::db::audit::Origin {
    use actix_web::HttpMessage;
    crate::db::audit::Origin {
        request_id: req.extensions().get::<super::middleware::RequestId>().map(|id| id.0.clone()),
        ip: client_ip(req, trusted).map(|ip| ip.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn client_of(peer: &str, forwarded: &str, trusted: &[&str]) -> IpAddr {
        let req = TestRequest::default()
            .peer_addr(peer.parse().unwrap())
            .insert_header(("X-Forwarded-For", forwarded))
            .to_http_request();
        let trusted: Vec<IpAddr> = trusted.iter().map(|t| t.parse().unwrap()).collect();
        client_ip(&req, &trusted).unwrap()
    }

    #[test]
    fn a_trusted_ipv4_proxy_is_recognised_when_a_dual_stack_listener_maps_it() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(client_of("[::ffff:127.0.0.1]:4000", "203.0.113.9", &["127.0.0.1"]), ip("203.0.113.9"));
        assert_eq!(client_of("127.0.0.1:4000", "203.0.113.9", &["::ffff:127.0.0.1"]), ip("203.0.113.9"));
        assert_eq!(client_of("[::ffff:10.0.0.1]:4000", "::ffff:198.51.100.7", &["10.0.0.1"]), ip("198.51.100.7"));
        // An untrusted peer's header is ignored, and its address is reported in IPv4 form.
        assert_eq!(client_of("[::ffff:192.0.2.5]:4000", "203.0.113.9", &["127.0.0.1"]), ip("192.0.2.5"));
    }

    fn net(text: &str) -> String {
        network_of(text.parse().unwrap())
    }

    #[test]
    fn ipv4_counts_by_the_full_address() {
        assert_eq!(net("203.0.113.9"), "203.0.113.9");
        assert_ne!(net("203.0.113.9"), net("203.0.113.10"));
    }

    #[test]
    fn ipv6_counts_by_its_64() {
        assert_eq!(net("2001:db8:1:2::1"), "2001:db8:1:2::/64");
        assert_eq!(net("2001:db8:1:2::1"), net("2001:db8:1:2:ffff:ffff:ffff:ffff"));
        assert_ne!(net("2001:db8:1:2::1"), net("2001:db8:1:3::1"));
        assert_eq!(net("::1"), "::/64");
    }

    #[test]
    fn an_ipv4_mapped_address_counts_as_its_ipv4_address() {
        assert_eq!(net("::ffff:198.51.100.7"), "198.51.100.7");
        // IPv4-compatible (deprecated) addresses are plain IPv6.
        assert_eq!(net("::198.51.100.7"), "::/64");
    }
}
