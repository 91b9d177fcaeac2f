//! Listing events, with Stripe's `type` patterns.

use super::*;

pub(super) fn type_matches(pattern: &str, t: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => t.starts_with(prefix),
        None => pattern == t,
    }
}

pub(super) fn list_events(st: &State, p: &Value) -> R {
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
