//! The stamped copies kept (migration 0015): one per purchase item and file version, so
//! every download and resume of it gets the same bytes.

use crate::catalog::StoredFile;
use crate::db::now;
use crate::error::Result;
use rusqlite::{params, Connection, OptionalExtension};

/// The stamped copy kept for this purchase item and file version, if one was made.
pub fn find(conn: &Connection, item_id: i64, version_id: i64) -> Result<Option<StoredFile>> {
    Ok(conn
        .prepare_cached(
            "SELECT stored_path, size, sha256 FROM stamped_files
             WHERE purchase_item_id = ?1 AND file_version_id = ?2",
        )?
        .query_row(params![item_id, version_id], |r| {
            Ok(StoredFile {
                stored_path: r.get(0)?,
                size: r.get::<_, i64>(1)? as u64,
                sha256: r.get(2)?,
            })
        })
        .optional()?)
}

/// Records `made` unless a copy was recorded first (two downloads at once), and returns the
/// one recorded. The second's file, if its bytes differ and nothing else uses them, is gone.
/// `replace`: the recorded copy's file was lost, and `made` takes its place.
pub fn keep(
    conn: &Connection,
    files_dir: &std::path::Path,
    (item_id, version_id): (i64, i64),
    made: &StoredFile,
    replace: bool,
) -> Result<StoredFile> {
    let sql = if replace {
        "INSERT OR REPLACE INTO stamped_files
           (purchase_item_id, file_version_id, stored_path, size, sha256, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    } else {
        "INSERT OR IGNORE INTO stamped_files
           (purchase_item_id, file_version_id, stored_path, size, sha256, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    };
    conn.execute(
        sql,
        params![
            item_id,
            version_id,
            made.stored_path,
            made.size as i64,
            made.sha256,
            now()
        ],
    )?;
    let kept = find(conn, item_id, version_id)?
        .ok_or_else(|| crate::Error::Internal("stamped copy vanished".into()))?;
    if kept.sha256 != made.sha256 {
        let used: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM stamped_files WHERE sha256 = ?1)
                 OR EXISTS (SELECT 1 FROM file_versions WHERE sha256 = ?1)",
            [&made.sha256],
            |r| r.get(0),
        )?;
        if !used {
            let path = crate::catalog::resolve_stored(files_dir, &made.stored_path)?;
            let _ = std::fs::remove_file(path);
        }
    }
    Ok(kept)
}

/// What stamping a download's file needs: the purchase item and the file's newest version,
/// when the purchase is paid, the item not revoked, and its product stamps its PDFs.
#[derive(Debug, Clone)]
pub struct Wanted {
    pub item_id: i64,
    pub version_id: i64,
    pub display_name: String,
    /// The original's.
    pub stored_path: String,
    pub wording: String,
    pub email: String,
    pub purchased_at: i64,
    /// The copy made already, if any.
    pub kept: Option<StoredFile>,
}

pub fn wanted(
    conn: &Connection,
    token: &crate::domain::PurchaseToken,
    file_id: i64,
) -> Result<Option<Wanted>> {
    Ok(conn
        .prepare_cached(
            "SELECT i.id, v.id, f.display_name, v.stored_path, pr.pdf_stamp, p.email, p.created_at,
                    s.stored_path, s.size, s.sha256
             FROM purchases p
             JOIN product_files f ON f.id = ?2
               AND (f.removed_at IS NULL OR f.kept_through_purchase >= p.id)
             JOIN products pr ON pr.id = f.product_id AND pr.pdf_stamp IS NOT NULL
             JOIN purchase_items i ON i.purchase_id = p.id AND i.product_id = f.product_id
             JOIN file_versions v
               ON v.id = (SELECT max(id) FROM file_versions WHERE file_id = f.id)
             LEFT JOIN stamped_files s ON s.purchase_item_id = i.id AND s.file_version_id = v.id
             WHERE p.token = ?1 AND p.status = 'paid' AND i.revoked_at IS NULL",
        )?
        .query_row(params![token.as_str(), file_id], |r| {
            let kept = match r.get::<_, Option<String>>(7)? {
                Some(stored_path) => Some(StoredFile {
                    stored_path,
                    size: r.get::<_, i64>(8)? as u64,
                    sha256: r.get(9)?,
                }),
                None => None,
            };
            Ok(Wanted {
                item_id: r.get(0)?,
                version_id: r.get(1)?,
                display_name: r.get(2)?,
                stored_path: r.get(3)?,
                wording: r.get(4)?,
                email: r.get(5)?,
                purchased_at: r.get(6)?,
                kept,
            })
        })
        .optional()?)
}
