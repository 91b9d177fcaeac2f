//! Backups of the shop's database, made while the shop runs: SQLite's online backup copies
//! one consistent snapshot in a single step (in WAL mode the shop keeps writing meanwhile),
//! the copy is checked with `PRAGMA integrity_check`, and only then renamed into place.
//! Product files need no such care: they are content-addressed and never change once
//! written, so copying `files/` at any time goes with any backup taken before it.

use crate::data_dir::DataDir;
use crate::db::{now, Db};
use crate::error::{Error, Result};
use crate::owner_only;
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Automatic backups go here, one a day, named booth-YYYYMMDD-HHMMSS.db (UTC).
pub fn dir(data_dir: &Path) -> PathBuf {
    DataDir::new(data_dir).backups()
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
    let exists = || {
        bad(format!(
            "{} already exists; Booth doesn't overwrite backups",
            dest.display()
        ))
    };
    if dest.exists() {
        return Err(exists());
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
    // Two backups may run at once (the daily one and the seller's): each its own partial.
    let partial = parent.join(format!(".{name}.{}.partial", uuid::Uuid::new_v4().simple()));
    // The copy holds every buyer's email and link: the owner's alone from the first byte.
    owner_only::touch(&partial)?;
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
    let placed = result.and_then(|purchases| {
        std::fs::File::open(&partial)?.sync_all()?;
        // A hard link never replaces an existing file (rename would): a backup that
        // appeared meanwhile under the same name is kept, and this one is refused.
        match std::fs::hard_link(&partial, dest) {
            Ok(()) => Ok(purchases),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(exists()),
            Err(e) => Err(e.into()),
        }
    });
    let _ = std::fs::remove_file(&partial);
    let purchases = placed?;
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
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Some((at, n)) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(parse_name)
        else {
            continue;
        };
        let info = BackupInfo {
            bytes: entry.metadata().map(|m| m.len()).unwrap_or(0),
            purchases: -1,
            path,
            at,
        };
        out.push(((at, n), info));
    }
    out.sort_by_key(|(key, _)| std::cmp::Reverse(*key));
    Ok(out.into_iter().map(|(_, info)| info).collect())
}

/// `booth-YYYYMMDD-HHMMSS.db`, or `booth-YYYYMMDD-HHMMSS-N.db` for the Nth backup made in
/// the same second (N from 2).
fn name_for(at: i64, n: u32) -> String {
    let fmt = time::macros::format_description!("booth-[year][month][day]-[hour][minute][second]");
    let stem = time::OffsetDateTime::from_unix_timestamp(at)
        .ok()
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_else(|| format!("booth-{at}"));
    match n {
        0 | 1 => format!("{stem}.db"),
        n => format!("{stem}-{n}.db"),
    }
}

/// The time (Unix seconds) and same-second number a backup's name gives.
pub(crate) fn parse_name(name: &str) -> Option<(i64, u32)> {
    let fmt = time::macros::format_description!("[year][month][day]-[hour][minute][second]");
    let rest = name.strip_prefix("booth-")?.strip_suffix(".db")?;
    let (stamp, n) = match rest.get(15..) {
        Some("") => (rest, 1),
        Some(tail) => {
            let n: u32 = tail.strip_prefix('-')?.parse().ok()?;
            if !(2..=999).contains(&n) || tail.len() != n.to_string().len() + 1 {
                return None;
            }
            (&rest[..15], n)
        }
        None => return None,
    };
    let at = time::PrimitiveDateTime::parse(stamp, &fmt)
        .ok()?
        .assume_utc()
        .unix_timestamp();
    Some((at, n))
}

/// A backup into the data dir's backups folder, named by the time. Never refused for a
/// name already taken: a second backup in the same second gets the next number.
pub fn backup_now(db: &Db, data_dir: &Path) -> Result<BackupInfo> {
    let dir = dir(data_dir);
    owner_only::create_dir(&dir)?;
    let at = now();
    for n in 1..=999 {
        let dest = dir.join(name_for(at, n));
        if dest.exists() {
            continue;
        }
        match backup_to(db, &dest) {
            // Taken between the look and the link: try the next number.
            Err(Error::Invalid { .. }) if dest.exists() => continue,
            // Its time is the one in its name, even when the copy ends a second later
            // (CI saw three backups listed under two seconds disagree with their names).
            r => return r.map(|made| BackupInfo { at, ..made }),
        }
    }
    Err(Error::Internal(format!(
        "{} has 999 backups from this second",
        dir.display()
    )))
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
    let db_path = DataDir::new(data_dir).database();
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
    owner_only::create_dir(data_dir)?;
    let partial = data_dir.join(".booth.db.restoring");
    // Copied into a file that is the owner's alone (std::fs::copy would copy the
    // backup's mode, whatever it is).
    let mut to = owner_only::create(&partial)?;
    std::io::copy(&mut std::fs::File::open(backup)?, &mut to)?;
    to.sync_all()?;
    drop(to);
    std::fs::rename(&partial, &db_path)?;
    Ok(aside)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sort_by_time_and_others_are_ignored() {
        let at = 1_795_400_000;
        let name = name_for(at, 1);
        assert_eq!(name, "booth-20261123-021320.db");
        assert_eq!(parse_name(&name), Some((at, 1)));
        assert_eq!(name_for(at, 2), "booth-20261123-021320-2.db");
        assert_eq!(parse_name("booth-20261123-021320-2.db"), Some((at, 2)));
        assert_eq!(parse_name("booth-20261123-021320-12.db"), Some((at, 12)));
        for other in [
            "booth.db",
            "booth-2026.db",
            "notes.txt",
            ".booth-20261123-022000.db.partial",
            "booth-20261123-021320-1.db",
            "booth-20261123-021320-02.db",
            "booth-20261123-021320-x.db",
            "booth-20261123-021320-.db",
        ] {
            assert_eq!(parse_name(other), None, "{other}");
        }
    }

    /// `booth backup` right after `booth serve` made its daily one: same second, and both
    /// must be kept (this failed with "already exists" when names were per second only).
    #[test]
    fn backups_in_the_same_second_all_succeed_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("booth.db")).unwrap();
        let made: Vec<BackupInfo> = (0..3)
            .map(|_| backup_now(&db, dir.path()).expect("a backup the seller asks for"))
            .collect();
        let listed = list(dir.path()).unwrap();
        assert_eq!(listed.len(), 3);
        for b in &made {
            let name = b.path.file_name().unwrap().to_str().unwrap();
            assert_eq!(parse_name(name).map(|(at, _)| at), Some(b.at), "{name}");
        }
        if made[0].at == made[2].at {
            // All three in one second (the usual case): numbered, newest listed first.
            let names: Vec<String> = listed
                .iter()
                .map(|b| b.path.file_name().unwrap().to_string_lossy().into_owned())
                .collect();
            assert!(
                names[0].ends_with("-3.db") && names[1].ends_with("-2.db"),
                "{names:?}"
            );
        }
        #[cfg(unix)]
        for b in &listed {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&b.path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", b.path.display());
        }
    }
}
