//! Free purchases: a pay-what-you-want product taken at 0, or a code that takes the whole
//! price. No payment, but a purchase all the same: a link, a receipt, download limits, and
//! a record of who got it.

use super::Shop;
use crate::db::now;
use crate::discounts;
use crate::domain::Email;
use crate::error::{Error, Result};
use crate::purchases::{Charge, NewItem, NewPurchase, Source};
use crate::quote::{self, CheckoutRequest};
use crate::stats;

/// What a free claim did; the buyer is told to check their inbox either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claimed {
    /// A new purchase, its receipt queued.
    New,
    /// The address already had it: its links were sent again (the library email, with the
    /// library's limits), or not, if those were used up.
    AlreadyOwned,
}

impl Shop {
    /// Records a free purchase for `email`, which receives the link (it is never shown on
    /// the page, so the address is proven to be the buyer's). The quote must be 0: the
    /// server decides that, whatever the form said.
    pub async fn claim_free(&self, req: &CheckoutRequest, email: &str) -> Result<Claimed> {
        let email = Email::parse(email)?;
        let q = self.quote(req).await?;
        if !q.is_free() {
            return Err(Error::invalid(
                "amount",
                format!(
                    "this costs {}; it isn't free",
                    q.money(q.total_minor).format()
                ),
            ));
        }
        let ids: Vec<i64> = q.lines.iter().map(|l| l.product.id).collect();
        let (e, ids2) = (email.as_str().to_string(), ids.clone());
        let owned: bool = self
            .db()
            .run(move |c| {
                let placeholders = vec!["?"; ids2.len()].join(",");
                let sql = format!(
                    "SELECT count(DISTINCT i.product_id) FROM purchases p
                     JOIN purchase_items i ON i.purchase_id = p.id
                     WHERE p.email = ? AND p.status = 'paid' AND i.revoked_at IS NULL
                     AND i.product_id IN ({placeholders})"
                );
                let mut params: Vec<&dyn rusqlite::ToSql> = vec![&e as &dyn rusqlite::ToSql];
                params.extend(ids2.iter().map(|i| i as &dyn rusqlite::ToSql));
                let n: i64 = c.query_row(&sql, params.as_slice(), |r| r.get(0))?;
                Ok(n as usize == ids2.len())
            })
            .await?;
        if owned {
            self.send_library(email.as_str()).await?;
            return Ok(Claimed::AlreadyOwned);
        }
        let test = self.payments().map(|p| p.test_mode()).unwrap_or(true);
        let new = NewPurchase {
            email,
            email_problem: None,
            currency: q.currency,
            checkout_session_id: None,
            payment_intent_id: None,
            source: Source::Free,
            test,
            items: q
                .lines
                .iter()
                .map(|l| NewItem {
                    product_id: l.product.id,
                    amount_minor: 0,
                })
                .collect(),
            charge: Charge {
                subtotal_minor: q.subtotal_minor,
                discount_minor: q.discount.as_ref().map_or(0, |d| d.amount_minor),
                discount_id: q.discount.as_ref().map(|d| d.discount.id),
                discount_code: q.discount.as_ref().map(|d| d.discount.code.clone()),
                ..Charge::plain(0)
            },
            referral: req.referral.clone(),
            consent: None,
            invoice_url: None,
        };
        // A code's last use is taken by one claim only: the check and the purchase are one
        // transaction in the single writer.
        let discount = q.discount.map(|d| d.discount);
        let source = req.referral.source().to_string();
        let guard = move |tx: &rusqlite::Connection| -> Result<()> {
            if let Some(d) = &discount {
                if !discounts::use_left(tx, d)? {
                    return Err(quote::used_up(d));
                }
            }
            ids.iter()
                .try_for_each(|id| stats::count(tx, *id, stats::Step::Checkout, &source, now()))
        };
        self.record_with(new, None, guard).await?;
        Ok(Claimed::New)
    }
}
