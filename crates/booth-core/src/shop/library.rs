//! The buyer's library: "lost your link?". A buyer types their email and is sent one email
//! listing every purchase made with it that still gives access, each with its link. What
//! the asker learns is the same whether or not the address ever bought: the links go only
//! to the address itself.

use super::{format_time, Shop};
use crate::db::now;
use crate::domain::Email;
use crate::error::Result;
use crate::outbox::{self, OutgoingMail};
use crate::purchases::{self, Status};
use crate::settings;

/// At most one library email to an address in this many seconds…
pub const LIBRARY_EVERY_SECS: i64 = 10 * 60;
/// …and at most this many in a day, whoever asks: asking can't flood a buyer's inbox.
pub const LIBRARY_PER_DAY: i64 = 5;

impl Shop {
    /// Queues the library email for `email` when it has purchases that still give access
    /// and its allowance isn't used up. `Ok(true)` when one was queued; the buyer is shown
    /// the same page either way. An address that isn't one is an error (field "email").
    pub async fn send_library(&self, email: &str) -> Result<bool> {
        let email = Email::parse(email)?;
        let shop = self.clone();
        let queued = self
            .db()
            .write(move |tx| {
                let (today, last): (i64, Option<i64>) = tx.query_row(
                    "SELECT COUNT(*), MAX(created_at) FROM outbox
                     WHERE kind = 'library' AND lower(recipient) = lower(?1) AND created_at > ?2",
                    rusqlite::params![email.as_str(), now() - 86_400],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?;
                let recent = last.is_some_and(|at| at > now() - LIBRARY_EVERY_SECS);
                if recent || today >= LIBRARY_PER_DAY {
                    return Ok(false);
                }
                let owned: Vec<_> = purchases::list_purchases(tx, Some(email.as_str()))?
                    .into_iter()
                    .filter(|p| p.status == Status::Paid && p.items.iter().any(|i| !i.revoked))
                    .collect();
                if owned.is_empty() {
                    return Ok(false);
                }
                outbox::enqueue(tx, &shop.library_mail(tx, &email, &owned)?)?;
                Ok(true)
            })
            .await?;
        if queued {
            self.inner.outbox_wake.notify_one();
        }
        Ok(queued)
    }

    fn library_mail(
        &self,
        conn: &rusqlite::Connection,
        email: &Email,
        owned: &[purchases::Purchase],
    ) -> Result<OutgoingMail> {
        let info = settings::store_info(conn)?;
        let list: Vec<_> = owned
            .iter()
            .map(|p| {
                let names: Vec<&str> = p
                    .items
                    .iter()
                    .filter(|i| !i.revoked)
                    .map(|i| i.product_name.as_str())
                    .collect();
                serde_json::json!({
                    "names": names.join(" + "),
                    "created": format_time(p.created_at),
                    "url": self.purchase_url(&p.token),
                    "is_test": p.test,
                })
            })
            .collect();
        let ctx = serde_json::json!({
            "store_name": info.store_name,
            "support_email": info.support_email,
            "email": email.as_str(),
            "purchases": list,
        });
        Ok(OutgoingMail {
            kind: "library".into(),
            purchase_id: None,
            mailing_id: None,
            unsubscribe_url: None,
            recipient: email.as_str().to_string(),
            subject: format!("Your downloads from {}", info.store_name),
            body_text: self.inner.templates.render("library.txt", &ctx)?,
            body_html: self.inner.templates.render("library.html", &ctx)?,
            priority: outbox::PRIORITY_RECEIPT,
        })
    }
}
