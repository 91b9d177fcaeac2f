//! Recording a refund and telling the buyer: one email per refund, queued in the
//! transaction that records it, whichever road the refund came by (the seller's Refund, or
//! Stripe's charge.refunded webhook, however often delivered).

use super::{format_time, Shop};
use crate::domain::Money;
use crate::error::Result;
use crate::outbox::{self, OutgoingMail};
use crate::purchases::{self, Purchase, Status};
use crate::settings;
use rusqlite::Connection;

impl Shop {
    /// Applies Stripe's running total of what was refunded on a payment (`amount_refunded`
    /// of `amount`) and queues the refund email for what it adds. Both roads report the same
    /// running total, so the second one to arrive (or a repeated webhook, or a retry after a
    /// crash) adds nothing and mails nothing. Run inside the writer's transaction. False when
    /// no purchase has this payment yet.
    pub(super) fn record_refund(
        &self,
        tx: &Connection,
        payment_intent: &str,
        amount: i64,
        amount_refunded: i64,
    ) -> Result<bool> {
        let before: Vec<(i64, i64)> = tx
            .prepare_cached(
                "SELECT id, amount_refunded_minor FROM purchases WHERE payment_intent_id = ?1",
            )?
            .query_map([payment_intent], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        if !purchases::apply_refund(tx, payment_intent, amount, amount_refunded)? {
            return Ok(false);
        }
        for (id, was) in before {
            let p = purchases::purchase_by_id(tx, id)?;
            let now_refunded = p.amount_refunded_minor - was;
            if now_refunded <= 0 {
                continue;
            }
            let mail_id = outbox::enqueue(tx, &self.refund_mail(tx, &p, now_refunded)?)?;
            if let Some(problem) = &p.email_problem {
                // As with its receipt: never sent to an address that could break the message.
                let why = format!("{} can't be mailed: {problem}", p.email);
                outbox::mark_failed(tx, mail_id, &why)?;
            }
            tracing::info!(purchase = p.id, refunded = now_refunded, "refund recorded");
        }
        Ok(true)
    }

    /// The refund email: what was refunded now, of what was paid, and whether the link
    /// still works (a partial refund keeps access and repeats the link; a full one ends it).
    fn refund_mail(&self, conn: &Connection, p: &Purchase, refunded: i64) -> Result<OutgoingMail> {
        let info = settings::store_info(conn)?;
        let currency = p.total().currency;
        let keeps_access = p.status == Status::Paid;
        let names: Vec<&str> = p.items.iter().map(|i| i.product_name.as_str()).collect();
        let names = names.join(" + ");
        let ctx = serde_json::json!({
            "store_name": info.store_name,
            "support_email": info.support_email,
            "email": p.email,
            "names": names,
            "created": format_time(p.created_at),
            "refunded": Money::new(refunded, currency).format(),
            "refunded_total": Money::new(p.amount_refunded_minor, currency).format(),
            "total": p.total().format(),
            "is_full": p.amount_refunded_minor >= p.amount_minor,
            "keeps_access": keeps_access,
            // Only where it still works: a full refund's email carries no link at all.
            "purchase_url": keeps_access.then(|| self.purchase_url(&p.token)),
            "is_test": p.test,
        });
        let subject = format!(
            "{}Your refund for {names} from {}",
            if p.test { "[Test] " } else { "" },
            info.store_name
        );
        Ok(OutgoingMail {
            kind: "refund".into(),
            purchase_id: Some(p.id),
            mailing_id: None,
            unsubscribe_url: None,
            recipient: p.email.clone(),
            subject,
            body_text: self.inner.templates.render("refund.txt", &ctx)?,
            body_html: self.inner.templates.render("refund.html", &ctx)?,
            priority: outbox::PRIORITY_RECEIPT,
        })
    }
}
