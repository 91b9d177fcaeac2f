//! Invoices (`GET /v1/invoices/{id}`, `GET /v1/invoices`): the paid invoices Checkout
//! created (see invoice.rs). The simulator creates no others.

use super::*;
use crate::invoice;

pub(super) fn get_invoice(st: &State, public: &str, id: &str, p: &Value) -> R {
    let inv = st
        .find(&st.invoices, id)
        .ok_or_else(|| ApiError::no_such("invoice", id, "invoice", 404))?;
    expand(st, public, invoice::render(public, inv), p)
}

/// Newest first, optionally one customer's or one status's.
pub(super) fn list_invoices(st: &State, public: &str, p: &Value) -> R {
    let created = created_filter(p)?;
    let status = get_str(p, "status");
    if let Some(s) = status {
        if !matches!(s, "draft" | "open" | "paid" | "uncollectible" | "void") {
            return Err(ApiError::invalid(
                "Invalid status: must be one of draft, open, paid, uncollectible, or void",
                Some("status"),
            ));
        }
    }
    let items: Vec<Value> = st
        .invoices
        .iter()
        .rev()
        .filter(|i| {
            get_str(p, "customer").is_none_or(|c| i["customer"] == c)
                && status.is_none_or(|s| i["status"] == s)
                && created(i["created"].as_i64().unwrap_or(0))
        })
        .map(|i| invoice::render(public, i))
        .collect();
    let list = paginate(items, p, "/v1/invoices", "invoice")?;
    expand(st, public, list, p)
}
