//! Background worker: webhook delivery with retries, session expiry, and the
//! delayed dispute of the 0259 test card.

use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::task::JoinSet;

use crate::objects;
use crate::state::{now_ms, now_secs, ReqInfo, State};
use crate::Shared;

/// `t=<unix>,v1=<hex hmac>` exactly as Stripe signs: key = the whole `whsec_...` string.
pub fn sign(secret: &str, t: i64, body: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("hmac accepts any key length");
    mac.update(format!("{t}.{body}").as_bytes());
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

struct Job {
    event_id: String,
    endpoint_id: String,
    url: String,
    secret: String,
    body: String,
}

async fn send(http: &reqwest::Client, job: &Job) -> bool {
    let sig = sign(&job.secret, now_secs(), &job.body);
    let res = http
        .post(&job.url)
        .header("content-type", "application/json; charset=utf-8")
        .header(
            "user-agent",
            "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        )
        .header("stripe-signature", sig)
        .header("cache-control", "no-cache")
        .body(job.body.clone())
        .send()
        .await;
    match res {
        // Only 2xx counts; redirects are not followed and count as failures, like Stripe.
        Ok(r) => r.status().is_success(),
        Err(e) => {
            tracing::debug!("stripe-sim: webhook to {} failed: {e}", job.url);
            false
        }
    }
}

/// Applies time-based changes and picks due deliveries; returns jobs and the next wake-up.
fn tick(shared: &Shared, st: &mut State) -> (Vec<Job>, Duration) {
    let now = now_ms();
    let mut changed = false;
    let secs = now_secs();
    let expired: Vec<usize> = st
        .sessions
        .iter()
        .enumerate()
        .filter(|(_, s)| {
            s["status"] == "open" && s["expires_at"].as_i64().is_some_and(|t| t <= secs)
        })
        .map(|(i, _)| i)
        .collect();
    for idx in expired {
        objects::expire_session(st, idx, &ReqInfo::default());
        changed = true;
    }
    let due: Vec<String> = st
        .pending_disputes
        .iter()
        .filter(|(_, t)| *t <= now)
        .map(|(c, _)| c.clone())
        .collect();
    if !due.is_empty() {
        st.pending_disputes.retain(|(_, t)| *t > now);
        for ch in due {
            crate::payment::open_dispute(st, &ch);
        }
        changed = true;
    }
    let mut jobs = Vec::new();
    let mut dropped = false;
    let mut next = Duration::from_secs(1);
    let State {
        deliveries,
        events,
        endpoints,
        index,
        ..
    } = st;
    deliveries.retain_mut(|d| {
        if d.in_flight {
            return true;
        }
        let ep = endpoints.iter().find(|e| e.object["id"] == d.endpoint_id);
        let ev = index
            .get(&d.event_id)
            .and_then(|&i| events.get(i))
            .filter(|e| e.event["id"] == d.event_id);
        let (Some(ep), Some(ev)) = (ep, ev) else {
            dropped = true;
            return false;
        };
        if ep.object["status"] != "enabled" {
            // Disabled endpoints get nothing further, like Stripe.
            dropped = true;
            return false;
        }
        if d.next_at_ms > now {
            next = next.min(Duration::from_millis(d.next_at_ms - now));
            return true;
        }
        d.in_flight = true;
        let body = serde_json::to_string_pretty(&State::render_event(ev)).unwrap_or_default();
        jobs.push(Job {
            event_id: d.event_id.clone(),
            endpoint_id: d.endpoint_id.clone(),
            url: ep.object["url"].as_str().unwrap_or_default().to_string(),
            secret: ep.secret.clone(),
            body,
        });
        true
    });
    if changed || dropped {
        shared.commit(st);
    }
    (jobs, next)
}

fn finish(shared: &Shared, event_id: &str, endpoint_id: &str, ok: bool) {
    let base = shared.retry_base;
    let max = shared.max_attempts.max(1);
    let mut st = shared.lock();
    let Some(pos) = st
        .deliveries
        .iter()
        .position(|d| d.event_id == event_id && d.endpoint_id == endpoint_id)
    else {
        return;
    };
    let d = &mut st.deliveries[pos];
    d.in_flight = false;
    d.attempts += 1;
    if ok {
        st.deliveries.remove(pos);
        if let Some(i) = st.event_position(event_id) {
            st.events[i].owed.retain(|e| e != endpoint_id);
        }
    } else if d.attempts >= max {
        // Give up; the event stays owed so `delivery_success=false` finds it.
        tracing::info!(
            "stripe-sim: giving up on {event_id} → {endpoint_id} after {} attempts",
            d.attempts
        );
        st.deliveries.remove(pos);
    } else {
        let factor = 1u32.checked_shl(d.attempts - 1).unwrap_or(u32::MAX);
        let delay = base.saturating_mul(factor);
        d.next_at_ms = now_ms() + delay.as_millis() as u64;
    }
    shared.commit(&st);
}

pub async fn run(shared: Arc<Shared>, mut stop: tokio::sync::watch::Receiver<bool>) {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("reqwest client");
    let mut inflight: JoinSet<(String, String, bool)> = JoinSet::new();
    loop {
        let (jobs, next) = {
            let mut st = shared.lock();
            tick(&shared, &mut st)
        };
        for job in jobs {
            let http = http.clone();
            inflight.spawn(async move {
                let ok = send(&http, &job).await;
                (job.event_id, job.endpoint_id, ok)
            });
        }
        tokio::select! {
            _ = stop.changed() => break,
            _ = shared.notify.notified() => {}
            _ = tokio::time::sleep(next) => {}
            Some(res) = inflight.join_next(), if !inflight.is_empty() => {
                if let Ok((ev, ep, ok)) = res {
                    finish(&shared, &ev, &ep, ok);
                }
            }
        }
    }
    // Dropping the JoinSet aborts deliveries still in flight.
}

#[cfg(test)]
mod tests {
    #[test]
    fn signature_matches_known_vector() {
        // HMAC-SHA256(key="whsec_x", "1.{}") computed independently with openssl.
        let s = super::sign("whsec_x", 1, "{}");
        assert_eq!(
            s,
            "t=1,v1=36ee2f7498f0c1777d1312b2a7361947fe5ad31223be30d0c62421f4ca753401"
        );
    }
}
