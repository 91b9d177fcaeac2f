//! Downloads: whether one may go ahead, counted atomically on the database's writer
//! thread (the limit holds under any concurrency), free resumes within their budget
//! (resume.rs), and the log the seller reads.

use crate::db::{self, now};
use crate::domain::PurchaseToken;
use crate::error::Result;
use crate::purchases::Status;
use crate::resume::{self, ByteRange, Charge, Meters};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use std::cell::RefCell;
use std::collections::HashMap;

/// A download the buyer asked for.
#[derive(Debug, Clone)]
pub struct DownloadRequest {
    pub token: PurchaseToken,
    pub file_id: i64,
    /// The Range asked for (None: the whole file). One that starts past byte 0 shortly
    /// after a counted download may resume it.
    pub range: Option<ByteRange>,
    /// HEAD: the buyer's client only asks about the file.
    pub head: bool,
    /// The buyer's address, when the server knows it ("" when a tunnel doesn't say).
    pub ip: String,
    pub user_agent: String,
    /// The Range header as sent, for the log.
    pub range_header: Option<String>,
}

pub struct ServeFile {
    pub stored_path: String,
    pub display_name: String,
    pub size: u64,
    pub sha256: String,
    pub version: String,
    pub counted: bool,
    /// The bytes to send, start..=end (None: the whole file).
    pub part: Option<(u64, u64)>,
    /// A free resume: every byte sent must be taken from it first.
    pub resume: Option<Charge>,
}

/// The buyer's stamped copy of a PDF (stamp/), made for one purchase item and file version
/// before the download is counted: served in the file's place, from the data dir.
#[derive(Debug, Clone)]
pub struct Stamped {
    pub item_id: i64,
    pub version_id: i64,
    pub file: crate::catalog::StoredFile,
}

/// A download that may go ahead: the file, and for a free resume the meter every byte
/// sent must be taken from.
pub struct Download {
    pub file: ServeFile,
    pub resume: Option<resume::Grant>,
    /// The file comes from the seller's bucket: send the buyer here (a presigned URL that
    /// names the file and expires in minutes).
    pub bucket_url: Option<String>,
}

impl ServeFile {
    /// How many bytes the answer carries.
    pub fn len(&self) -> u64 {
        self.part.map_or(self.size, |(s, e)| e - s + 1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
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
    /// No byte of the Range is in the file.
    BadRange {
        size: u64,
    },
    /// The file is only in the seller's bucket, and the bucket isn't answering. Nothing
    /// was counted: the buyer may try again shortly.
    StorageDown,
}

/// How long after a counted download a resume of it may be free.
const RESUME_WINDOW_SECS: i64 = 24 * 3600;

/// What a resume is charged before its first bytes go out: all of a small file (served
/// from memory in one piece), the first chunk of a big one (streamed; each further chunk
/// is taken as it goes).
const FIRST_CHARGE: u64 = 256 * 1024;

/// What a download needs to know about one file of one purchase.
#[derive(Clone)]
struct Lookup {
    purchase_id: i64,
    status: Status,
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
type Found = Option<(Status, Option<Lookup>)>;

fn look_up(conn: &Connection, token: &PurchaseToken, file_id: i64) -> Result<Found> {
    let key = (token.as_str().to_string(), file_id);
    let epoch = db::writer_epoch();
    if let Some(epoch) = epoch {
        let hit = LOOKUPS.with(|l| {
            let l = l.borrow();
            (l.0 == epoch).then(|| l.1.get(&key).cloned()).flatten()
        });
        if let Some(hit) = hit {
            return Ok(Some((hit.status, Some(hit))));
        }
    }
    // Cached statement: this runs for every download, and parsing the SQL was a
    // measurable part of a small one.
    let found = conn
        .prepare_cached(
            "SELECT p.id, p.status, i.id, i.download_limit, i.revoked_at IS NOT NULL,
                    f.display_name, v.id, v.version, v.stored_path, v.size, v.sha256
             FROM purchases p
             LEFT JOIN product_files f ON f.id = ?2
               AND (f.removed_at IS NULL OR f.kept_through_purchase >= p.id)
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
/// limit. `from_bucket`: the bytes will come from the seller's bucket (a redirect), so a
/// free resume is charged its whole Range now, as Booth won't see the bytes go.
/// `stamped`: the buyer's stamped copy, served instead; made for another version than the
/// newest (one added meanwhile), nothing is counted and the answer is StorageDown.
pub fn authorize_download(
    conn: &Connection,
    meters: &Meters,
    req: &DownloadRequest,
    from_bucket: bool,
    stamped: Option<&Stamped>,
) -> Result<Result<ServeFile, Denied>> {
    let Some((status, file)) = look_up(conn, &req.token, req.file_id)? else {
        return Ok(Err(Denied::UnknownLink));
    };
    match status {
        Status::Paid => {}
        Status::Refunded => return Ok(Err(Denied::Refunded)),
        Status::Revoked => return Ok(Err(Denied::Revoked)),
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
    let (stored_path, size, sha256) = match stamped {
        None => (stored_path, size as u64, sha256),
        Some(s) if (s.item_id, s.version_id) == (item_id, version_id) => (
            s.file.stored_path.clone(),
            s.file.size,
            s.file.sha256.clone(),
        ),
        Some(_) => return Ok(Err(Denied::StorageDown)),
    };
    let part = match req.range.map(|r| r.within(size)) {
        None => None,
        Some(Some(part)) => Some(part),
        Some(None) => return Ok(Err(Denied::BadRange { size })),
    };
    let mut serve = ServeFile {
        stored_path,
        display_name,
        size,
        sha256,
        version,
        counted: false,
        part,
        resume: None,
    };
    if req.head {
        return Ok(Ok(serve));
    }
    let key = (item_id, req.file_id, version_id);
    if part.is_some_and(|(start, _)| start > 0) {
        // A resume of this file's download counted in the last day, if there was one.
        let stored: Option<i64> = conn
            .prepare_cached(
                "SELECT resume_bytes FROM download_counts WHERE purchase_item_id = ?1
                 AND file_id = ?2 AND file_version_id = ?3 AND last_counted_at >= ?4",
            )?
            .query_row(
                params![item_id, req.file_id, version_id, now() - RESUME_WINDOW_SECS],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(stored) = stored {
            let meter = meters.meter(key, stored.max(0) as u64, resume::budget(size));
            // Free while it fits in the budget; past it, it counts as a new download.
            let first = if from_bucket {
                serve.len()
            } else {
                serve.len().min(FIRST_CHARGE)
            };
            serve.resume = Charge::start(key, meter, first);
        }
    }
    if serve.resume.is_none() {
        // One statement counts it: the first download of this file (or of a new version of
        // it, which starts fresh) makes the row with 1 (a limit is never below 1); later ones
        // add 1 while under the limit. A count starts the free resume bytes afresh.
        // (download_counts has no foreign keys: with them SQLite gave this statement a
        // 64 KiB statement journal every time; see migration 0005.)
        let counted = conn
            .prepare_cached(
                "INSERT INTO download_counts (purchase_item_id, file_id, used, file_version_id, last_counted_at, resume_bytes)
                 VALUES (?1, ?2, 1, ?3, ?5, 0)
                 ON CONFLICT DO UPDATE SET
                   used = CASE WHEN file_version_id IS NOT ?3 THEN 1 ELSE used + 1 END,
                   file_version_id = ?3,
                   last_counted_at = ?5,
                   resume_bytes = 0
                 WHERE file_version_id IS NOT ?3 OR ?4 IS NULL OR used < ?4",
            )?
            .execute(params![item_id, req.file_id, version_id, limit, now()])?;
        if counted == 0 {
            return Ok(Err(Denied::LimitReached {
                limit: limit.unwrap_or(0),
            }));
        }
        meters.reset(key);
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
            req.range_header.as_deref().map(|r| truncate(r, 128)),
            serve.len() as i64,
            serve.counted
        ],
    )?;
    Ok(Ok(serve))
}

/// The content (sha256) of the file a download link would serve, if it is one of a paid,
/// unrevoked purchase's files and its content is recorded in the bucket at `place` (any
/// other answer is `authorize_download`'s to give, bucket or not).
pub fn bucket_content(
    conn: &Connection,
    token: &PurchaseToken,
    file_id: i64,
    place: &str,
) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT v.sha256 FROM purchases p
             JOIN product_files f ON f.id = ?2
             JOIN purchase_items i ON i.purchase_id = p.id AND i.product_id = f.product_id
             JOIN file_versions v ON v.id = (SELECT max(id) FROM file_versions WHERE file_id = f.id)
             JOIN bucket_files b ON b.place = ?3 AND b.sha256 = v.sha256
             WHERE p.token = ?1 AND p.status = 'paid' AND i.revoked_at IS NULL",
        )?
        .query_row(params![token.as_str(), file_id, place], |r| r.get(0))
        .optional()?)
}

/// At most `max` characters of `s`.
fn truncate(s: &str, max: usize) -> &str {
    s.char_indices().nth(max).map_or(s, |(end, _)| &s[..end])
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
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

/// RFC 6266: an ASCII fallback name plus the exact UTF-8 name. Built in one string: this
/// runs on every download.
pub fn content_disposition(name: &str) -> String {
    let mut out = String::with_capacity(48 + name.len() * 4);
    out.push_str("attachment; filename=\"");
    for c in name.chars() {
        match c {
            '"' | '\\' => {}
            c if c.is_ascii_graphic() || c == ' ' => out.push(c),
            _ => out.push('_'),
        }
    }
    out.push_str("\"; filename*=UTF-8''");
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }
    out
}

pub fn content_type(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "epub" => "application/epub+zip",
        "mobi" => "application/x-mobipocket-ebook",
        "mp3" => "audio/mpeg",
        "mp4" => "video/mp4",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::{content_disposition, truncate};

    #[test]
    fn truncate_counts_characters_and_never_splits_one() {
        assert_eq!(truncate("abc", 5), "abc");
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(truncate("abcdef", 3), "abc");
        assert_eq!(truncate("żółw🐢x", 4), "żółw");
        assert_eq!(truncate("🐢🐢🐢", 2), "🐢🐢");
        assert_eq!(truncate("", 0), "");
    }

    #[test]
    fn content_disposition_is_safe() {
        assert_eq!(
            content_disposition("book.pdf"),
            "attachment; filename=\"book.pdf\"; filename*=UTF-8''book.pdf"
        );
        let cd = content_disposition("naïve \"x\".pdf");
        assert!(cd.contains("filename=\"na_ve x.pdf\""), "{cd}");
        assert!(
            cd.contains("filename*=UTF-8''na%C3%AFve%20%22x%22.pdf"),
            "{cd}"
        );
        assert_eq!(
            content_disposition("a\\b\n~.zip"),
            "attachment; filename=\"ab_~.zip\"; filename*=UTF-8''a%5Cb%0A~.zip"
        );
    }
}
