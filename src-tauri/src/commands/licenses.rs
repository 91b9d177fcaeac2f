//! License keys: the seller's actions on one key (from the purchase detail), the public
//! key apps check license files with, and the keys app updaters check updates with.

use super::S;
use crate::error::CmdResult;
use booth_core::licenses::License;
use booth_core::shop::{PublicKey, UpdateKeys};

/// Frees one activation (by its instance id) so the buyer can use the key elsewhere.
#[tauri::command]
#[specta::specta]
pub async fn free_license_instance(state: S<'_>, instance_id: String) -> CmdResult<License> {
    Ok(state
        .shop()
        .await?
        .free_license_instance(&instance_id)
        .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn set_license_disabled(state: S<'_>, key: String, disabled: bool) -> CmdResult<License> {
    Ok(state
        .shop()
        .await?
        .set_license_disabled(&key, disabled)
        .await?)
}

/// `limit` as typed: a whole number from 1 to 1000.
#[tauri::command]
#[specta::specta]
pub async fn set_license_limit(state: S<'_>, key: String, limit: String) -> CmdResult<License> {
    Ok(state.shop().await?.set_license_limit(&key, &limit).await?)
}

/// The public half of the shop's signing key (made on first use).
#[tauri::command]
#[specta::specta]
pub async fn license_public_key(state: S<'_>) -> CmdResult<PublicKey> {
    Ok(state.shop().await?.license_public_key().await?)
}

/// The public keys app updaters check the update feeds' signatures with (made on first use).
#[tauri::command]
#[specta::specta]
pub async fn update_keys(state: S<'_>) -> CmdResult<UpdateKeys> {
    Ok(state.shop().await?.update_keys().await?)
}
