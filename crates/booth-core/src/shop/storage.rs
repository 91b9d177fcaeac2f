//! The storage setting: the data dir, or the seller's bucket. A bucket is saved only once
//! it has been tried (a probe written, read back and deleted), so a saved bucket is one
//! that worked.

use super::Shop;
use crate::error::{Error, Result};
use crate::secrets::{self, Secret};
use crate::settings;
use crate::storage::bucket::Bucket;
use crate::storage::{BucketSpec, StorageInput};

impl Shop {
    /// The seller's bucket, if they chose one (else files and backups stay in the data dir).
    pub async fn storage(&self) -> Result<Option<BucketSpec>> {
        let saved = self.setting(settings::STORAGE).await?;
        saved
            .map(|json| {
                serde_json::from_str(&json)
                    .map_err(|e| Error::Internal(format!("the saved storage setting: {e}")))
            })
            .transpose()
    }

    /// Tries the bucket (write, read, delete a probe) and saves it if that worked; nothing
    /// is saved otherwise. `secret`: the secret access key; None keeps the saved one.
    pub async fn set_storage(
        &self,
        input: &StorageInput,
        secret: Option<&str>,
    ) -> Result<BucketSpec> {
        let spec = BucketSpec::try_from(input)?;
        let secret = match secret {
            Some(s) => check_secret(s)?,
            None => secrets::load(self.data_dir())?
                .storage_secret
                .ok_or_else(|| {
                    Error::invalid("secret_access_key", "the secret access key is missing")
                })?,
        };
        Bucket::new(&spec, &secret)?.check().await?;
        let mut saved = secrets::load(self.data_dir())?;
        if saved.storage_secret.as_ref() != Some(&secret) {
            saved.storage_secret = Some(secret);
            secrets::save(self.data_dir(), &saved)?;
        }
        let json = serde_json::to_string(&spec).expect("json");
        self.db()
            .write(move |tx| settings::set(tx, settings::STORAGE, &json))
            .await?;
        self.forget_serving();
        Ok(spec)
    }

    /// Back to the data dir; the bucket's key is forgotten. Refused while a file is only in
    /// the bucket (its data-dir copy freed): `migrate_to_local` fetches those first.
    pub async fn use_local_storage(&self) -> Result<()> {
        let missing = self.files_only_in_bucket().await?;
        if missing > 0 {
            return Err(Error::Conflict(format!(
                "{missing} file(s) are only in the bucket: `booth storage migrate --to local` fetches them into the data dir and then switches"
            )));
        }
        self.db()
            .write(|tx| {
                tx.execute("DELETE FROM settings WHERE key = ?1", [settings::STORAGE])?;
                Ok(())
            })
            .await?;
        self.forget_serving();
        let mut saved = secrets::load(self.data_dir())?;
        if saved.storage_secret.take().is_some() {
            secrets::save(self.data_dir(), &saved)?;
        }
        Ok(())
    }

    /// The saved bucket, to talk to; None when files live in the data dir.
    pub async fn bucket(&self) -> Result<Option<Bucket>> {
        let Some(spec) = self.storage().await? else {
            return Ok(None);
        };
        let secret = secrets::load(self.data_dir())?
            .storage_secret
            .ok_or_else(|| {
                Error::Storage(
                    "the bucket's secret access key is missing: set the storage again".into(),
                )
            })?;
        Ok(Some(Bucket::new(&spec, &secret)?))
    }

    /// The saved bucket, for what needs one (checking it, moving files to or from it).
    pub(super) async fn require_bucket(&self) -> Result<Bucket> {
        self.bucket().await?.ok_or_else(|| {
            Error::NotFound(
                "no bucket is set: files live in the data dir (`booth storage set` sets one)"
                    .into(),
            )
        })
    }

    /// Tries the saved bucket again (write, read, delete a probe).
    pub async fn check_storage(&self) -> Result<BucketSpec> {
        let bucket = self.require_bucket().await?;
        bucket.check().await?;
        Ok(bucket.spec().clone())
    }
}

fn check_secret(value: &str) -> Result<Secret> {
    let s = secrets::check("secret_access_key", value, &[])?;
    if s.expose().is_empty() {
        return Err(Error::invalid(
            "secret_access_key",
            "the secret access key is missing",
        ));
    }
    Ok(s)
}
