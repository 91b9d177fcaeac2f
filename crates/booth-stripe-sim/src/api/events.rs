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
    let created = created_filter(p)?;
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
                && created(c)
        })
        .map(State::render_event)
        .collect();
    paginate(items, p, "/v1/events", "event")
}

// ---- webhook endpoints ------------------------------------------------------
