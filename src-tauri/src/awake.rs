//! Keeping the computer awake while the shop is open to the world: an idle-sleep inhibitor
//! (keepawake: logind's Inhibit on Linux, an IOKit power assertion on macOS,
//! SetThreadExecutionState on Windows), held while the seller wants it, the shop sells and
//! a tunnel is up; released (dropped) otherwise.

use serde::Serialize;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Whether Booth keeps the computer awake now, for Settings and the tray.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(tag = "state", content = "reason", rename_all = "snake_case")]
pub enum AwakeState {
    /// Held: the computer doesn't sleep on idle while the shop sells.
    Held,
    /// Not held (switched off, the shop paused or stopped, or no tunnel up).
    Off,
    /// Wanted but refused by the system, and why.
    Unavailable(String),
}

/// A refused inhibitor is asked for again after this long, not every tick.
const RETRY: Duration = Duration::from_secs(60);

#[derive(Default)]
pub struct Awake {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    held: Option<keepawake::KeepAwake>,
    refused: Option<(String, Instant)>,
}

impl Awake {
    /// Holds or releases the inhibitor. Blocking (a D-Bus call on Linux): call it off the
    /// async threads.
    pub fn want(&self, on: bool) {
        let mut inner = self.inner.lock().expect("awake lock");
        if !on {
            if inner.held.take().is_some() {
                tracing::info!("the computer may sleep again");
            }
            inner.refused = None;
            return;
        }
        if inner.held.is_some() {
            return;
        }
        if matches!(&inner.refused, Some((_, at)) if at.elapsed() < RETRY) {
            return;
        }
        let held = keepawake::Builder::default()
            .idle(true)
            .reason("Booth is selling: the shop is open to the world")
            .app_name("Booth")
            .app_reverse_domain("app.booth.desktop")
            .create();
        match held {
            Ok(h) => {
                tracing::info!("keeping the computer awake while the shop sells");
                inner.held = Some(h);
                inner.refused = None;
            }
            Err(e) => {
                tracing::warn!(error = %e, "couldn't keep the computer awake");
                inner.refused = Some((e.to_string(), Instant::now()));
            }
        }
    }

    pub fn state(&self) -> AwakeState {
        let inner = self.inner.lock().expect("awake lock");
        match (&inner.held, &inner.refused) {
            (Some(_), _) => AwakeState::Held,
            (None, Some((why, _))) => AwakeState::Unavailable(why.clone()),
            (None, None) => AwakeState::Off,
        }
    }
}
