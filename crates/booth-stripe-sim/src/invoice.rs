//! The paid Invoice Checkout creates for a payment-mode session with
//! `invoice_creation[enabled]=true` (docs.stripe.com/payments/checkout/receipts, "paid
//! invoices"): created when the session is paid, with the session's lines, discount, tax
//! and buyer, `status: paid`, and `invoice.paid` emitted. Checkout needs a Customer for
//! it (`customer_creation: if_required` creates one), so the session and the invoice get
//! a `cus_` id; the simulator serves no Customer objects.
//!
//! `hosted_invoice_url` and `invoice_pdf` point at the simulator (`/i/test_…` and
//! `/i/test_…/pdf`, see invoice_doc.rs). They are stored as paths and rendered against the
//! public URL, like a session's `url`. Invoice numbers are `BOOTHSIM-0001`,
//! `BOOTHSIM-0002`…: one account-wide sequence, as with Stripe's default numbering.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::state::{append, new_id, now_secs, ReqInfo, State};

/// The account's invoice number prefix.
pub const NUMBER_PREFIX: &str = "BOOTHSIM";

/// The invoice as the API shows it: its links absolute.
pub fn render(public: &str, inv: &Value) -> Value {
    let mut v = inv.clone();
    for k in ["hosted_invoice_url", "invoice_pdf"] {
        if let Some(path) = v[k].as_str().filter(|p| p.starts_with('/')) {
            v[k] = json!(format!("{}{path}", public.trim_end_matches('/')));
        }
    }
    v
}

/// The invoice whose hosted page is `/i/{token}`.
pub fn by_token<'a>(st: &'a State, token: &str) -> Option<&'a Value> {
    let path = format!("/i/{token}");
    st.invoices
        .iter()
        .find(|i| i["hosted_invoice_url"].as_str() == Some(path.as_str()))
}

/// An invoice line's taxes, in the Invoice's shape, from the session line's `taxes`.
fn line_taxes(st: &State, line_id: &str) -> Vec<Value> {
    crate::session_tax::line_taxes(st, line_id)
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|t| {
            let behavior = if t["rate"]["inclusive"] == true {
                "inclusive"
            } else {
                "exclusive"
            };
            json!({
                "amount": t["amount"],
                "tax_behavior": behavior,
                "tax_rate_details": { "tax_rate": t["rate"]["id"] },
                "taxability_reason": t["taxability_reason"],
                "taxable_amount": t["taxable_amount"],
                "type": "tax_rate_details",
            })
        })
        .collect()
}

/// Creates the paid invoice of the session at `idx` for `customer`, sets the session's
/// `invoice`, and emits `invoice.paid`.
pub fn create(st: &mut State, idx: usize, customer: &str, public: &str) {
    let s = st.sessions[idx].clone();
    let sid = s["id"].as_str().unwrap_or_default().to_string();
    let now = now_secs();
    let id = new_id("in_", 24);
    let token = new_id("test_", 40);
    let currency = s["currency"].clone();
    let discount_id = st
        .tax_details
        .get(&sid)
        .and_then(|d| d["discount_id"].as_str())
        .map(String::from);
    let items = st.line_items.get(&sid).cloned().unwrap_or_default();
    let (mut subtotal, mut inclusive_tax) = (0, 0);
    let mut totals: BTreeMap<String, Value> = BTreeMap::new();
    let mut lines = Vec::new();
    for it in &items {
        let amount = it["amount_subtotal"].as_i64().unwrap_or(0);
        let off = it["amount_discount"].as_i64().unwrap_or(0);
        subtotal += amount;
        let taxes = line_taxes(st, it["id"].as_str().unwrap_or_default());
        for t in &taxes {
            let a = t["amount"].as_i64().unwrap_or(0);
            if t["tax_behavior"] == "inclusive" {
                inclusive_tax += a;
            }
            let key = t["tax_rate_details"]["tax_rate"]
                .as_str()
                .unwrap_or_default();
            let sum = totals.entry(key.to_string()).or_insert_with(|| {
                let mut z = t.clone();
                z["amount"] = json!(0);
                z["taxable_amount"] = json!(0);
                z
            });
            sum["amount"] = json!(sum["amount"].as_i64().unwrap_or(0) + a);
            let taxable = t["taxable_amount"].as_i64().unwrap_or(0);
            sum["taxable_amount"] = json!(sum["taxable_amount"].as_i64().unwrap_or(0) + taxable);
        }
        let (discounts, discount_amounts) = match &discount_id {
            Some(d) => (json!([d]), json!([{ "amount": off, "discount": d }])),
            None => (json!([]), json!([])),
        };
        lines.push(json!({
            "id": new_id("il_", 24),
            "object": "line_item",
            "amount": amount,
            "currency": currency,
            "description": it["description"],
            "discount_amounts": discount_amounts,
            "discountable": true,
            "discounts": discounts,
            "invoice": id,
            "livemode": false,
            "metadata": {},
            "parent": {
                "invoice_item_details": { "invoice_item": new_id("ii_", 24), "proration": false, "proration_details": { "credited_items": null }, "subscription": null },
                "subscription_item_details": null,
                "type": "invoice_item_details",
            },
            "period": { "end": now, "start": now },
            "pretax_credit_amounts": [],
            "pricing": {
                "price_details": { "price": it["price"]["id"], "product": it["price"]["product"] },
                "type": "price_details",
                "unit_amount_decimal": it["price"]["unit_amount_decimal"],
            },
            "quantity": it["quantity"],
            "subscription": null,
            "subtotal": amount,
            "taxes": taxes,
        }));
    }
    let total = s["amount_total"].as_i64().unwrap_or(0);
    let tax = s["total_details"]["amount_tax"].as_i64().unwrap_or(0);
    let off = s["total_details"]["amount_discount"].as_i64().unwrap_or(0);
    let cd = &s["customer_details"];
    let data = &s["invoice_creation"]["invoice_data"];
    let auto = crate::session_tax::enabled(&s);
    let number = format!("{NUMBER_PREFIX}-{:04}", st.invoices.len() + 1);
    let invoice = json!({
        "id": id,
        "object": "invoice",
        "account_country": crate::tax::ORIGIN_COUNTRY,
        "account_name": "Booth",
        "account_tax_ids": null,
        "amount_due": total,
        "amount_overpaid": 0,
        "amount_paid": total,
        "amount_remaining": 0,
        "amount_shipping": 0,
        "application": null,
        "attempt_count": 0,
        "attempted": true,
        "auto_advance": false,
        "automatic_tax": {
            "disabled_reason": null,
            "enabled": auto,
            "liability": if auto { json!({ "type": "self" }) } else { Value::Null },
            "provider": if auto { json!("stripe") } else { Value::Null },
            "status": if auto { json!("complete") } else { Value::Null },
        },
        "automatically_finalizes_at": null,
        "billing_reason": "manual",
        "collection_method": "charge_automatically",
        "confirmation_secret": null,
        "created": now,
        "currency": currency,
        "custom_fields": data["custom_fields"],
        "customer": customer,
        "customer_account": null,
        "customer_address": cd["address"],
        "customer_email": cd["email"],
        "customer_name": if cd["business_name"].is_string() { cd["business_name"].clone() } else { cd["name"].clone() },
        "customer_phone": null,
        "customer_shipping": null,
        "customer_tax_exempt": cd["tax_exempt"],
        "customer_tax_ids": cd["tax_ids"],
        "default_payment_method": null,
        "default_source": null,
        "default_tax_rates": [],
        "description": data["description"],
        "discounts": discount_id.iter().collect::<Vec<_>>(),
        "due_date": null,
        "effective_at": now,
        "ending_balance": 0,
        "footer": data["footer"],
        "from_invoice": null,
        "hosted_invoice_url": format!("/i/{token}"),
        "invoice_pdf": format!("/i/{token}/pdf"),
        "issuer": { "type": "self" },
        "last_finalization_error": null,
        "latest_revision": null,
        "lines": { "object": "list", "data": lines, "has_more": false, "url": format!("/v1/invoices/{id}/lines") },
        "livemode": false,
        "metadata": data["metadata"],
        "next_payment_attempt": null,
        "number": number,
        "on_behalf_of": null,
        "parent": null,
        "payment_settings": { "default_mandate": null, "payment_method_options": null, "payment_method_types": null },
        "period_end": now,
        "period_start": now,
        "post_payment_credit_notes_amount": 0,
        "pre_payment_credit_notes_amount": 0,
        "receipt_number": null,
        "rendering": {
            "amount_tax_display": data["rendering_options"]["amount_tax_display"],
            "pdf": { "page_size": "auto" },
            "template": null,
            "template_version": null,
        },
        "shipping_cost": null,
        "shipping_details": null,
        "starting_balance": 0,
        "statement_descriptor": null,
        "status": "paid",
        "status_details": null,
        "status_transitions": { "finalized_at": now, "marked_uncollectible_at": null, "paid_at": now, "voided_at": null },
        "subscription": null,
        "subtotal": subtotal,
        "subtotal_excluding_tax": subtotal - inclusive_tax,
        "test_clock": null,
        "threshold_reason": null,
        "total": total,
        "total_discount_amounts": discount_id.iter().map(|d| json!({ "amount": off, "discount": d })).collect::<Vec<_>>(),
        "total_excluding_tax": total - tax,
        "total_pretax_credit_amounts": [],
        "total_taxes": totals.into_values().collect::<Vec<_>>(),
        "webhooks_delivered_at": now,
    });
    // The rates the invoice's taxes name, for its page and PDF.
    let mut rates = serde_json::Map::new();
    for it in &items {
        let raw = crate::session_tax::line_taxes(st, it["id"].as_str().unwrap_or_default());
        for t in raw.as_array().into_iter().flatten() {
            if let Some(rid) = t["rate"]["id"].as_str() {
                rates.insert(rid.to_string(), t["rate"].clone());
            }
        }
    }
    st.tax_details.insert(id.clone(), json!({ "rates": rates }));
    let rendered = render(public, &invoice);
    append(&mut st.index, &mut st.invoices, invoice);
    let s = &mut st.sessions[idx];
    s["invoice"] = json!(id);
    s["customer"] = json!(customer);
    st.emit("invoice.paid", rendered, None, &ReqInfo::default());
}
