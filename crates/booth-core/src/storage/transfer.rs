//! Progress of the long transfers to and from the bucket (an upload, its read-back, a
//! migration's files), for the CLI's progress bar and the window's progress events. One
//! channel per shop: whoever shows progress subscribes; nobody listening costs nothing.
//! How often a state is worth showing is decided here too ([`Throttle`]).

use serde::Serialize;
use std::time::{Duration, Instant};
use tokio::sync::watch;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum TransferKind {
    /// Sending a file to the bucket.
    Upload,
    /// Reading it back to check its SHA-256.
    Verify,
    /// Fetching a file from the bucket into the data dir.
    Download,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct Transfer {
    pub kind: TransferKind,
    /// The file's name as buyers see it.
    pub name: String,
    pub done: u64,
    pub total: u64,
}

impl Transfer {
    pub fn new(kind: TransferKind, name: &str, total: u64) -> Transfer {
        Transfer {
            kind,
            name: name.to_string(),
            done: 0,
            total,
        }
    }
}

/// Where transfers tell their progress.
#[derive(Clone)]
pub struct Transfers {
    tx: watch::Sender<Option<Transfer>>,
}

impl Default for Transfers {
    fn default() -> Transfers {
        Transfers {
            tx: watch::Sender::new(None),
        }
    }
}

impl Transfers {
    pub fn tell(&self, t: &Transfer) {
        self.tx.send_replace(Some(t.clone()));
    }

    /// The newest transfer's progress, as it changes.
    pub fn subscribe(&self) -> watch::Receiver<Option<Transfer>> {
        self.tx.subscribe()
    }
}

/// At most ten states a second are worth showing.
const GAP: Duration = Duration::from_millis(100);

/// Which states go out: one per `GAP`, the newest held back until then. A held state is
/// sent at once when another transfer starts: it was its transfer's last.
#[derive(Default)]
pub struct Throttle {
    sent_at: Option<Instant>,
    held: Option<Transfer>,
}

impl Throttle {
    /// The states to send now that `t` came.
    pub fn next(&mut self, t: Transfer, now: Instant) -> Vec<Transfer> {
        let mut out = Vec::new();
        if let Some(held) = self.held.take() {
            if !same_transfer(&held, &t) {
                out.push(held);
                self.sent_at = Some(now);
            }
        }
        if self.sent_at.is_some_and(|at| now < at + GAP) {
            self.held = Some(t);
        } else {
            self.sent_at = Some(now);
            out.push(t);
        }
        out
    }

    /// When the held state is due.
    pub fn flush_at(&self) -> Option<Instant> {
        Some(self.sent_at? + GAP).filter(|_| self.held.is_some())
    }

    /// The held state, to send now (when it is due, or when the transfers end).
    pub fn flush(&mut self, now: Instant) -> Option<Transfer> {
        let held = self.held.take()?;
        self.sent_at = Some(now);
        Some(held)
    }
}

/// Is `b` a later state of the transfer `a` is one of?
fn same_transfer(a: &Transfer, b: &Transfer) -> bool {
    a.kind == b.kind && a.name == b.name && a.total == b.total && a.done <= b.done
}

#[cfg(test)]
mod tests {
    use super::*;
    use TransferKind::{Upload, Verify};

    fn t(kind: TransferKind, name: &str, done: u64) -> Transfer {
        Transfer {
            done,
            ..Transfer::new(kind, name, 100)
        }
    }

    #[test]
    fn ten_a_second_and_the_last_state_of_each_transfer() {
        let t0 = Instant::now();
        let at = |ms| t0 + Duration::from_millis(ms);
        let mut th = Throttle::default();
        assert_eq!(th.next(t(Upload, "a", 0), at(0)), [t(Upload, "a", 0)]);
        assert_eq!(th.next(t(Upload, "a", 10), at(20)), []);
        assert_eq!(
            th.next(t(Upload, "a", 20), at(40)),
            [],
            "held: the newer one"
        );
        assert_eq!(th.flush_at(), Some(at(100)));
        assert_eq!(th.flush(at(100)), Some(t(Upload, "a", 20)));
        assert_eq!(th.flush_at(), None, "nothing held");
        assert_eq!(th.next(t(Upload, "a", 100), at(150)), []);
        // Its read-back starts: the upload's 100% goes out first, the read-back waits.
        assert_eq!(th.next(t(Verify, "a", 0), at(160)), [t(Upload, "a", 100)]);
        assert_eq!(th.flush_at(), Some(at(260)));
        assert_eq!(th.next(t(Verify, "a", 100), at(170)), []);
        assert_eq!(th.flush(at(260)), Some(t(Verify, "a", 100)));
        assert_eq!(th.next(t(Upload, "b", 0), at(400)), [t(Upload, "b", 0)]);
    }

    #[test]
    fn the_same_file_again_is_another_transfer() {
        let a = t(Upload, "guide.pdf", 100);
        assert!(same_transfer(&t(Upload, "guide.pdf", 10), &a));
        assert!(
            !same_transfer(&a, &t(Upload, "guide.pdf", 0)),
            "a second version"
        );
        assert!(!same_transfer(&a, &t(Verify, "guide.pdf", 100)));
        assert!(!same_transfer(&a, &t(Upload, "notes.txt", 100)));
    }
}
