//! Backups of the running shop's database (backup.rs does the work).

use super::{blocking, Shop};
use crate::backup;
use crate::error::Result;
use crate::settings::{self};
use std::path::PathBuf;

impl Shop {
    /// A consistent copy of the database at `dest` (which must not exist), while the shop runs.
    pub async fn backup_to(&self, dest: PathBuf) -> Result<backup::BackupInfo> {
        let db = self.db().clone();
        blocking(move || backup::backup_to(&db, &dest)).await
    }

    /// A backup into `<data dir>/backups/`, named by the time.
    pub async fn backup_now(&self) -> Result<backup::BackupInfo> {
        let (db, dir) = (self.db().clone(), self.data_dir().to_path_buf());
        blocking(move || backup::backup_now(&db, &dir)).await
    }

    /// Today's automatic backup, if not made yet, keeping the newest `backup_keep`.
    pub async fn daily_backup(&self) -> Result<Option<backup::BackupInfo>> {
        let keep = self
            .setting(settings::BACKUP_KEEP)
            .await?
            .and_then(|k| k.parse().ok())
            .unwrap_or(backup::DEFAULT_KEEP);
        let (db, dir) = (self.db().clone(), self.data_dir().to_path_buf());
        blocking(move || backup::daily(&db, &dir, keep)).await
    }
}
