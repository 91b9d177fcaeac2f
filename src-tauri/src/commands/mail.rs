//! The outbox: every message Booth sends, and a retry for a failed one.

use super::S;
use crate::error::CmdResult;
use booth_core::outbox::OutboxRow;

/// `status`: null for all; newest first.
#[tauri::command]
#[specta::specta]
pub async fn outbox(state: S<'_>, status: Option<String>, limit: i64) -> CmdResult<Vec<OutboxRow>> {
    Ok(state
        .shop()
        .await?
        .outbox(status.as_deref(), limit.clamp(1, 1000))
        .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn retry_mail(state: S<'_>, id: i64) -> CmdResult<()> {
    Ok(state.shop().await?.retry_mail(id).await?)
}
