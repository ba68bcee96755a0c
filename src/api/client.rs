//! The client's address: the peer, or what a trusted proxy says in `X-Forwarded-For`.

use actix_web::HttpRequest;
use std::net::IpAddr;

/// The address a request comes from. `X-Forwarded-For` is believed only when the peer is
/// one of `trusted` proxies; then the nearest address in it that is not a trusted proxy
/// wins, so a client cannot choose its address by sending the header itself.
pub fn client_ip(req: &HttpRequest, trusted: &[IpAddr]) -> Option<IpAddr> {
    let peer = req.peer_addr().map(|a| a.ip())?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let forwarded: Vec<IpAddr> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|part| part.trim().parse().ok())
        .collect();
    Some(forwarded.into_iter().rev().find(|ip| !trusted.contains(ip)).unwrap_or(peer))
}
