//! Builders for the Stripe objects, in the shape the pinned API version returns
//! (every field async-stripe requires, the rest null like Stripe sends them).

use serde_json::{json, Map, Value};

use crate::discount::{self, AppliedDiscount};
use crate::state::{new_id, now_secs, ReqInfo, State};

pub struct LineInput {
    pub name: String,
    pub currency: String,
    pub unit_amount: i64,
    pub quantity: i64,
    pub metadata: Map<String, Value>,
    /// The ad-hoc price's id (errors about the price name it before it exists).
    pub price_id: String,
    /// `exclusive`, `inclusive` or `unspecified`.
    pub tax_behavior: String,
    /// The product's tax code, if one was given.
    pub tax_code: Option<String>,
}

/// The session's tax settings, already in the shapes the session shows them.
pub struct TaxSettings {
    pub automatic_tax: bool,
    pub billing_address_collection: Option<String>,
    pub tax_id_collection: Value,
    pub invoice_creation: Value,
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
    pub allow_promotion_codes: Option<bool>,
    /// The one coupon Checkout allows, and what it takes off.
    pub discount: Option<AppliedDiscount>,
    pub tax: TaxSettings,
}

/// The session's line items, each with its share of the discount (see `discount::spread`).
pub fn line_items(input: &SessionInput, created: i64) -> Vec<Value> {
    let subtotals: Vec<i64> = input
        .lines
        .iter()
        .map(|l| l.unit_amount * l.quantity)
        .collect();
    let off = input.discount.as_ref().map_or(0, |d| d.amount);
    let shares = discount::spread(&subtotals, off);
    input
        .lines
        .iter()
        .zip(subtotals.iter().zip(shares))
        .map(|(l, (&subtotal, share))| {
            json!({
                "id": new_id("li_", 24),
                "object": "item",
                "adjustable_quantity": null,
                "amount_discount": share,
                "amount_subtotal": subtotal,
                "amount_tax": 0,
                "amount_total": subtotal - share,
                "currency": l.currency,
                "description": l.name,
                "metadata": l.metadata,
                "price": {
                    "id": l.price_id,
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
                    "tax_behavior": l.tax_behavior,
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

/// A new open session; `subtotal` is the sum of its lines, before the discount.
pub fn session(input: &SessionInput, subtotal: i64, created: i64) -> Value {
    let off = input.discount.as_ref().map_or(0, |d| d.amount);
    // Stripe's shape: one entry per discount (Checkout allows one), its coupon or its
    // promotion code as an expandable id, the other null.
    let discounts: Vec<Value> = input
        .discount
        .iter()
        .map(|d| json!({ "coupon": d.coupon, "promotion_code": null }))
        .collect();
    // Until the buyer's address is known, Stripe Tax can't calculate: no tax yet.
    let automatic_tax = if input.tax.automatic_tax {
        json!({ "enabled": true, "liability": { "type": "self" }, "provider": "stripe", "status": "requires_location_inputs" })
    } else {
        json!({ "enabled": false, "liability": null, "provider": null, "status": null })
    };
    json!({
        "id": new_id("cs_test_", 58),
        "object": "checkout.session",
        "adaptive_pricing": { "enabled": false },
        "after_expiration": null,
        "allow_promotion_codes": input.allow_promotion_codes,
        "amount_subtotal": subtotal,
        "amount_total": subtotal - off,
        "automatic_tax": automatic_tax,
        "billing_address_collection": input.tax.billing_address_collection,
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
        "discounts": discounts,
        "expires_at": input.expires_at,
        "invoice": null,
        "invoice_creation": input.tax.invoice_creation,
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
        "tax_id_collection": input.tax.tax_id_collection,
        "total_details": { "amount_discount": off, "amount_shipping": 0, "amount_tax": 0 },
        "ui_mode": "hosted_page",
        "url": null,
        "wallet_options": null,
    })
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

/// "1,234.56" from minor units (no currency), integers only.
fn format_number(amount: i64, cur: &str) -> String {
    let exp = currency_exponent(cur);
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
    if exp == 0 {
        grouped
    } else {
        format!("{grouped}.{:0width$}", a % div, width = exp as usize)
    }
}

/// "EUR 1,234.56": an amount in plain ASCII, for the invoice PDF.
pub fn format_plain(amount: i64, cur: &str) -> String {
    let neg = if amount < 0 { "-" } else { "" };
    format!("{neg}{} {}", cur.to_uppercase(), format_number(amount, cur))
}

/// "$12.34", "€5.00", "¥500", "CHF 1.00" from minor units, integers only.
pub fn format_amount(amount: i64, cur: &str) -> String {
    let neg = if amount < 0 { "-" } else { "" };
    let num = format_number(amount, cur);
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
        assert_eq!(format_amount(-160, "eur"), "-€1.60");
        assert_eq!(format_plain(123456, "eur"), "EUR 1,234.56");
    }
}
