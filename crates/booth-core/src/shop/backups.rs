//! Backups of the running shop's database (backup.rs does the work).

use super::{blocking, Shop};
use crate::backup;
use crate::error::Result;
use crate::settings::{self};
use crate::storage::offsite::OffsiteBackup;
use std::path::PathBuf;

impl Shop {
    /// A consistent copy of the database at `dest` (which must not exist), while the shop runs.
    pub async fn backup_to(&self, dest: PathBuf) -> Result<backup::BackupInfo> {
        let db = self.db().clone();
        blocking(move || backup::backup_to(&db, &dest)).await
    }

    /// A backup into `<data dir>/backups/`, named by the time, and into the bucket when
    /// there is one (the answer says whether that copy was made).
    pub async fn backup_now(&self) -> Result<(backup::BackupInfo, Option<Result<OffsiteBackup>>)> {
        let (db, dir) = (self.db().clone(), self.data_dir().to_path_buf());
        let made = blocking(move || backup::backup_now(&db, &dir)).await?;
        let offsite = match self.backup_keep().await {
            Ok(keep) => self.copy_offsite(&made, keep).await,
            Err(e) => Some(Err(e)),
        };
        Ok((made, offsite))
    }

    /// Copies a backup to the seller's bucket, if any, keeping the newest `keep` there.
    /// None when there is no bucket.
    async fn copy_offsite(
        &self,
        made: &backup::BackupInfo,
        keep: usize,
    ) -> Option<Result<OffsiteBackup>> {
        match self.bucket().await {
            Ok(Some(bucket)) => Some(bucket.upload_backup(&made.path, keep).await),
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        }
    }

    /// Today's automatic backup, if not made yet, keeping the newest `backup_keep`.
    pub async fn daily_backup(&self) -> Result<Option<backup::BackupInfo>> {
        let keep = self.backup_keep().await?;
        let (db, dir) = (self.db().clone(), self.data_dir().to_path_buf());
        let made = blocking(move || backup::daily(&db, &dir, keep)).await?;
        // Off-site too, when the seller has a bucket. The local copy stands either way:
        // a bucket that is down is told in the log and tried again with tomorrow's.
        if let Some(b) = &made {
            match self.copy_offsite(b, keep).await {
                Some(Ok(o)) => tracing::info!(name = %o.name, "daily backup copied to the bucket"),
                Some(Err(e)) => {
                    tracing::error!(error = %e, "the daily backup's off-site copy failed")
                }
                None => {}
            }
        }
        Ok(made)
    }

    /// How many daily backups are kept (locally and in the bucket).
    pub async fn backup_keep(&self) -> Result<usize> {
        Ok(self
            .setting(settings::BACKUP_KEEP)
            .await?
            .and_then(|k| k.parse().ok())
            .unwrap_or(backup::DEFAULT_KEEP))
    }
}
