//! Who a buyer is, as far as the shop can tell. A direct connection's address is the
//! buyer's. Through a tunnel every buyer arrives from loopback, and only a header the
//! running tunnel's edge writes itself can say who they are: Cloudflare's edge sets
//! `CF-Connecting-IP` (replacing anything the client sent), ngrok appends the client's
//! address to `X-Forwarded-For` (so only its last entry is ngrok's). bore and `ssh -R`
//! carry no address at all. Any other header is the client's own word, never believed.

use booth_core::tunnel::Provider;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use warp::http::HeaderMap;

/// Which header vouches for the client's address on loopback connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vouched {
    /// None does (no tunnel, bore, ssh, a custom command).
    Nobody,
    /// Cloudflare's edge: `CF-Connecting-IP`.
    Cloudflare,
    /// ngrok's edge: the last `X-Forwarded-For` entry.
    Ngrok,
}

impl Vouched {
    pub fn for_tunnel(provider: Provider) -> Vouched {
        match provider {
            Provider::Cloudflared | Provider::CloudflaredNamed => Vouched::Cloudflare,
            Provider::Ngrok => Vouched::Ngrok,
            Provider::Bore | Provider::Ssh | Provider::Custom => Vouched::Nobody,
        }
    }
}

/// What the running tunnel vouches for, shared by the server and whoever starts and stops
/// tunnels (it changes while the shop runs).
#[derive(Debug, Clone, Default)]
pub struct Vouching(Arc<AtomicU8>);

impl Vouching {
    pub fn set(&self, v: Vouched) {
        let n = match v {
            Vouched::Nobody => 0,
            Vouched::Cloudflare => 1,
            Vouched::Ngrok => 2,
        };
        self.0.store(n, Ordering::Relaxed);
    }

    pub fn get(&self) -> Vouched {
        match self.0.load(Ordering::Relaxed) {
            1 => Vouched::Cloudflare,
            2 => Vouched::Ngrok,
            _ => Vouched::Nobody,
        }
    }
}

/// The buyer, as far as the shop can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Client {
    Known(IpAddr),
    /// Through a tunnel that doesn't say who the buyer is.
    Unknown,
}

impl Client {
    /// `peer` is the connection's address; `headers` the request's.
    pub fn of(peer: Option<IpAddr>, headers: &HeaderMap, vouched: Vouched) -> Client {
        let peer = peer.unwrap_or(IpAddr::from([127, 0, 0, 1]));
        if !peer.is_loopback() {
            return Client::Known(peer);
        }
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let ip = match vouched {
            Vouched::Nobody => None,
            Vouched::Cloudflare => header("cf-connecting-ip").and_then(|v| v.trim().parse().ok()),
            Vouched::Ngrok => header("x-forwarded-for")
                .and_then(|x| x.rsplit(',').next())
                .and_then(|v| v.trim().parse().ok()),
        };
        ip.map_or(Client::Unknown, Client::Known)
    }

    /// What the download log records: the address, or "" when nobody vouched for one.
    pub fn log_address(self) -> String {
        match self {
            Client::Known(ip) => ip.to_string(),
            Client::Unknown => String::new(),
        }
    }

    /// The key a rate limit counts by: one IPv4 address, or one IPv6 /64 (a home or a
    /// server gets a whole /64, so counting single IPv6 addresses counts nothing).
    pub fn limit_key(self) -> Client {
        match self {
            Client::Known(IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
                let s = v6.segments();
                Client::Known(IpAddr::V6(Ipv6Addr::new(
                    s[0], s[1], s[2], s[3], 0, 0, 0, 0,
                )))
            }
            Client::Known(IpAddr::V6(v6)) => {
                Client::Known(IpAddr::V4(v6.to_ipv4_mapped().expect("mapped")))
            }
            c => c,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap());
        }
        h
    }

    const LOOP: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));

    #[test]
    fn only_what_the_running_tunnel_vouches_for_is_believed() {
        let forged = headers(&[
            ("x-forwarded-for", "203.0.113.7"),
            ("cf-connecting-ip", "198.51.100.1"),
        ]);
        // bore, ssh, no tunnel: nobody vouches, whatever the client wrote.
        assert_eq!(Client::of(LOOP, &forged, Vouched::Nobody), Client::Unknown);
        // Cloudflare replaces CF-Connecting-IP at its edge; X-Forwarded-For is ignored.
        assert_eq!(
            Client::of(LOOP, &forged, Vouched::Cloudflare),
            Client::Known("198.51.100.1".parse().unwrap())
        );
        // ngrok appends: only the last entry is its own.
        let ngrok = headers(&[("x-forwarded-for", "1.2.3.4, 203.0.113.7")]);
        assert_eq!(
            Client::of(LOOP, &ngrok, Vouched::Ngrok),
            Client::Known("203.0.113.7".parse().unwrap())
        );
        assert_eq!(
            Client::of(LOOP, &headers(&[]), Vouched::Cloudflare),
            Client::Unknown
        );
        // A direct connection is its own address, headers or not.
        let direct: IpAddr = "192.0.2.5".parse().unwrap();
        assert_eq!(
            Client::of(Some(direct), &forged, Vouched::Cloudflare),
            Client::Known(direct)
        );
        assert_eq!(Client::Unknown.log_address(), "");
    }

    #[test]
    fn ipv6_clients_are_limited_per_64() {
        let a = Client::Known("2001:db8:1:2:aaaa::1".parse().unwrap()).limit_key();
        let b = Client::Known("2001:db8:1:2:bbbb::9".parse().unwrap()).limit_key();
        let c = Client::Known("2001:db8:1:3::1".parse().unwrap()).limit_key();
        assert_eq!(a, b);
        assert_ne!(a, c);
        let mapped = Client::Known("::ffff:192.0.2.1".parse().unwrap()).limit_key();
        assert_eq!(mapped, Client::Known("192.0.2.1".parse().unwrap()));
    }
}
