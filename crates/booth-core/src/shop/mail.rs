//! Mail to buyers: receipts, the outbox as the seller sees it, and update mailings with
//! their unsubscribe links.

use super::{format_time, Shop};
use crate::catalog::Product;
use crate::delivery::DeliveryTrouble;
use crate::domain::{format_size, Money, UnsubscribeToken};
use crate::error::{Error, Problems, Result};
use crate::mail::Mailer;
use crate::mail_filter::{self, MailFilter, MailPage, MailQuery};
use crate::mailing::{self, MailingSummary};
use crate::outbox::{self, OutboxConfig, OutboxRow, OutgoingMail};
use crate::purchases::{Purchase, Source, Status};
use crate::settings::{self, StoreInfo};
use serde::Serialize;

/// What the seller asks to mail to a product's buyers.
#[derive(Debug, Clone, Default)]
pub struct MailingRequest {
    pub product: String,
    /// Default: "<product>: a new version is out".
    pub subject: Option<String>,
    /// What changed, in the seller's words (plain text).
    pub message: String,
    /// Also mail buyers of test purchases.
    pub include_test: bool,
}

/// A mailing before it is queued: who would get it and what it looks like.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct MailingPreview {
    pub product: Product,
    pub subject: String,
    pub recipients: usize,
    pub skipped_unsubscribed: usize,
    /// The email as the first recipient would get it (text and HTML), if there is one.
    pub sample: Option<(String, String)>,
}

/// After a new version of a file: who could be told, and the nudge to tell them, worded
/// once here for the window and the CLI.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct VersionNews {
    pub slug: String,
    pub file: String,
    pub version: String,
    /// Whom a mailing would reach (as the mailing counts them: unsubscribed left out).
    pub buyers: usize,
    /// Buyers of test purchases only, reached when the mailing includes them.
    pub test_buyers: usize,
    /// "Version 4 of guide.pdf is live. Tell its 12 buyers?"; None with nobody to tell.
    pub nudge: Option<String>,
}

impl Shop {
    /// Queues the receipt again (e.g. the buyer lost it), with the current link.
    pub async fn resend_receipt(&self, token: &str) -> Result<i64> {
        let p = self.require_purchase(token).await?;
        if p.status != Status::Paid {
            return Err(Error::Conflict(format!(
                "this purchase is {}; its link no longer works, so there's nothing to resend",
                p.status
            )));
        }
        let shop = self.clone();
        let id = self
            .db()
            .write(move |tx| outbox::enqueue(tx, &shop.receipt_mail(tx, &p)?))
            .await?;
        self.inner.outbox_wake.notify_one();
        Ok(id)
    }

    /// Why mail isn't going out, with how many messages wait; None when it is (or nothing
    /// has been tried since the shop started).
    pub async fn delivery_trouble(&self) -> Result<Option<DeliveryTrouble>> {
        let Some(mut trouble) = self.inner.delivery.trouble() else {
            return Ok(None);
        };
        trouble.waiting = self.db().run(|c| outbox::waiting(c)).await?;
        Ok(Some(trouble))
    }

    /// New mail settings are in use: what waits for a retry goes now, and the old settings'
    /// trouble is forgotten until the new ones fail too.
    pub async fn mail_settings_changed(&self) -> Result<()> {
        self.inner.delivery.sent();
        self.db().write(|tx| outbox::due_now(tx)).await?;
        self.inner.outbox_wake.notify_one();
        Ok(())
    }

    /// The outbox, newest first; `status` as the seller typed it (one of `MailStatus`).
    pub async fn outbox(&self, status: Option<&str>, limit: i64) -> Result<Vec<OutboxRow>> {
        let status = status
            .map(|s| s.trim().parse::<outbox::MailStatus>())
            .transpose()
            .map_err(|e| Error::invalid("status", e.to_string()))?;
        self.db().run(move |c| outbox::list(c, status, limit)).await
    }

    /// A page of the outbox the seller's search matches (see `MailFilter`).
    pub async fn find_mail(&self, query: &MailQuery) -> Result<MailPage> {
        let filter = MailFilter::try_from(query)?;
        self.db().run(move |c| mail_filter::find(c, &filter)).await
    }

    /// Puts a failed message back in the queue.
    pub async fn retry_mail(&self, id: i64) -> Result<()> {
        let retried = self.db().write(move |tx| outbox::retry(tx, id)).await?;
        if !retried {
            return Err(Error::Conflict(format!(
                "message {id} isn't a failed message (it may have been sent or retried already)"
            )));
        }
        self.inner.outbox_wake.notify_one();
        Ok(())
    }

    /// Sends the receipts that are due now through `mailer` (not mailings: those have
    /// their own sender); returns how many were attempted.
    pub async fn send_due_receipts(&self, mailer: &Mailer, config: &OutboxConfig) -> Result<usize> {
        outbox::Sender::new(self.db().clone(), mailer.clone(), *config)
            .only_priority(outbox::PRIORITY_RECEIPT)
            .drain()
            .await
    }

    pub(super) fn receipt_mail(
        &self,
        conn: &rusqlite::Connection,
        p: &Purchase,
    ) -> Result<OutgoingMail> {
        let info = settings::store_info(conn)?;
        let currency = p.total().currency;
        let items: Vec<_> = p
            .items
            .iter()
            .map(|i| {
                serde_json::json!({
                    "name": i.product_name,
                    "amount": Money::new(i.amount_minor, currency).format(),
                    "download_limit": i.download_limit.unwrap_or(0),
                    "license_key": i.license.as_ref().map(|l| l.key.as_str()),
                    "activations": i.license.as_ref().map(|l| l.activation_limit),
                    "files": i.files.iter().map(|f| serde_json::json!({"name": f.file.display_name, "size": format_size(f.file.size)})).collect::<Vec<_>>(),
                })
            })
            .collect();
        let ctx = serde_json::json!({
            "store_name": info.store_name,
            "support_email": info.support_email,
            "purchase_url": self.purchase_url(&p.token),
            "email": p.email,
            "created": format_time(p.created_at),
            "total": p.total().format(),
            "breakdown": p.breakdown().iter().map(|(l, a)| serde_json::json!({"label": l, "amount": a})).collect::<Vec<_>>(),
            "is_test": p.test,
            "is_grant": p.source == Source::Grant,
            "is_free": p.is_free(),
            "invoice_url": p.invoice_url,
            "consent": p.consent.as_ref().map(|c| serde_json::json!({
                "text": c.text, "at": format_time(c.at),
            })),
            "items": items,
        });
        let names: Vec<&str> = p.items.iter().map(|i| i.product_name.as_str()).collect();
        let subject = format!(
            "{}Your {} from {}",
            if p.test { "[Test] " } else { "" },
            names.join(" + "),
            info.store_name
        );
        Ok(OutgoingMail {
            kind: "receipt".into(),
            purchase_id: Some(p.id),
            mailing_id: None,
            unsubscribe_url: None,
            recipient: p.email.clone(),
            subject,
            body_text: self.inner.templates.render("receipt.txt", &ctx)?,
            body_html: self.inner.templates.render("receipt.html", &ctx)?,
            priority: outbox::PRIORITY_RECEIPT,
        })
    }

    pub(super) async fn mailing_parts(
        &self,
        req: &MailingRequest,
    ) -> Result<(Product, String, String)> {
        let product = self.product(&req.product).await?.ok_or_else(|| {
            Error::NotFound(format!("no product with the slug '{}'", req.product))
        })?;
        let (subject, message) =
            mailing::check_text(req.subject.as_deref(), &req.message).map_err(Problems::first)?;
        let subject = subject.unwrap_or_else(|| format!("{}: a new version is out", product.name));
        Ok((product, subject, message))
    }

    /// Who a mailing would reach and how it reads, without queueing anything.
    pub async fn preview_mailing(&self, req: MailingRequest) -> Result<MailingPreview> {
        let (product, subject, message) = self.mailing_parts(&req).await?;
        let shop = self.clone();
        self.db()
            .run(move |c| {
                let (recipients, skipped) = mailing::recipients(c, product.id, req.include_test)?;
                let info = settings::store_info(c)?;
                let sample = match recipients.first() {
                    Some(r) => {
                        let m = shop.update_mail(&info, &product, &subject, &message, r, 0)?;
                        Some((m.body_text, m.body_html))
                    }
                    None => None,
                };
                Ok(MailingPreview {
                    recipients: recipients.len(),
                    skipped_unsubscribed: skipped,
                    sample,
                    product,
                    subject,
                })
            })
            .await
    }

    /// The news of `file`'s newest version (its id or name) and whom to tell of it.
    pub async fn version_news(&self, slug: &str, file: &str) -> Result<VersionNews> {
        let product = self
            .product(slug)
            .await?
            .ok_or_else(|| Error::NotFound(format!("no product with the slug '{slug}'")))?;
        let file = crate::catalog::find_file(&product, file)?;
        let (buyers, with_test) = self
            .db()
            .run(move |c| {
                let count =
                    |test| Ok::<_, Error>(mailing::recipients(c, product.id, test)?.0.len());
                Ok((count(false)?, count(true)?))
            })
            .await?;
        let test_buyers = with_test.saturating_sub(buyers);
        // A shop that only sold test copies so far still hears of them, named as such.
        let who = match (buyers, test_buyers) {
            (0, 0) => None,
            (0, 1) => Some("its 1 test buyer".to_string()),
            (0, n) => Some(format!("its {n} test buyers")),
            (1, _) => Some("its 1 buyer".to_string()),
            (n, _) => Some(format!("its {n} buyers")),
        };
        Ok(VersionNews {
            nudge: who.map(|who| {
                format!(
                    "Version {} of {} is live. Tell {who}?",
                    file.version, file.display_name
                )
            }),
            slug: product.slug,
            file: file.display_name,
            version: file.version,
            buyers,
            test_buyers,
        })
    }

    /// Queues a mailing: one delivery per recipient, in one transaction. Refuses to start a
    /// second mailing for a product while one is still going (resume that one instead).
    pub async fn create_mailing(&self, req: MailingRequest) -> Result<MailingSummary> {
        let (product, subject, message) = self.mailing_parts(&req).await?;
        let shop = self.clone();
        let id = self
            .db()
            .write(move |tx| {
                if let Some(id) = mailing::unfinished_for(tx, product.id)? {
                    return Err(Error::Conflict(format!(
                        "mailing #{id} for '{}' is still being sent; resume it with `booth mailings resume {id}` or cancel it",
                        product.slug
                    )));
                }
                let (recipients, skipped) = mailing::recipients(tx, product.id, req.include_test)?;
                let id = mailing::insert(tx, product.id, &subject, &message, req.include_test, skipped)?;
                let info = settings::store_info(tx)?;
                for r in &recipients {
                    outbox::enqueue(tx, &shop.update_mail(&info, &product, &subject, &message, r, id)?)?;
                }
                Ok(id)
            })
            .await?;
        self.inner.outbox_wake.notify_one();
        self.mailing(id).await
    }

    pub async fn mailings(&self) -> Result<Vec<MailingSummary>> {
        self.db().run(|c| mailing::list(c)).await
    }

    pub async fn mailing(&self, id: i64) -> Result<MailingSummary> {
        self.db().run(move |c| mailing::get(c, id)).await
    }

    pub async fn mailing_failures(&self, id: i64) -> Result<Vec<mailing::Failure>> {
        self.db().run(move |c| mailing::failures(c, id)).await
    }

    /// Stops a mailing; returns how many deliveries were still to go.
    pub async fn cancel_mailing(&self, id: i64) -> Result<usize> {
        self.db().write(move |tx| mailing::cancel(tx, id)).await
    }

    /// The buyer's address for an unsubscribe link, if the token is real.
    pub async fn unsubscribe_email(&self, token: &str) -> Result<Option<String>> {
        let Ok(token) = UnsubscribeToken::parse(token) else {
            return Ok(None);
        };
        self.db()
            .run(move |c| mailing::email_of_token(c, token.as_str()))
            .await
    }

    pub async fn unsubscribe(
        &self,
        token: &str,
        mailing_id: Option<i64>,
    ) -> Result<Option<String>> {
        let Ok(token) = UnsubscribeToken::parse(token) else {
            return Ok(None);
        };
        self.db()
            .write(move |tx| {
                // Only credit a mailing that exists, whatever the link says.
                let mailing_id = match mailing_id {
                    Some(id) => mailing::get(tx, id).ok().map(|m| m.id),
                    None => None,
                };
                mailing::unsubscribe(tx, token.as_str(), mailing_id)
            })
            .await
    }

    pub async fn is_unsubscribed(&self, email: &str) -> Result<bool> {
        let email = email.to_string();
        self.db()
            .run(move |c| outbox::is_unsubscribed(c, &email))
            .await
    }

    pub async fn resubscribe(&self, token: &str) -> Result<Option<String>> {
        let Ok(token) = UnsubscribeToken::parse(token) else {
            return Ok(None);
        };
        self.db()
            .write(move |tx| mailing::resubscribe(tx, token.as_str()))
            .await
    }

    pub(super) fn update_mail(
        &self,
        info: &StoreInfo,
        product: &Product,
        subject: &str,
        message: &str,
        r: &mailing::Recipient,
        mailing_id: i64,
    ) -> Result<OutgoingMail> {
        let unsubscribe_url = format!(
            "{}/u/{}?m={mailing_id}",
            self.public_url(),
            r.unsubscribe_token
        );
        let files: Vec<_> = product
            .files
            .iter()
            .map(|f| {
                serde_json::json!({
                    "name": f.display_name,
                    "version": f.version,
                    // The release notes, quoted: this version's own words from the seller.
                    "notes": mailing::paragraphs(&f.notes),
                })
            })
            .collect();
        let ctx = serde_json::json!({
            "store_name": info.store_name,
            "support_email": info.support_email,
            "product_name": product.name,
            "subject": subject,
            "paragraphs": mailing::paragraphs(message),
            "purchase_url": self.purchase_url(&r.token),
            "unsubscribe_url": unsubscribe_url,
            "email": r.email,
            "files": files,
            "is_test": r.test,
        });
        Ok(OutgoingMail {
            kind: "update".into(),
            purchase_id: Some(r.purchase_id),
            mailing_id: Some(mailing_id),
            recipient: r.email.clone(),
            subject: subject.to_string(),
            body_text: self.inner.templates.render("update.txt", &ctx)?,
            body_html: self.inner.templates.render("update.html", &ctx)?,
            unsubscribe_url: Some(unsubscribe_url),
            priority: outbox::PRIORITY_BULK,
        })
    }
}
