//! The connection cap, fair to buyers behind a tunnel. Through bore or ssh every buyer
//! arrives from loopback, so a cap per address would be one cap for everyone, and a few
//! thousand slow clients (headers a byte at a time, idle keep-alives) would hold every
//! slot and lock every buyer out. So when the cap is reached, a newcomer takes the slot of
//! the connection that has waited longest without a request in progress; only connections
//! busy answering a request (a download being sent) are never taken over. Holding the shop
//! full then takes as many downloads in progress, each counted against a purchase.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::Notify;

pub struct Slots {
    max: usize,
    epoch: Instant,
    next_id: AtomicU64,
    held: Mutex<HashMap<u64, Arc<Slot>>>,
}

pub struct Slot {
    id: u64,
    /// Requests being answered on this connection (hyper serves one at a time).
    busy: AtomicUsize,
    /// When it last had nothing in progress (micros since `Slots::epoch`).
    idle_since: AtomicU64,
    taken_over: Notify,
}

impl Slots {
    pub fn new(max: usize) -> Arc<Slots> {
        Arc::new(Slots {
            max,
            epoch: Instant::now(),
            next_id: AtomicU64::new(0),
            held: Mutex::new(HashMap::new()),
        })
    }

    fn now(&self) -> u64 {
        self.epoch.elapsed().as_micros() as u64
    }

    /// A slot for a new connection: a free one, or the one whose connection has waited
    /// longest with no request in progress (that connection is closed). None when every
    /// connection is busy answering.
    pub fn admit(self: &Arc<Self>) -> Option<Arc<Slot>> {
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        if held.len() >= self.max {
            let oldest = held
                .values()
                .filter(|s| s.busy.load(Ordering::Acquire) == 0)
                .min_by_key(|s| s.idle_since.load(Ordering::Acquire))?
                .clone();
            held.remove(&oldest.id);
            oldest.taken_over.notify_one();
        }
        let slot = Arc::new(Slot {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            busy: AtomicUsize::new(0),
            idle_since: AtomicU64::new(self.now()),
            taken_over: Notify::new(),
        });
        held.insert(slot.id, slot.clone());
        Some(slot)
    }

    /// The connection ended.
    pub fn release(&self, slot: &Slot) {
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        held.remove(&slot.id);
    }

    /// Marks a request in progress on `slot` until the returned guard is dropped (with the
    /// response's body, once it is sent).
    pub fn busy(self: &Arc<Self>, slot: &Arc<Slot>) -> Busy {
        slot.busy.fetch_add(1, Ordering::AcqRel);
        Busy {
            slots: self.clone(),
            slot: slot.clone(),
        }
    }
}

impl Slot {
    /// Resolves when a newcomer took this connection's slot over.
    pub async fn taken_over(&self) {
        self.taken_over.notified().await
    }
}

pub struct Busy {
    slots: Arc<Slots>,
    slot: Arc<Slot>,
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.slot
            .idle_since
            .store(self.slots.now(), Ordering::Release);
        self.slot.busy.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_newcomer_takes_over_the_longest_waiting_idle_connection() {
        let slots = Slots::new(3);
        let a = slots.admit().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = slots.admit().unwrap();
        let c = slots.admit().unwrap();
        let busy_a = slots.busy(&a);
        // Full: a is busy, so b (waiting longest of the idle ones) is taken over.
        let d = slots.admit().unwrap();
        assert!(!slots.held.lock().unwrap().contains_key(&b.id));
        // All busy: nobody is taken over, the newcomer is refused.
        let _busy = [slots.busy(&c), slots.busy(&d)];
        assert!(slots.admit().is_none());
        drop(busy_a);
        assert!(slots.admit().is_some(), "a is idle again");
        assert!(!slots.held.lock().unwrap().contains_key(&a.id));
    }
}
