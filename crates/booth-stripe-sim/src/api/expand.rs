//! Rendering objects and expanding what `expand[]` names, at most four levels deep, and
//! the fields Stripe includes only when asked (a line item's `taxes`, a session's
//! `total_details.breakdown`).

use super::*;
use crate::session_tax;

pub(super) fn session_url(public: &str, id: &str) -> String {
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

pub(super) fn lookup(st: &State, public: &str, id: &str) -> Option<Value> {
    let list = match id.split('_').next()? {
        "pi" => &st.payment_intents,
        "ch" => &st.charges,
        "re" => &st.refunds,
        "dp" => &st.disputes,
        "cs" => return st.find(&st.sessions, id).map(|s| render_session(public, s)),
        "in" => {
            return st
                .find(&st.invoices, id)
                .map(|i| crate::invoice::render(public, i))
        }
        _ => return None,
    };
    st.find(list, id).cloned()
}

pub(super) fn expand_one(
    st: &State,
    public: &str,
    obj: &mut Value,
    path: &str,
) -> Result<(), ApiError> {
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
    } else if obj["object"] == "item" && field == "taxes" {
        // Includable: Stripe shows a line item's taxes only when asked to.
        if rest.is_some() {
            return Err(bad());
        }
        obj["taxes"] = session_tax::line_taxes(st, obj["id"].as_str().unwrap_or_default());
        return Ok(());
    } else if obj["object"] == "checkout.session"
        && field == "total_details"
        && rest == Some("breakdown")
    {
        let breakdown = session_tax::breakdown(st, obj);
        obj["total_details"]["breakdown"] = breakdown;
        return Ok(());
    } else if obj["object"] == "coupon" && matches!(field, "applies_to" | "currency_options") {
        // Includable fields the simulator never sets (no products, one currency).
        if rest.is_some() {
            return Err(bad());
        }
        if obj.get(field).is_none() {
            obj[field] = Value::Null;
        }
    } else {
        match obj.get_mut(field) {
            Some(Value::Null) => return Ok(()),
            Some(Value::String(id)) => {
                // Coupon ids are the shop's own and carry no prefix.
                let found = if field == "coupon" {
                    crate::discount::find(st, id).map(crate::discount::render)
                } else {
                    lookup(st, public, id)
                };
                obj[field] = found.ok_or_else(bad)?;
            }
            // A list of sub-objects (a session's `discounts`): expand in each.
            Some(Value::Array(items)) if rest.is_some() => {
                let rest = rest.unwrap_or_default();
                for item in items {
                    expand_one(st, public, item, rest)?;
                }
                return Ok(());
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
pub(super) const MAX_EXPAND_DEPTH: usize = 4;

pub(super) fn expand(st: &State, public: &str, mut obj: Value, p: &Value) -> R {
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
