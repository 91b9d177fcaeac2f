//! Settings → Storage: the seller's bucket (off-site backups and product files), saved only
//! once it answered a list, a write, a read and a delete; product files moved there and
//! back. A move's progress reaches the window as `transfer` events (transfer_events.rs).

use super::S;
use crate::error::{mistakes, CmdResult, Mistakes};
use booth_core::secrets;
use booth_core::shop::{Freed, Migrated};
use booth_core::storage::{BucketSpec, StorageInput};
use serde::{Deserialize, Serialize};

#[derive(Serialize, specta::Type)]
pub struct StorageView {
    /// None: files and backups live in the data dir only.
    bucket: Option<BucketSpec>,
    /// A secret access key is saved (it is never shown).
    secret_set: bool,
    /// How many daily backups are kept, here and in the bucket.
    backup_keep: u32,
}

#[tauri::command]
#[specta::specta]
pub async fn storage(state: S<'_>) -> CmdResult<StorageView> {
    let shop = state.shop().await?;
    Ok(StorageView {
        bucket: shop.storage().await?,
        secret_set: secrets::load(&state.data_dir)?.storage_secret.is_some(),
        backup_keep: shop.backup_keep().await? as u32,
    })
}

/// The form's mistakes, each with its field (endpoint, region, bucket, prefix,
/// access_key_id); nothing is tried or saved.
#[tauri::command]
#[specta::specta]
pub async fn validate_storage(input: StorageInput) -> Mistakes {
    mistakes(input.check())
}

/// Tries the bucket and saves it if it worked. `secret`: null keeps the saved one.
#[tauri::command]
#[specta::specta]
pub async fn set_storage(
    state: S<'_>,
    input: StorageInput,
    secret: Option<String>,
) -> CmdResult<StorageView> {
    state
        .shop()
        .await?
        .set_storage(&input, secret.as_deref())
        .await?;
    storage(state).await
}

/// Tries the saved bucket again.
#[tauri::command]
#[specta::specta]
pub async fn check_storage(state: S<'_>) -> CmdResult<StorageView> {
    state.shop().await?.check_storage().await?;
    storage(state).await
}

/// Back to the data dir only; the bucket's secret is forgotten.
#[tauri::command]
#[specta::specta]
pub async fn use_local_storage(state: S<'_>) -> CmdResult<StorageView> {
    state.shop().await?.use_local_storage().await?;
    storage(state).await
}

/// Where `migrate_storage` moves the product files: to the bucket, or back to the data dir,
/// which is then the storage again (the bucket's secret forgotten).
#[derive(Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum FilesTo {
    Bucket,
    Local,
}

/// Copies every product file that isn't there yet to the bucket (each read back) or back
/// to the data dir. Stopped midway, it goes on from there when asked again.
#[tauri::command]
#[specta::specta]
pub async fn migrate_storage(state: S<'_>, to: FilesTo) -> CmdResult<Migrated> {
    let shop = state.shop().await?;
    Ok(match to {
        FilesTo::Bucket => shop.migrate_to_bucket().await?,
        FilesTo::Local => shop.migrate_to_local().await?,
    })
}

/// Deletes the data-dir copies of the files the bucket holds (each asked for first).
#[tauri::command]
#[specta::specta]
pub async fn free_local_copies(state: S<'_>) -> CmdResult<Freed> {
    Ok(state.shop().await?.free_local_copies().await?)
}
