//! The shop's transfers to and from the bucket (an upload, its read-back, a move's files),
//! told to the window as `transfer` events (payload: the core's `Transfer`), at most ten a
//! second, and always the last state of each transfer, so a bar never stops short of where
//! its file got to. Every shop the app opens is followed while it lives (lib.rs gives
//! `forward` to AppState, which calls it with each shop it opens or starts), so a restarted
//! shop's transfers reach the window like the first one's.

use crate::window::MAIN;
use booth_core::storage::transfer::{Throttle, Transfer};
use booth_core::Shop;
use std::time::Instant;
use tauri::{AppHandle, Emitter};

pub const EVENT: &str = "transfer";

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
        throttle.flush(Instant::now()).into_iter().for_each(send);
    });
}

async fn sleep_until(at: Option<Instant>) {
    if let Some(at) = at {
        tokio::time::sleep_until(at.into()).await;
    }
}
