//! The `/v1` REST API: auth, idempotency, routing and handlers.

mod checkout_tax;
mod coupons;
mod endpoints;
mod events;
mod expand;
mod invoices;
mod params;
mod refunds;
mod sessions;
pub(crate) mod tax_codes;

use serde_json::{json, Map, Value};
use warp::http::{HeaderMap, Method};

use crate::form;
use crate::objects::{self, LineInput, SessionInput};
use crate::state::{self, new_id, now_secs, Endpoint, IdemRec, ReqInfo, State, API_VERSION};
use crate::Shared;

pub use crate::wire::{ApiError, Req, Resp};

type R = Result<Value, ApiError>;

use coupons::*;
use endpoints::*;
use events::*;
use expand::*;
use invoices::*;
pub use params::valid_email;
use params::*;
use refunds::*;
use sessions::*;
use tax_codes::*;

pub(super) fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

// ---- typed parameter access -------------------------------------------------

pub fn handle(shared: &Shared, req: Req) -> Resp {
    let request_id = new_id("req_", 14);
    let mut resp = handle_inner(shared, &req, &request_id);
    resp.headers.push(("request-id", request_id));
    let version = header(&req.headers, "stripe-version")
        .unwrap_or(API_VERSION)
        .to_string();
    resp.headers.push(("stripe-version", version));
    if resp.status == 401 {
        resp.headers
            .push(("www-authenticate", "Basic realm=\"Stripe\"".into()));
    }
    resp
}

fn handle_inner(shared: &Shared, req: &Req, request_id: &str) -> Resp {
    if let Err(e) = crate::auth::check(&req.headers, &shared.secret_key) {
        return e.resp();
    }
    let is_post = req.method == Method::POST;
    let ctype = header(&req.headers, "content-type").unwrap_or("");
    if is_post
        && !req.body.is_empty()
        && !ctype.is_empty()
        && !ctype.starts_with("application/x-www-form-urlencoded")
    {
        return ApiError::invalid(format!("Invalid request: unsupported Content-Type {ctype}. Stripe API requests must be application/x-www-form-urlencoded."), None).resp();
    }
    let raw: &[u8] = if is_post || req.method == Method::DELETE && !req.body.is_empty() {
        &req.body
    } else {
        req.query.as_bytes()
    };
    let params = match form::parse(raw) {
        Ok(p) => p,
        Err(m) => return ApiError::invalid(format!("Invalid request: {m}"), None).resp(),
    };
    let idem_key = header(&req.headers, "idempotency-key")
        .map(String::from)
        .filter(|_| is_post);
    if let Some(k) = &idem_key {
        if k.len() > 255 {
            return ApiError::invalid("Idempotency-Key must be at most 255 characters long.", None)
                .resp();
        }
    }
    let info = ReqInfo {
        id: Some(request_id.to_string()),
        idempotency_key: idem_key.clone(),
    };
    let fingerprint = json!({ "path": req.path, "params": params });

    let mut st = shared.lock();
    if let Some(k) = &idem_key {
        let cutoff = now_secs() - 24 * 3600;
        st.idempotency.retain(|_, r| r.created > cutoff);
        if let Some(rec) = st.idempotency.get(k) {
            if rec.fingerprint != fingerprint {
                let e = ApiError { kind: "idempotency_error", ..ApiError::invalid(format!("Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{k}' if you meant to execute a different request."), None) };
                return e.resp();
            }
            let mut r = Resp {
                status: rec.status,
                headers: vec![("content-type", "application/json".into())],
                body: rec.body.clone(),
            };
            r.headers.push(("idempotent-replayed", "true".into()));
            r.headers.push(("idempotency-key", k.clone()));
            return r;
        }
    }
    let segs: Vec<&str> = req.path.trim_matches('/').split('/').collect();
    let public = shared.public_url.clone();
    let result = route(&mut st, &public, &req.method, &segs, &params, &info);
    let resp = match result {
        Ok(v) => Resp::json(200, &v),
        Err(e) => e.resp(),
    };
    if req.method != Method::GET && resp.status == 200 {
        if let Some(k) = idem_key {
            // Stripe saves results only once the endpoint started executing; validation errors aren't saved.
            st.idempotency.insert(
                k.clone(),
                IdemRec {
                    fingerprint,
                    status: resp.status,
                    body: resp.body.clone(),
                    created: now_secs(),
                },
            );
        }
        shared.commit(&st);
    }
    let mut resp = resp;
    if let Some(k) = header(&req.headers, "idempotency-key").filter(|_| is_post) {
        resp.headers.push(("idempotency-key", k.to_string()));
    }
    resp
}

fn route(
    st: &mut State,
    public: &str,
    method: &Method,
    segs: &[&str],
    p: &Value,
    info: &ReqInfo,
) -> R {
    let m = method.as_str();
    match (m, segs) {
        ("POST", ["v1", "checkout", "sessions"]) => create_session(st, public, p),
        ("GET", ["v1", "checkout", "sessions"]) => {
            let mut items: Vec<Value> = st.sessions.iter().rev().filter(|s| get_str(p, "status").is_none_or(|f| s["status"] == f) && get_str(p, "payment_intent").is_none_or(|f| s["payment_intent"] == f)).map(|s| render_session(public, s)).collect();
            if let Some(cr) = get_str(p, "client_reference_id") {
                items.retain(|s| s["client_reference_id"] == cr);
            }
            let list = paginate(items, p, "/v1/checkout/sessions", "checkout.session")?;
            expand(st, public, list, p)
        }
        ("GET", ["v1", "checkout", "sessions", id]) => {
            let s = st.find(&st.sessions, id).ok_or_else(|| ApiError::no_such("checkout.session", id, "session", 404))?;
            expand(st, public, render_session(public, s), p)
        }
        ("GET", ["v1", "checkout", "sessions", id, "line_items"]) => {
            let items = st.line_items.get(*id).cloned().ok_or_else(|| ApiError::no_such("checkout.session", id, "session", 404))?;
            let list = paginate(items, p, &format!("/v1/checkout/sessions/{id}/line_items"), "line item")?;
            expand(st, public, list, p)
        }
        ("POST", ["v1", "checkout", "sessions", id, "expire"]) => {
            let idx = st.position(&st.sessions, id).ok_or_else(|| ApiError::no_such("checkout.session", id, "session", 404))?;
            let status = st.sessions[idx]["status"].as_str().unwrap_or_default().to_string();
            if status != "open" {
                return Err(ApiError::invalid(format!("Only Checkout Sessions with a status in [\"open\"] can be expired. This Checkout Session has a status of \"{status}\"."), None));
            }
            objects::expire_session(st, idx, info);
            expand(st, public, render_session(public, &st.sessions[idx]), p)
        }
        ("GET", ["v1", "payment_intents", id]) => get_obj(st, public, &st.payment_intents, "payment_intent", "intent", id, p),
        ("GET", ["v1", "charges", id]) => get_obj(st, public, &st.charges, "charge", "charge", id, p),
        ("GET", ["v1", "refunds", id]) => get_obj(st, public, &st.refunds, "refund", "refund", id, p),
        ("GET", ["v1", "disputes", id]) => get_obj(st, public, &st.disputes, "dispute", "dispute", id, p),
        ("GET", ["v1", "refunds"]) => {
            let items: Vec<Value> = st.refunds.iter().rev().filter(|r| get_str(p, "charge").is_none_or(|c| r["charge"] == c) && get_str(p, "payment_intent").is_none_or(|c| r["payment_intent"] == c)).cloned().collect();
            let list = paginate(items, p, "/v1/refunds", "refund")?;
            expand(st, public, list, p)
        }
        ("POST", ["v1", "refunds"]) => create_refund(st, public, p, info),
        ("GET", ["v1", "tax_codes"]) => list_tax_codes(st, public, p),
        ("GET", ["v1", "tax_codes", id]) => get_tax_code(st, public, id, p),
        ("GET", ["v1", "invoices"]) => list_invoices(st, public, p),
        ("GET", ["v1", "invoices", id]) => get_invoice(st, public, id, p),
        ("POST", ["v1", "coupons"]) => create_coupon(st, public, p, info),
        ("GET", ["v1", "coupons"]) => list_coupons(st, public, p),
        ("GET", ["v1", "coupons", id]) => get_coupon(st, public, &path_id(id), p),
        ("POST", ["v1", "coupons", id]) => update_coupon(st, public, &path_id(id), p, info),
        ("DELETE", ["v1", "coupons", id]) => delete_coupon(st, &path_id(id), info),
        ("GET", ["v1", "events"]) => list_events(st, p),
        ("GET", ["v1", "events", id]) => st.event(id).map(State::render_event).ok_or_else(|| ApiError::no_such("event", id, "id", 404)),
        ("POST", ["v1", "webhook_endpoints"]) => create_endpoint(st, p),
        ("GET", ["v1", "webhook_endpoints"]) => {
            let items: Vec<Value> = st.endpoints.iter().rev().map(|e| e.object.clone()).collect();
            paginate(items, p, "/v1/webhook_endpoints", "webhook_endpoint")
        }
        ("GET", ["v1", "webhook_endpoints", id]) => st.endpoints.iter().find(|e| e.object["id"] == *id).map(|e| e.object.clone()).ok_or_else(|| ApiError::no_such("webhook_endpoint", id, "webhook_endpoint", 404)),
        ("POST", ["v1", "webhook_endpoints", id]) => update_endpoint(st, id, p),
        ("DELETE", ["v1", "webhook_endpoints", id]) => {
            let idx = st.endpoints.iter().position(|e| e.object["id"] == *id).ok_or_else(|| ApiError::no_such("webhook_endpoint", id, "webhook_endpoint", 404))?;
            st.endpoints.remove(idx);
            st.deliveries.retain(|d| d.endpoint_id != *id);
            for ev in &mut st.events {
                ev.owed.retain(|e| e != id);
            }
            Ok(json!({ "id": id, "object": "webhook_endpoint", "deleted": true }))
        }
        _ => Err(ApiError { status: 404, ..ApiError::invalid(format!("Unrecognized request URL ({m}: /{}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.", segs.join("/")), None) }),
    }
}

fn get_obj(
    st: &State,
    public: &str,
    list: &[Value],
    kind: &str,
    param: &str,
    id: &str,
    p: &Value,
) -> R {
    let obj = st
        .find(list, id)
        .cloned()
        .ok_or_else(|| ApiError::no_such(kind, id, param, 404))?;
    expand(st, public, obj, p)
}

// ---- checkout sessions ------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert!(valid_email("a@b.co"));
        assert!(!valid_email("a@b"));
        assert!(!valid_email("ab.co"));
        assert!(!valid_email("a b@c.de"));
    }
}
