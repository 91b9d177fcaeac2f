//! The `/v1` REST API: auth, idempotency, routing and handlers.

use serde_json::{json, Map, Value};
use warp::http::{HeaderMap, Method};

use crate::form;
use crate::objects::{self, LineInput, SessionInput};
use crate::state::{self, new_id, now_secs, Endpoint, IdemRec, ReqInfo, State, API_VERSION};
use crate::Shared;

pub use crate::wire::{ApiError, Req, Resp};

type R = Result<Value, ApiError>;

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

// ---- typed parameter access -------------------------------------------------

fn get_str<'a>(p: &'a Value, key: &str) -> Option<&'a str> {
    p.get(key).and_then(Value::as_str)
}

fn get_int(p: &Value, key: &str, param: &str) -> Result<Option<i64>, ApiError> {
    match p.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => s
            .trim()
            .parse::<i64>()
            .map(Some)
            .map_err(|_| ApiError::invalid(format!("Invalid integer: {s}"), Some(param))),
        Some(_) => Err(ApiError::invalid("Invalid integer", Some(param))),
    }
}

fn get_bool(p: &Value, key: &str) -> Result<Option<bool>, ApiError> {
    match get_str(p, key) {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(s) => Err(ApiError::invalid(
            format!("Invalid boolean: {s}"),
            Some(key),
        )),
    }
}

fn metadata(p: &Value, key: &str) -> Result<Map<String, Value>, ApiError> {
    let map: Map<String, Value> = match p.get(key) {
        None => Map::new(),
        Some(Value::String(s)) if s.is_empty() => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        // `metadata[0]=x` parses as an array; Stripe treats the index as the key.
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v.clone()))
            .collect(),
        Some(_) => return Err(ApiError::invalid("Invalid hash", Some(key))),
    };
    if map.len() > 50 {
        return Err(ApiError::invalid(
            "You can have at most 50 metadata keys.",
            Some(key),
        ));
    }
    for (k, v) in &map {
        let Some(s) = v.as_str() else {
            return Err(ApiError::invalid(
                "Invalid hash",
                Some(&format!("{key}[{k}]")),
            ));
        };
        if k.chars().count() > 40 {
            return Err(ApiError::invalid(
                format!("Metadata keys can have up to 40 characters. The key `{k}` is too long."),
                Some(key),
            ));
        }
        if s.chars().count() > 500 {
            return Err(ApiError::invalid(
                "Metadata values can have up to 500 characters.",
                Some(&format!("{key}[{k}]")),
            ));
        }
    }
    Ok(map
        .into_iter()
        .filter(|(_, v)| v.as_str() != Some(""))
        .collect())
}

fn check_url(p: &Value, key: &str, required: bool) -> Result<Option<String>, ApiError> {
    match get_str(p, key) {
        None if required => Err(ApiError::missing(key)),
        None => Ok(None),
        Some(u) => {
            // Checkout's `{CHECKOUT_SESSION_ID}` template is not a valid URL character sequence as-is.
            let probe = u.replace("{CHECKOUT_SESSION_ID}", "x");
            match url::Url::parse(&probe) {
                Ok(parsed)
                    if matches!(parsed.scheme(), "http" | "https")
                        && !u.chars().any(char::is_control) =>
                {
                    Ok(Some(u.to_string()))
                }
                _ => Err(ApiError::invalid("Not a valid URL", Some(key)).code("url_invalid")),
            }
        }
    }
}

pub fn valid_email(e: &str) -> bool {
    let Some((local, domain)) = e.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !e.chars().any(|c| c.is_whitespace() || c == '<' || c == '>')
        && !domain.contains('@')
}

// ---- lists, expansion -------------------------------------------------------

/// Stripe cursor pagination over `items` (already in list order).
fn paginate(items: Vec<Value>, p: &Value, url: &str, kind: &str) -> R {
    let limit = get_int(p, "limit", "limit")?.unwrap_or(10);
    if limit < 1 {
        return Err(ApiError::invalid(
            "This value must be greater than or equal to 1.",
            Some("limit"),
        ));
    }
    if limit > 100 {
        return Err(ApiError::invalid(
            "This value must be less than or equal to 100.",
            Some("limit"),
        ));
    }
    let limit = limit as usize;
    let pos = |param: &str, id: &str| {
        items
            .iter()
            .position(|v| v["id"] == id)
            .ok_or_else(|| ApiError::no_such(kind, id, param, 400))
    };
    let (data, has_more): (Vec<Value>, bool) =
        if let Some(id) = get_str(p, "starting_after").filter(|s| !s.is_empty()) {
            let rest = &items[pos("starting_after", id)? + 1..];
            (
                rest.iter().take(limit).cloned().collect(),
                rest.len() > limit,
            )
        } else if let Some(id) = get_str(p, "ending_before").filter(|s| !s.is_empty()) {
            let before = &items[..pos("ending_before", id)?];
            let start = before.len().saturating_sub(limit);
            (before[start..].to_vec(), start > 0)
        } else {
            (
                items.iter().take(limit).cloned().collect(),
                items.len() > limit,
            )
        };
    Ok(json!({ "object": "list", "data": data, "has_more": has_more, "url": url }))
}

fn session_url(public: &str, id: &str) -> String {
    format!("{}/c/pay/{id}", public.trim_end_matches('/'))
}

pub fn render_session(public: &str, s: &Value) -> Value {
    let mut s = s.clone();
    // Computed on render so a restart on another port still hands out working links.
    s["url"] = if s["status"] == "open" {
        json!(session_url(public, s["id"].as_str().unwrap_or_default()))
    } else {
        Value::Null
    };
    s
}

fn lookup(st: &State, public: &str, id: &str) -> Option<Value> {
    let list = match id.split('_').next()? {
        "pi" => &st.payment_intents,
        "ch" => &st.charges,
        "re" => &st.refunds,
        "dp" => &st.disputes,
        "cs" => return st.find(&st.sessions, id).map(|s| render_session(public, s)),
        _ => return None,
    };
    st.find(list, id).cloned()
}

fn expand_one(st: &State, public: &str, obj: &mut Value, path: &str) -> Result<(), ApiError> {
    let bad = || {
        ApiError::invalid(
            format!("This property cannot be expanded ({path})."),
            Some("expand"),
        )
    };
    if let Some(rest) = path.strip_prefix("data.") {
        if obj["object"] == "list" {
            if let Some(arr) = obj["data"].as_array_mut() {
                for item in arr {
                    expand_one(st, public, item, rest)?;
                }
            }
            return Ok(());
        }
    }
    let (field, rest) = match path.split_once('.') {
        Some((f, r)) => (f, Some(r)),
        None => (path, None),
    };
    if field == "line_items" && obj["object"] == "checkout.session" {
        let id = obj["id"].as_str().unwrap_or_default().to_string();
        let items = st.line_items.get(&id).cloned().unwrap_or_default();
        let has_more = items.len() > 10;
        obj["line_items"] = json!({ "object": "list", "data": items.into_iter().take(10).collect::<Vec<_>>(), "has_more": has_more, "url": format!("/v1/checkout/sessions/{id}/line_items") });
    } else {
        match obj.get(field) {
            Some(Value::Null) => return Ok(()),
            Some(Value::String(id)) => {
                let found = lookup(st, public, id).ok_or_else(bad)?;
                obj[field] = found;
            }
            Some(Value::Object(_)) => {}
            _ => return Err(bad()),
        }
    }
    match rest {
        Some(r) => expand_one(st, public, &mut obj[field], r),
        None => Ok(()),
    }
}

/// Stripe expands at most 4 levels (`data.x.y.z` in a list). The bound also keeps
/// `expand_one`, which recurses once per level, from running off the stack: ids refer
/// to each other (a charge's payment_intent, its latest_charge…), so without it a long
/// enough path would recurse as deep as it is long.
const MAX_EXPAND_DEPTH: usize = 4;

fn expand(st: &State, public: &str, mut obj: Value, p: &Value) -> R {
    for path in form::list_of_str(p.get("expand")) {
        if path.split('.').count() > MAX_EXPAND_DEPTH {
            return Err(ApiError::invalid(
                format!("You cannot expand more than {MAX_EXPAND_DEPTH} levels of a property."),
                Some("expand"),
            ));
        }
        expand_one(st, public, &mut obj, &path)?;
    }
    Ok(obj)
}

// ---- entry point ------------------------------------------------------------

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

fn create_session(st: &mut State, public: &str, p: &Value) -> R {
    match get_str(p, "mode") {
        None => return Err(ApiError::missing("mode")),
        Some("payment") => {}
        Some("subscription" | "setup") => {
            return Err(ApiError::invalid(
                "This simulator only supports `mode=payment` Checkout Sessions.",
                Some("mode"),
            ))
        }
        Some(_) => {
            return Err(ApiError::invalid(
                "Invalid mode: must be one of payment, setup, or subscription",
                Some("mode"),
            ))
        }
    }
    let success_url = check_url(p, "success_url", true)?.unwrap_or_default();
    let cancel_url = check_url(p, "cancel_url", false)?;
    let items = match p.get("line_items") {
        None => return Err(ApiError::missing("line_items")),
        Some(Value::Array(a)) if !a.is_empty() => a,
        Some(_) => return Err(ApiError::invalid("Invalid array", Some("line_items"))),
    };
    if items.len() > 100 {
        return Err(ApiError::invalid(
            "You may only specify up to 100 line items.",
            Some("line_items"),
        ));
    }
    let mut lines = Vec::new();
    for (i, li) in items.iter().enumerate() {
        let pfx = format!("line_items[{i}]");
        if !li.is_object() {
            return Err(ApiError::invalid("Invalid object", Some(&pfx)));
        }
        if let Some(price) = get_str(li, "price") {
            return Err(ApiError::no_such(
                "price",
                price,
                &format!("{pfx}[price]"),
                400,
            ));
        }
        let Some(pd) = li.get("price_data").filter(|v| v.is_object()) else {
            return Err(ApiError::invalid(
                "You must specify either `price` or `price_data` for each line item.",
                Some(&pfx),
            )
            .code("parameter_missing"));
        };
        let currency = get_str(pd, "currency")
            .ok_or_else(|| ApiError::missing(&format!("{pfx}[price_data][currency]")))?
            .to_ascii_lowercase();
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_lowercase()) {
            return Err(ApiError::invalid(format!("Invalid currency: {currency}. Stripe currently supports these currencies: usd, eur, gbp, ..."), Some(&format!("{pfx}[price_data][currency]"))));
        }
        if let Some(prod) = get_str(pd, "product") {
            return Err(ApiError::no_such(
                "product",
                prod,
                &format!("{pfx}[price_data][product]"),
                400,
            ));
        }
        if pd.get("recurring").is_some() {
            return Err(ApiError::invalid("You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.", Some(&format!("{pfx}[price_data][recurring]"))));
        }
        let name_param = format!("{pfx}[price_data][product_data][name]");
        let name = pd
            .get("product_data")
            .and_then(|d| get_str(d, "name"))
            .ok_or_else(|| ApiError::missing(&name_param))?;
        if name.trim().is_empty() {
            return Err(ApiError::invalid("You passed an empty string for 'name'. We assume empty values are an attempt to unset a parameter; however 'name' cannot be unset. You should remove 'name' from your request or supply a non-empty value.", Some(&name_param)));
        }
        let ua_param = format!("{pfx}[price_data][unit_amount]");
        if pd.get("unit_amount").is_none() && pd.get("unit_amount_decimal").is_some() {
            return Err(ApiError::invalid(
                "This simulator supports integer `unit_amount` only (amounts are in minor units).",
                Some(&format!("{pfx}[price_data][unit_amount_decimal]")),
            ));
        }
        let unit_amount =
            get_int(pd, "unit_amount", &ua_param)?.ok_or_else(|| ApiError::missing(&ua_param))?;
        if unit_amount < 0 {
            return Err(ApiError::invalid(
                "This value must be greater than or equal to 0.",
                Some(&ua_param),
            ));
        }
        let q_param = format!("{pfx}[quantity]");
        let quantity = get_int(li, "quantity", &q_param)?.ok_or_else(|| {
            ApiError::invalid(
                format!("Quantity is required. Add `quantity` to `{pfx}`"),
                Some(&q_param),
            )
            .code("parameter_missing")
        })?;
        if quantity < 1 {
            return Err(ApiError::invalid(
                "This value must be greater than or equal to 1.",
                Some(&q_param),
            ));
        }
        if quantity > 999_999 {
            return Err(ApiError::invalid(
                "This value must be less than or equal to 999999.",
                Some(&q_param),
            ));
        }
        lines.push(LineInput {
            name: name.to_string(),
            currency,
            unit_amount,
            quantity,
            metadata: metadata(li, "metadata")?,
        });
    }
    if lines.iter().any(|l| l.currency != lines[0].currency) {
        return Err(ApiError::invalid(
            "All line items must have the same currency.",
            Some("line_items"),
        ));
    }
    let max_total = 99_999_999i64;
    let total = lines
        .iter()
        .try_fold(0i64, |acc, l| {
            l.unit_amount
                .checked_mul(l.quantity)
                .and_then(|x| acc.checked_add(x))
        })
        .filter(|t| *t <= max_total);
    let Some(total) = total else {
        return Err(ApiError::invalid(
            format!(
                "The Checkout Session's total amount due must be no more than {}.",
                objects::format_amount(max_total, &lines[0].currency)
            ),
            Some("line_items"),
        )
        .code("amount_too_large"));
    };
    let customer_email = get_str(p, "customer_email").filter(|s| !s.is_empty());
    if let Some(e) = customer_email {
        if !valid_email(e) {
            return Err(ApiError::invalid(
                format!("Invalid email address: {e}"),
                Some("customer_email"),
            )
            .code("email_invalid"));
        }
    }
    let client_reference_id = get_str(p, "client_reference_id").filter(|s| !s.is_empty());
    if client_reference_id.is_some_and(|c| c.chars().count() > 200) {
        return Err(ApiError::invalid(
            "client_reference_id must be at most 200 characters.",
            Some("client_reference_id"),
        ));
    }
    let created = now_secs();
    let expires_at = match get_int(p, "expires_at", "expires_at")? {
        None => created + 24 * 3600,
        Some(t) if t < created + 30 * 60 => return Err(ApiError::invalid("The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.", Some("expires_at"))),
        Some(t) if t > created + 24 * 3600 => return Err(ApiError::invalid("The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.", Some("expires_at"))),
        Some(t) => t,
    };
    let mut pi_data = json!({});
    if let Some(pid) = p.get("payment_intent_data") {
        pi_data["metadata"] = Value::Object(metadata(pid, "metadata").map_err(|mut e| {
            e.param = Some(format!(
                "payment_intent_data[{}]",
                e.param.unwrap_or_default()
            ));
            e
        })?);
        if let Some(d) = get_str(pid, "description") {
            pi_data["description"] = json!(d);
        }
    }
    let input = SessionInput {
        lines,
        success_url,
        cancel_url,
        customer_email: customer_email.map(String::from),
        client_reference_id: client_reference_id.map(String::from),
        metadata: metadata(p, "metadata")?,
        expires_at,
        locale: get_str(p, "locale").map(String::from),
    };
    let session = objects::session(&input, total, created);
    let id = session["id"].as_str().unwrap_or_default().to_string();
    st.line_items
        .insert(id.clone(), objects::line_items(&input, created));
    st.session_pi_data.insert(id, pi_data);
    let rendered = render_session(public, &session);
    state::append(&mut st.index, &mut st.sessions, session);
    expand(st, public, rendered, p)
}

// ---- refunds ----------------------------------------------------------------

fn create_refund(st: &mut State, public: &str, p: &Value, info: &ReqInfo) -> R {
    let charge_id = if let Some(ch) = get_str(p, "charge") {
        ch.to_string()
    } else if let Some(pi) = get_str(p, "payment_intent") {
        let intent = st
            .find(&st.payment_intents, pi)
            .ok_or_else(|| ApiError::no_such("payment_intent", pi, "payment_intent", 400))?;
        intent["latest_charge"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    } else {
        return Err(ApiError::invalid("One of the following params should be provided for this request: charge or payment_intent.", None).code("parameter_missing"));
    };
    let idx = st
        .position(&st.charges, &charge_id)
        .ok_or_else(|| ApiError::no_such("charge", &charge_id, "charge", 400))?;
    let charge = st.charges[idx].clone();
    let amount = charge["amount"].as_i64().unwrap_or(0);
    let refunded = charge["amount_refunded"].as_i64().unwrap_or(0);
    let remaining = amount - refunded;
    let cur = charge["currency"].as_str().unwrap_or("usd").to_string();
    if remaining <= 0 {
        return Err(ApiError::invalid(
            format!("Charge {charge_id} has already been refunded."),
            None,
        )
        .code("charge_already_refunded"));
    }
    let want = match get_int(p, "amount", "amount")? {
        None => remaining,
        Some(a) if a < 1 => {
            return Err(ApiError::invalid(
                "Invalid positive integer",
                Some("amount"),
            ))
        }
        Some(a) if a > remaining => {
            let msg = if refunded == 0 {
                format!(
                    "Refund amount ({}) is greater than charge amount ({})",
                    objects::format_amount(a, &cur),
                    objects::format_amount(amount, &cur)
                )
            } else {
                format!(
                    "Refund amount ({}) is greater than unrefunded amount on charge ({})",
                    objects::format_amount(a, &cur),
                    objects::format_amount(remaining, &cur)
                )
            };
            return Err(ApiError::invalid(msg, Some("amount")).code("amount_too_large"));
        }
        Some(a) => a,
    };
    let reason = get_str(p, "reason").filter(|s| !s.is_empty());
    if let Some(r) = reason {
        if !matches!(r, "duplicate" | "fraudulent" | "requested_by_customer") {
            return Err(ApiError::invalid(
                "Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer",
                Some("reason"),
            ));
        }
    }
    let refund = objects::refund(&charge, want, reason, metadata(p, "metadata")?);
    let previous = json!({ "amount_refunded": refunded, "refunded": false });
    {
        let ch = &mut st.charges[idx];
        ch["amount_refunded"] = json!(refunded + want);
        ch["refunded"] = json!(refunded + want == amount);
    }
    let charge_now = st.charges[idx].clone();
    state::append(&mut st.index, &mut st.refunds, refund.clone());
    st.emit("refund.created", refund.clone(), None, info);
    st.emit("charge.refunded", charge_now, Some(previous), info);
    expand(st, public, refund, p)
}

// ---- events -----------------------------------------------------------------

fn type_matches(pattern: &str, t: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => t.starts_with(prefix),
        None => pattern == t,
    }
}

fn list_events(st: &State, p: &Value) -> R {
    let ty = get_str(p, "type");
    let types = form::list_of_str(p.get("types"));
    if ty.is_some() && !types.is_empty() {
        return Err(ApiError::invalid(
            "You cannot specify both `type` and `types`.",
            Some("types"),
        ));
    }
    if types.len() > 20 {
        return Err(ApiError::invalid(
            "You may specify up to 20 types.",
            Some("types"),
        ));
    }
    let delivery = get_bool(p, "delivery_success")?;
    let (mut gt, mut gte, mut lt, mut lte) = (None, None, None, None);
    match p.get("created") {
        None => {}
        Some(Value::Object(_)) => {
            let c = &p["created"];
            gt = get_int(c, "gt", "created[gt]")?;
            gte = get_int(c, "gte", "created[gte]")?;
            lt = get_int(c, "lt", "created[lt]")?;
            lte = get_int(c, "lte", "created[lte]")?;
        }
        Some(_) => {
            gte = get_int(p, "created", "created")?;
            lte = gte;
        }
    }
    let items: Vec<Value> = st
        .events
        .iter()
        .rev()
        .filter(|r| {
            let t = r.event["type"].as_str().unwrap_or_default();
            let c = r.event["created"].as_i64().unwrap_or(0);
            ty.is_none_or(|want| type_matches(want, t))
                && (types.is_empty() || types.iter().any(|w| type_matches(w, t)))
                && delivery.is_none_or(|ok| ok == r.owed.is_empty())
                && gt.is_none_or(|v| c > v)
                && gte.is_none_or(|v| c >= v)
                && lt.is_none_or(|v| c < v)
                && lte.is_none_or(|v| c <= v)
        })
        .map(State::render_event)
        .collect();
    paginate(items, p, "/v1/events", "event")
}

// ---- webhook endpoints ------------------------------------------------------

fn enabled_events(p: &Value) -> Result<Option<Vec<String>>, ApiError> {
    if p.get("enabled_events").is_none() {
        return Ok(None);
    }
    let evs = form::list_of_str(p.get("enabled_events"));
    if evs.is_empty() {
        return Err(ApiError::missing("enabled_events"));
    }
    for (i, e) in evs.iter().enumerate() {
        let ok = e == "*"
            || (e.contains('.')
                && e.split('.').all(|s| {
                    !s.is_empty()
                        && (s == "*" || s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
                }));
        if !ok {
            return Err(ApiError::invalid(
                format!("Invalid enabled_events[{i}]: must be a known event type or '*'"),
                Some(&format!("enabled_events[{i}]")),
            ));
        }
    }
    Ok(Some(evs))
}

fn endpoint_url(p: &Value, required: bool) -> Result<Option<String>, ApiError> {
    check_url(p, "url", required).map_err(|e| {
        if e.code == Some("url_invalid") {
            ApiError::invalid("Invalid URL: URL must be an http(s) URL.", Some("url"))
                .code("url_invalid")
        } else {
            e
        }
    })
}

fn create_endpoint(st: &mut State, p: &Value) -> R {
    let url = endpoint_url(p, true)?.unwrap_or_default();
    let events = enabled_events(p)?.ok_or_else(|| ApiError::missing("enabled_events"))?;
    if st.endpoints.len() >= 16 {
        return Err(ApiError::invalid(
            "You have reached the maximum of 16 test webhook endpoints.",
            Some("url"),
        ));
    }
    let object = json!({
        "id": new_id("we_", 24),
        "object": "webhook_endpoint",
        "api_version": get_str(p, "api_version"),
        "application": null,
        "created": now_secs(),
        "description": get_str(p, "description"),
        "enabled_events": events,
        "livemode": false,
        "metadata": metadata(p, "metadata")?,
        "status": "enabled",
        "url": url,
    });
    let secret = new_id("whsec_", 32);
    st.endpoints.push(Endpoint {
        object: object.clone(),
        secret: secret.clone(),
    });
    let mut out = object;
    out["secret"] = json!(secret);
    Ok(out)
}

fn update_endpoint(st: &mut State, id: &str, p: &Value) -> R {
    let url = endpoint_url(p, false)?;
    let events = enabled_events(p)?;
    let disabled = get_bool(p, "disabled")?;
    let meta = if p.get("metadata").is_some() {
        Some(p.get("metadata"))
    } else {
        None
    };
    if meta.is_some() {
        metadata(p, "metadata")?;
    }
    let ep = st
        .endpoints
        .iter_mut()
        .find(|e| e.object["id"] == id)
        .ok_or_else(|| ApiError::no_such("webhook_endpoint", id, "webhook_endpoint", 404))?;
    let o = &mut ep.object;
    if let Some(u) = url {
        o["url"] = json!(u);
    }
    if let Some(e) = events {
        o["enabled_events"] = json!(e);
    }
    if let Some(d) = disabled {
        o["status"] = json!(if d { "disabled" } else { "enabled" });
    }
    if let Some(d) = get_str(p, "description") {
        o["description"] = if d.is_empty() { Value::Null } else { json!(d) };
    }
    // Stripe merges metadata updates; an empty value deletes the key.
    match meta.flatten() {
        Some(Value::Object(m)) => {
            let cur = o["metadata"].as_object_mut();
            if let Some(cur) = cur {
                for (k, v) in m {
                    if v.as_str() == Some("") {
                        cur.remove(k);
                    } else {
                        cur.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        Some(Value::String(s)) if s.is_empty() => o["metadata"] = json!({}),
        _ => {}
    }
    Ok(o.clone())
}

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
