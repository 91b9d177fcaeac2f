//! Refunds of a payment, in full or in part.

use super::*;

pub(super) fn create_refund(st: &mut State, public: &str, p: &Value, info: &ReqInfo) -> R {
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
