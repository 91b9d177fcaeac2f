//! Backups of the shop's database, made while the shop runs: SQLite's online backup copies
//! one consistent snapshot in a single step (in WAL mode the shop keeps writing meanwhile),
//! the copy is checked with `PRAGMA integrity_check`, and only then renamed into place.
//! Product files need no such care: they are content-addressed and never change once
//! written, so copying `files/` at any time goes with any backup taken before it.

use crate::db::{now, Db};
use crate::error::{Error, Result};
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Automatic backups go here, one a day, named booth-YYYYMMDD-HHMMSS.db (UTC).
pub fn dir(data_dir: &Path) -> PathBuf {
    data_dir.join("backups")
}

/// How many automatic backups are kept (the newest).
pub const DEFAULT_KEEP: usize = 7;

/// How old the newest automatic backup may be before another is made.
pub const EVERY: Duration = Duration::from_secs(24 * 3600);

#[derive(Debug, Clone, Serialize)]
pub struct BackupInfo {
    pub path: PathBuf,
    pub bytes: u64,
    pub purchases: i64,
    /// Unix seconds.
    pub at: i64,
}

/// Writes a consistent copy of the database to `dest`, which must not exist yet.
pub fn backup_to(db: &Db, dest: &Path) -> Result<BackupInfo> {
    let bad = |m: String| Error::invalid("path", m);
    if dest.exists() {
        return Err(bad(format!(
            "{} already exists; Booth doesn't overwrite backups",
            dest.display()
        )));
    }
    let parent = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !parent.is_dir() {
        return Err(bad(format!("there is no folder {}", parent.display())));
    }
    let name = dest
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("backup");
    let partial = parent.join(format!(".{name}.partial"));
    let _ = std::fs::remove_file(&partial);
    let result = db.run_blocking(|src| {
        let mut dst = Connection::open(&partial)?;
        {
            let backup = rusqlite::backup::Backup::new(src, &mut dst)?;
            // All pages in one step: one read transaction, so one consistent snapshot
            // (smaller steps restart whenever the running shop writes in between).
            backup.step(-1)?;
        }
        dst.execute_batch("PRAGMA journal_mode = DELETE;")?;
        check(&dst)?;
        Ok(dst.query_row("SELECT count(*) FROM purchases", [], |r| r.get(0))?)
    });
    let purchases = match result {
        Ok(n) => n,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    std::fs::File::open(&partial)?.sync_all()?;
    std::fs::rename(&partial, dest)?;
    if let Ok(d) = std::fs::File::open(parent) {
        let _ = d.sync_all();
    }
    Ok(BackupInfo {
        path: dest.to_path_buf(),
        bytes: std::fs::metadata(dest)?.len(),
        purchases,
        at: now(),
    })
}

/// `PRAGMA integrity_check` must say "ok", and the file must be a Booth database.
fn check(conn: &Connection) -> Result<()> {
    let verdict: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if verdict != "ok" {
        return Err(Error::Internal(format!(
            "the copy failed SQLite's integrity check: {verdict}"
        )));
    }
    let is_booth: bool = conn.query_row(
        "SELECT count(*) = 3 FROM sqlite_master WHERE type = 'table' AND name IN ('products', 'purchases', 'settings')",
        [],
        |r| r.get(0),
    )?;
    if !is_booth {
        return Err(Error::invalid("path", "this is not a Booth database"));
    }
    Ok(())
}

/// The automatic backups, newest first.
pub fn list(data_dir: &Path) -> Result<Vec<BackupInfo>> {
    let mut out = Vec::new();
    let entries = match std::fs::read_dir(dir(data_dir)) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e.into()),
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(at) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(parse_name)
        else {
            continue;
        };
        out.push(BackupInfo {
            bytes: entry.metadata().map(|m| m.len()).unwrap_or(0),
            purchases: -1,
            path,
            at,
        });
    }
    out.sort_by_key(|b| std::cmp::Reverse(b.at));
    Ok(out)
}

fn name_for(at: i64) -> String {
    let fmt =
        time::macros::format_description!("booth-[year][month][day]-[hour][minute][second].db");
    time::OffsetDateTime::from_unix_timestamp(at)
        .ok()
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_else(|| format!("booth-{at}.db"))
}

fn parse_name(name: &str) -> Option<i64> {
    let fmt = time::macros::format_description!("[year][month][day]-[hour][minute][second]");
    let stamp = name.strip_prefix("booth-")?.strip_suffix(".db")?;
    time::PrimitiveDateTime::parse(stamp, &fmt)
        .ok()
        .map(|t| t.assume_utc().unix_timestamp())
}

/// A backup into the data dir's backups folder, named by the time.
pub fn backup_now(db: &Db, data_dir: &Path) -> Result<BackupInfo> {
    let dir = dir(data_dir);
    std::fs::create_dir_all(&dir)?;
    backup_to(db, &dir.join(name_for(now())))
}

/// Makes today's backup if the newest is older than `EVERY`, then keeps only the newest
/// `keep`. Returns the new backup, if one was made.
pub fn daily(db: &Db, data_dir: &Path, keep: usize) -> Result<Option<BackupInfo>> {
    let newest = list(data_dir)?.first().map(|b| b.at);
    let made = match newest {
        Some(at) if now() - at < EVERY.as_secs() as i64 => None,
        _ => Some(backup_now(db, data_dir)?),
    };
    for old in list(data_dir)?.into_iter().skip(keep.max(1)) {
        std::fs::remove_file(&old.path)?;
    }
    Ok(made)
}

/// Puts a backup in place of the shop's database (the shop must be stopped). The current
/// database, if any, is kept beside it as booth.db.before-restore-<time>: that path.
pub fn restore(data_dir: &Path, backup: &Path) -> Result<Option<PathBuf>> {
    let src = Connection::open_with_flags(backup, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| Error::invalid("path", format!("can't open {}: {e}", backup.display())))?;
    check(&src).map_err(|e| match e {
        Error::Internal(m) => Error::invalid("path", m),
        e => e,
    })?;
    drop(src);
    let db_path = crate::shop::db_path(data_dir);
    let mut aside = None;
    if db_path.exists() {
        // Fold the write-ahead log into the file first, so nothing is left behind in it.
        let conn = Connection::open(&db_path)?;
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        drop(conn);
        let to = data_dir.join(format!("booth.db.before-restore-{}", now()));
        std::fs::rename(&db_path, &to)?;
        aside = Some(to);
    }
    for ext in ["db-wal", "db-shm"] {
        let _ = std::fs::remove_file(db_path.with_extension(ext));
    }
    std::fs::create_dir_all(data_dir)?;
    let partial = data_dir.join(".booth.db.restoring");
    std::fs::copy(backup, &partial)?;
    std::fs::File::open(&partial)?.sync_all()?;
    std::fs::rename(&partial, &db_path)?;
    Ok(aside)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sort_by_time_and_others_are_ignored() {
        let at = 1_795_400_000;
        let name = name_for(at);
        assert_eq!(name, "booth-20261123-021320.db");
        assert_eq!(parse_name(&name), Some(at));
        for other in [
            "booth.db",
            "booth-2026.db",
            "notes.txt",
            ".booth-20261123-022000.db.partial",
        ] {
            assert_eq!(parse_name(other), None, "{other}");
        }
    }
}
