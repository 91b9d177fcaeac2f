//! Range requests and what resuming a download may cost. Resuming an interrupted download
//! is free, but only while the bytes served that way since the file was last counted stay
//! within `budget` (about one and a half copies of the file): a link whose downloads are
//! used up can't be fetched again piece by piece. Bytes are metered as they go out, across
//! every request for the same file at once, so parallel-segment download managers (which
//! fetch the whole file once, in pieces) work, and a thousand `bytes=1-` requests together
//! get no more than one request would.

use crate::db::Db;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// The bytes a Range header asks for, before the file's size is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteRange {
    /// `bytes=start-` or `bytes=start-end`.
    From { start: u64, end: Option<u64> },
    /// `bytes=-n`: the last n bytes.
    Last(u64),
}

impl ByteRange {
    /// Bytes start..=end of a file of `size`; None when none of it is in the file (416).
    pub fn within(self, size: u64) -> Option<(u64, u64)> {
        let last = size.checked_sub(1)?;
        match self {
            ByteRange::From { start, end } => {
                let end = end.map_or(last, |e| e.min(last));
                (start <= end).then_some((start, end))
            }
            ByteRange::Last(0) => None,
            ByteRange::Last(n) => Some((size.saturating_sub(n), last)),
        }
    }
}

/// Bytes that may be served free, by resumes, after a counted download of a file of
/// `size`: the rest of one copy, and half a copy more for the overlap of download managers
/// that split a file across connections and close one at a segment's end (the bytes
/// already sent on it are counted too).
pub fn budget(size: u64) -> u64 {
    size.saturating_add(size / 2)
}

/// One purchase's item, file and version.
pub type Key = (i64, i64, i64);

/// Bytes served free for each file being resumed right now (kept only while a request of
/// it is in flight; the database keeps the total between requests).
#[derive(Default)]
pub struct Meters {
    live: Mutex<HashMap<Key, Arc<Meter>>>,
}

pub struct Meter {
    used: AtomicU64,
    budget: u64,
}

impl Meter {
    /// Counts `n` more bytes if they fit in the budget.
    fn take(&self, n: u64) -> bool {
        self.used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |u| {
                u.checked_add(n).filter(|t| *t <= self.budget)
            })
            .is_ok()
    }

    fn used(&self) -> u64 {
        self.used.load(Ordering::Acquire)
    }
}

impl Meters {
    /// The meter of `key`: the one in use, else a new one starting at `stored` (what the
    /// database holds).
    pub fn meter(&self, key: Key, stored: u64, budget: u64) -> Arc<Meter> {
        let mut live = self.live.lock().unwrap_or_else(|e| e.into_inner());
        live.entry(key)
            .or_insert_with(|| {
                Arc::new(Meter {
                    used: AtomicU64::new(stored),
                    budget,
                })
            })
            .clone()
    }

    /// A counted download starts the file's free bytes afresh.
    pub fn reset(&self, key: Key) {
        let live = self.live.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(m) = live.get(&key) {
            m.used.store(0, Ordering::Release);
        }
    }

    /// Forgets `key`'s meter once no request holds it (its total is in the database).
    fn release(&self, key: Key, meter: &Arc<Meter>) {
        let mut live = self.live.lock().unwrap_or_else(|e| e.into_inner());
        // The map's reference and the caller's: nobody else is using it.
        if Arc::strong_count(meter) <= 2 && live.get(&key).is_some_and(|m| Arc::ptr_eq(m, meter)) {
            live.remove(&key);
        }
    }
}

/// A free resume as `authorize_download` granted it: `first` bytes are already counted.
pub struct Charge {
    pub key: Key,
    pub meter: Arc<Meter>,
    pub first: u64,
}

impl Charge {
    /// Takes the first bytes of a resume from `meter`; None if they don't fit.
    pub fn start(key: Key, meter: Arc<Meter>, first: u64) -> Option<Charge> {
        meter.take(first).then_some(Charge { key, meter, first })
    }
}

/// A free resume in flight: every byte sent is taken from its meter first; when it ends,
/// the file's total goes to the database.
pub struct Grant {
    charge: Charge,
    /// Bytes taken but not sent yet.
    credit: u64,
    db: Db,
    meters: Arc<Meters>,
}

impl Grant {
    pub fn new(charge: Charge, db: Db, meters: Arc<Meters>) -> Grant {
        Grant {
            credit: charge.first,
            charge,
            db,
            meters,
        }
    }

    /// May `n` more bytes go out? False once the budget is spent: the response must stop.
    pub fn take(&mut self, n: u64) -> bool {
        if n <= self.credit {
            self.credit -= n;
            return true;
        }
        if self.charge.meter.take(n - self.credit) {
            self.credit = 0;
            true
        } else {
            false
        }
    }
}

impl Drop for Grant {
    fn drop(&mut self) {
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let (key, meter) = (self.charge.key, self.charge.meter.clone());
        let (db, meters) = (self.db.clone(), self.meters.clone());
        rt.spawn(async move {
            let m = meter.clone();
            // What the meter says when the write runs: later bytes are in it too.
            let saved = db
                .write_relaxed(move |tx| {
                    tx.prepare_cached(
                        "UPDATE download_counts SET resume_bytes = ?4
                         WHERE purchase_item_id = ?1 AND file_id = ?2 AND file_version_id = ?3",
                    )?
                    .execute(rusqlite::params![
                        key.0,
                        key.1,
                        key.2,
                        m.used() as i64
                    ])?;
                    Ok(())
                })
                .await;
            if let Err(e) = saved {
                tracing::warn!(error = %e, "couldn't save how much of a file was resumed");
            }
            meters.release(key, &meter);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_within_a_file() {
        let from = |start, end| ByteRange::From { start, end };
        assert_eq!(from(0, Some(9)).within(100), Some((0, 9)));
        assert_eq!(from(50, None).within(100), Some((50, 99)));
        assert_eq!(from(90, Some(500)).within(100), Some((90, 99)));
        assert_eq!(from(100, None).within(100), None);
        assert_eq!(from(9, Some(1)).within(100), None);
        assert_eq!(from(0, None).within(0), None);
        assert_eq!(ByteRange::Last(10).within(100), Some((90, 99)));
        assert_eq!(ByteRange::Last(500).within(100), Some((0, 99)));
        assert_eq!(ByteRange::Last(0).within(100), None);
        assert_eq!(ByteRange::Last(1).within(0), None);
        assert_eq!(from(u64::MAX, None).within(u64::MAX), None);
    }

    #[test]
    fn a_meter_shares_its_budget_between_requests() {
        let meters = Meters::default();
        let key = (1, 2, 3);
        let m = meters.meter(key, 0, 150);
        let a = Charge::start(key, m.clone(), 100).expect("first resume");
        // Another request of the same file sees the same meter.
        assert!(Charge::start(key, meters.meter(key, 0, 150), 60).is_none());
        let b = Charge::start(key, meters.meter(key, 0, 150), 50).expect("fits exactly");
        assert_eq!(m.used(), 150);
        meters.reset(key);
        assert_eq!(m.used(), 0);
        drop((a, b));
    }
}
