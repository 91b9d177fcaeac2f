//! The shop's transfers to and from the bucket (an upload, its read-back, a move's files),
//! told to the window as `transfer` events (payload: the core's `Transfer`), at most ten a
//! second, and always the last state of each transfer, so a bar never stops short of where
//! its file got to. Every shop the app opens is followed while it lives (main.rs gives
//! `forward` to AppState, which calls it with each shop it opens or starts), so a restarted
//! shop's transfers reach the window like the first one's.

use crate::window::MAIN;
use booth_core::storage::transfer::Transfer;
use booth_core::Shop;
use std::time::{Duration, Instant};
use tauri::{AppHandle, Emitter};

pub const EVENT: &str = "transfer";
const GAP: Duration = Duration::from_millis(100);

/// Sends `shop`'s transfers to the window until the shop is gone.
pub fn forward(app: &AppHandle, shop: &Shop) {
    let mut rx = shop.transfers().subscribe();
    rx.mark_unchanged();
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut throttle = Throttle::default();
        let send = |t: Transfer| {
            let _ = app.emit_to(MAIN, EVENT, t);
        };
        loop {
            let flush_at = throttle.flush_at();
            tokio::select! {
                changed = rx.changed() => {
                    if changed.is_err() {
                        break; // the shop is gone
                    }
                    let Some(t) = rx.borrow_and_update().clone() else { continue };
                    throttle.next(t, Instant::now()).into_iter().for_each(send);
                }
                _ = sleep_until(flush_at), if flush_at.is_some() => {
                    throttle.flush(Instant::now()).into_iter().for_each(send);
                }
            }
        }
        throttle.held.take().into_iter().for_each(send);
    });
}

async fn sleep_until(at: Option<Instant>) {
    if let Some(at) = at {
        tokio::time::sleep_until(at.into()).await;
    }
}

/// Which states go out: one per `GAP`, the newest held back until then. A held state is
/// sent at once when another transfer starts: it was its transfer's last.
#[derive(Default)]
struct Throttle {
    sent_at: Option<Instant>,
    held: Option<Transfer>,
}

impl Throttle {
    /// The states to send now that `t` came.
    fn next(&mut self, t: Transfer, now: Instant) -> Vec<Transfer> {
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
    fn flush_at(&self) -> Option<Instant> {
        Some(self.sent_at? + GAP).filter(|_| self.held.is_some())
    }

    fn flush(&mut self, now: Instant) -> Option<Transfer> {
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
    use booth_core::storage::transfer::TransferKind::{Upload, Verify};

    fn t(kind: booth_core::storage::transfer::TransferKind, name: &str, done: u64) -> Transfer {
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
