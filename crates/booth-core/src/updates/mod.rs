//! Update feeds: a product's versions as the apps its buyers run can read them (a JSON feed,
//! a Sparkle appcast, a Tauri updater answer: formats.rs), each file's newest version
//! signed with the shop's `updates` key (signing.rs). A feed, and a download through it,
//! is only for whoever holds a usable license key or the purchase's link token; a download
//! counts like any other (it is one).

use crate::db::now;
use crate::domain::PurchaseToken;
use crate::error::{Error, Result};
use crate::licenses::{self, LicenseKey, Refusal};
use crate::purchases::{self, Status};
use crate::signing::ShopKey;
use rusqlite::{params, Connection, OptionalExtension};
use std::io::Read;
use std::path::Path;

pub mod formats;

/// One version of one of the product's current files, newest first.
#[derive(Debug, Clone)]
pub struct FeedEntry {
    pub file_id: i64,
    pub file_name: String,
    pub version_id: i64,
    pub version: String,
    pub released_at: i64,
    pub notes: String,
    pub size: u64,
    pub sha256: String,
    /// The file's newest version: the one a download gives.
    pub newest: bool,
    pub stored_path: String,
    pub signatures: Option<Signatures>,
}

#[derive(Debug, Clone)]
pub struct Signatures {
    /// Sparkle's `sparkle:edSignature`: base64 of Ed25519 over the file.
    pub ed_signature: String,
    /// The minisign signature file Tauri's updater checks (its `signature` is this, base64).
    pub minisign: String,
}

/// What the asker showed: a license key or a purchase's link token.
#[derive(Debug, Clone)]
pub enum Credential {
    Key(LicenseKey),
    Token(PurchaseToken),
}

impl Credential {
    /// `key` (a license key) or `token` (a purchase link's); one is needed.
    pub fn parse(key: Option<&str>, token: Option<&str>) -> Result<Credential> {
        match (key.map(str::trim), token.map(str::trim)) {
            (Some(k), _) if !k.is_empty() => LicenseKey::parse(k).map(Credential::Key),
            (_, Some(t)) if !t.is_empty() => PurchaseToken::parse(t).map(Credential::Token),
            _ => Err(Error::invalid(
                "key",
                "an update feed needs a license key (?key=) or the purchase's token (?token=)",
            )),
        }
    }
}

/// Why a feed or a feed download is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedDenied {
    /// No such key or purchase, or not one of this product.
    Unknown,
    /// The key or purchase can't be used (refunded, revoked, disabled).
    Refused(Refusal),
}

/// The product `slug`'s id and the purchase whose link a feed download goes through, when
/// `cred` gives access to that product.
pub fn access(
    conn: &Connection,
    slug: &str,
    cred: &Credential,
) -> Result<std::result::Result<(i64, PurchaseToken), FeedDenied>> {
    let Some(id) = product_id(conn, slug)? else {
        return Ok(Err(FeedDenied::Unknown));
    };
    Ok(product_access(conn, id, cred)?.map(|token| (id, token)))
}

fn product_access(
    conn: &Connection,
    product_id: i64,
    cred: &Credential,
) -> Result<std::result::Result<PurchaseToken, FeedDenied>> {
    match cred {
        Credential::Key(key) => {
            let Some(l) = licenses::by_key(conn, key)? else {
                return Ok(Err(FeedDenied::Unknown));
            };
            if l.product_id != product_id {
                return Ok(Err(FeedDenied::Unknown));
            }
            if let Some(why) = l.refusal {
                return Ok(Err(FeedDenied::Refused(why)));
            }
            let p = purchases::purchase_by_id(conn, l.purchase_id)?;
            Ok(Ok(PurchaseToken::parse(&p.token)?))
        }
        Credential::Token(token) => {
            let Some(p) = purchases::purchase_by_token(conn, token)? else {
                return Ok(Err(FeedDenied::Unknown));
            };
            let Some(item) = p.items.iter().find(|i| i.product_id == product_id) else {
                return Ok(Err(FeedDenied::Unknown));
            };
            Ok(match (p.status, item.revoked) {
                (Status::Refunded, _) => Err(FeedDenied::Refused(Refusal::Refunded)),
                (Status::Revoked, _) | (_, true) => Err(FeedDenied::Refused(Refusal::Revoked)),
                (Status::Paid, false) => Ok(token.clone()),
            })
        }
    }
}

/// Every version of the product's current files, newest first.
pub fn entries(conn: &Connection, product_id: i64) -> Result<Vec<FeedEntry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT f.id, f.display_name, v.id, v.version, v.created_at, v.notes, v.size, v.sha256,
                v.id = (SELECT max(id) FROM file_versions WHERE file_id = f.id), v.stored_path,
                s.ed_signature, s.minisign
         FROM product_files f JOIN file_versions v ON v.file_id = f.id
         LEFT JOIN update_signatures s ON s.file_version_id = v.id
         WHERE f.product_id = ?1 AND f.removed_at IS NULL
         ORDER BY v.created_at DESC, v.id DESC",
    )?;
    let rows = stmt.query_map([product_id], |r| {
        let signatures = match (r.get(10)?, r.get(11)?) {
            (Some(ed_signature), Some(minisign)) => Some(Signatures {
                ed_signature,
                minisign,
            }),
            _ => None,
        };
        Ok(FeedEntry {
            file_id: r.get(0)?,
            file_name: r.get(1)?,
            version_id: r.get(2)?,
            version: r.get(3)?,
            released_at: r.get(4)?,
            notes: r.get(5)?,
            size: r.get::<_, i64>(6)? as u64,
            sha256: r.get(7)?,
            newest: r.get(8)?,
            stored_path: r.get(9)?,
            signatures,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Signs a file version's bytes for both updaters. The whole file is read: Ed25519 signs
/// a message, not a stream, and Sparkle and minisign's legacy form sign the file itself.
pub fn sign_file(key: &ShopKey, path: &Path, entry: &FeedEntry) -> Result<Signatures> {
    let mut data = Vec::with_capacity(entry.size as usize);
    std::fs::File::open(path)?.read_to_end(&mut data)?;
    let comment = format!(
        "timestamp:{}\tfile:{}\tversion:{}",
        now(),
        entry.file_name,
        entry.version
    );
    Ok(Signatures {
        ed_signature: base64_of(&key.sign(&data)),
        minisign: key.minisign(&data, &comment),
    })
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Keeps a version's signatures (the first made wins: two feeds asked at once sign once).
pub fn keep_signatures(conn: &Connection, version_id: i64, s: &Signatures) -> Result<()> {
    conn.execute(
        "INSERT INTO update_signatures (file_version_id, ed_signature, minisign, created_at)
         VALUES (?1, ?2, ?3, ?4) ON CONFLICT (file_version_id) DO NOTHING",
        params![version_id, s.ed_signature, s.minisign, now()],
    )?;
    Ok(())
}

/// A product's id by its slug, if it is one (an archived one too: its buyers update).
fn product_id(conn: &Connection, slug: &str) -> Result<Option<i64>> {
    Ok(conn
        .query_row("SELECT id FROM products WHERE slug = ?1", [slug], |r| {
            r.get(0)
        })
        .optional()?)
}
