//! Update feeds as apps and the seller use them (the rules are in updates/).

use super::{blocking, Shop};
use crate::error::{Error, Result};
use crate::signing::{KeyName, ShopKey};
use crate::updates::formats::{self, Feed};
use crate::updates::{self, Credential, FeedDenied, FeedEntry};
use crate::{catalog, domain::PurchaseToken};
use serde::Serialize;

/// A product's feed for one asker: its entries, newest first, signed where a local copy
/// of the file could be read, and how to link a download.
pub struct UpdateFeed {
    pub product_slug: String,
    pub product_name: String,
    pub entries: Vec<FeedEntry>,
    /// The credential as given, for the download links (the asker's own).
    pub query: String,
}

impl UpdateFeed {
    pub fn as_feed(&self) -> Feed<'_> {
        Feed {
            product_slug: &self.product_slug,
            product_name: &self.product_name,
            entries: &self.entries,
        }
    }
}

/// The public keys app updaters check the shop's signatures with.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct UpdateKeys {
    /// Sparkle's `SUPublicEDKey`: base64 of the Ed25519 key.
    pub sparkle: String,
    /// Tauri's `plugins.updater.pubkey`: base64 of the minisign public key file.
    pub tauri: String,
    /// The minisign public key file itself (`minisign -V -p`).
    pub minisign: String,
}

impl Shop {
    /// The feed of `slug` for whoever holds `cred`, each file's newest version signed
    /// (once, then kept). Err(FeedDenied) inside when the credential gives no access.
    pub async fn update_feed(
        &self,
        slug: &str,
        key: Option<&str>,
        token: Option<&str>,
    ) -> Result<std::result::Result<UpdateFeed, FeedDenied>> {
        let cred = Credential::parse(key, token)?;
        let query = match &cred {
            Credential::Key(k) => format!("key={k}"),
            Credential::Token(t) => format!("token={t}"),
        };
        let slug = slug.to_string();
        let c = cred.clone();
        let found = self
            .db()
            .run(move |conn| {
                let id = match updates::access(conn, &slug, &c)? {
                    Ok((id, _)) => id,
                    Err(denied) => return Ok(Err(denied)),
                };
                let p = catalog::product_by_id(conn, id)?
                    .ok_or_else(|| Error::NotFound("that product is gone".into()))?;
                Ok(Ok((p.slug, p.name, updates::entries(conn, id)?)))
            })
            .await?;
        let (product_slug, product_name, mut entries) = match found {
            Ok(found) => found,
            Err(denied) => return Ok(Err(denied)),
        };
        self.sign_unsigned(&mut entries).await?;
        Ok(Ok(UpdateFeed {
            product_slug,
            product_name,
            entries,
            query,
        }))
    }

    /// The purchase a feed download of `slug` goes through (the download is then an
    /// ordinary one of that purchase, counted as such).
    pub async fn feed_download(
        &self,
        slug: &str,
        key: Option<&str>,
        token: Option<&str>,
    ) -> Result<std::result::Result<PurchaseToken, FeedDenied>> {
        let cred = Credential::parse(key, token)?;
        let slug = slug.to_string();
        self.db()
            .run(move |conn| Ok(updates::access(conn, &slug, &cred)?.map(|(_, token)| token)))
            .await
    }

    pub async fn update_keys(&self) -> Result<UpdateKeys> {
        let key = self.updates_key().await?;
        let minisign = key.minisign_public_key();
        use base64::Engine;
        Ok(UpdateKeys {
            sparkle: key.public_key(),
            tauri: base64::engine::general_purpose::STANDARD.encode(&minisign),
            minisign,
        })
    }

    async fn updates_key(&self) -> Result<ShopKey> {
        self.db()
            .write(|tx| ShopKey::load_or_create(tx, KeyName::Updates))
            .await
    }

    /// Signs each file's newest version that has no signatures yet, from its local copy.
    /// A file only in the bucket stays unsigned until it is back (`storage migrate --to
    /// local`): its feed entry then has no signature and updaters refuse it.
    async fn sign_unsigned(&self, entries: &mut [FeedEntry]) -> Result<()> {
        if entries.iter().all(|e| !e.newest || e.signatures.is_some()) {
            return Ok(());
        }
        let key = std::sync::Arc::new(self.updates_key().await?);
        for e in entries
            .iter_mut()
            .filter(|e| e.newest && e.signatures.is_none())
        {
            let path = match catalog::resolve_stored(&self.inner.files_dir, &e.stored_path) {
                Ok(p) if p.exists() => p,
                _ => continue,
            };
            let (k, entry) = (key.clone(), e.clone());
            let signed = blocking(move || updates::sign_file(&k, &path, &entry)).await?;
            let (id, s) = (e.version_id, signed.clone());
            self.db()
                .write(move |tx| updates::keep_signatures(tx, id, &s))
                .await?;
            e.signatures = Some(signed);
        }
        Ok(())
    }

    /// `url` of a feed's download of `e`.
    pub fn feed_link(&self, feed: &UpdateFeed, e: &FeedEntry) -> String {
        format!(
            "{}/feeds/{}/download/{}?{}",
            self.public_url(),
            feed.product_slug,
            e.file_id,
            feed.query
        )
    }

    /// The JSON feed, the appcast of one file, or the Tauri answer for one file.
    pub fn feed_json(&self, feed: &UpdateFeed) -> serde_json::Value {
        formats::json_feed(&feed.as_feed(), |e| self.feed_link(feed, e))
    }

    pub fn feed_appcast(&self, feed: &UpdateFeed, file: Option<&str>) -> Result<String> {
        let e = pick(feed, file)?;
        Ok(formats::appcast(
            &feed.as_feed(),
            e,
            &self.feed_link(feed, e),
        ))
    }

    pub fn feed_tauri(&self, feed: &UpdateFeed, file: &str) -> Result<serde_json::Value> {
        let e = pick(feed, Some(file))?;
        Ok(formats::tauri(e, &self.feed_link(feed, e)))
    }
}

fn pick<'a>(feed: &'a UpdateFeed, file: Option<&str>) -> Result<&'a FeedEntry> {
    formats::pick(&feed.entries, file).ok_or_else(|| {
        Error::NotFound(match file {
            Some(f) => format!("no file of this product is (only) named like '{f}'"),
            None => "this product has no files".into(),
        })
    })
}
