//! Update mailings: preview, send, watch, cancel.

use super::S;
use crate::error::{mistakes, CmdResult, Mistakes};
use booth_core::mailing::{self, Failure, MailingSummary};
use booth_core::shop::{MailingPreview, MailingRequest, VersionNews};
use serde::Deserialize;

/// The mailing form as typed.
#[derive(Deserialize, specta::Type)]
pub struct MailingForm {
    product: String,
    /// Empty: the default "<product>: a new version is out".
    subject: String,
    message: String,
    include_test: bool,
}

impl From<MailingForm> for MailingRequest {
    fn from(f: MailingForm) -> MailingRequest {
        MailingRequest {
            product: f.product,
            subject: Some(f.subject).filter(|s| !s.trim().is_empty()),
            message: f.message,
            include_test: f.include_test,
        }
    }
}

/// The subject and message (the product is picked from a list).
#[tauri::command]
#[specta::specta]
pub async fn validate_mailing(request: MailingForm) -> Mistakes {
    let r = MailingRequest::from(request);
    mistakes(mailing::check_text(r.subject.as_deref(), &r.message))
}

#[tauri::command]
#[specta::specta]
pub async fn preview_mailing(state: S<'_>, request: MailingForm) -> CmdResult<MailingPreview> {
    Ok(state.shop().await?.preview_mailing(request.into()).await?)
}

/// After a new version of a file (its id or name): whom a mailing would tell, and the
/// nudge to send one, in the core's words.
#[tauri::command]
#[specta::specta]
pub async fn version_news(state: S<'_>, slug: String, file: String) -> CmdResult<VersionNews> {
    Ok(state.shop().await?.version_news(&slug, &file).await?)
}

/// Queues the mailing; the running shop's outbox worker sends it.
#[tauri::command]
#[specta::specta]
pub async fn send_mailing(state: S<'_>, request: MailingForm) -> CmdResult<MailingSummary> {
    Ok(state
        .running_shop()
        .await?
        .create_mailing(request.into())
        .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn mailings(state: S<'_>) -> CmdResult<Vec<MailingSummary>> {
    Ok(state.shop().await?.mailings().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn mailing(state: S<'_>, id: i64) -> CmdResult<MailingSummary> {
    Ok(state.shop().await?.mailing(id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn mailing_failures(state: S<'_>, id: i64) -> CmdResult<Vec<Failure>> {
    Ok(state.shop().await?.mailing_failures(id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn cancel_mailing(state: S<'_>, id: i64) -> CmdResult<usize> {
    Ok(state.shop().await?.cancel_mailing(id).await?)
}
