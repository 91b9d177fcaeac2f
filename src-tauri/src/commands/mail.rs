//! The outbox: every message Booth sends, searchable, and a retry for a failed one.

use super::S;
use crate::error::CmdResult;
use booth_core::mail_filter::{MailPage, MailQuery};
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

/// A page of the messages the filter bar matches, newest first; `filter.after` is the
/// previous page's `next`.
#[tauri::command]
#[specta::specta]
pub async fn find_mail(state: S<'_>, filter: MailQuery) -> CmdResult<MailPage> {
    Ok(state.shop().await?.find_mail(&filter).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn retry_mail(state: S<'_>, id: i64) -> CmdResult<()> {
    Ok(state.shop().await?.retry_mail(id).await?)
}
