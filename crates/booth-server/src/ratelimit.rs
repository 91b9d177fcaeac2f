//! A limit on checkout creation: card testers create sessions by the thousand, and each one
//! spends the seller's Stripe API rate limit.
//!
//! Each buyer the shop can tell apart (client.rs) has an allowance of their own, so no one
//! can use up anyone else's: `max` per window, counted per IPv4 address or IPv6 /64.
//! Buyers behind a tunnel that doesn't say who they are (bore, `ssh -R`) can't be told
//! apart by any means, so they share one allowance, `UNKNOWN_SHARE` times as large:
//! enough for a busy launch, and a ceiling on what a flood through such a tunnel can cost
//! the seller's Stripe account (docs/security.md says what it can't prevent).

use crate::client::Client;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many buyers' worth of allowance the shared "unknown" one holds.
pub const UNKNOWN_SHARE: u32 = 6;
/// Clients remembered at once. Past this, windows that ended are forgotten (at most once
/// a window, so a flood of addresses can't make every request sweep the map); clients
/// that still don't fit count against the shared allowance.
const MAX_CLIENTS: usize = 100_000;

pub struct RateLimiter {
    max: u32,
    window: Duration,
    state: Mutex<State>,
}

struct State {
    seen: HashMap<Client, (Instant, u32)>,
    swept: Instant,
}

impl RateLimiter {
    pub fn new(max: u32, window: Duration) -> RateLimiter {
        RateLimiter {
            max,
            window,
            state: Mutex::new(State {
                seen: HashMap::new(),
                swept: Instant::now(),
            }),
        }
    }

    /// Counts one attempt by `client`; false when it is over its allowance.
    pub fn allow(&self, client: Client) -> bool {
        let now = Instant::now();
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let mut key = client.limit_key();
        if st.seen.len() >= MAX_CLIENTS && !st.seen.contains_key(&key) {
            if now.duration_since(st.swept) >= self.window {
                let window = self.window;
                st.seen
                    .retain(|_, (start, _)| now.duration_since(*start) < window);
                st.swept = now;
            }
            if st.seen.len() >= MAX_CLIENTS {
                key = Client::Unknown;
            }
        }
        let max = match key {
            Client::Known(_) => self.max,
            Client::Unknown => self.max.saturating_mul(UNKNOWN_SHARE),
        };
        let entry = st.seen.entry(key).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        entry.1 <= max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Client {
        Client::Known(s.parse().unwrap())
    }

    #[test]
    fn limits_per_client_and_window() {
        let rl = RateLimiter::new(2, Duration::from_millis(50));
        assert!(rl.allow(ip("10.0.0.1")));
        assert!(rl.allow(ip("10.0.0.1")));
        assert!(!rl.allow(ip("10.0.0.1")));
        assert!(rl.allow(ip("10.0.0.2")));
        // The same /64: the same allowance.
        assert!(rl.allow(ip("2001:db8::1")));
        assert!(rl.allow(ip("2001:db8::2")));
        assert!(!rl.allow(ip("2001:db8::3")));
        // Unknown buyers share a larger one.
        for _ in 0..2 * UNKNOWN_SHARE {
            assert!(rl.allow(Client::Unknown));
        }
        assert!(!rl.allow(Client::Unknown));
        // …which doesn't touch anyone known.
        assert!(rl.allow(ip("10.0.0.3")));
        std::thread::sleep(Duration::from_millis(60));
        assert!(rl.allow(ip("10.0.0.1")));
        assert!(rl.allow(Client::Unknown));
    }
}
