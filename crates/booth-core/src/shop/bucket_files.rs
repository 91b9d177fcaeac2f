//! Product files in the seller's bucket: new files go there as they are added, `migrate`
//! moves an existing shop there (and back); bucket_serving.rs sends downloads there. Every file keeps its data-dir copy until the seller frees
//! it (`free_local_copies`); a file is served from the bucket only once its row in
//! `bucket_files` says Booth read it back with the right SHA-256.

use super::Shop;
use crate::catalog::{self, StoredFile};
use crate::db::now;
use crate::error::Result;
use crate::storage::bucket::Bucket;
use crate::storage::transfer::Transfers;
use rusqlite::{params, Connection};
use serde::Serialize;

/// What a migration did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct Migrated {
    /// Files copied (and checked) this time.
    pub files: u32,
    pub bytes: u64,
    /// Files already there from an earlier run.
    pub already: u32,
}

/// The data-dir copies `free_local_copies` deleted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct Freed {
    pub files: u32,
    pub bytes: u64,
}

/// One content-addressed file of the shop.
struct Blob {
    sha256: String,
    size: u64,
    stored_path: String,
    name: String,
    /// Recorded as in the bucket (`blobs`' place).
    recorded: bool,
}

impl Shop {
    /// Progress of uploads to and downloads from the bucket.
    pub fn transfers(&self) -> &Transfers {
        &self.inner.transfers
    }

    /// When the seller has a bucket: puts a newly stored file there (uploaded, then read
    /// back), before it becomes a version. A failure is the seller's error to see: the
    /// version isn't made.
    pub(super) async fn upload_to_bucket(&self, stored: &StoredFile, name: &str) -> Result<()> {
        let Some(bucket) = self.bucket().await? else {
            return Ok(());
        };
        let blob = Blob {
            sha256: stored.sha256.clone(),
            size: stored.size,
            stored_path: stored.stored_path.clone(),
            name: name.to_string(),
            recorded: false,
        };
        self.copy_to_bucket(&bucket, &blob).await.map(|_| ())
    }

    /// Copies every file of the shop (every version) that isn't in the bucket yet, each
    /// checked by its SHA-256 before downloads may use it. Stopped at any point (Ctrl-C, a
    /// crash, a lost connection), it goes on from where it was when run again.
    pub async fn migrate_to_bucket(&self) -> Result<Migrated> {
        let bucket = self.require_bucket().await?;
        bucket.exists().await?;
        let place = bucket.place();
        let blobs = self.db().run(move |c| blobs(c, Some(&place))).await?;
        let mut done = Migrated::default();
        for blob in &blobs {
            if blob.recorded {
                done.already += 1;
                continue;
            }
            if self.copy_to_bucket(&bucket, blob).await? {
                done.files += 1;
                done.bytes += blob.size;
            } else {
                done.already += 1;
            }
        }
        self.forget_serving();
        Ok(done)
    }

    /// Uploads one file unless the bucket has it with the right bytes already (an earlier
    /// run stopped after the upload, before its row); then records it. True if uploaded.
    async fn copy_to_bucket(&self, bucket: &Bucket, blob: &Blob) -> Result<bool> {
        let uploaded = if bucket
            .holds(&blob.sha256, &blob.name, self.transfers())
            .await?
        {
            false
        } else {
            let local = catalog::resolve_stored(self.files_dir(), &blob.stored_path)?;
            bucket
                .upload_file(&local, &blob.sha256, &blob.name, self.transfers())
                .await?;
            true
        };
        let (place, sha, size) = (bucket.place(), blob.sha256.clone(), blob.size as i64);
        self.db()
            .write(move |tx| {
                tx.execute(
                    "INSERT INTO bucket_files (place, sha256, size, verified_at) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT DO UPDATE SET verified_at = excluded.verified_at",
                    params![place, sha, size, now()],
                )?;
                Ok(())
            })
            .await?;
        Ok(uploaded)
    }

    /// Back to the data dir: fetches every file missing from it (each checked by its
    /// SHA-256), then makes the data dir the storage again. Resumable like the way there.
    pub async fn migrate_to_local(&self) -> Result<Migrated> {
        let bucket = self.require_bucket().await?;
        let blobs = self.db().run(|c| blobs(c, None)).await?;
        let mut done = Migrated::default();
        for blob in &blobs {
            let dest = catalog::resolve_stored(self.files_dir(), &blob.stored_path)?;
            if dest.exists() {
                done.already += 1;
                continue;
            }
            bucket
                .fetch_file(&blob.sha256, &dest, &blob.name, self.transfers())
                .await?;
            done.files += 1;
            done.bytes += blob.size;
        }
        self.use_local_storage().await?;
        Ok(done)
    }

    /// How many of the shop's files have no data-dir copy.
    pub(super) async fn files_only_in_bucket(&self) -> Result<usize> {
        let blobs = self.db().run(|c| blobs(c, None)).await?;
        let dir = self.files_dir();
        Ok(blobs
            .iter()
            .filter(|b| catalog::resolve_stored(dir, &b.stored_path).is_ok_and(|p| !p.exists()))
            .count())
    }

    /// Deletes the data-dir copies of files the bucket holds (checked), freeing the disk.
    pub async fn free_local_copies(&self) -> Result<Freed> {
        let bucket = self.require_bucket().await?;
        let place = bucket.place();
        let blobs = self.db().run(move |c| blobs(c, Some(&place))).await?;
        let (mut files, mut bytes) = (0, 0);
        for blob in blobs.iter().filter(|b| b.recorded) {
            let local = catalog::resolve_stored(self.files_dir(), &blob.stored_path)?;
            // Asked again now: the copy is deleted only while the bucket answers for it.
            if local.exists() && bucket.has_file(&blob.sha256).await? {
                std::fs::remove_file(&local)?;
                files += 1;
                bytes += blob.size;
            }
        }
        Ok(Freed { files, bytes })
    }
}

/// Every file of the shop, once per content (every version of every file, removed ones
/// too: purchases keep them), each saying whether it is recorded in the bucket at `place`.
fn blobs(c: &Connection, place: Option<&str>) -> Result<Vec<Blob>> {
    let mut s = c.prepare(
        "SELECT v.sha256, max(v.size), max(v.stored_path), min(f.display_name),
                EXISTS (SELECT 1 FROM bucket_files b WHERE b.place = ?1 AND b.sha256 = v.sha256)
         FROM file_versions v JOIN product_files f ON f.id = v.file_id
         GROUP BY v.sha256 ORDER BY min(v.id)",
    )?;
    let rows = s.query_map([place], |r| {
        Ok(Blob {
            sha256: r.get(0)?,
            size: r.get::<_, i64>(1)? as u64,
            stored_path: r.get(2)?,
            name: r.get(3)?,
            recorded: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
