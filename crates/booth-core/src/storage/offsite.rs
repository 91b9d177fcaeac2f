//! Off-site copies of the daily backups: each goes to `<prefix>/backups/<name>` in the
//! seller's bucket, and the bucket keeps as many of the newest as the data dir does. A
//! shop whose laptop is lost comes back from there (`booth restore --from-bucket`).

use super::bucket::Bucket;
use crate::backup::parse_name;
use crate::error::{Error, Result};
use crate::owner_only;
use futures_util::StreamExt;
use object_store::buffered::BufWriter;
use object_store::{ObjectStore, ObjectStoreExt};
use serde::Serialize;
use std::path::{Path, PathBuf};
use tokio::io::AsyncWriteExt;

/// The bucket's folder (under Booth's prefix) for backups.
pub const FOLDER: &str = "backups";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OffsiteBackup {
    /// booth-YYYYMMDD-HHMMSS.db, as in the data dir.
    pub name: String,
    pub bytes: u64,
    /// Unix seconds, from the name.
    pub at: i64,
}

impl Bucket {
    /// Copies a backup file to the bucket, streamed (multipart when big: a half-sent copy
    /// never becomes an object), then deletes the bucket's copies beyond the newest `keep`.
    pub async fn upload_backup(&self, path: &Path, keep: usize) -> Result<OffsiteBackup> {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .filter(|n| parse_name(n).is_some())
            .ok_or_else(|| Error::invalid("backup", "not one of Booth's backups"))?
            .to_string();
        let key = self.key(&format!("{FOLDER}/{name}"));
        let mut file = tokio::fs::File::open(path).await?;
        let store: std::sync::Arc<dyn ObjectStore> = self.store();
        let mut upload = BufWriter::new(store, key);
        let failed =
            |e: std::io::Error| Error::Storage(format!("the off-site copy of {name} failed: {e}"));
        let bytes = match tokio::io::copy(&mut file, &mut upload).await {
            Ok(b) => b,
            Err(e) => {
                // The parts sent so far are dropped; no object appears.
                let _ = upload.abort().await;
                return Err(failed(e));
            }
        };
        // Completes the upload (one PUT, or the multipart's last step); until then the
        // object doesn't exist.
        upload.shutdown().await.map_err(failed)?;
        for old in self.backups().await?.iter().skip(keep.max(1)) {
            let key = self.key(&format!("{FOLDER}/{}", old.name));
            self.store()
                .delete(&key)
                .await
                .map_err(|e| self.explain("delete an old backup", e))?;
        }
        let at = parse_name(&name).map(|(at, _)| at).unwrap_or(0);
        Ok(OffsiteBackup { name, bytes, at })
    }

    /// The bucket's backups, newest first (other objects in the folder are left alone).
    pub async fn backups(&self) -> Result<Vec<OffsiteBackup>> {
        let folder = self.key(FOLDER);
        let mut listing = self.store().list(Some(&folder));
        let mut out = Vec::new();
        while let Some(meta) = listing.next().await {
            let meta = meta.map_err(|e| self.explain("list the backups", e))?;
            let Some(name) = meta.location.filename() else {
                continue;
            };
            if let Some(key) = parse_name(name) {
                out.push((
                    key,
                    OffsiteBackup {
                        name: name.to_string(),
                        bytes: meta.size,
                        at: key.0,
                    },
                ));
            }
        }
        out.sort_by_key(|(key, _)| std::cmp::Reverse(*key));
        Ok(out.into_iter().map(|(_, b)| b).collect())
    }

    /// Fetches a backup from the bucket into `dir` (as `from-bucket-<name>`, readable by
    /// the owner only), streamed to a partial file that is renamed only when complete.
    pub async fn download_backup(&self, name: &str, dir: &Path) -> Result<PathBuf> {
        if parse_name(name).is_none() {
            return Err(Error::invalid(
                "backup",
                "a backup's name, like booth-20261203-070435.db (booth backup --list shows them)",
            ));
        }
        let key = self.key(&format!("{FOLDER}/{name}"));
        let got = self.store().get(&key).await.map_err(|e| match e {
            object_store::Error::NotFound { .. } => {
                Error::NotFound(format!("the bucket has no backup {name}"))
            }
            e => self.explain("download the backup", e),
        })?;
        owner_only::create_dir(dir)?;
        let dest = dir.join(format!("from-bucket-{name}"));
        let partial = dir.join(format!(
            ".from-bucket-{name}.{}.partial",
            uuid::Uuid::new_v4().simple()
        ));
        let result = async {
            let mut out = tokio::fs::File::from_std(owner_only::create(&partial)?);
            let mut stream = got.into_stream();
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(|e| self.explain("download the backup", e))?;
                out.write_all(&chunk).await?;
            }
            out.sync_all().await?;
            tokio::fs::rename(&partial, &dest).await?;
            Ok(dest.clone())
        }
        .await;
        if result.is_err() {
            let _ = std::fs::remove_file(&partial);
        }
        result
    }
}
