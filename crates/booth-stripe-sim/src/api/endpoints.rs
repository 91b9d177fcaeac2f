//! Webhook endpoints: creating and updating them.

use super::*;

pub(super) fn enabled_events(p: &Value) -> Result<Option<Vec<String>>, ApiError> {
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

pub(super) fn endpoint_url(p: &Value, required: bool) -> Result<Option<String>, ApiError> {
    check_url(p, "url", required).map_err(|e| {
        if e.code == Some("url_invalid") {
            ApiError::invalid("Invalid URL: URL must be an http(s) URL.", Some("url"))
                .code("url_invalid")
        } else {
            e
        }
    })
}

pub(super) fn create_endpoint(st: &mut State, p: &Value) -> R {
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

pub(super) fn update_endpoint(st: &mut State, id: &str, p: &Value) -> R {
    let url = endpoint_url(p, false)?;
    let events = enabled_events(p)?;
    let disabled = get_bool(p, "disabled")?;
    if p.get("metadata").is_some() {
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
    merge_metadata(o, p);
    Ok(o.clone())
}
