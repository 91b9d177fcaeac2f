//! TestApp's backups and bucket: waiting for the runtime's start-up backup, and putting
//! the shop's files and backups on a test S3 server.

use crate::app::TestApp;
use std::time::Duration;

impl TestApp {
    /// The backup the runtime makes soon after it starts.
    pub async fn first_daily_backup(&self) -> booth_core::backup::BackupInfo {
        for _ in 0..200 {
            if let Some(b) = booth_core::backup::list(self.shop().data_dir())
                .unwrap()
                .first()
            {
                return b.clone();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no daily backup 10 s after the start");
    }

    /// Puts the shop's files and backups on `s3`'s booth-files bucket, under the prefix
    /// "mine".
    pub async fn on_bucket(&self, s3: &crate::s3::S3Server) {
        // Made after the bucket is set, the start-up backup would land in the bucket
        // beside what a test puts there (CI saw it sort newest on 2026-12-03).
        self.first_daily_backup().await;
        let input = booth_core::storage::StorageInput {
            endpoint: s3.endpoint.clone(),
            region: "us-east-1".into(),
            bucket: "booth-files".into(),
            prefix: "mine".into(),
            access_key_id: crate::s3::ACCESS_KEY.into(),
        };
        self.shop()
            .set_storage(&input, Some(crate::s3::SECRET_KEY))
            .await
            .expect("the bucket set");
    }
}
