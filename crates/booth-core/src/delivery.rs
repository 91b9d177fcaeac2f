//! Whether mail is getting out. The outbox worker notes each attempt's outcome here and
//! the window (sidebar, Dashboard, mailing card) and `booth status` ask it: a mail server
//! that doesn't answer leaves every message queued for a retry, which otherwise reads as
//! "0 of 301 done" for as long as anyone watches, with the cause only in Mail's last column.

use serde::Serialize;
use std::sync::{Arc, Mutex};

/// Shared by the shop and its outbox worker; starts with no trouble.
#[derive(Clone, Default)]
pub struct Delivery(Arc<Mutex<State>>);

#[derive(Default)]
struct State {
    /// Unix seconds of the first failure in the current run of failures.
    failing_since: Option<i64>,
    failures: u32,
    last_error: Option<String>,
    /// Whether the last failure was temporary (the message waits for a retry).
    last_temporary: bool,
}

/// Mail isn't going out, and why.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct DeliveryTrouble {
    /// The mail server's (or the connection's) last answer.
    pub error: String,
    /// Unix seconds: since when every attempt has failed.
    pub since: i64,
    /// Attempts in a row that failed.
    pub failures: u32,
    /// Messages queued, waiting to go (filled in by `Shop::delivery_trouble`).
    pub waiting: i64,
}

/// Permanent refusals in a row before they count as the server's trouble rather than one
/// bad address's (a 550 for one buyer is that buyer's; three in a row is the server).
const PERMANENT_IN_A_ROW: u32 = 3;

impl Delivery {
    pub fn sent(&self) {
        *self.0.lock().expect("delivery state") = State::default();
    }

    pub fn failed(&self, error: &str, permanent: bool, now: i64) {
        let mut s = self.0.lock().expect("delivery state");
        s.failing_since.get_or_insert(now);
        s.failures += 1;
        s.last_error = Some(error.to_string());
        s.last_temporary = !permanent;
    }

    /// The trouble as it stands (`waiting` left at 0), or None when mail is going out.
    pub fn trouble(&self) -> Option<DeliveryTrouble> {
        let s = self.0.lock().expect("delivery state");
        let troubled = s.failures > 0 && (s.last_temporary || s.failures >= PERMANENT_IN_A_ROW);
        troubled.then(|| DeliveryTrouble {
            error: s.last_error.clone().unwrap_or_default(),
            since: s.failing_since.unwrap_or_default(),
            failures: s.failures,
            waiting: 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_temporary_failure_is_trouble_until_a_message_goes_out() {
        let d = Delivery::default();
        assert_eq!(d.trouble(), None);
        d.failed("connection refused", false, 100);
        d.failed("timed out", false, 160);
        let t = d.trouble().expect("trouble");
        assert_eq!(
            (t.error.as_str(), t.since, t.failures),
            ("timed out", 100, 2)
        );
        d.sent();
        assert_eq!(d.trouble(), None);
    }

    #[test]
    fn one_refused_address_is_not_the_servers_trouble_but_three_in_a_row_are() {
        let d = Delivery::default();
        d.failed("550 no such user", true, 1);
        d.failed("550 no such user", true, 2);
        assert_eq!(d.trouble(), None);
        d.failed("535 authentication failed", true, 3);
        assert_eq!(d.trouble().unwrap().error, "535 authentication failed");
    }
}
