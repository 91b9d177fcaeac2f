//! The Host check, against DNS rebinding: a web page the seller visits points a hostname
//! of its own at 127.0.0.1, and the browser, thinking it talks to the page's own site,
//! lets the page script requests to the simulator and read the answers. Those requests
//! name the page's hostname in Host, so answering only our own names stops them. It runs
//! before anything else, on every route.

use std::net::IpAddr;

use warp::host::Authority;

pub struct Hosts {
    /// The port we listen on.
    port: u16,
    /// `SimConfig::public_url`'s host (lowercase, no brackets), port, and its scheme's
    /// default port (what a Host without a port means there).
    public: Option<(String, u16, u16)>,
}

fn bare(host: &str) -> String {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase()
}

impl Hosts {
    pub fn new(port: u16, public_url: &str) -> Hosts {
        let public = url::Url::parse(public_url).ok().and_then(|u| {
            let default = if u.scheme() == "https" { 443 } else { 80 };
            Some((bare(u.host_str()?), u.port_or_known_default()?, default))
        });
        Hosts { port, public }
    }

    /// Whether a request addressed to `authority` (its Host header, or the authority of
    /// its URI) is for us. `None`: no Host at all, or one that doesn't parse, or a Host
    /// that disagrees with the URI — all refused.
    pub fn allows(&self, authority: Option<&Authority>) -> bool {
        let Some(a) = authority else {
            return false;
        };
        let host = bare(a.host());
        if let Some((h, p, default)) = &self.public {
            if host == *h && a.port_u16().unwrap_or(*default) == *p {
                return true;
            }
        }
        // `localhost`, or an address: a page can point a name it owns at us, never an
        // address (its origin would then be that address, served by us). IP literals are
        // all accepted so a simulator listening on 0.0.0.0 or ::1 answers by address.
        a.port_u16().unwrap_or(80) == self.port
            && (host == "localhost" || host.parse::<IpAddr>().is_ok())
    }

    /// What the refusal says is accepted.
    pub fn describe(&self) -> String {
        let mut s = format!("127.0.0.1:{0}, localhost:{0}, [::1]:{0}", self.port);
        if let Some((h, p, _)) = &self.public {
            s.push_str(&format!(" or {h}:{p}"));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(hosts: &Hosts, authority: &str) -> bool {
        hosts.allows(Some(&authority.parse().unwrap()))
    }

    #[test]
    fn only_our_own_names_pass() {
        let h = Hosts::new(4242, "http://127.0.0.1:4242");
        for good in [
            "127.0.0.1:4242",
            "localhost:4242",
            "LOCALHOST:4242",
            "[::1]:4242",
        ] {
            assert!(ok(&h, good), "{good}");
        }
        for bad in [
            "evil.example:4242",
            "evil.example",
            "127.0.0.1:4243",
            "127.0.0.1",
            "localhost.evil.example:4242",
            "sub.localhost:4242",
        ] {
            assert!(!ok(&h, bad), "{bad}");
        }
        assert!(!h.allows(None));
    }

    #[test]
    fn the_public_url_passes_too() {
        let h = Hosts::new(4242, "https://pay.example.com");
        assert!(ok(&h, "pay.example.com") && ok(&h, "PAY.example.com:443"));
        assert!(!ok(&h, "pay.example.com:4242") && !ok(&h, "other.example.com"));
        assert!(ok(&h, "localhost:4242"));
    }
}
