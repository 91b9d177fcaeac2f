//! The shop: everything a seller or a buyer can do, whatever the adapter (HTTP server, CLI,
//! desktop). It ties the database, files, payments and the outbox together.

use crate::backup;
use crate::catalog::{self, NewProduct, Product, ProductEdit};
use crate::db::{now, Db};
use crate::domain::{
    escape_html, format_size, parse_download_limit, Currency, Email, Money, PurchaseToken, Slug,
    UnsubscribeToken,
};
use crate::downloads::{self, Denied, Download, DownloadLog, DownloadRequest};
use crate::error::{Error, Result};
use crate::mail::Mailer;
use crate::mailing::{self, MailingSummary};
use crate::outbox::{self, OutboxConfig, OutboxRow, OutgoingMail};
use crate::payments::{PaymentEvent, Payments, WebhookWiring};
use crate::purchases::{self, NewItem, NewPurchase, Purchase, Source};
use crate::resume::{self, Meters};
use crate::settings::{self, StoreInfo};
use crate::templates::{self, Templates};
use crate::tunnel::{self, TunnelInput, TunnelSpec};
use crate::{secrets, stats};
use rusqlite::params;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use tokio::sync::Notify;

pub const EMAIL_TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/email/base.html")),
    (
        "receipt.txt",
        include_str!("../templates/email/receipt.txt"),
    ),
    (
        "receipt.html",
        include_str!("../templates/email/receipt.html"),
    ),
    ("update.txt", include_str!("../templates/email/update.txt")),
    (
        "update.html",
        include_str!("../templates/email/update.html"),
    ),
];

/// Where a shop keeps its things, under one data dir.
pub fn db_path(data_dir: &Path) -> PathBuf {
    data_dir.join("booth.db")
}

/// The data dir shared by the `booth` CLI and the desktop app.
pub fn default_data_dir() -> PathBuf {
    directories::ProjectDirs::from("app", "booth", "Booth")
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".booth"))
}

/// A handled Stripe event, as `stripe_events` keeps it so it is never acted on twice.
struct EventRow {
    id: String,
    type_: String,
    object_id: String,
    created: i64,
}

impl EventRow {
    fn insert(&self, tx: &rusqlite::Connection) -> Result<()> {
        tx.prepare_cached(
            "INSERT INTO stripe_events (id, type, object_id, created, received_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT DO NOTHING",
        )?
        .execute(params![self.id, self.type_, self.object_id, self.created, now()])?;
        Ok(())
    }
}

#[derive(Clone)]
pub struct Shop {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    data_dir: PathBuf,
    files_dir: PathBuf,
    templates: Templates,
    payments: Option<Payments>,
    urls: RwLock<Urls>,
    outbox_wake: Arc<Notify>,
    /// Bytes of free resumes in flight, per file (see resume.rs).
    meters: Arc<Meters>,
}

/// Where buyers reach the shop. `configured` is the stable address the seller set (their
/// domain, a named tunnel); `tunnel` is the running tunnel's; `local` the listen address.
#[derive(Debug, Clone)]
struct Urls {
    configured: Option<String>,
    tunnel: Option<String>,
    local: String,
}

/// What the seller types to create a product; parsed here, once.
#[derive(Debug, Clone, Default)]
pub struct ProductInput {
    pub name: String,
    pub slug: Option<String>,
    pub description: String,
    pub price: String,
    pub currency: String,
    pub limit: Option<String>,
    pub active: bool,
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Clone)]
pub enum Fulfilment {
    Paid(Box<Purchase>),
    /// The session exists but is not paid (still open, expired, or an async payment pending).
    NotPaid,
    /// The session wasn't created by Booth (no Booth products in its metadata).
    NotBooths,
    /// This shop has no record of creating the session; Stripe wasn't asked.
    Unlisted,
}

/// A Checkout Session id's shape (`cs_test_…`, `cs_live_…`), checked before anything
/// else sees it.
fn check_session_id(id: &str) -> Result<()> {
    let ok = id.starts_with("cs_")
        && id.len() <= 255
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid("session_id", "not a Checkout Session id"))
    }
}

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
pub struct MailingPreview {
    pub product: Product,
    pub subject: String,
    pub recipients: usize,
    pub skipped_unsubscribed: usize,
    /// The email as the first recipient would get it (text and HTML), if there is one.
    pub sample: Option<(String, String)>,
}

/// Purchase detail for the seller: the purchase and its download log.
#[derive(Debug, Clone, Serialize)]
pub struct PurchaseDetail {
    pub purchase: Purchase,
    pub url: String,
    pub downloads: Vec<DownloadLog>,
}

impl Shop {
    /// Opens the shop in `data_dir` (created if needed), without payments.
    pub fn open(data_dir: &Path) -> Result<Shop> {
        crate::owner_only::create_dir(data_dir)
            .and_then(|()| crate::owner_only::tighten(data_dir))
            .map_err(|e| {
                Error::invalid(
                    "data_dir",
                    format!("can't create the data dir {}: {e}", data_dir.display()),
                )
            })?;
        let db = Db::open(&db_path(data_dir))?;
        let configured = db.run_blocking(|c| settings::get(c, settings::PUBLIC_URL))?;
        Ok(Shop {
            inner: Arc::new(Inner {
                db,
                data_dir: data_dir.to_path_buf(),
                files_dir: data_dir.join("files"),
                templates: Templates::new(
                    EMAIL_TEMPLATES,
                    Some(data_dir.join("templates").join("email")),
                ),
                payments: None,
                urls: RwLock::new(Urls {
                    configured,
                    tunnel: None,
                    local: format!("http://{}", settings::DEFAULT_LISTEN),
                }),
                outbox_wake: Arc::new(Notify::new()),
                meters: Arc::default(),
            }),
        })
    }

    /// The same shop with payments attached (call before sharing it).
    pub fn with_payments(self, payments: Payments) -> Shop {
        let inner = Arc::try_unwrap(self.inner)
            .unwrap_or_else(|_| panic!("with_payments on a shared Shop"));
        Shop {
            inner: Arc::new(Inner {
                payments: Some(payments),
                ..inner
            }),
        }
    }

    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    pub fn data_dir(&self) -> &Path {
        &self.inner.data_dir
    }

    pub fn files_dir(&self) -> &Path {
        &self.inner.files_dir
    }

    pub fn outbox_dir(&self) -> PathBuf {
        self.inner.data_dir.join("outbox")
    }

    pub fn outbox_wake(&self) -> Arc<Notify> {
        self.inner.outbox_wake.clone()
    }

    pub fn payments(&self) -> Result<&Payments> {
        self.inner
            .payments
            .as_ref()
            .ok_or_else(|| Error::Payment("payments are not configured in this process".into()))
    }

    /// The base of links that must keep working (emails, purchase pages): the seller's
    /// stable address if set, else the running tunnel's, else the local address.
    pub fn public_url(&self) -> String {
        let u = self.inner.urls.read().expect("lock");
        u.configured
            .clone()
            .or_else(|| u.tunnel.clone())
            .unwrap_or_else(|| u.local.clone())
    }

    /// Where Checkout sends the buyer back: the tunnel they came through when it runs
    /// (it answers right now), else the same base as `public_url`.
    pub fn checkout_base_url(&self) -> String {
        let u = self.inner.urls.read().expect("lock");
        u.tunnel
            .clone()
            .or_else(|| u.configured.clone())
            .unwrap_or_else(|| u.local.clone())
    }

    /// The stable address the seller set, if any.
    pub fn configured_url(&self) -> Option<String> {
        self.inner.urls.read().expect("lock").configured.clone()
    }

    pub fn tunnel_url(&self) -> Option<String> {
        self.inner.urls.read().expect("lock").tunnel.clone()
    }

    /// Sets (or with "" clears) the stable URL buyers reach the shop at.
    pub async fn set_public_url(&self, url: &str) -> Result<()> {
        let url = match url.trim() {
            "" => None,
            u => Some(settings::check_public_url(u)?),
        };
        let stored = url.clone().unwrap_or_default();
        self.db()
            .write(move |tx| settings::set(tx, settings::PUBLIC_URL, &stored))
            .await?;
        self.inner.urls.write().expect("lock").configured = url;
        Ok(())
    }

    /// The address the server listens at, for when there is nothing better.
    pub fn set_local_url(&self, url: String) {
        self.inner.urls.write().expect("lock").local = url;
    }

    /// The running tunnel's public address (None when it stops).
    pub fn set_tunnel_url(&self, url: Option<String>) {
        self.inner.urls.write().expect("lock").tunnel = url;
    }

    pub fn purchase_url(&self, token: &str) -> String {
        format!("{}/d/{token}", self.public_url())
    }

    pub async fn store_info(&self) -> Result<StoreInfo> {
        self.db().run(|c| settings::store_info(c)).await
    }

    pub async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        let (key, value) = (key.to_string(), value.to_string());
        if key == settings::PUBLIC_URL {
            return self.set_public_url(&value).await;
        }
        self.db()
            .write(move |tx| settings::set(tx, &key, &value))
            .await
    }

    // ---- catalog -------------------------------------------------------------------

    pub async fn add_product(&self, input: ProductInput) -> Result<Product> {
        let name = catalog::check_name(&input.name)?;
        let slug = match &input.slug {
            Some(s) => Slug::parse(s)?,
            None => Slug::from_name(&name)?,
        };
        let currency = Currency::parse(&input.currency)?;
        let new = NewProduct {
            name,
            slug,
            description: catalog::check_description(&input.description)?,
            price: Money::parse_price(&input.price, currency)?,
            download_limit: match &input.limit {
                Some(l) => parse_download_limit(l)?,
                None => Some(5),
            },
            active: input.active,
        };
        if input.files.is_empty() {
            return Err(Error::invalid("file", "a product needs at least one file"));
        }
        let names = input
            .files
            .iter()
            .map(|f| catalog::display_name_for(f))
            .collect::<Result<Vec<_>>>()?;
        // Refuse a taken slug before copying what may be large files.
        if self.product(new.slug.as_str()).await?.is_some() {
            return Err(Error::Conflict(format!(
                "a product with the slug '{}' already exists",
                new.slug
            )));
        }
        let stored = self.store_files(input.files).await?;
        self.db()
            .write(move |tx| {
                let id = catalog::insert_product(tx, &new)?;
                for (name, file) in names.iter().zip(&stored) {
                    catalog::add_file(tx, id, name, file)?;
                }
                catalog::product_by_id(tx, id)?
                    .ok_or_else(|| Error::Internal("product vanished".into()))
            })
            .await
    }

    async fn store_files(&self, files: Vec<PathBuf>) -> Result<Vec<catalog::StoredFile>> {
        let dir = self.files_dir().to_path_buf();
        blocking(move || files.iter().map(|f| catalog::store_file(&dir, f)).collect()).await
    }

    pub async fn list_products(&self, only_active: bool) -> Result<Vec<Product>> {
        self.db()
            .run(move |c| catalog::list_products(c, only_active))
            .await
    }

    pub async fn product(&self, slug: &str) -> Result<Option<Product>> {
        let slug = slug.to_string();
        self.db()
            .run(move |c| catalog::product_by_slug(c, &slug))
            .await
    }

    pub async fn edit_product(&self, slug: &str, edit: ProductEdit) -> Result<Product> {
        let slug = slug.to_string();
        self.db()
            .write(move |tx| catalog::edit_product(tx, &slug, &edit))
            .await
    }

    pub async fn add_file(&self, slug: &str, path: PathBuf) -> Result<Product> {
        let name = catalog::display_name_for(&path)?;
        let stored = self.store_files(vec![path]).await?.remove(0);
        let slug = slug.to_string();
        self.db()
            .write(move |tx| {
                let p = catalog::require_product(tx, &slug)?;
                catalog::add_file(tx, p.id, &name, &stored)?;
                catalog::require_product(tx, &slug)
            })
            .await
    }

    /// Uploads a new version of one of a product's files; buyers get it from their
    /// existing links. Returns the new version's label.
    pub async fn new_version(
        &self,
        slug: &str,
        file: &str,
        path: PathBuf,
        label: Option<String>,
    ) -> Result<String> {
        let (slug, file) = (slug.to_string(), file.to_string());
        // Check the target exists before copying a possibly large file.
        let product = self
            .product(&slug)
            .await?
            .ok_or_else(|| Error::NotFound(format!("no product with the slug '{slug}'")))?;
        let target = catalog::find_file(&product, &file)?;
        let stored = self.store_files(vec![path]).await?.remove(0);
        self.db()
            .write(move |tx| catalog::add_version(tx, target.id, label.as_deref(), &stored))
            .await
    }

    // ---- checkout and fulfilment ---------------------------------------------------

    /// Creates a Stripe Checkout Session for active products, priced from the database
    /// only, and returns the hosted page URL to send the buyer to.
    pub async fn start_checkout(&self, slugs: &[String]) -> Result<String> {
        if slugs.is_empty() || slugs.len() > 20 {
            return Err(Error::invalid("cart", "a checkout holds 1 to 20 products"));
        }
        let mut wanted = Vec::new();
        for s in slugs {
            let slug =
                Slug::parse(s).map_err(|_| Error::NotFound("that product doesn't exist".into()))?;
            if !wanted.contains(&slug) {
                wanted.push(slug);
            }
        }
        let products = self
            .db()
            .run(move |c| {
                wanted
                    .iter()
                    .map(|s| match catalog::product_by_slug(c, s.as_str())? {
                        Some(p) if p.active && !p.files.is_empty() => Ok(p),
                        _ => Err(Error::NotFound(format!("'{s}' is not for sale"))),
                    })
                    .collect::<Result<Vec<_>>>()
            })
            .await?;
        let key = uuid::Uuid::new_v4().to_string();
        let (session_id, url) = self
            .payments()?
            .create_checkout(&products, &self.checkout_base_url(), &key)
            .await?;
        let ids: Vec<i64> = products.iter().map(|p| p.id).collect();
        self.db()
            .write(move |tx| {
                // The success page asks Stripe about sessions listed here only.
                tx.prepare_cached(
                    "INSERT INTO checkout_sessions (id, created_at) VALUES (?1, ?2)
                     ON CONFLICT DO NOTHING",
                )?
                .execute(params![session_id, now()])?;
                ids.iter()
                    .try_for_each(|id| stats::count(tx, *id, stats::Step::Checkout, now()))
            })
            .await?;
        Ok(url)
    }

    /// Stripe's fulfilment recipe: retrieve the session with its line items, act only if
    /// paid, record the purchase under a UNIQUE session id. Safe to call any number of
    /// times, concurrently: exactly one call records the purchase and queues its receipt.
    ///
    /// For an id anyone can type (the success page's `session_id`): a recorded purchase is
    /// answered from the database, and Stripe is asked only about sessions this shop
    /// created; any other id is `Unlisted`, with no call made (see `fulfil_unlisted`).
    pub async fn fulfil(&self, session_id: &str) -> Result<Fulfilment> {
        check_session_id(session_id)?;
        let sid = session_id.to_string();
        let listed: bool = self
            .db()
            .run(move |c| {
                Ok(c.prepare_cached(
                    "SELECT 1 FROM checkout_sessions WHERE id = ?1
                     UNION ALL SELECT 1 FROM purchases WHERE checkout_session_id = ?1",
                )?
                .exists([sid])?)
            })
            .await?;
        if !listed {
            return Ok(Fulfilment::Unlisted);
        }
        Ok(self.fulfil_for(session_id, None).await?.0)
    }

    /// `fulfil` for a session this shop has no record of creating (one begun before
    /// Booth kept that record): asks Stripe. Callers reached by anyone must limit how
    /// often they call this: each call spends the account's API rate limit.
    pub async fn fulfil_unlisted(&self, session_id: &str) -> Result<Fulfilment> {
        Ok(self.fulfil_for(session_id, None).await?.0)
    }

    /// `fulfil`, for the webhook event `event` if one brought it: the event is then
    /// recorded in the purchase's own transaction (one commit, not two) and the answer
    /// says so.
    async fn fulfil_for(
        &self,
        session_id: &str,
        event: Option<EventRow>,
    ) -> Result<(Fulfilment, bool)> {
        check_session_id(session_id)?;
        let sid = session_id.to_string();
        if let Some(p) = self
            .db()
            .run(move |c| purchases::purchase_by_session(c, &sid))
            .await?
        {
            return Ok((Fulfilment::Paid(Box::new(p)), false));
        }
        let session = self.payments()?.retrieve_session(session_id).await?;
        if !session.paid {
            return Ok((Fulfilment::NotPaid, false));
        }
        if session.product_ids.is_empty() {
            // Another integration on the same Stripe account: not Booth's to fulfil.
            return Ok((Fulfilment::NotBooths, false));
        }
        if session.product_ids.len() != session.line_amounts.len() {
            return Err(Error::Payment(format!(
                "session {} doesn't list Booth's products",
                session.id
            )));
        }
        // Whatever address Stripe hands back, a paid purchase is recorded: one nobody
        // could mail is flagged, and its receipt waits failed in the outbox for the seller.
        let (email, email_problem) =
            Email::from_payment_provider(session.email.as_deref().unwrap_or(""));
        let currency = Currency::parse(session.currency.as_deref().unwrap_or(""))?;
        let new = NewPurchase {
            email,
            email_problem,
            currency,
            checkout_session_id: Some(session.id.clone()),
            payment_intent_id: session.payment_intent.clone(),
            source: Source::Checkout,
            test: !session.livemode,
            items: session
                .product_ids
                .iter()
                .zip(&session.line_amounts)
                .map(|(id, amount)| NewItem {
                    product_id: *id,
                    amount_minor: *amount,
                })
                .collect(),
        };
        let recorded = event.is_some();
        let purchase = self.record(new, event).await?;
        Ok((Fulfilment::Paid(Box::new(purchase)), recorded))
    }

    /// Records a purchase and queues its receipt in one transaction, with the webhook
    /// event that brought it, if one did.
    async fn record(&self, new: NewPurchase, event: Option<EventRow>) -> Result<Purchase> {
        let shop = self.clone();
        let purchase = self
            .db()
            .write(move |tx| {
                if let Some(e) = &event {
                    e.insert(tx)?;
                }
                match purchases::insert_purchase(tx, &new)? {
                    Some((id, _)) => {
                        let p = purchases::purchase_by_id(tx, id)?;
                        let mail = shop.receipt_mail(tx, &p)?;
                        let mail_id = outbox::enqueue(tx, &mail)?;
                        if let Some(problem) = &p.email_problem {
                            // Never sent to an address that could break the message; the
                            // seller sees why in the outbox and the purchase.
                            let why = format!("{} can't be mailed: {problem}", p.email);
                            outbox::mark_failed(tx, mail_id, &why)?;
                            tracing::warn!(
                                purchase = p.id,
                                problem,
                                "a paid purchase's email can't be mailed"
                            );
                        }
                        // Its id, never its token: the token opens the downloads, and logs get shared.
                        tracing::info!(purchase = p.id, email = %p.email, "purchase recorded");
                        Ok(p)
                    }
                    // Someone else recorded this session first.
                    None => purchases::purchase_by_session(
                        tx,
                        new.checkout_session_id.as_deref().unwrap_or(""),
                    )?
                    .ok_or_else(|| Error::Internal("purchase vanished".into())),
                }
            })
            .await?;
        self.inner.outbox_wake.notify_one();
        Ok(purchase)
    }

    /// Handles a webhook delivery: verifies it, then acts on it once.
    pub async fn handle_webhook(&self, payload: &str, signature: &str) -> Result<()> {
        let (id, type_, created, meaning) = self.payments()?.verify_webhook(payload, signature)?;
        self.process_event(&id, &type_, created, meaning)
            .await
            .map(|_| ())
    }

    /// Acts on an event unless it was seen before; true if it was new.
    async fn process_event(
        &self,
        id: &str,
        type_: &str,
        created: i64,
        meaning: PaymentEvent,
    ) -> Result<bool> {
        let eid = id.to_string();
        let seen: bool = self
            .db()
            .run(move |c| {
                Ok(c.query_row(
                    "SELECT count(*) FROM stripe_events WHERE id = ?1",
                    [eid],
                    |r| r.get::<_, i64>(0),
                )? > 0)
            })
            .await?;
        if seen {
            return Ok(false);
        }
        let row = |object_id: &str| EventRow {
            id: id.to_string(),
            type_: type_.to_string(),
            object_id: object_id.to_string(),
            created,
        };
        let object_id = match &meaning {
            PaymentEvent::SessionCompleted { session_id } => {
                let (_, recorded) = self.fulfil_for(session_id, Some(row(session_id))).await?;
                if recorded {
                    return Ok(true);
                }
                session_id.clone()
            }
            PaymentEvent::ChargeRefunded {
                payment_intent,
                amount,
                amount_refunded,
            } => {
                let (pi, a, r) = (payment_intent.clone(), *amount, *amount_refunded);
                let found = self
                    .db()
                    .write(move |tx| purchases::apply_refund(tx, &pi, a, r))
                    .await?;
                if !found {
                    // The purchase isn't recorded yet (events arrive in any order): fail so
                    // Stripe retries, rather than forgetting the refund.
                    return Err(Error::NotFound(format!(
                        "no purchase for payment {payment_intent} yet"
                    )));
                }
                payment_intent.clone()
            }
            PaymentEvent::DisputeCreated { payment_intent } => {
                let pi = payment_intent.clone();
                let found = self
                    .db()
                    .write(move |tx| purchases::apply_dispute(tx, &pi))
                    .await?;
                tracing::warn!(payment_intent, found, "dispute opened: access revoked");
                payment_intent.clone()
            }
            PaymentEvent::Ignored => String::new(),
        };
        let row = row(&object_id);
        self.db().write(move |tx| row.insert(tx)).await?;
        Ok(true)
    }

    /// Processes events Booth missed (Stripe keeps 30 days of them); returns how many were new.
    pub async fn catch_up(&self) -> Result<usize> {
        let newest: Option<i64> = self
            .db()
            .run(|c| Ok(c.query_row("SELECT max(created) FROM stripe_events", [], |r| r.get(0))?))
            .await?;
        // Events can arrive out of order, so look back a day before the newest one seen.
        let since = match newest {
            Some(t) => t - 86_400,
            None => now() - 30 * 86_400,
        };
        let events = self.payments()?.events_since(since).await?;
        let mut handled = 0;
        for (id, type_, created, meaning) in events {
            match self.process_event(&id, &type_, created, meaning).await {
                Ok(new) => handled += usize::from(new),
                Err(e) => tracing::warn!(event = %id, error = %e, "catch-up: event not processed"),
            }
        }
        Ok(handled)
    }

    // ---- buyer side -----------------------------------------------------------------

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
        let meters = self.inner.meters.clone();
        let decided = self
            .db()
            .write_relaxed(move |tx| downloads::authorize_download(tx, &meters, &req))
            .await?;
        Ok(decided.map(|mut file| {
            let resume = file
                .resume
                .take()
                .map(|c| resume::Grant::new(c, self.db().clone(), self.inner.meters.clone()));
            Download { file, resume }
        }))
    }

    // ---- seller side ----------------------------------------------------------------

    async fn require_purchase(&self, token: &str) -> Result<Purchase> {
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
        let remaining = p.amount_minor - p.amount_refunded_minor;
        let amount = match amount {
            Some(a) => {
                let m = Money::parse_price(a, p.total().currency).map_err(|e| match e {
                    Error::Invalid { message, .. } => Error::invalid("amount", message),
                    e => e,
                })?;
                if m.minor > remaining {
                    return Err(Error::invalid(
                        "amount",
                        format!(
                            "at most {} can still be refunded",
                            Money::new(remaining, p.total().currency).format()
                        ),
                    ));
                }
                m.minor
            }
            None => remaining,
        };
        if amount <= 0 {
            return Err(Error::Conflict(
                "this purchase is already fully refunded".into(),
            ));
        }
        self.payments()?.refund(&pi, Some(amount)).await?;
        let refunded = p.amount_refunded_minor + amount;
        let total = p.amount_minor;
        self.db()
            .write(move |tx| purchases::apply_refund(tx, &pi, total, refunded))
            .await?;
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
            },
            None,
        )
        .await
    }

    /// Queues the receipt again (e.g. the buyer lost it), with the current link.
    pub async fn resend_receipt(&self, token: &str) -> Result<i64> {
        let p = self.require_purchase(token).await?;
        if p.status != "paid" {
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

    pub async fn outbox(&self, status: Option<&str>, limit: i64) -> Result<Vec<OutboxRow>> {
        let status = status.map(String::from);
        self.db()
            .run(move |c| outbox::list(c, status.as_deref(), limit))
            .await
    }

    /// Sends the receipts that are due now through `mailer` (not mailings: those have
    /// their own sender); returns how many were attempted.
    pub async fn send_due_receipts(&self, mailer: &Mailer, config: &OutboxConfig) -> Result<usize> {
        outbox::Sender::new(self.db().clone(), mailer.clone(), *config)
            .only_priority(outbox::PRIORITY_RECEIPT)
            .drain()
            .await
    }

    fn receipt_mail(&self, conn: &rusqlite::Connection, p: &Purchase) -> Result<OutgoingMail> {
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
            "is_test": p.test,
            "is_grant": p.source == "grant",
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

    // ---- update mailings ------------------------------------------------------------

    async fn mailing_parts(&self, req: &MailingRequest) -> Result<(Product, String, String)> {
        let product = self.product(&req.product).await?.ok_or_else(|| {
            Error::NotFound(format!("no product with the slug '{}'", req.product))
        })?;
        let subject = match &req.subject {
            Some(s) => mailing::check_subject(s)?,
            None => format!("{}: a new version is out", product.name),
        };
        let message = mailing::check_message(&req.message)?;
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

    fn update_mail(
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
            .map(|f| serde_json::json!({"name": f.display_name, "version": f.version}))
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

    /// All purchases as CSV, one row per purchase.
    pub async fn export_csv(&self) -> Result<String> {
        let list = self.list_purchases(None).await?;
        let mut out = String::from(
            "created_at,token,email,status,source,test,currency,amount,amount_refunded,products,checkout_session_id,payment_intent_id\n",
        );
        for p in list {
            let cur = p.total().currency;
            let products: Vec<&str> = p.items.iter().map(|i| i.product_slug.as_str()).collect();
            let cells = [
                format_iso(p.created_at),
                p.token.clone(),
                p.email.clone(),
                p.status.clone(),
                p.source.clone(),
                p.test.to_string(),
                p.currency.to_uppercase(),
                plain_amount(p.amount_minor, cur),
                plain_amount(p.amount_refunded_minor, cur),
                products.join(";"),
                p.checkout_session_id.clone().unwrap_or_default(),
                p.payment_intent_id.clone().unwrap_or_default(),
            ];
            out.push_str(
                &cells
                    .iter()
                    .map(|c| csv_cell(c))
                    .collect::<Vec<_>>()
                    .join(","),
            );
            out.push('\n');
        }
        Ok(out)
    }

    /// Writes the CSV export to `path` (whole or not at all, readable by the seller only:
    /// it lists every buyer); returns how many purchases it holds.
    pub async fn export_csv_to(&self, path: PathBuf) -> Result<usize> {
        let csv = self.export_csv().await?;
        let rows = csv.lines().count().saturating_sub(1);
        blocking(move || {
            crate::owner_only::write(&path, csv.as_bytes())
                .map_err(|e| Error::invalid("path", format!("can't write {}: {e}", path.display())))
        })
        .await?;
        Ok(rows)
    }

    // ---- the seller's window ------------------------------------------------------

    /// A buyer opened a product's page (for the dashboard's funnel).
    pub async fn record_visit(&self, product_id: i64) -> Result<()> {
        self.db()
            .write(move |tx| stats::count(tx, product_id, stats::Step::Visit, now()))
            .await
    }

    /// Revenue, purchases and the funnel over the last `days` days. A shop taking test
    /// payments (or simulated ones) looks at its test purchases, a live shop at live ones.
    pub async fn dashboard(&self, days: u32) -> Result<stats::Dashboard> {
        let test = self.payments().map(|p| p.test_mode()).unwrap_or(true);
        self.db()
            .run(move |c| stats::dashboard(c, days, test, now()))
            .await
    }

    /// Part of an email, or a whole token; "" lists the newest 500.
    pub async fn search_purchases(&self, query: &str) -> Result<Vec<Purchase>> {
        if query.chars().count() > 320 || query.chars().any(char::is_control) {
            return Err(Error::invalid(
                "query",
                "search for part of an email or a purchase token",
            ));
        }
        let q = query.to_string();
        self.db()
            .run(move |c| purchases::search_purchases(c, &q, 500))
            .await
    }

    /// Changes a product from what the seller typed; only the fields given change.
    pub async fn edit_product_input(&self, slug: &str, input: ProductEditInput) -> Result<Product> {
        let current = self
            .product(slug)
            .await?
            .ok_or_else(|| Error::NotFound(format!("no product with the slug '{slug}'")))?;
        let price = match (&input.price, &input.currency) {
            (Some(p), c) => {
                let currency = Currency::parse(c.as_deref().unwrap_or(&current.currency))?;
                Some(Money::parse_price(p, currency)?)
            }
            (None, Some(c)) if !c.eq_ignore_ascii_case(&current.currency) => {
                // The same minor units mean a different amount in another currency.
                return Err(Error::invalid(
                    "price",
                    "a new currency needs the price in that currency",
                ));
            }
            (None, _) => None,
        };
        let edit = ProductEdit {
            name: input.name.as_deref().map(catalog::check_name).transpose()?,
            slug: input.slug.as_deref().map(Slug::parse).transpose()?,
            description: input
                .description
                .as_deref()
                .map(catalog::check_description)
                .transpose()?,
            price,
            download_limit: input
                .limit
                .as_deref()
                .map(parse_download_limit)
                .transpose()?,
            active: input.active,
        };
        self.edit_product(slug, edit).await
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

    /// The email templates, and whether the seller has overridden each.
    pub fn email_templates(&self) -> Vec<(String, bool)> {
        templates::list(EMAIL_TEMPLATES, &self.email_templates_dir())
    }

    /// Copies a built-in email template into the overrides folder for the seller to edit.
    pub fn customize_email_template(&self, name: &str) -> Result<PathBuf> {
        templates::customize(EMAIL_TEMPLATES, &self.email_templates_dir(), name)
    }

    pub fn templates_dir(&self) -> PathBuf {
        self.inner.data_dir.join("templates")
    }

    fn email_templates_dir(&self) -> PathBuf {
        self.templates_dir().join("email")
    }

    /// Saves what the seller changed in Settings: every field is checked before anything
    /// is stored, settings go to the database in one transaction, secrets to their file.
    pub async fn save_settings(&self, input: SettingsInput) -> Result<()> {
        let mut secrets = secrets::load(self.data_dir())?;
        // None leaves a secret alone, "" removes it, anything else is checked.
        let secret = |v: &Option<String>,
                      check: &dyn Fn(&str) -> Result<String>|
         -> Result<Option<Option<String>>> {
            v.as_deref()
                .map(|v| match v {
                    "" => Ok(None),
                    v => check(v).map(Some),
                })
                .transpose()
        };
        let test_key = secret(&input.stripe_test_key, &|v| {
            secrets::check_stripe_key(false, v)
        })?;
        let live_key = secret(&input.stripe_live_key, &|v| {
            secrets::check_stripe_key(true, v)
        })?;
        let webhook = secret(&input.webhook_secret, &|v| {
            secrets::check("webhook_secret", v, &["whsec_"])
        })?;
        let smtp_password = secret(&input.smtp_password, &|v| {
            secrets::check_password("smtp_password", v)
        })?;

        let pairs: Vec<(&'static str, String)> = [
            (settings::STORE_NAME, &input.store_name),
            (settings::FROM_ADDRESS, &input.from_address),
            (settings::SUPPORT_EMAIL, &input.support_email),
            (settings::PUBLIC_URL, &input.public_url),
            (settings::LISTEN, &input.listen),
            (settings::PAYMENTS, &input.payments),
            (settings::SMTP_URL, &input.smtp_url),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| (k, v.trim().to_string())))
        .collect();
        let public_url = pairs
            .iter()
            .find(|(k, _)| *k == settings::PUBLIC_URL)
            .map(|(_, v)| match v.as_str() {
                "" => Ok(None),
                v => settings::check_public_url(v).map(Some),
            })
            .transpose()?;
        self.db()
            .write(move |tx| {
                for (k, v) in &pairs {
                    settings::set(tx, k, v)?;
                }
                Ok(())
            })
            .await?;
        if let Some(url) = public_url {
            self.inner.urls.write().expect("lock").configured = url;
        }
        let before = secrets.clone();
        for (slot, new) in [
            (&mut secrets.stripe_test_key, test_key),
            (&mut secrets.stripe_live_key, live_key),
            (&mut secrets.webhook_secret, webhook),
            (&mut secrets.smtp_password, smtp_password),
        ] {
            if let Some(v) = new {
                *slot = v;
            }
        }
        if secrets != before {
            secrets::save(self.data_dir(), &secrets)?;
        }
        Ok(())
    }

    /// Sends a short message straight through `mailer` (not the outbox), so the seller
    /// sees at once whether their mail settings work.
    pub async fn send_test_mail(&self, mailer: &Mailer, to: &str) -> Result<String> {
        let to = Email::parse(to)?;
        let store = self.store_info().await?;
        let from = self.db().run(|c| settings::sender(c)).await?;
        let text = format!(
            "This is a test message from {}.\n\nIf you can read it, Booth can deliver receipts and updates to your buyers.\n",
            store.store_name
        );
        let row = OutboxRow {
            id: 0,
            kind: "test".into(),
            purchase_id: None,
            mailing_id: None,
            recipient: to.as_str().to_string(),
            subject: format!("Test message from {}", store.store_name),
            body_html: format!(
                "<p>{}</p>",
                escape_html(text.trim()).replace("\n\n", "</p><p>")
            ),
            body_text: text,
            unsubscribe_url: None,
            message_id: format!("<test-{}@booth>", uuid::Uuid::new_v4()),
            status: "queued".into(),
            attempts: 0,
            last_error: None,
            created_at: now(),
            sent_at: None,
        };
        mailer
            .send(&from, &row)
            .await
            .map_err(|e| Error::Mail(e.message))?;
        Ok(format!(
            "Sent to {} through {}",
            to.as_str(),
            mailer.describe()
        ))
    }

    /// A setting's stored value, if any.
    pub async fn setting(&self, key: &'static str) -> Result<Option<String>> {
        self.db().run(move |c| settings::get(c, key)).await
    }
}

// ---- backups --------------------------------------------------------------------------------

impl Shop {
    /// A consistent copy of the database at `dest` (which must not exist), while the shop runs.
    pub async fn backup_to(&self, dest: PathBuf) -> Result<backup::BackupInfo> {
        let db = self.db().clone();
        blocking(move || backup::backup_to(&db, &dest)).await
    }

    /// A backup into `<data dir>/backups/`, named by the time.
    pub async fn backup_now(&self) -> Result<backup::BackupInfo> {
        let (db, dir) = (self.db().clone(), self.data_dir().to_path_buf());
        blocking(move || backup::backup_now(&db, &dir)).await
    }

    /// Today's automatic backup, if not made yet, keeping the newest `backup_keep`.
    pub async fn daily_backup(&self) -> Result<Option<backup::BackupInfo>> {
        let keep = self
            .setting(settings::BACKUP_KEEP)
            .await?
            .and_then(|k| k.parse().ok())
            .unwrap_or(backup::DEFAULT_KEEP);
        let (db, dir) = (self.db().clone(), self.data_dir().to_path_buf());
        blocking(move || backup::daily(&db, &dir, keep)).await
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Internal(format!("background task failed: {e}")))?
}

// ---- the public address: tunnel and webhook wiring ---------------------------------------

impl Shop {
    /// This shop's random id (made on first use), to tell its webhook endpoint from others
    /// on the same Stripe account.
    pub async fn shop_id(&self) -> Result<String> {
        self.db()
            .write(|tx| {
                if let Some(id) = settings::get(tx, settings::SHOP_ID)? {
                    return Ok(id);
                }
                let id = uuid::Uuid::new_v4().simple().to_string();
                tx.execute(
                    "INSERT INTO settings (key, value) VALUES (?1, ?2)",
                    rusqlite::params![settings::SHOP_ID, id],
                )?;
                Ok(id)
            })
            .await
    }

    pub async fn tunnel_spec(&self) -> Result<Option<TunnelSpec>> {
        let Some(json) = self.setting(settings::TUNNEL).await? else {
            return Ok(None);
        };
        serde_json::from_str(&json)
            .map(Some)
            .map_err(|e| Error::Internal(format!("the saved tunnel setting is damaged: {e}")))
    }

    /// Whether the tunnel starts with the shop (the seller last pressed Start, not Stop).
    pub async fn tunnel_on(&self) -> Result<bool> {
        Ok(self.setting(settings::TUNNEL_ON).await?.as_deref() == Some("yes"))
    }

    pub async fn set_tunnel_on(&self, on: bool) -> Result<()> {
        let value = if on { "yes" } else { "no" };
        self.db()
            .write(move |tx| settings::set(tx, settings::TUNNEL_ON, value))
            .await
    }

    pub fn tunnel_token(&self) -> Result<Option<String>> {
        Ok(secrets::load(self.data_dir())?.tunnel_token)
    }

    /// Saves the tunnel the seller picked. `token`: None leaves the saved one, "" removes it.
    pub async fn save_tunnel(
        &self,
        input: &TunnelInput,
        token: Option<&str>,
    ) -> Result<TunnelSpec> {
        let spec = TunnelSpec::parse(input)?;
        let token = token
            .map(|t| match t.trim() {
                "" => Ok(None),
                t => secrets::check("token", t, &[]).map(Some),
            })
            .transpose()?;
        let has_token = match &token {
            Some(t) => t.is_some(),
            None => self.tunnel_token()?.is_some(),
        };
        if spec.needs_token() && !has_token {
            return Err(Error::invalid("token", tunnel::NAMED_TOKEN_HELP));
        }
        let json = serde_json::to_string(&spec).expect("json");
        self.db()
            .write(move |tx| settings::set(tx, settings::TUNNEL, &json))
            .await?;
        if let Some(token) = token {
            let mut s = secrets::load(self.data_dir())?;
            if s.tunnel_token != token {
                s.tunnel_token = token;
                secrets::save(self.data_dir(), &s)?;
            }
        }
        Ok(spec)
    }

    /// Notes what happened to the tunnel. A log that can't be written must not stop it.
    pub async fn log_tunnel(&self, kind: &'static str, message: String) {
        tracing::info!(kind, message, "tunnel");
        let r = self
            .db()
            .write(move |tx| tunnel::log(tx, kind, &message))
            .await;
        if let Err(e) = r {
            tracing::warn!(error = %e, "couldn't write the tunnel log");
        }
    }

    pub async fn tunnel_log(&self, limit: usize) -> Result<Vec<tunnel::LogEntry>> {
        self.db().run(move |c| tunnel::recent_log(c, limit)).await
    }

    /// Points the webhook endpoint Booth manages at `<public URL>/webhooks/stripe`, creating
    /// it if needed, and keeps its secret: in memory for the simulator, with the other
    /// secrets for Stripe. Says in words where events now go.
    pub async fn connect_webhook(&self) -> Result<String> {
        let payments = self.payments()?;
        let url = format!("{}/webhooks/stripe", self.public_url());
        if payments.manual_webhook() {
            return Ok(format!(
                "You manage the webhook endpoint yourself (its signing secret is saved); Booth's address for it is {url}"
            ));
        }
        // Only the listen address is out of Stripe's reach; a tunnel's or the seller's
        // address is taken as public (a tunnel's is checked through it every minute).
        let only_local = self.configured_url().is_none() && self.tunnel_url().is_none();
        if !payments.simulated() && only_local {
            return Err(Error::Payment(format!(
                "Stripe can't reach {url}: start a tunnel, or set the shop's public address, so Stripe can send payment events"
            )));
        }
        if !payments.test_mode() && url.starts_with("http://") {
            return Err(Error::Payment(format!(
                "Stripe sends live events only to https addresses, and {url} is plain http: use an https tunnel (Cloudflare, ngrok) or address"
            )));
        }
        let shop_id = self.shop_id().await?;
        let wiring = payments
            .ensure_webhook_endpoint(&url, &shop_id, payments.endpoint_id().as_deref())
            .await?;
        payments.set_endpoint_id(wiring.id());
        if let WebhookWiring::Created { id, secret } = &wiring {
            payments.set_webhook_secret(secret.clone());
            if !payments.simulated() {
                let mut s = secrets::load(self.data_dir())?;
                s.managed_webhook = Some(secrets::ManagedWebhook {
                    endpoint_id: id.clone(),
                    secret: secret.clone(),
                    livemode: !payments.test_mode(),
                });
                secrets::save(self.data_dir(), &s)?;
            }
        }
        let (who, what) = if payments.simulated() {
            ("The simulator", "its endpoint")
        } else {
            ("Stripe", "Booth's endpoint")
        };
        Ok(match wiring {
            WebhookWiring::Unchanged { .. } => format!("{who} sends payment events to {url}"),
            WebhookWiring::Updated { .. } => {
                format!("{who} now sends payment events to {url} ({what} was updated)")
            }
            WebhookWiring::Created { .. } => {
                format!("{who} sends payment events to {url} ({what} was created)")
            }
        })
    }
}

/// What the seller typed in a product's edit form; parsed by `Shop::edit_product_input`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProductEditInput {
    pub name: Option<String>,
    pub slug: Option<String>,
    pub description: Option<String>,
    pub price: Option<String>,
    pub currency: Option<String>,
    pub limit: Option<String>,
    pub active: Option<bool>,
}

/// What the seller changed in Settings; None leaves a value alone, and for a secret ""
/// removes it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SettingsInput {
    pub store_name: Option<String>,
    pub from_address: Option<String>,
    pub support_email: Option<String>,
    pub public_url: Option<String>,
    pub listen: Option<String>,
    pub payments: Option<String>,
    pub stripe_test_key: Option<String>,
    pub stripe_live_key: Option<String>,
    pub webhook_secret: Option<String>,
    pub smtp_url: Option<String>,
    pub smtp_password: Option<String>,
}

/// An amount without a symbol, for spreadsheets: "9.99".
fn plain_amount(minor: i64, currency: Currency) -> String {
    let exp = currency.exponent();
    if exp == 0 {
        return minor.to_string();
    }
    let div = 10i64.pow(exp);
    format!(
        "{}{}.{:0w$}",
        if minor < 0 { "-" } else { "" },
        minor.abs() / div,
        minor.abs() % div,
        w = exp as usize
    )
}

/// Quotes a CSV cell, and defuses values a spreadsheet would run as a formula. Quoted
/// whenever it holds the separator of any common locale (`,`; `;` in German or French
/// Excel; tab), so no spreadsheet splits a buyer's email into cells of its own.
fn csv_cell(value: &str) -> String {
    let v = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if v.contains([',', ';', '\t', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v
    }
}

pub fn format_time(ts: i64) -> String {
    let fmt = time::macros::format_description!(
        "[month repr:long] [day padding:none], [year] at [hour]:[minute] UTC"
    );
    time::OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_default()
}

pub fn format_iso(ts: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_safe() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        // Semicolon locales: one cell, quoted, whatever follows the separator.
        assert_eq!(csv_cell("x;=1+2*3;y@x.com"), "\"x;=1+2*3;y@x.com\"");
        assert_eq!(csv_cell("a\tb"), "\"a\tb\"");
        assert_eq!(csv_cell("-1;2"), "\"'-1;2\"");
        assert_eq!(plain_amount(999, Currency::parse("usd").unwrap()), "9.99");
        assert_eq!(plain_amount(500, Currency::parse("jpy").unwrap()), "500");
    }

    #[test]
    fn times_format() {
        assert_eq!(format_time(0), "January 1, 1970 at 00:00 UTC");
        assert_eq!(format_iso(0), "1970-01-01T00:00:00Z");
    }
}
