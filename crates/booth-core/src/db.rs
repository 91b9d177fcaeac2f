//! The SQLite file: opened with WAL and foreign keys, migrated on open, and shared by a
//! small pool of connections so async callers never block the runtime. Writes go through
//! one writer thread that commits them in groups (see `write`).

use crate::error::{Error, Result};
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use rusqlite_migration::{Migrations, M};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

// Numbered SQL files in /migrations, embedded at compile time and applied in order.
pub(crate) const MIGRATIONS: &[&str] = &[
    include_str!("../../../migrations/0001_init.sql"),
    include_str!("../../../migrations/0002_mailings.sql"),
    include_str!("../../../migrations/0003_funnel.sql"),
    include_str!("../../../migrations/0004_tunnel.sql"),
    include_str!("../../../migrations/0005_download_log.sql"),
    include_str!("../../../migrations/0006_hardening.sql"),
    include_str!("../../../migrations/0007_library.sql"),
    include_str!("../../../migrations/0008_selling.sql"),
    include_str!("../../../migrations/0009_tax_consent.sql"),
    include_str!("../../../migrations/0010_finding.sql"),
    include_str!("../../../migrations/0011_archive.sql"),
    include_str!("../../../migrations/0012_bucket_files.sql"),
    include_str!("../../../migrations/0013_licenses.sql"),
    include_str!("../../../migrations/0014_update_feed.sql"),
    include_str!("../../../migrations/0015_stamped_pdfs.sql"),
];

#[derive(Clone)]
pub struct Db {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    /// The writer thread's queue; the thread ends when the last `Db` is dropped.
    writer: std::sync::mpsc::Sender<Job>,
}

/// A write, run by the writer thread inside the group's transaction; it returns what
/// tells its caller how it went once the group's commit is known.
struct Job {
    run: Box<dyn FnOnce(&Transaction<'_>) -> Ran + Send>,
    /// A download count (`write_relaxed`): its commit needn't reach the disk before its
    /// caller hears of it, and it changes no purchase, item, file or version, so what the
    /// writer has cached about those stays true (see `writer_epoch`). Every other write is
    /// fsynced before it is answered.
    count: bool,
}
type Deliver = Box<dyn FnOnce(Option<&str>) + Send>;

/// A write that has run: how to answer its caller once the commit is known, and whether it
/// failed with nothing to undo it alone (a download count has no savepoint), so its whole
/// group must be rolled back.
struct Ran {
    deliver: Deliver,
    undo_group: bool,
}

/// Writes waiting together are committed together, up to this many.
const GROUP_MAX: usize = 256;

thread_local! {
    static EPOCH: std::cell::Cell<Option<u64>> = const { std::cell::Cell::new(None) };
}

/// On the writer thread, a number that changes whenever something a download's lookup
/// reads may have changed: after every write that isn't a download count, after a group
/// fails to commit, and when another connection (a `booth` command in another process,
/// say) has committed since the writer last looked. A lookup made on the writer thread
/// stays true while this number stays the same. `None` anywhere else: nothing to cache on.
pub fn writer_epoch() -> Option<u64> {
    EPOCH.with(|e| e.get())
}

fn next_epoch() {
    EPOCH.with(|e| e.set(e.get().map(|n| n.wrapping_add(1))));
}

impl Db {
    /// Opens (creating if needed) and migrates the database at `path`.
    pub fn open(path: &Path) -> Result<Db> {
        // Made 0600 before SQLite opens it: SQLite gives the -wal and -shm files the
        // database file's mode, so the buyers' data is the owner's alone whatever the umask.
        crate::owner_only::touch(path).map_err(|e| {
            Error::Internal(format!(
                "can't open the database at {}: {e}",
                path.display()
            ))
        })?;
        let mut conn = connect(path)?;
        // With foreign keys off, so a migration can rebuild a table others refer to (the
        // way SQLite documents for changing a CHECK); each one checks them before it commits.
        let migrations = Migrations::new(
            MIGRATIONS
                .iter()
                .map(|sql| M::up(sql).foreign_key_check())
                .collect(),
        );
        conn.pragma_update(None, "foreign_keys", false)?;
        migrations.to_latest(&mut conn)?;
        conn.pragma_update(None, "foreign_keys", true)?;
        let writer_conn = connect(path)?;
        let (writer, jobs) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("booth-db-writer".into())
            .spawn(move || write_groups(writer_conn, jobs))
            .map_err(|e| Error::Internal(format!("can't start the database writer: {e}")))?;
        Ok(Db {
            inner: Arc::new(Inner {
                path: path.to_path_buf(),
                idle: Mutex::new(vec![conn]),
                writer,
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs `f` with a connection on a blocking thread.
    pub async fn run<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        let db = self.clone();
        tokio::task::spawn_blocking(move || db.run_blocking(f))
            .await
            .map_err(|e| Error::Internal(format!("database task failed: {e}")))?
    }

    /// Runs `f` as one all-or-nothing write and returns once it is durable. Writes are
    /// run one at a time by the writer thread; those that arrive while it commits wait and
    /// are then committed together, each in its own savepoint (an error undoes only its
    /// own changes), with one fsync for the group. Nobody hears "done" before the commit.
    pub async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T> + Send + 'static,
    {
        self.queue_write(false, f).await
    }

    /// Like `write`, but returns once committed without waiting for the disk: the write
    /// survives Booth crashing (the system has it) and is made durable by the next `write`
    /// or checkpoint; only a power cut or system crash before then can undo it. For
    /// download counts, where that costs at most a download over a limit, and syncing each
    /// one was most of a small download's time. Only for download counts: `f` must not
    /// change purchases, their items, files or versions (see `writer_epoch`). It also runs
    /// without a savepoint of its own (a savepoint copies every page the count touches that
    /// the group already changed: ~1.7 of the ~6.5 µs a count took in SQLite): if it fails
    /// (only a full disk or a bug can make a count fail), its whole group is rolled back
    /// and every write in it hears that nothing was saved.
    pub async fn write_relaxed<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T> + Send + 'static,
    {
        self.queue_write(true, f).await
    }

    async fn queue_write<T, F>(&self, count: bool, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T> + Send + 'static,
    {
        let (done, answer) = tokio::sync::oneshot::channel::<Result<T>>();
        let run = Box::new(move |tx: &Transaction<'_>| -> Ran {
            let out = if count {
                catch_panic(|| f(tx))
            } else {
                in_savepoint(tx, f)
            };
            Ran {
                undo_group: count && out.is_err(),
                deliver: Box::new(move |commit_error: Option<&str>| {
                    let _ = done.send(match commit_error {
                        None => out,
                        Some(e) => Err(Error::Internal(format!("the database couldn't save: {e}"))),
                    });
                }),
            }
        });
        self.inner
            .writer
            .send(Job { run, count })
            .map_err(|_| Error::Internal("the database writer has stopped".into()))?;
        // Dropped unanswered: the group's transaction couldn't even begin (logged there).
        answer.await.map_err(|_| {
            Error::Internal("the database is locked or unavailable; nothing was saved".into())
        })?
    }

    pub fn run_blocking<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        let pooled = self.inner.idle.lock().expect("db pool poisoned").pop();
        let mut conn = match pooled {
            Some(c) => c,
            None => connect(&self.inner.path)?,
        };
        let out = f(&mut conn);
        let mut idle = self.inner.idle.lock().expect("db pool poisoned");
        // Keep a few warm connections; more than that are closed.
        if idle.len() < 8 {
            idle.push(conn);
        }
        out
    }
}

/// One write inside the group's transaction, undone alone if it fails (or panics).
fn in_savepoint<T>(
    tx: &Transaction<'_>,
    f: impl FnOnce(&Transaction<'_>) -> Result<T>,
) -> Result<T> {
    tx.prepare_cached("SAVEPOINT booth_write")?.execute([])?;
    let out = catch_panic(|| f(tx));
    match &out {
        Ok(_) => {
            tx.prepare_cached("RELEASE booth_write")?.execute([])?;
        }
        Err(_) => tx.execute_batch("ROLLBACK TO booth_write; RELEASE booth_write")?,
    }
    out
}

/// A write that panics (a bug) fails like one that returns an error, and the writer goes on.
fn catch_panic<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err(Error::Internal("a database write panicked".into())))
}

/// The writer thread: takes the next write and every write already waiting behind it,
/// runs them in one transaction, commits once, then answers each.
fn write_groups(mut conn: Connection, jobs: std::sync::mpsc::Receiver<Job>) {
    let mut synced = true; // connect() sets synchronous = FULL
    EPOCH.with(|e| e.set(Some(0)));
    let mut seen_version = None;
    // Kept from group to group, so a group allocates nothing of its own.
    let mut group: Vec<Job> = Vec::with_capacity(GROUP_MAX);
    let mut delivers: Vec<Deliver> = Vec::with_capacity(GROUP_MAX);
    while let Ok(first) = jobs.recv() {
        group.push(first);
        while group.len() < GROUP_MAX {
            match jobs.try_recv() {
                Ok(j) => group.push(j),
                Err(_) => break,
            }
        }
        // One durable write makes the whole group durable, relaxed ones before it included
        // (the WAL is synced as a whole, in order).
        let sync = group.iter().any(|j| !j.count);
        if sync != synced {
            let level = if sync { "FULL" } else { "NORMAL" };
            match conn.pragma_update(None, "synchronous", level) {
                Ok(()) => synced = sync,
                Err(e) if sync => {
                    // Never commit a durable write without the sync: refuse the group.
                    tracing::error!(error = %e, writes = group.len(), "couldn't set synchronous = FULL");
                    group.clear();
                    continue;
                }
                Err(e) => tracing::warn!(error = %e, "couldn't set synchronous = NORMAL"),
            }
        }
        let tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
            Ok(tx) => tx,
            Err(e) => {
                // Locked by another process past the busy timeout, or the disk is gone.
                tracing::error!(error = %e, writes = group.len(), "database writes couldn't start");
                // Dropping the jobs unanswered tells their callers nothing was saved.
                group.clear();
                continue;
            }
        };
        // Holding the write lock now, so nobody else commits until this group has.
        let version: Option<i64> = tx
            .prepare_cached("PRAGMA data_version")
            .and_then(|mut s| s.query_row([], |r| r.get(0)))
            .ok();
        if version.is_none() || version != seen_version {
            next_epoch();
            seen_version = version;
        }
        let mut undo = false;
        for job in group.drain(..) {
            let ran = (job.run)(&tx);
            undo |= ran.undo_group;
            delivers.push(ran.deliver);
            if !job.count {
                next_epoch();
            }
        }
        let committed = if undo {
            let _ = tx.rollback();
            Err("a download count failed part-way, so nothing in its group was saved".into())
        } else {
            tx.commit().map_err(|e| e.to_string())
        };
        if committed.is_err() {
            // What this group wrote is gone; so is anything read from it.
            next_epoch();
        }
        for deliver in delivers.drain(..) {
            deliver(committed.as_ref().err().map(String::as_str));
        }
    }
}

pub(crate) fn connect(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| {
        Error::Internal(format!(
            "can't open the database at {}: {e}",
            path.display()
        ))
    })?;
    // FULL sync: a purchase that was acknowledged survives even a power cut.
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = 10000;",
    )?;
    // Room for every hot statement (downloads, fulfilment, the outbox) to stay prepared.
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_migrates_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("booth.db");
        let db = Db::open(&path).unwrap();
        let (mode, fk): (String, i64) = db
            .run_blocking(|c| {
                Ok((
                    c.query_row("PRAGMA journal_mode", [], |r| r.get(0))?,
                    c.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?,
                ))
            })
            .unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(fk, 1);
        drop(db);
        // A second open finds the schema in place and doesn't re-run migrations.
        let db = Db::open(&path).unwrap();
        let n: i64 = db
            .run_blocking(|c| Ok(c.query_row("SELECT count(*) FROM products", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(n, 0);
    }

    /// A download count has no savepoint of its own: one that fails after writing takes its
    /// whole group down with it, and every write in the group is told nothing was saved
    /// (no caller hears "done" for a write that isn't there). The next group is unaffected.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_count_that_fails_part_way_undoes_its_group() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("booth.db")).unwrap();
        let insert = |tx: &Transaction<'_>, key: &str| -> Result<()> {
            tx.execute("INSERT INTO settings (key, value) VALUES (?1, 'x')", [key])?;
            Ok(())
        };
        // Hold the writer so that the next three are queued together, as one group.
        let (release, held) = std::sync::mpsc::channel::<()>();
        let holder = tokio::spawn({
            let db = db.clone();
            async move { db.write(move |_| Ok(held.recv().is_ok())).await }
        });
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let durable = tokio::spawn({
            let db = db.clone();
            async move { db.write(move |tx| insert(tx, "durable")).await }
        });
        let failing = tokio::spawn({
            let db = db.clone();
            async move {
                db.write_relaxed(move |tx| {
                    insert(tx, "half-done count")?;
                    Err::<(), _>(Error::Internal("the disk filled up".into()))
                })
                .await
            }
        });
        let fine = tokio::spawn({
            let db = db.clone();
            async move { db.write_relaxed(move |tx| insert(tx, "fine count")).await }
        });
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        release.send(()).unwrap();
        assert!(holder.await.unwrap().unwrap());
        for (name, write) in [("durable", durable), ("failing", failing), ("fine", fine)] {
            let err = write.await.unwrap().expect_err(name).to_string();
            assert!(err.contains("couldn't save"), "{name}: {err}");
        }
        let saved: i64 = db
            .run_blocking(|c| Ok(c.query_row("SELECT count(*) FROM settings", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(saved, 0, "nothing of the group was kept");
        db.write_relaxed(move |tx| insert(tx, "next"))
            .await
            .unwrap();
        db.write(move |tx| insert(tx, "after")).await.unwrap();
    }

    /// What the writer caches about purchases and files is dropped whenever they may have
    /// changed: after any write but a download count, and after another connection (another
    /// process) commits. Download counts alone keep it.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_writer_epoch_moves_on_every_change_but_a_download_count() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("booth.db");
        let db = Db::open(&path).unwrap();
        assert_eq!(writer_epoch(), None, "not the writer thread");
        let epoch = || db.write_relaxed(|_| Ok(writer_epoch().expect("on the writer")));
        let first = epoch().await.unwrap();
        assert_eq!(epoch().await.unwrap(), first, "counts keep it");

        db.write(|tx| {
            tx.execute("INSERT INTO settings (key, value) VALUES ('a', '1')", [])?;
            Ok(())
        })
        .await
        .unwrap();
        let after_write = epoch().await.unwrap();
        assert_ne!(after_write, first, "a write moves it on");

        // Another process (a `booth` command) changes the file behind the writer's back.
        let other = Connection::open(&path).unwrap();
        other
            .execute("UPDATE settings SET value = '2' WHERE key = 'a'", [])
            .unwrap();
        let after_other = epoch().await.unwrap();
        assert_ne!(
            after_other, after_write,
            "another connection's commit moves it on"
        );
        assert_eq!(epoch().await.unwrap(), after_other);
    }

    /// Writes committed together stay each other's business: one that fails (or panics)
    /// leaves no trace, the others in its group are saved, and the writer goes on.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failing_write_in_a_group_undoes_only_itself() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("booth.db")).unwrap();
        let writes = (0..200).map(|i| {
            let db = db.clone();
            tokio::spawn(async move {
                db.write(move |tx| {
                    tx.execute(
                        "INSERT INTO settings (key, value) VALUES (?1, 'x')",
                        [format!("k{i}")],
                    )?;
                    match i % 10 {
                        3 => Err(Error::invalid("x", "refused after writing")),
                        7 if i == 7 => panic!("a bug in one write"),
                        _ => Ok(i),
                    }
                })
                .await
            })
        });
        let results = futures_util::future::join_all(writes).await;
        let ok: Vec<i32> = results
            .into_iter()
            .filter_map(|r| r.unwrap().ok())
            .collect();
        assert_eq!(ok.len(), 200 - 20 - 1);
        let saved: Vec<String> = db
            .run_blocking(|c| {
                let mut st =
                    c.prepare("SELECT key FROM settings WHERE key LIKE 'k%' ORDER BY key")?;
                let rows = st.query_map([], |r| r.get(0))?;
                Ok(rows.collect::<std::result::Result<_, _>>()?)
            })
            .unwrap();
        assert_eq!(saved.len(), ok.len());
        assert!(!saved.iter().any(|k| k.ends_with('3') || k == "k7"));
        // And the writer is still there.
        assert_eq!(db.write(|_| Ok(5)).await.unwrap(), 5);
    }

    /// Relaxed and durable writes share groups; each is committed (readable at once, and
    /// there after a reopen) whichever kind its group started as.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn relaxed_and_durable_writes_mix() {
        let saved = |db: &Db| -> i64 {
            db.run_blocking(|c| {
                Ok(c.query_row(
                    "SELECT count(*) FROM settings WHERE key LIKE 'r%'",
                    [],
                    |r| r.get(0),
                )?)
            })
            .unwrap()
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("booth.db");
        let db = Db::open(&path).unwrap();
        for round in 0..3 {
            let writes = (0..100).map(|i| {
                let db = db.clone();
                tokio::spawn(async move {
                    let key = format!("r{round}-{i}");
                    let f = move |tx: &Transaction<'_>| {
                        tx.execute("INSERT INTO settings (key, value) VALUES (?1, 'x')", [&key])?;
                        Ok(())
                    };
                    // Mostly relaxed, as downloads are, with a durable one now and then.
                    if i % 7 == 0 {
                        db.write(f).await
                    } else {
                        db.write_relaxed(f).await
                    }
                })
            });
            for r in futures_util::future::join_all(writes).await {
                r.unwrap().unwrap();
            }
            assert_eq!(saved(&db), (round + 1) * 100);
        }
        drop(db);
        assert_eq!(saved(&Db::open(&path).unwrap()), 300);
    }
}
