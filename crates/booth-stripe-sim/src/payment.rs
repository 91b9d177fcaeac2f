//! What the hosted page's pay action does once the buyer's details pass: the
//! PaymentIntent and Charge of a paid session, or (total 0) no payment at all, and the
//! completed session with its buyer (address, business tax ID) and, if it asks for one,
//! its invoice; and the dispute the 0259 test card opens later.

use serde_json::{json, Value};

use crate::card::{card_brand, Card};
use crate::state::{new_id, now_ms, now_secs, ReqInfo, State};
use crate::tax_id::TaxId;
use crate::{discount, invoice};

fn address_nulls() -> Value {
    json!({ "city": null, "country": null, "line1": null, "line2": null, "postal_code": null, "state": null })
}

/// Who paid: what the hosted page collected.
pub struct Buyer<'a> {
    pub email: &'a str,
    pub name: Option<&'a str>,
    /// Stripe's Address object, if the page collected one.
    pub address: Option<Value>,
    pub business_name: Option<String>,
    pub tax_id: Option<TaxId>,
    /// `none`, or `reverse` when reverse-charged.
    pub tax_exempt: &'static str,
}

impl Buyer<'_> {
    fn address(&self) -> Value {
        self.address.clone().unwrap_or_else(address_nulls)
    }
}

/// Completes the session at `idx`: its payment status and buyer, the coupon redeemed,
/// the invoice if it asks for one, and `checkout.session.completed`.
fn close_session(
    st: &mut State,
    idx: usize,
    payment_status: &str,
    payment_intent: Option<&str>,
    buyer: &Buyer,
    public: &str,
) {
    discount::redeem(st, idx);
    let tax_ids: Vec<Value> = buyer
        .tax_id
        .iter()
        .map(|t| json!({ "type": t.kind, "value": t.value }))
        .collect();
    let s = &mut st.sessions[idx];
    s["status"] = json!("complete");
    s["payment_status"] = json!(payment_status);
    s["payment_intent"] = json!(payment_intent);
    s["customer_details"] = json!({
        "address": buyer.address(),
        "business_name": buyer.business_name,
        "email": buyer.email,
        "individual_name": null,
        "name": buyer.name,
        "phone": null,
        "tax_exempt": buyer.tax_exempt,
        "tax_ids": tax_ids,
    });
    if s["invoice_creation"]["enabled"] == true {
        // Checkout creates a Customer for the invoice (customer_creation: if_required).
        invoice::create(st, idx, &new_id("cus_", 14), public);
    }
    let session_now = st.sessions[idx].clone();
    st.emit(
        "checkout.session.completed",
        session_now,
        None,
        &ReqInfo::default(),
    );
}

/// A no-cost order (total 0, e.g. after a 100% discount): Stripe's Checkout collects no
/// payment method and creates no PaymentIntent; the session completes with
/// `payment_status: no_payment_required`.
pub fn complete_free(st: &mut State, session_id: &str, buyer: &Buyer, public: &str) -> Option<()> {
    let idx = st.position(&st.sessions, session_id)?;
    close_session(st, idx, "no_payment_required", None, buyer, public);
    Some(())
}

/// The successful-payment path of the hosted page: PaymentIntent + Charge for the
/// session's `amount_total` (after any discount), session completed, the coupon
/// redeemed, events emitted in Stripe's order.
pub fn complete_payment(
    st: &mut State,
    session_id: &str,
    buyer: &Buyer,
    card: &Card,
    public: &str,
) -> Option<()> {
    let (email, name) = (buyer.email, buyer.name);
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
    let tax_id = buyer.tax_id.as_ref().map(|t| t.value.clone());
    let billing = json!({ "address": buyer.address(), "email": email, "name": name, "phone": null, "tax_id": tax_id });
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
    crate::state::append(&mut st.index, &mut st.payment_intents, pi.clone());
    crate::state::append(&mut st.index, &mut st.charges, charge.clone());
    let req = ReqInfo::default();
    st.emit("charge.succeeded", charge, None, &req);
    st.emit("payment_intent.succeeded", pi, None, &req);
    close_session(st, idx, "paid", Some(&pi_id), buyer, public);
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
