//! The shop: everything a seller or a buyer can do, whatever the adapter (HTTP server, CLI,
//! desktop). It ties the database, files, payments and the outbox together.

use crate::data_dir::DataDir;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::payments::Payments;
use crate::resume::Meters;
use crate::templates::Templates;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use tokio::sync::Notify;

mod address;
mod backups;
mod bucket_files;
mod bucket_serving;
mod catalog;
mod checkout;
mod discounts;
mod export;
mod free;
mod library;
mod licenses;
mod mail;
mod purchases;
mod refunds;
mod settings;
mod stamping;
mod storage;
mod updates;

pub use crate::catalog::{ProductEditInput, ProductInput};
pub use crate::settings::SettingsInput;
pub use bucket_files::{Freed, Migrated};
pub use checkout::{CheckoutStart, Fulfilment};
pub use export::{format_iso, format_time, parse_utc};
pub use free::Claimed;
pub use library::{LIBRARY_EVERY_SECS, LIBRARY_PER_DAY};
pub use licenses::{LicenseAnswer, PublicKey};
pub use mail::{MailingPreview, MailingRequest, VersionNews};
pub use purchases::PurchaseDetail;
pub use updates::{UpdateFeed, UpdateKeys};

pub const EMAIL_TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/email/base.html")),
    (
        "receipt.txt",
        include_str!("../../templates/email/receipt.txt"),
    ),
    (
        "receipt.html",
        include_str!("../../templates/email/receipt.html"),
    ),
    (
        "update.txt",
        include_str!("../../templates/email/update.txt"),
    ),
    (
        "update.html",
        include_str!("../../templates/email/update.html"),
    ),
    (
        "library.txt",
        include_str!("../../templates/email/library.txt"),
    ),
    (
        "library.html",
        include_str!("../../templates/email/library.html"),
    ),
    (
        "refund.txt",
        include_str!("../../templates/email/refund.txt"),
    ),
    (
        "refund.html",
        include_str!("../../templates/email/refund.html"),
    ),
];

#[derive(Clone)]
pub struct Shop {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    dir: DataDir,
    /// `dir.files()`, kept: every download resolves its file under it.
    files_dir: PathBuf,
    templates: Templates,
    payments: Option<Payments>,
    urls: RwLock<Urls>,
    outbox_wake: Arc<Notify>,
    delivery: crate::delivery::Delivery,
    /// Bytes of free resumes in flight, per file (see resume.rs).
    meters: Arc<Meters>,
    /// Progress of transfers to and from the bucket.
    transfers: crate::storage::transfer::Transfers,
    /// The bucket downloads come from (bucket_files.rs).
    serving: bucket_serving::ServingCache,
    /// The license signing key, once read (licenses.rs).
    shop_key: tokio::sync::OnceCell<Arc<crate::signing::ShopKey>>,
}

/// How a shop is opened: its data dir, and the payments a running shop takes.
pub struct ShopBuilder {
    data_dir: PathBuf,
    payments: Option<Payments>,
}

impl ShopBuilder {
    pub fn payments(mut self, payments: Payments) -> ShopBuilder {
        self.payments = Some(payments);
        self
    }

    pub fn open(self) -> Result<Shop> {
        Shop::open_with(&self.data_dir, self.payments)
    }
}

/// Where buyers reach the shop. `configured` is the stable address the seller set (their
/// domain, a named tunnel); `tunnel` is the running tunnel's; `local` the listen address.
#[derive(Debug, Clone)]
struct Urls {
    configured: Option<String>,
    tunnel: Option<String>,
    local: String,
}

impl Shop {
    /// Opens the shop in `data_dir` (created if needed), without payments: what the
    /// seller's commands need. A running shop adds them with `Shop::builder`.
    pub fn open(data_dir: &Path) -> Result<Shop> {
        Shop::builder(data_dir).open()
    }

    pub fn builder(data_dir: &Path) -> ShopBuilder {
        ShopBuilder {
            data_dir: data_dir.to_path_buf(),
            payments: None,
        }
    }

    fn open_with(data_dir: &Path, payments: Option<Payments>) -> Result<Shop> {
        crate::owner_only::create_dir(data_dir)
            .and_then(|()| crate::owner_only::tighten(data_dir))
            .map_err(|e| {
                Error::invalid(
                    "data_dir",
                    format!("can't create the data dir {}: {e}", data_dir.display()),
                )
            })?;
        let dir = DataDir::new(data_dir);
        let db = Db::open(&dir.database())?;
        let configured =
            db.run_blocking(|c| crate::settings::get(c, crate::settings::PUBLIC_URL))?;
        Ok(Shop {
            inner: Arc::new(Inner {
                db,
                files_dir: dir.files(),
                templates: Templates::new(EMAIL_TEMPLATES, Some(dir.email_templates())),
                dir,
                payments,
                urls: RwLock::new(Urls {
                    configured,
                    tunnel: None,
                    local: format!("http://{}", crate::settings::DEFAULT_LISTEN),
                }),
                outbox_wake: Arc::new(Notify::new()),
                delivery: Default::default(),
                meters: Arc::default(),
                transfers: Default::default(),
                serving: Default::default(),
                shop_key: Default::default(),
            }),
        })
    }

    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    pub fn data_dir(&self) -> &Path {
        self.inner.dir.root()
    }

    /// Every path in the shop's data dir.
    pub fn dir(&self) -> &DataDir {
        &self.inner.dir
    }

    pub fn files_dir(&self) -> &Path {
        &self.inner.files_dir
    }

    pub fn outbox_dir(&self) -> PathBuf {
        self.inner.dir.outbox()
    }

    /// Where the outbox worker notes whether mail is getting out.
    pub fn delivery(&self) -> crate::delivery::Delivery {
        self.inner.delivery.clone()
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
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Internal(format!("background task failed: {e}")))?
}
