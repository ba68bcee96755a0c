//! Where webhooks may go: http(s) URLs of public hosts only, unless private networks are
//! allowed (`WARTA_WEBHOOK_ALLOW_PRIVATE`). A host name is checked where it is connected to:
//! the delivery client resolves through [`GuardedResolver`], which hands the connection only
//! the addresses it checked, so no second lookup can answer differently.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use url::{Host, Url};

/// Whether `ip` is on a network a webhook must not reach: loopback, private, link-local,
/// shared (CGNAT), unspecified, multicast, reserved, or IPv6 forms of any of these.
pub fn is_forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return forbidden_v4(v4);
            }
            let s = v6.segments();
            // NAT64 (64:ff9b::/96) reaches the IPv4 address in its last 32 bits.
            if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
                return forbidden_v4(Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8));
            }
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local, fc00::/7
                || (s[0] & 0xffc0) == 0xfe80 // link-local, fe80::/10
                || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated), fec0::/10
                || (s[0..6] == [0, 0, 0, 0, 0, 0]) // IPv4-compatible, ::a.b.c.d
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        }
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0 // 0.0.0.0/8: "this network"
        || (a == 100 && (64..128).contains(&b)) // shared address space, 100.64.0.0/10
        || (a == 192 && b == 0 && ip.octets()[2] == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240 // reserved
}

/// Why a webhook URL is refused, in words for its owner; `None` when it may be used.
/// `allow_private` admits loopback and private addresses and `localhost`.
pub fn refusal(url: &Url, allow_private: bool) -> Option<String> {
    if !matches!(url.scheme(), "http" | "https") {
        return Some("must be an http or https URL".into());
    }
    let Some(host) = url.host() else { return Some("must name a host".into()) };
    if allow_private {
        return None;
    }
    match host {
        Host::Ipv4(ip) if is_forbidden(IpAddr::V4(ip)) => Some(private_address(IpAddr::V4(ip))),
        Host::Ipv6(ip) if is_forbidden(IpAddr::V6(ip)) => Some(private_address(IpAddr::V6(ip))),
        Host::Domain(name) if is_local_name(name) => {
            Some(format!("{name} is this machine; set WARTA_WEBHOOK_ALLOW_PRIVATE=true to allow it"))
        }
        _ => None,
    }
}

fn private_address(ip: IpAddr) -> String {
    format!("{ip} is a loopback, private or link-local address; set WARTA_WEBHOOK_ALLOW_PRIVATE=true to allow it")
}

fn is_local_name(name: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost")
}

/// A delivery refused by the guard: the addresses its host resolved to are all forbidden.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

/// The delivery client's resolver: the system's lookup, then only the addresses that pass
/// [`is_forbidden`] (all of them when private networks are allowed).
#[derive(Debug, Clone, Copy)]
pub struct GuardedResolver {
    pub allow_private: bool,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> =
                found.iter().copied().filter(|a| allow_private || !is_forbidden(a.ip())).collect();
            if allowed.is_empty() {
                let why = match found.first() {
                    Some(addr) => {
                        format!("{host} resolves to {}, {}", addr.ip(), "a loopback, private or link-local address")
                    }
                    None => format!("{host} resolves to no address"),
                };
                return Err(Box::new(Refused(why)) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(allowed.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(url: &str) -> bool {
        refusal(&Url::parse(url).unwrap(), false).is_some()
    }

    #[test]
    fn private_loopback_and_link_local_addresses_are_refused() {
        for url in [
            "http://127.0.0.1/",
            "http://10.1.2.3/",
            "http://172.16.0.1/",
            "http://192.168.1.1/",
            "http://169.254.169.254/latest/meta-data",
            "http://0.0.0.0/",
            "http://0.1.2.3/",
            "http://100.64.0.1/",
            "http://[::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:10.0.0.1]/",
            "http://[fc00::1]/",
            "http://[fd12:3456::1]/",
            "http://[fe80::1]/",
            "http://[64:ff9b::7f00:1]/",
            "http://localhost:8080/",
            "http://api.localhost/",
            "http://LOCALHOST./",
            "ftp://example.com/",
            "file:///etc/passwd",
        ] {
            assert!(refused(url), "{url} should be refused");
        }
    }

    #[test]
    fn public_hosts_pass() {
        for url in ["https://kabarharapan.id/api/revalidate", "http://93.184.216.34/hook", "https://[2606:4700::1]/"] {
            assert!(!refused(url), "{url} should pass");
        }
    }

    #[test]
    fn allowing_private_networks_admits_them_but_not_other_schemes() {
        assert!(refusal(&Url::parse("http://127.0.0.1:9/").unwrap(), true).is_none());
        assert!(refusal(&Url::parse("gopher://127.0.0.1/").unwrap(), true).is_some());
    }
}
