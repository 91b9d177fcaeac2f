//! Purchases as buyers and the seller see them: the purchase page, downloads, and the
//! seller's actions (search, reset, limit, revoke, refund, grant).

use super::Shop;
use crate::domain::{parse_download_limit, Email, PurchaseToken, Referral};
use crate::downloads::{self, Denied, Download, DownloadLog, DownloadRequest, ServeFile, Stamped};
use crate::error::{Error, Result};
use crate::purchase_filter::{self, PurchaseFilter, PurchasePage, PurchaseQuery};
use crate::purchases::{self, Charge, NewItem, NewPurchase, Purchase, Source};
use crate::resume;
use serde::Serialize;

/// Purchase detail for the seller: the purchase and its download log.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct PurchaseDetail {
    pub purchase: Purchase,
    pub url: String,
    pub downloads: Vec<DownloadLog>,
}

impl Shop {
    pub async fn purchase(&self, token: &str) -> Result<Option<Purchase>> {
        let Ok(token) = PurchaseToken::parse(token) else {
            return Ok(None);
        };
        self.db()
            .run(move |c| purchases::purchase_by_token(c, &token))
            .await
    }

    /// Checks and counts one download, atomically. The count is committed before the file
    /// is sent, but not synced to disk on its own (see `Db::write_relaxed`). A free resume
    /// comes with the meter its bytes must be taken from as they go out.
    pub async fn authorize_download(
        &self,
        req: DownloadRequest,
    ) -> Result<std::result::Result<Download, Denied>> {
        // A PDF its product stamps: the buyer's stamped copy, made before anything is counted
        // (the first time it takes a while) and always served from the data dir.
        let stamped = self.stamped_for(&req).await?;
        // From the bucket when the seller has one and it holds the file (asked before
        // counting: a bucket that doesn't answer uses up nothing).
        let bucket = match stamped {
            Some(_) => None,
            None => match self.bucket_for(&req).await? {
                Ok(bucket) => bucket,
                Err(denied) => return Ok(Err(denied)),
            },
        };
        let from_bucket = bucket.is_some();
        let decided = match stamped {
            Some(copy) => self.count_stamped(req, copy).await?,
            None => self.count_download(req, from_bucket, None).await?,
        };
        let mut file = match decided {
            Ok(file) => file,
            Err(denied) => return Ok(Err(denied)),
        };
        let mut resume = file
            .resume
            .take()
            .map(|c| resume::Grant::new(c, self.db().clone(), self.inner.meters.clone()));
        let bucket_url = match bucket {
            Some(serving) => {
                // A free resume was charged its whole Range (from_bucket): taken now, and
                // the grant's end (here) writes the total.
                if let Some(mut grant) = resume.take() {
                    grant.take(file.len());
                }
                let name = &file.display_name;
                let url = serving
                    .bucket
                    .download_url(
                        &file.sha256,
                        &downloads::content_disposition(name),
                        downloads::content_type(name),
                    )
                    .await?;
                Some(url)
            }
            None => None,
        };
        Ok(Ok(Download {
            file,
            resume,
            bucket_url,
        }))
    }

    /// The check-and-count of one download on the writer thread.
    pub(super) async fn count_download(
        &self,
        req: DownloadRequest,
        from_bucket: bool,
        stamped: Option<Stamped>,
    ) -> Result<std::result::Result<ServeFile, Denied>> {
        let meters = self.inner.meters.clone();
        self.db()
            .write_relaxed(move |tx| {
                downloads::authorize_download(tx, &meters, &req, from_bucket, stamped.as_ref())
            })
            .await
    }

    pub(super) async fn require_purchase(&self, token: &str) -> Result<Purchase> {
        let token = PurchaseToken::parse(token)?;
        self.db()
            .run(move |c| purchases::require_purchase(c, &token))
            .await
    }

    pub async fn list_purchases(&self, email: Option<&str>) -> Result<Vec<Purchase>> {
        let email = email.map(|e| e.trim().to_string());
        self.db()
            .run(move |c| purchases::list_purchases(c, email.as_deref()))
            .await
    }

    /// Part of an email, or a whole token; "" lists the newest 500.
    pub async fn search_purchases(&self, query: &str) -> Result<Vec<Purchase>> {
        let query = PurchaseQuery {
            text: query.to_string(),
            limit: Some(500),
            ..PurchaseQuery::default()
        };
        Ok(self.find_purchases(&query).await?.purchases)
    }

    /// A page of the purchases the seller's search matches (see `PurchaseFilter`).
    pub async fn find_purchases(&self, query: &PurchaseQuery) -> Result<PurchasePage> {
        let filter = PurchaseFilter::try_from(query)?;
        self.db()
            .run(move |c| purchase_filter::find(c, &filter))
            .await
    }

    pub async fn purchase_detail(&self, token: &str) -> Result<PurchaseDetail> {
        let purchase = self.require_purchase(token).await?;
        let id = purchase.id;
        let downloads = self
            .db()
            .run(move |c| downloads::download_log(c, id))
            .await?;
        Ok(PurchaseDetail {
            url: self.purchase_url(&purchase.token),
            purchase,
            downloads,
        })
    }

    pub async fn reset_downloads(&self, token: &str) -> Result<Purchase> {
        let p = self.require_purchase(token).await?;
        let id = p.id;
        self.db()
            .write(move |tx| purchases::reset_downloads(tx, id))
            .await?;
        self.require_purchase(token).await
    }

    pub async fn set_download_limit(&self, token: &str, limit: &str) -> Result<Purchase> {
        let p = self.require_purchase(token).await?;
        let limit = parse_download_limit(limit)?;
        let id = p.id;
        self.db()
            .write(move |tx| purchases::set_item_limit(tx, id, limit))
            .await?;
        self.require_purchase(token).await
    }

    /// Revokes the whole purchase, or one product of it.
    pub async fn revoke(&self, token: &str, product_slug: Option<&str>) -> Result<Purchase> {
        let p = self.require_purchase(token).await?;
        let product_id = match product_slug {
            Some(slug) => Some(
                p.items
                    .iter()
                    .find(|i| i.product_slug == slug)
                    .map(|i| i.product_id)
                    .ok_or_else(|| {
                        Error::NotFound(format!("'{slug}' is not part of this purchase"))
                    })?,
            ),
            None => None,
        };
        let id = p.id;
        self.db()
            .write(move |tx| purchases::revoke(tx, id, product_id, "revoked by the seller"))
            .await?;
        self.require_purchase(token).await
    }

    /// Refunds through Stripe; the charge.refunded event then updates the purchase (a full
    /// refund is also applied right away so access ends at once).
    pub async fn refund(&self, token: &str, amount: Option<&str>) -> Result<Purchase> {
        let p = self.require_purchase(token).await?;
        let pi = p.payment_intent_id.clone().ok_or_else(|| {
            Error::invalid(
                "token",
                "this purchase wasn't paid through Stripe (a complimentary copy?)",
            )
        })?;
        let amount = p.refund_amount(amount)?;
        if amount <= 0 {
            return Err(Error::Conflict(
                "this purchase is already fully refunded".into(),
            ));
        }
        self.payments()?.refund(&pi, Some(amount)).await?;
        let refunded = p.amount_refunded_minor + amount;
        let total = p.amount_minor;
        let shop = self.clone();
        self.db()
            .write(move |tx| shop.record_refund(tx, &pi, total, refunded))
            .await?;
        self.inner.outbox_wake.notify_one();
        self.require_purchase(token).await
    }

    /// Gives a complimentary copy, recorded as a grant, with its receipt.
    pub async fn grant(&self, slug: &str, email: &str) -> Result<Purchase> {
        let email = Email::parse(email)?;
        let product = self
            .product(slug)
            .await?
            .ok_or_else(|| Error::NotFound(format!("no product with the slug '{slug}'")))?;
        self.record(
            NewPurchase {
                email,
                email_problem: None,
                currency: product.price().currency,
                checkout_session_id: None,
                payment_intent_id: None,
                source: Source::Grant,
                test: false,
                items: vec![NewItem {
                    product_id: product.id,
                    amount_minor: 0,
                }],
                charge: Charge::plain(0),
                referral: Referral::default(),
                consent: None,
                invoice_url: None,
            },
            None,
        )
        .await
    }
}
