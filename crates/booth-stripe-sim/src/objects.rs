//! Builders for the Stripe objects, in the shape the pinned API version returns
//! (every field async-stripe requires, the rest null like Stripe sends them).

use serde_json::{json, Map, Value};

use crate::state::{new_id, now_ms, now_secs, ReqInfo, State};

pub struct LineInput {
    pub name: String,
    pub currency: String,
    pub unit_amount: i64,
    pub quantity: i64,
    pub metadata: Map<String, Value>,
}

pub struct SessionInput {
    pub lines: Vec<LineInput>,
    pub success_url: String,
    pub cancel_url: Option<String>,
    pub customer_email: Option<String>,
    pub client_reference_id: Option<String>,
    pub metadata: Map<String, Value>,
    pub expires_at: i64,
    pub locale: Option<String>,
}

pub fn line_items(input: &SessionInput, created: i64) -> Vec<Value> {
    input
        .lines
        .iter()
        .map(|l| {
            let total = l.unit_amount * l.quantity;
            json!({
                "id": new_id("li_", 24),
                "object": "item",
                "adjustable_quantity": null,
                "amount_discount": 0,
                "amount_subtotal": total,
                "amount_tax": 0,
                "amount_total": total,
                "currency": l.currency,
                "description": l.name,
                "metadata": l.metadata,
                "price": {
                    "id": new_id("price_", 24),
                    "object": "price",
                    // Ad-hoc price_data prices are created inactive by Stripe.
                    "active": false,
                    "billing_scheme": "per_unit",
                    "created": created,
                    "currency": l.currency,
                    "custom_unit_amount": null,
                    "livemode": false,
                    "lookup_key": null,
                    "metadata": {},
                    "nickname": null,
                    "product": new_id("prod_", 14),
                    "recurring": null,
                    "tax_behavior": "unspecified",
                    "tiers_mode": null,
                    "transform_quantity": null,
                    "type": "one_time",
                    "unit_amount": l.unit_amount,
                    "unit_amount_decimal": l.unit_amount.to_string(),
                },
                "quantity": l.quantity,
            })
        })
        .collect()
}

pub fn session(input: &SessionInput, total: i64, created: i64) -> Value {
    json!({
        "id": new_id("cs_test_", 58),
        "object": "checkout.session",
        "adaptive_pricing": { "enabled": false },
        "after_expiration": null,
        "allow_promotion_codes": null,
        "amount_subtotal": total,
        "amount_total": total,
        "automatic_tax": { "enabled": false, "liability": null, "provider": null, "status": null },
        "billing_address_collection": null,
        "cancel_url": input.cancel_url,
        "client_reference_id": input.client_reference_id,
        "client_secret": null,
        "collected_information": null,
        "consent": null,
        "consent_collection": null,
        "created": created,
        "currency": input.lines[0].currency,
        "currency_conversion": null,
        "custom_fields": [],
        "custom_text": { "after_submit": null, "shipping_address": null, "submit": null, "terms_of_service_acceptance": null },
        "customer": null,
        "customer_creation": "if_required",
        "customer_details": null,
        "customer_email": input.customer_email,
        "discounts": [],
        "expires_at": input.expires_at,
        "invoice": null,
        "invoice_creation": null,
        "livemode": false,
        "locale": input.locale,
        "metadata": input.metadata,
        "mode": "payment",
        "origin_context": null,
        "payment_intent": null,
        "payment_link": null,
        "payment_method_collection": "if_required",
        "payment_method_configuration_details": null,
        "payment_method_options": {},
        "payment_method_types": ["card"],
        "payment_status": "unpaid",
        "phone_number_collection": { "enabled": false },
        "recovered_from": null,
        "saved_payment_method_options": null,
        "setup_intent": null,
        "shipping_address_collection": null,
        "shipping_cost": null,
        "shipping_options": [],
        "status": "open",
        "submit_type": null,
        "subscription": null,
        "success_url": input.success_url,
        "total_details": { "amount_discount": 0, "amount_shipping": 0, "amount_tax": 0 },
        "ui_mode": "hosted_page",
        "url": null,
        "wallet_options": null,
    })
}

fn address_nulls() -> Value {
    json!({ "city": null, "country": null, "line1": null, "line2": null, "postal_code": null, "state": null })
}

pub fn card_brand(number: &str) -> &'static str {
    let two: u32 = number.get(..2).and_then(|s| s.parse().ok()).unwrap_or(0);
    let four: u32 = number.get(..4).and_then(|s| s.parse().ok()).unwrap_or(0);
    match () {
        _ if number.starts_with('4') => "visa",
        _ if (51..=55).contains(&two) || (2221..=2720).contains(&four) => "mastercard",
        _ if two == 34 || two == 37 => "amex",
        _ if four == 6011 || two == 65 => "discover",
        _ => "unknown",
    }
}

pub struct Card {
    pub number: String,
    pub exp_month: i64,
    pub exp_year: i64,
}

/// The successful-payment path of the hosted page: PaymentIntent + Charge,
/// session completed, events emitted in Stripe's order.
pub fn complete_payment(
    st: &mut State,
    session_id: &str,
    email: &str,
    name: Option<&str>,
    card: &Card,
) -> Option<()> {
    let idx = st.position(&st.sessions, session_id)?;
    let s = st.sessions[idx].clone();
    let now = now_secs();
    let amount = s["amount_total"].as_i64().unwrap_or(0);
    let currency = s["currency"].clone();
    let pi_id = new_id("pi_", 24);
    let ch_id = new_id("ch_", 24);
    let pm_id = new_id("pm_", 24);
    let pi_data = st
        .session_pi_data
        .get(session_id)
        .cloned()
        .unwrap_or_else(|| json!({}));
    let pi_metadata = pi_data
        .get("metadata")
        .cloned()
        .unwrap_or_else(|| json!({}));
    let description = pi_data.get("description").cloned().unwrap_or(Value::Null);
    let brand = card_brand(&card.number);
    let last4 = &card.number[card.number.len().saturating_sub(4)..];
    let pi = json!({
        "id": pi_id,
        "object": "payment_intent",
        "amount": amount,
        "amount_capturable": 0,
        "amount_received": amount,
        "application": null,
        "application_fee_amount": null,
        "automatic_payment_methods": null,
        "canceled_at": null,
        "cancellation_reason": null,
        "capture_method": "automatic_async",
        "client_secret": format!("{pi_id}_secret_{}", new_id("", 25)),
        "confirmation_method": "automatic",
        "created": now,
        "currency": currency,
        "customer": null,
        "description": description,
        "last_payment_error": null,
        "latest_charge": ch_id,
        "livemode": false,
        "metadata": pi_metadata,
        "next_action": null,
        "on_behalf_of": null,
        "payment_method": pm_id,
        "payment_method_configuration_details": null,
        "payment_method_types": ["card"],
        "processing": null,
        "receipt_email": null,
        "review": null,
        "setup_future_usage": null,
        "shipping": null,
        "source": null,
        "statement_descriptor": null,
        "statement_descriptor_suffix": null,
        "status": "succeeded",
        "transfer_data": null,
        "transfer_group": null,
    });
    let billing = json!({ "address": address_nulls(), "email": email, "name": name, "phone": null, "tax_id": null });
    let charge = json!({
        "id": ch_id,
        "object": "charge",
        "amount": amount,
        "amount_captured": amount,
        "amount_refunded": 0,
        "application": null,
        "application_fee": null,
        "application_fee_amount": null,
        "balance_transaction": new_id("txn_", 24),
        "billing_details": billing,
        "calculated_statement_descriptor": "BOOTH",
        "captured": true,
        "created": now,
        "currency": currency,
        "customer": null,
        "description": description,
        "disputed": false,
        "failure_balance_transaction": null,
        "failure_code": null,
        "failure_message": null,
        "fraud_details": {},
        "livemode": false,
        "metadata": {},
        "on_behalf_of": null,
        "outcome": {
            "advice_code": null,
            "network_advice_code": null,
            "network_decline_code": null,
            "network_status": "approved_by_network",
            "reason": null,
            "risk_level": "normal",
            "risk_score": 20,
            "seller_message": "Payment complete.",
            "type": "authorized",
        },
        "paid": true,
        "payment_intent": pi_id,
        "payment_method": pm_id,
        "payment_method_details": {
            "card": {
                "amount_authorized": amount,
                "brand": brand,
                "checks": { "address_line1_check": null, "address_postal_code_check": null, "cvc_check": "pass" },
                "country": "US",
                "exp_month": card.exp_month,
                "exp_year": card.exp_year,
                "fingerprint": new_id("", 16),
                "funding": "credit",
                "last4": last4,
                "network": brand,
                "three_d_secure": null,
                "wallet": null,
            },
            "type": "card",
        },
        "receipt_email": null,
        "receipt_number": null,
        "receipt_url": null,
        "refunded": false,
        "review": null,
        "shipping": null,
        "source": null,
        "source_transfer": null,
        "statement_descriptor": null,
        "statement_descriptor_suffix": null,
        "status": "succeeded",
        "transfer_data": null,
        "transfer_group": null,
    });
    {
        let s = &mut st.sessions[idx];
        s["status"] = json!("complete");
        s["payment_status"] = json!("paid");
        s["payment_intent"] = json!(pi_id);
        s["customer_details"] = json!({
            "address": address_nulls(),
            "business_name": null,
            "email": email,
            "individual_name": null,
            "name": name,
            "phone": null,
            "tax_exempt": "none",
            "tax_ids": [],
        });
    }
    let session_now = st.sessions[idx].clone();
    crate::state::append(&mut st.index, &mut st.payment_intents, pi.clone());
    crate::state::append(&mut st.index, &mut st.charges, charge.clone());
    let req = ReqInfo::default();
    st.emit("charge.succeeded", charge, None, &req);
    st.emit("payment_intent.succeeded", pi, None, &req);
    st.emit("checkout.session.completed", session_now, None, &req);
    if card.number == "4000000000000259" {
        st.pending_disputes.push((ch_id, now_ms() + 500));
    }
    Some(())
}

/// Opens a dispute on a charge (card 0259) and emits `charge.dispute.created`.
pub fn open_dispute(st: &mut State, charge_id: &str) {
    let Some(i) = st.position(&st.charges, charge_id) else {
        return;
    };
    let ch = &mut st.charges[i];
    ch["disputed"] = json!(true);
    let now = now_secs();
    let dispute = json!({
        "id": new_id("dp_", 24),
        "object": "dispute",
        "amount": ch["amount"],
        "balance_transactions": [],
        "charge": charge_id,
        "created": now,
        "currency": ch["currency"],
        "enhanced_eligibility_types": [],
        "evidence": { "enhanced_evidence": {}, "product_description": null, "customer_email_address": null, "uncategorized_text": null },
        "evidence_details": { "due_by": now + 7 * 86400, "enhanced_eligibility": {}, "has_evidence": false, "past_due": false, "submission_count": 0 },
        "is_charge_refundable": false,
        "livemode": false,
        "metadata": {},
        "payment_intent": ch["payment_intent"],
        "reason": "fraudulent",
        "status": "needs_response",
    });
    crate::state::append(&mut st.index, &mut st.disputes, dispute.clone());
    st.emit("charge.dispute.created", dispute, None, &ReqInfo::default());
}

/// Expires an open session (API call or timeout) and emits the event.
pub fn expire_session(st: &mut State, idx: usize, req: &ReqInfo) {
    st.sessions[idx]["status"] = json!("expired");
    let s = st.sessions[idx].clone();
    st.emit("checkout.session.expired", s, None, req);
}

pub fn refund(
    charge: &Value,
    amount: i64,
    reason: Option<&str>,
    metadata: Map<String, Value>,
) -> Value {
    json!({
        "id": new_id("re_", 24),
        "object": "refund",
        "amount": amount,
        "balance_transaction": new_id("txn_", 24),
        "charge": charge["id"],
        "created": now_secs(),
        "currency": charge["currency"],
        "destination_details": null,
        "metadata": metadata,
        "payment_intent": charge["payment_intent"],
        "reason": reason,
        "receipt_number": null,
        "source_transfer_reversal": null,
        "status": "succeeded",
        "transfer_reversal": null,
    })
}

/// Zero-decimal and three-decimal currencies, per Stripe's docs.
pub fn currency_exponent(cur: &str) -> u32 {
    const ZERO: &[&str] = &[
        "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv",
        "xaf", "xof", "xpf",
    ];
    const THREE: &[&str] = &["bhd", "jod", "kwd", "omr", "tnd"];
    if ZERO.contains(&cur) {
        0
    } else if THREE.contains(&cur) {
        3
    } else {
        2
    }
}

/// "$12.34", "€5.00", "¥500", "CHF 1.00" from minor units, integers only.
pub fn format_amount(amount: i64, cur: &str) -> String {
    let exp = currency_exponent(cur);
    let neg = if amount < 0 { "-" } else { "" };
    let a = amount.unsigned_abs();
    let div = 10u64.pow(exp);
    let whole = (a / div).to_string();
    // Thousands separators on the whole part.
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let num = if exp == 0 {
        grouped
    } else {
        format!("{grouped}.{:0width$}", a % div, width = exp as usize)
    };
    let sym = match cur {
        "usd" => "$",
        "eur" => "€",
        "gbp" => "£",
        "jpy" => "¥",
        "inr" => "₹",
        "cad" => "CA$",
        "aud" => "A$",
        _ => "",
    };
    if sym.is_empty() {
        format!("{neg}{} {num}", cur.to_uppercase())
    } else {
        format!("{neg}{sym}{num}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts() {
        assert_eq!(format_amount(123456, "usd"), "$1,234.56");
        assert_eq!(format_amount(500, "jpy"), "¥500");
        assert_eq!(format_amount(5, "eur"), "€0.05");
        assert_eq!(format_amount(1234, "kwd"), "KWD 1.234");
        assert_eq!(format_amount(100, "chf"), "CHF 1.00");
    }
}
