//! Purchases, their items and downloads. All functions take a connection or transaction;
//! the caller decides the transaction boundary.

use crate::catalog::{files_of, ProductFile};
use crate::db::{self, now};
use crate::domain::{Currency, Email, Money, PurchaseToken};
use crate::error::{Error, Result};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use std::cell::RefCell;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// Paid through Stripe Checkout (or the simulator).
    Checkout,
    /// A complimentary copy the seller gave away.
    Grant,
}

impl Source {
    fn as_str(self) -> &'static str {
        match self {
            Source::Checkout => "checkout",
            Source::Grant => "grant",
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewPurchase {
    pub email: Email,
    pub currency: Currency,
    pub checkout_session_id: Option<String>,
    pub payment_intent_id: Option<String>,
    pub source: Source,
    pub test: bool,
    pub items: Vec<NewItem>,
}

#[derive(Debug, Clone)]
pub struct NewItem {
    pub product_id: i64,
    pub amount_minor: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Purchase {
    pub id: i64,
    pub token: String,
    pub email: String,
    pub amount_minor: i64,
    pub currency: String,
    pub amount_refunded_minor: i64,
    pub checkout_session_id: Option<String>,
    pub payment_intent_id: Option<String>,
    /// paid, refunded or revoked.
    pub status: String,
    pub status_reason: Option<String>,
    /// checkout or grant.
    pub source: String,
    pub test: bool,
    pub created_at: i64,
    pub items: Vec<PurchaseItem>,
}

impl Purchase {
    pub fn total(&self) -> Money {
        Money::new(
            self.amount_minor,
            Currency::parse(&self.currency).expect("stored currency"),
        )
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PurchaseItem {
    pub id: i64,
    pub product_id: i64,
    pub product_slug: String,
    pub product_name: String,
    pub amount_minor: i64,
    pub download_limit: Option<u32>,
    pub revoked: bool,
    pub files: Vec<ItemFile>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ItemFile {
    #[serde(flatten)]
    pub file: ProductFile,
    pub downloads_used: u32,
    /// None when downloads are unlimited.
    pub downloads_left: Option<u32>,
}

/// Records a purchase and its items. Returns None when this checkout session was already
/// recorded: the UNIQUE constraint on the session id is what makes fulfilment exactly-once.
pub fn insert_purchase(
    conn: &Connection,
    new: &NewPurchase,
) -> Result<Option<(i64, PurchaseToken)>> {
    if new.items.is_empty() {
        return Err(Error::invalid(
            "items",
            "a purchase needs at least one product",
        ));
    }
    conn.execute(
        "INSERT INTO customers (email, created_at) VALUES (?1, ?2) ON CONFLICT (email) DO NOTHING",
        params![new.email.as_str(), now()],
    )?;
    let customer_id: i64 = conn.query_row(
        "SELECT id FROM customers WHERE email = ?1",
        [new.email.as_str()],
        |r| r.get(0),
    )?;
    let token = PurchaseToken::generate();
    let amount: i64 = new.items.iter().map(|i| i.amount_minor).sum();
    let inserted = conn.execute(
        "INSERT INTO purchases (token, customer_id, email, amount_minor, currency, checkout_session_id,
                                payment_intent_id, status, source, test, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'paid', ?8, ?9, ?10)
         ON CONFLICT (checkout_session_id) DO NOTHING",
        params![
            token.as_str(),
            customer_id,
            new.email.as_str(),
            amount,
            new.currency.code(),
            new.checkout_session_id,
            new.payment_intent_id,
            new.source.as_str(),
            new.test,
            now()
        ],
    )?;
    if inserted == 0 {
        return Ok(None);
    }
    let purchase_id = conn.last_insert_rowid();
    for item in &new.items {
        conn.execute(
            "INSERT INTO purchase_items (purchase_id, product_id, amount_minor, download_limit)
             SELECT ?1, id, ?3, download_limit FROM products WHERE id = ?2",
            params![purchase_id, item.product_id, item.amount_minor],
        )?;
    }
    Ok(Some((purchase_id, token)))
}

const PURCHASE_COLS: &str =
    "id, token, email, amount_minor, currency, amount_refunded_minor, checkout_session_id,
     payment_intent_id, status, status_reason, source, test, created_at";

fn purchase_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Purchase> {
    Ok(Purchase {
        id: r.get(0)?,
        token: r.get(1)?,
        email: r.get(2)?,
        amount_minor: r.get(3)?,
        currency: r.get(4)?,
        amount_refunded_minor: r.get(5)?,
        checkout_session_id: r.get(6)?,
        payment_intent_id: r.get(7)?,
        status: r.get(8)?,
        status_reason: r.get(9)?,
        source: r.get(10)?,
        test: r.get(11)?,
        created_at: r.get(12)?,
        items: Vec::new(),
    })
}

fn load_items(conn: &Connection, purchase: &mut Purchase) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.id, i.product_id, p.slug, p.name, i.amount_minor, i.download_limit, i.revoked_at IS NOT NULL
         FROM purchase_items i JOIN products p ON p.id = i.product_id
         WHERE i.purchase_id = ?1 ORDER BY i.id",
    )?;
    let mut items = stmt
        .query_map([purchase.id], |r| {
            Ok(PurchaseItem {
                id: r.get(0)?,
                product_id: r.get(1)?,
                product_slug: r.get(2)?,
                product_name: r.get(3)?,
                amount_minor: r.get(4)?,
                download_limit: r.get(5)?,
                revoked: r.get(6)?,
                files: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for item in &mut items {
        for file in files_of(conn, item.product_id)? {
            let used: u32 = conn
                .query_row(
                    // Counts belong to a version: a newer one starts fresh.
                    "SELECT used FROM download_counts WHERE purchase_item_id = ?1 AND file_id = ?2
                     AND file_version_id = ?3",
                    params![item.id, file.id, file.version_id],
                    |r| r.get(0),
                )
                .optional()?
                .unwrap_or(0);
            let left = item.download_limit.map(|l| l.saturating_sub(used));
            item.files.push(ItemFile {
                file,
                downloads_used: used,
                downloads_left: left,
            });
        }
    }
    purchase.items = items;
    Ok(())
}

pub fn purchase_by_token(conn: &Connection, token: &PurchaseToken) -> Result<Option<Purchase>> {
    let sql = format!("SELECT {PURCHASE_COLS} FROM purchases WHERE token = ?1");
    let Some(mut p) = conn
        .query_row(&sql, [token.as_str()], purchase_from_row)
        .optional()?
    else {
        return Ok(None);
    };
    load_items(conn, &mut p)?;
    Ok(Some(p))
}

pub fn purchase_by_id(conn: &Connection, id: i64) -> Result<Purchase> {
    let sql = format!("SELECT {PURCHASE_COLS} FROM purchases WHERE id = ?1");
    let mut p = conn.query_row(&sql, [id], purchase_from_row)?;
    load_items(conn, &mut p)?;
    Ok(p)
}

pub fn require_purchase(conn: &Connection, token: &PurchaseToken) -> Result<Purchase> {
    purchase_by_token(conn, token)?
        .ok_or_else(|| Error::NotFound(format!("no purchase with the token {token}")))
}

pub fn purchase_by_session(conn: &Connection, session_id: &str) -> Result<Option<Purchase>> {
    let sql = format!("SELECT {PURCHASE_COLS} FROM purchases WHERE checkout_session_id = ?1");
    let Some(mut p) = conn
        .query_row(&sql, [session_id], purchase_from_row)
        .optional()?
    else {
        return Ok(None);
    };
    load_items(conn, &mut p)?;
    Ok(Some(p))
}

/// Purchases, newest first, optionally only one buyer's (email match is case-insensitive).
pub fn list_purchases(conn: &Connection, email: Option<&str>) -> Result<Vec<Purchase>> {
    let sql = format!(
        "SELECT {PURCHASE_COLS} FROM purchases WHERE (?1 IS NULL OR lower(email) = lower(?1))
         ORDER BY created_at DESC, id DESC"
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut list = stmt
        .query_map([email], purchase_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for p in &mut list {
        load_items(conn, p)?;
    }
    Ok(list)
}

/// The seller's search: part of an email (case-insensitive) or a whole token; "" lists
/// everything. Newest first, at most `limit`.
pub fn search_purchases(conn: &Connection, query: &str, limit: i64) -> Result<Vec<Purchase>> {
    let q = query.trim();
    // LIKE's wildcards in the seller's text are meant literally.
    let pattern = format!(
        "%{}%",
        q.to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let sql = format!(
        "SELECT {PURCHASE_COLS} FROM purchases
         WHERE ?1 = '' OR token = ?1 OR lower(email) LIKE ?2 ESCAPE '\\'
         ORDER BY created_at DESC, id DESC LIMIT ?3"
    );
    collect_purchases(conn, &sql, params![q, pattern, limit])
}

/// The newest purchases, test or live, for the dashboard.
pub fn recent_purchases(conn: &Connection, test: bool, limit: i64) -> Result<Vec<Purchase>> {
    let sql = format!(
        "SELECT {PURCHASE_COLS} FROM purchases WHERE test = ?1 ORDER BY created_at DESC, id DESC LIMIT ?2"
    );
    collect_purchases(conn, &sql, params![test, limit])
}

fn collect_purchases(
    conn: &Connection,
    sql: &str,
    args: impl rusqlite::Params,
) -> Result<Vec<Purchase>> {
    let mut stmt = conn.prepare(sql)?;
    let mut list = stmt
        .query_map(args, purchase_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for p in &mut list {
        load_items(conn, p)?;
    }
    Ok(list)
}

/// A download the buyer asked for.
#[derive(Debug, Clone)]
pub struct DownloadRequest {
    pub token: PurchaseToken,
    pub file_id: i64,
    /// Where a Range request starts (None: the whole file). Past byte 0 it continues an
    /// earlier download.
    pub range_start: Option<u64>,
    /// HEAD: the buyer's client only asks about the file.
    pub head: bool,
    pub ip: String,
    pub user_agent: String,
    pub range: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ServeFile {
    pub stored_path: String,
    pub display_name: String,
    pub size: u64,
    pub sha256: String,
    pub version: String,
    pub counted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denied {
    UnknownLink,
    UnknownFile,
    Refunded,
    Revoked,
    LimitReached {
        limit: u32,
    },
    /// The Range starts past the end of the file.
    BadRange {
        size: u64,
    },
}

/// How long after a counted download a resume of it is free.
const RESUME_WINDOW_SECS: i64 = 24 * 3600;

/// What a download needs to know about one file of one purchase.
#[derive(Clone)]
struct Lookup {
    purchase_id: i64,
    status: String,
    item_id: i64,
    limit: Option<u32>,
    revoked: bool,
    display_name: String,
    version_id: i64,
    version: String,
    stored_path: String,
    size: i64,
    sha256: String,
}

/// Lookups the writer thread has made, valid while `db::writer_epoch` is `.0`. Only
/// purchases and files that exist are kept (made-up tokens can't fill it), and it is
/// emptied when it holds `LOOKUPS_MAX`.
type Lookups = (u64, HashMap<(String, i64), Lookup>);
const LOOKUPS_MAX: usize = 10_000;

thread_local! {
    static LOOKUPS: RefCell<Lookups> = RefCell::new((0, HashMap::new()));
}

/// The purchase's status (None: unknown link) and, if the file is one of its files and has
/// a version, what serving it needs (None: unknown file).
type Found = Option<(String, Option<Lookup>)>;

fn look_up(conn: &Connection, token: &PurchaseToken, file_id: i64) -> Result<Found> {
    let key = (token.as_str().to_string(), file_id);
    let epoch = db::writer_epoch();
    if let Some(epoch) = epoch {
        let hit = LOOKUPS.with(|l| {
            let l = l.borrow();
            (l.0 == epoch).then(|| l.1.get(&key).cloned()).flatten()
        });
        if let Some(hit) = hit {
            return Ok(Some((hit.status.clone(), Some(hit))));
        }
    }
    // Cached statement: this runs for every download, and parsing the SQL was a
    // measurable part of a small one.
    let found = conn
        .prepare_cached(
            "SELECT p.id, p.status, i.id, i.download_limit, i.revoked_at IS NOT NULL,
                    f.display_name, v.id, v.version, v.stored_path, v.size, v.sha256
             FROM purchases p
             LEFT JOIN product_files f ON f.id = ?2 AND f.removed_at IS NULL
             LEFT JOIN purchase_items i ON i.purchase_id = p.id AND i.product_id = f.product_id
             LEFT JOIN file_versions v
               ON v.id = (SELECT max(id) FROM file_versions WHERE file_id = f.id)
             WHERE p.token = ?1",
        )?
        .query_row(params![token.as_str(), file_id], |r| {
            let file = match (r.get::<_, Option<i64>>(2)?, r.get::<_, Option<i64>>(6)?) {
                (Some(item_id), Some(version_id)) => Some(Lookup {
                    purchase_id: r.get(0)?,
                    status: r.get(1)?,
                    item_id,
                    limit: r.get(3)?,
                    revoked: r.get(4)?,
                    display_name: r.get(5)?,
                    version_id,
                    version: r.get(7)?,
                    stored_path: r.get(8)?,
                    size: r.get(9)?,
                    sha256: r.get(10)?,
                }),
                _ => None,
            };
            Ok((r.get(1)?, file))
        })
        .optional()?;
    if let (Some(epoch), Some((_, Some(lookup)))) = (epoch, &found) {
        LOOKUPS.with(|l| {
            let mut l = l.borrow_mut();
            if l.0 != epoch || l.1.len() >= LOOKUPS_MAX {
                *l = (epoch, HashMap::new());
            }
            l.1.insert(key, lookup.clone());
        });
    }
    Ok(found)
}

/// Decides whether a download may go ahead and, if it counts, counts it. Run it inside one
/// write transaction: the conditional UPDATE is what keeps concurrent downloads within the
/// limit.
pub fn authorize_download(
    conn: &Connection,
    req: &DownloadRequest,
) -> Result<Result<ServeFile, Denied>> {
    let Some((status, file)) = look_up(conn, &req.token, req.file_id)? else {
        return Ok(Err(Denied::UnknownLink));
    };
    match status.as_str() {
        "paid" => {}
        "refunded" => return Ok(Err(Denied::Refunded)),
        _ => return Ok(Err(Denied::Revoked)),
    }
    let Some(Lookup {
        purchase_id,
        item_id,
        limit,
        revoked,
        display_name,
        version_id,
        version,
        stored_path,
        size,
        sha256,
        ..
    }) = file
    else {
        return Ok(Err(Denied::UnknownFile));
    };
    if revoked {
        return Ok(Err(Denied::Revoked));
    }
    if req.range_start.is_some_and(|s| s >= size as u64) {
        return Ok(Err(Denied::BadRange { size: size as u64 }));
    }
    let mut serve = ServeFile {
        stored_path,
        display_name,
        size: size as u64,
        sha256,
        version,
        counted: false,
    };
    if req.head {
        return Ok(Ok(serve));
    }
    let resuming = req.range_start.is_some_and(|s| s > 0) && {
        conn.prepare_cached(
            "SELECT 1 FROM download_counts WHERE purchase_item_id = ?1 AND file_id = ?2
             AND file_version_id = ?3 AND last_counted_at >= ?4",
        )?
        .exists(params![
            item_id,
            req.file_id,
            version_id,
            now() - RESUME_WINDOW_SECS
        ])?
    };
    if !resuming {
        // One statement counts it: the first download of this file (or of a new version of
        // it, which starts fresh) makes the row with 1 (a limit is never below 1); later ones
        // add 1 while under the limit. (download_counts has no foreign keys: with them SQLite
        // gave this statement a 64 KiB statement journal every time; see migration 0005.)
        let counted = conn
            .prepare_cached(
                "INSERT INTO download_counts (purchase_item_id, file_id, used, file_version_id, last_counted_at)
                 VALUES (?1, ?2, 1, ?3, ?5)
                 ON CONFLICT DO UPDATE SET
                   used = CASE WHEN file_version_id IS NOT ?3 THEN 1 ELSE used + 1 END,
                   file_version_id = ?3,
                   last_counted_at = ?5
                 WHERE file_version_id IS NOT ?3 OR ?4 IS NULL OR used < ?4",
            )?
            .execute(params![item_id, req.file_id, version_id, limit, now()])?;
        if counted == 0 {
            return Ok(Err(Denied::LimitReached {
                limit: limit.unwrap_or(0),
            }));
        }
        serve.counted = true;
    }
    conn.prepare_cached(
        "INSERT INTO downloads (purchase_id, purchase_item_id, file_id, file_version_id, at, ip, user_agent, range, bytes, counted)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
            purchase_id,
            item_id,
            req.file_id,
            version_id,
            now(),
            truncate(&req.ip, 64),
            truncate(&req.user_agent, 512),
            req.range.as_deref().map(|r| truncate(r, 128)),
            size,
            serve.counted
        ],
    )?;
    Ok(Ok(serve))
}

/// At most `max` characters of `s`.
fn truncate(s: &str, max: usize) -> &str {
    s.char_indices().nth(max).map_or(s, |(end, _)| &s[..end])
}

#[derive(Debug, Clone, Serialize)]
pub struct DownloadLog {
    pub at: i64,
    pub file_id: i64,
    pub file_name: String,
    pub version: String,
    pub ip: String,
    pub user_agent: String,
    pub range: Option<String>,
    pub bytes: i64,
    pub counted: bool,
}

pub fn download_log(conn: &Connection, purchase_id: i64) -> Result<Vec<DownloadLog>> {
    let mut stmt = conn.prepare(
        "SELECT d.at, d.file_id, f.display_name, v.version, d.ip, d.user_agent, d.range, d.bytes, d.counted
         FROM downloads d JOIN product_files f ON f.id = d.file_id JOIN file_versions v ON v.id = d.file_version_id
         WHERE d.purchase_id = ?1 ORDER BY d.id",
    )?;
    let rows = stmt.query_map([purchase_id], |r| {
        Ok(DownloadLog {
            at: r.get(0)?,
            file_id: r.get(1)?,
            file_name: r.get(2)?,
            version: r.get(3)?,
            ip: r.get(4)?,
            user_agent: r.get(5)?,
            range: r.get(6)?,
            bytes: r.get(7)?,
            counted: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Gives every file of the purchase its full allowance again.
pub fn reset_downloads(conn: &Connection, purchase_id: i64) -> Result<()> {
    conn.execute(
        "UPDATE download_counts SET used = 0
         WHERE purchase_item_id IN (SELECT id FROM purchase_items WHERE purchase_id = ?1)",
        [purchase_id],
    )?;
    Ok(())
}

pub fn set_item_limit(conn: &Connection, purchase_id: i64, limit: Option<u32>) -> Result<()> {
    conn.execute(
        "UPDATE purchase_items SET download_limit = ?2 WHERE purchase_id = ?1",
        params![purchase_id, limit],
    )?;
    Ok(())
}

/// Revokes a whole purchase (no product) or a single item of it.
pub fn revoke(
    conn: &Connection,
    purchase_id: i64,
    product_id: Option<i64>,
    reason: &str,
) -> Result<()> {
    match product_id {
        None => {
            conn.execute(
                "UPDATE purchases SET status = 'revoked', status_reason = ?2 WHERE id = ?1 AND status = 'paid'",
                params![purchase_id, reason],
            )?;
        }
        Some(product_id) => {
            let n = conn.execute(
                "UPDATE purchase_items SET revoked_at = coalesce(revoked_at, ?3) WHERE purchase_id = ?1 AND product_id = ?2",
                params![purchase_id, product_id, now()],
            )?;
            if n == 0 {
                return Err(Error::NotFound(
                    "that product is not part of this purchase".into(),
                ));
            }
        }
    }
    Ok(())
}

/// Applies a refund reported by Stripe: a full refund revokes access, a partial one is
/// recorded and leaves access alone (the seller can revoke single items).
pub fn apply_refund(
    conn: &Connection,
    payment_intent: &str,
    amount: i64,
    amount_refunded: i64,
) -> Result<bool> {
    let full = amount_refunded >= amount;
    let n = conn.execute(
        "UPDATE purchases SET amount_refunded_minor = max(amount_refunded_minor, ?2),
                status = CASE WHEN ?3 AND status = 'paid' THEN 'refunded' ELSE status END,
                status_reason = CASE WHEN ?3 AND status = 'paid' THEN 'refunded' ELSE status_reason END
         WHERE payment_intent_id = ?1",
        params![payment_intent, amount_refunded, full],
    )?;
    Ok(n > 0)
}

/// A dispute (chargeback) revokes access to the whole purchase.
pub fn apply_dispute(conn: &Connection, payment_intent: &str) -> Result<bool> {
    let n = conn.execute(
        "UPDATE purchases SET status = 'revoked', status_reason = 'disputed'
         WHERE payment_intent_id = ?1 AND status = 'paid'",
        [payment_intent],
    )?;
    Ok(n > 0)
}

#[cfg(test)]
mod tests {
    use super::truncate;

    #[test]
    fn truncate_counts_characters_and_never_splits_one() {
        assert_eq!(truncate("abc", 5), "abc");
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(truncate("abcdef", 3), "abc");
        assert_eq!(truncate("żółw🐢x", 4), "żółw");
        assert_eq!(truncate("🐢🐢🐢", 2), "🐢🐢");
        assert_eq!(truncate("", 0), "");
    }
}
