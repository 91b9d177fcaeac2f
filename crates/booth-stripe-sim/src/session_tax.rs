//! Stripe Tax on a Checkout Session: the calculation for the buyer's place (shown on the
//! hosted page before paying, and done again on the server when they pay), and writing
//! its result onto the session and its line items as Stripe shows them.
//!
//! Stripe shows a line item's `taxes` and a session's `total_details.breakdown` only
//! when expanded; they are kept in `State::tax_details` and added by `expand`.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::api::tax_codes::PRESET;
use crate::state::{new_id, now_secs, State};
use crate::tax::{self, LineTax, Place};

/// The tax of one line item.
pub struct LineCalc {
    pub id: String,
    pub tax: LineTax,
}

/// A session's tax for one place.
pub struct Calc {
    pub country: String,
    pub lines: Vec<LineCalc>,
    /// All tax, included in prices or added to them.
    pub tax: i64,
    /// What the buyer pays: subtotal − discount + tax added to exclusive prices.
    pub total: i64,
}

impl Calc {
    /// The page's tax rows: a label and an amount, per kind of tax.
    pub fn rows(&self) -> Vec<(String, i64)> {
        let mut rows: BTreeMap<String, i64> = BTreeMap::new();
        let name = tax::display_name(&self.country);
        for l in &self.lines {
            let t = &l.tax;
            let label = match t.reason {
                "standard_rated" if t.inclusive => {
                    format!("{name} ({}%) included", tax::percent_label(t.rate_bp))
                }
                "standard_rated" => format!("{name} ({}%)", tax::percent_label(t.rate_bp)),
                "reverse_charge" => format!("{name} (reverse charge)"),
                _ => name.to_string(),
            };
            *rows.entry(label).or_default() += t.amount;
        }
        rows.into_iter().collect()
    }
}

/// Whether the session calculates tax automatically.
pub fn enabled(s: &Value) -> bool {
    s["automatic_tax"]["enabled"] == true
}

/// The tax code of each of the session's lines (the account's preset where none was given).
fn tax_codes(st: &State, session_id: &str, n: usize) -> Vec<String> {
    let given = st
        .tax_details
        .get(session_id)
        .and_then(|d| d["tax_codes"].as_array());
    (0..n)
        .map(|i| {
            given
                .and_then(|g| g.get(i))
                .and_then(Value::as_str)
                .unwrap_or(PRESET)
                .to_string()
        })
        .collect()
}

/// The session's tax for a buyer at `place`, or None when automatic tax is off.
pub fn calculate(st: &State, s: &Value, place: &Place) -> Option<Calc> {
    if !enabled(s) {
        return None;
    }
    let id = s["id"].as_str().unwrap_or_default();
    let items = st.line_items.get(id).map(Vec::as_slice).unwrap_or_default();
    let codes = tax_codes(st, id, items.len());
    let mut lines = Vec::new();
    let (mut tax, mut total) = (0, 0);
    for (it, code) in items.iter().zip(&codes) {
        let after_discount = it["amount_subtotal"].as_i64().unwrap_or(0)
            - it["amount_discount"].as_i64().unwrap_or(0);
        let inclusive = it["price"]["tax_behavior"] == "inclusive";
        let t = tax::line_tax(after_discount, inclusive, code, place);
        tax += t.amount;
        total += if inclusive {
            after_discount
        } else {
            after_discount + t.amount
        };
        lines.push(LineCalc {
            id: it["id"].as_str().unwrap_or_default().to_string(),
            tax: t,
        });
    }
    Some(Calc {
        country: place.country.to_string(),
        lines,
        tax,
        total,
    })
}

/// Writes the calculation onto the session at `idx` and its line items: amounts, each
/// line's `taxes`, the session's breakdown, and `automatic_tax.status: complete`. Lines
/// taxed alike share one (archived) TaxRate, as with Stripe.
pub fn apply(st: &mut State, idx: usize, calc: &Calc) {
    let now = now_secs();
    let id = st.sessions[idx]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    // (reason, statutory rate, inclusive) → the rate object and the line taxes using it.
    let mut rates: BTreeMap<(&str, u32, bool), (Value, i64, i64)> = BTreeMap::new();
    for l in &calc.lines {
        let t = &l.tax;
        let entry = rates
            .entry((t.reason, t.rate_bp, t.inclusive))
            .or_insert_with(|| {
                let rate = tax::rate_object(&new_id("txr_", 24), &calc.country, t, now);
                (rate, 0, 0)
            });
        entry.1 += t.amount;
        entry.2 += t.taxable_amount;
        let line_tax = json!([{
            "amount": t.amount,
            "rate": entry.0,
            "taxability_reason": t.reason,
            "taxable_amount": t.taxable_amount,
        }]);
        if let Some(it) = st
            .line_items
            .get_mut(&id)
            .and_then(|items| items.iter_mut().find(|i| i["id"] == l.id.as_str()))
        {
            let after_discount = it["amount_subtotal"].as_i64().unwrap_or(0)
                - it["amount_discount"].as_i64().unwrap_or(0);
            it["amount_tax"] = json!(t.amount);
            it["amount_total"] = json!(if t.inclusive {
                after_discount
            } else {
                after_discount + t.amount
            });
        }
        st.tax_details
            .insert(l.id.clone(), json!({ "taxes": line_tax }));
    }
    let breakdown: Vec<Value> = rates
        .into_iter()
        .map(|((reason, _, _), (rate, amount, taxable))| {
            json!({ "amount": amount, "rate": rate, "taxability_reason": reason, "taxable_amount": taxable })
        })
        .collect();
    let details = st.tax_details.entry(id).or_insert_with(|| json!({}));
    details["breakdown_taxes"] = json!(breakdown);
    let s = &mut st.sessions[idx];
    s["amount_total"] = json!(calc.total);
    s["total_details"]["amount_tax"] = json!(calc.tax);
    s["automatic_tax"]["status"] = json!("complete");
}

/// A line item's `taxes`, as an expansion shows them (none before the calculation).
pub fn line_taxes(st: &State, line_id: &str) -> Value {
    st.tax_details
        .get(line_id)
        .map(|d| d["taxes"].clone())
        .filter(Value::is_array)
        .unwrap_or_else(|| json!([]))
}

/// A session's `total_details.breakdown`: its discount and its taxes.
pub fn breakdown(st: &State, s: &Value) -> Value {
    let id = s["id"].as_str().unwrap_or_default();
    let details = st.tax_details.get(id);
    let taxes = details
        .map(|d| d["breakdown_taxes"].clone())
        .filter(Value::is_array)
        .unwrap_or_else(|| json!([]));
    let discounts: Vec<Value> = crate::discount::session_coupon(s)
        .map(|coupon| {
            let discount_id = details
                .and_then(|d| d["discount_id"].as_str())
                .unwrap_or("di_simulated");
            json!({
                "amount": s["total_details"]["amount_discount"],
                "discount": {
                    "id": discount_id,
                    "object": "discount",
                    "checkout_session": id,
                    "customer": null,
                    "customer_account": null,
                    "end": null,
                    "invoice": null,
                    "invoice_item": null,
                    "promotion_code": null,
                    "source": { "coupon": coupon, "type": "coupon" },
                    "start": s["created"],
                    "subscription": null,
                    "subscription_item": null,
                },
            })
        })
        .into_iter()
        .collect();
    json!({ "discounts": discounts, "taxes": taxes })
}
