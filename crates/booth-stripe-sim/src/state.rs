//! All simulator state: Stripe objects kept as the JSON Stripe would return
//! (so rendering is a clone, not a mapping), plus private bookkeeping.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// The API version async-stripe 1.0.0-rc.10 pins (`stripe_shared::version::VERSION`).
pub const API_VERSION: &str = "2026-09-30.endive";

pub fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// `prefix` + `len` random alphanumerics, the shape of Stripe ids.
pub fn new_id(prefix: &str, len: usize) -> String {
    let rnd: String = rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(len)
        .map(char::from)
        .collect();
    format!("{prefix}{rnd}")
}

#[derive(Serialize, Deserialize, Clone)]
pub struct EventRec {
    pub event: Value,
    /// Endpoint ids not yet delivered to (including ones we gave up on).
    pub owed: Vec<String>,
}

#[derive(Serialize, Deserialize, Clone)]
pub struct Endpoint {
    /// The public object, without `secret`.
    pub object: Value,
    pub secret: String,
}

#[derive(Serialize, Deserialize, Clone)]
pub struct Delivery {
    pub event_id: String,
    pub endpoint_id: String,
    /// Attempts made so far.
    pub attempts: u32,
    pub next_at_ms: u64,
    #[serde(skip)]
    pub in_flight: bool,
}

#[derive(Serialize, Deserialize, Clone)]
pub struct IdemRec {
    pub fingerprint: Value,
    pub status: u16,
    pub body: String,
    pub created: i64,
}

#[derive(Serialize, Deserialize, Clone, Default)]
pub struct State {
    /// Each list is kept in creation order; lists are rendered newest first.
    pub sessions: Vec<Value>,
    pub line_items: HashMap<String, Vec<Value>>,
    /// `payment_intent_data` given at session creation, applied on payment.
    #[serde(default)]
    pub session_pi_data: HashMap<String, Value>,
    pub payment_intents: Vec<Value>,
    pub charges: Vec<Value>,
    pub refunds: Vec<Value>,
    pub disputes: Vec<Value>,
    /// Coupons, live ones only (a deleted coupon is gone, as from Stripe's API). Custom
    /// ids share no prefix, so they stay out of `index`; shops have few coupons.
    #[serde(default)]
    pub coupons: Vec<Value>,
    /// Invoices of paid sessions with `invoice_creation` (see invoice.rs).
    #[serde(default)]
    pub invoices: Vec<Value>,
    /// What Stripe keeps off the objects it returns, by session or line item id: the
    /// products' tax codes (the simulator serves no Product objects), and the tax and
    /// discount breakdowns Stripe shows only when expanded (see session_tax.rs).
    #[serde(default)]
    pub tax_details: HashMap<String, Value>,
    pub events: Vec<EventRec>,
    pub endpoints: Vec<Endpoint>,
    pub deliveries: Vec<Delivery>,
    pub idempotency: HashMap<String, IdemRec>,
    /// (charge id, due time) for the 0259 card's delayed dispute.
    pub pending_disputes: Vec<(String, u64)>,
    /// Where each object and event is in its list, by id (ids are unique across kinds;
    /// their prefixes differ). Objects are only ever appended, so positions never change.
    /// Without it every lookup scanned a list: a shop with thousands of test purchases
    /// spent most of a retrieve comparing ids.
    #[serde(skip)]
    pub index: HashMap<String, usize>,
}

/// Writes `bytes` to a new file with mode 0600. A temp file left by a crash is removed
/// first: the mode applies only to a file the open creates, and `create_new` won't
/// follow a symlink someone put in its place.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    opts.open(path)?.write_all(bytes)
}

/// Who caused an event, for `event.request`.
#[derive(Clone, Default)]
pub struct ReqInfo {
    pub id: Option<String>,
    pub idempotency_key: Option<String>,
}

/// Appends an object to its list and indexes it.
pub fn append(index: &mut HashMap<String, usize>, list: &mut Vec<Value>, object: Value) {
    if let Some(id) = object["id"].as_str() {
        index.insert(id.to_string(), list.len());
    }
    list.push(object);
}

pub fn endpoint_wants(ep: &Value, event_type: &str) -> bool {
    ep["status"] == "enabled"
        && ep["enabled_events"].as_array().is_some_and(|a| {
            a.iter().any(|e| {
                e == "*"
                    || e == event_type
                    || e.as_str()
                        .and_then(|s| s.strip_suffix(".*"))
                        .is_some_and(|p| {
                            event_type.starts_with(p) && event_type[p.len()..].starts_with('.')
                        })
            })
        })
}

impl State {
    pub fn load(path: &Path) -> anyhow::Result<State> {
        match std::fs::read(path) {
            Ok(bytes) => {
                let mut st: State = serde_json::from_slice(&bytes)
                    .map_err(|e| anyhow::anyhow!("corrupt state file {}: {e}", path.display()))?;
                st.reindex();
                Ok(st)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
            Err(e) => Err(anyhow::anyhow!(
                "reading state file {}: {e}",
                path.display()
            )),
        }
    }

    /// Atomic rewrite (tmp + rename) so a crash never leaves a torn snapshot. Readable
    /// by the owner alone: it holds the webhook secrets and buyers' emails.
    pub fn save(&self, path: &Path) {
        let tmp = path.with_extension("tmp");
        let res = serde_json::to_vec(self)
            .map_err(std::io::Error::other)
            .and_then(|bytes| write_private(&tmp, &bytes))
            .and_then(|_| std::fs::rename(&tmp, path));
        if let Err(e) = res {
            tracing::warn!(
                "stripe-sim: could not save state to {}: {e}",
                path.display()
            );
        }
    }

    /// Records an event and queues it for every enabled endpoint that wants it
    /// right now (Stripe never backfills endpoints created later).
    pub fn emit(
        &mut self,
        kind: &str,
        object: Value,
        previous: Option<Value>,
        req: &ReqInfo,
    ) -> String {
        let id = new_id("evt_", 24);
        let mut data = json!({ "object": object });
        if let Some(p) = previous {
            data["previous_attributes"] = p;
        }
        let owed: Vec<String> = self
            .endpoints
            .iter()
            .filter(|e| endpoint_wants(&e.object, kind))
            .map(|e| e.object["id"].as_str().unwrap_or_default().to_string())
            .collect();
        let event = json!({
            "id": id,
            "object": "event",
            "api_version": API_VERSION,
            "created": now_secs(),
            "data": data,
            "livemode": false,
            "pending_webhooks": owed.len(),
            "request": { "id": req.id, "idempotency_key": req.idempotency_key },
            "type": kind,
        });
        let now = now_ms();
        for ep in &owed {
            self.deliveries.push(Delivery {
                event_id: id.clone(),
                endpoint_id: ep.clone(),
                attempts: 0,
                next_at_ms: now,
                in_flight: false,
            });
        }
        self.index.insert(id.clone(), self.events.len());
        self.events.push(EventRec { event, owed });
        id
    }

    /// Where the object `id` is in `list` (one of this state's lists).
    pub fn position(&self, list: &[Value], id: &str) -> Option<usize> {
        match self.index.get(id) {
            Some(&i) if list.get(i).is_some_and(|v| v["id"] == id) => Some(i),
            // Not indexed (or not in this list): look, as before the index.
            _ => list.iter().position(|v| v["id"] == id),
        }
    }

    pub fn find<'a>(&self, list: &'a [Value], id: &str) -> Option<&'a Value> {
        self.position(list, id).map(|i| &list[i])
    }

    pub fn event_position(&self, id: &str) -> Option<usize> {
        match self.index.get(id) {
            Some(&i) if self.events.get(i).is_some_and(|r| r.event["id"] == id) => Some(i),
            _ => self.events.iter().position(|r| r.event["id"] == id),
        }
    }

    /// Rebuilds the index (after loading a saved state).
    fn reindex(&mut self) {
        let mut index = HashMap::new();
        for list in [
            &self.sessions,
            &self.payment_intents,
            &self.charges,
            &self.refunds,
            &self.disputes,
            &self.invoices,
        ] {
            for (i, v) in list.iter().enumerate() {
                if let Some(id) = v["id"].as_str() {
                    index.insert(id.to_string(), i);
                }
            }
        }
        for (i, r) in self.events.iter().enumerate() {
            if let Some(id) = r.event["id"].as_str() {
                index.insert(id.to_string(), i);
            }
        }
        self.index = index;
    }

    /// The event as the API shows it now (pending_webhooks is live).
    pub fn render_event(rec: &EventRec) -> Value {
        let mut e = rec.event.clone();
        e["pending_webhooks"] = json!(rec.owed.len());
        e
    }

    pub fn event(&self, id: &str) -> Option<&EventRec> {
        self.event_position(id).map(|i| &self.events[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_use_the_index_and_it_survives_a_reload() {
        let mut st = State::default();
        for i in 0..50 {
            append(
                &mut st.index,
                &mut st.sessions,
                json!({ "id": format!("cs_{i}"), "n": i }),
            );
        }
        append(&mut st.index, &mut st.charges, json!({ "id": "ch_1" }));
        let ev = st.emit(
            "charge.succeeded",
            json!({ "id": "ch_1" }),
            None,
            &ReqInfo::default(),
        );
        assert_eq!(st.find(&st.sessions, "cs_42").unwrap()["n"], 42);
        assert_eq!(st.position(&st.charges, "ch_1"), Some(0));
        // An id from another list is not found in this one.
        assert_eq!(st.position(&st.sessions, "ch_1"), None);
        assert!(st.find(&st.sessions, "cs_nope").is_none());
        assert!(st.event(&ev).is_some());

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sim.json");
        st.save(&path);
        let loaded = State::load(&path).unwrap();
        assert_eq!(loaded.index.len(), st.index.len());
        assert_eq!(loaded.find(&loaded.sessions, "cs_7").unwrap()["n"], 7);
        assert_eq!(loaded.event(&ev).unwrap().event["id"], ev.as_str());
    }

    #[cfg(unix)]
    #[test]
    fn the_state_file_is_the_owners_alone() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stripe-sim.json");
        // An older Booth left it world-readable, and a crash left a temp file behind.
        std::fs::write(&path, serde_json::to_vec(&State::default()).unwrap()).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        std::fs::write(path.with_extension("tmp"), "torn").unwrap();
        let mut st = State::load(&path).unwrap();
        st.endpoints.push(Endpoint {
            object: json!({ "id": "we_1" }),
            secret: "whsec_x".into(),
        });
        st.save(&path);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(State::load(&path).unwrap().endpoints[0].secret, "whsec_x");
        assert!(!path.with_extension("tmp").exists());
    }
}
