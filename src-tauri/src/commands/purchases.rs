//! Purchases: search and the filter bar, the detail, the seller's actions on one, giving a copy, the CSV.

use super::S;
use crate::error::{mistake, CmdError, CmdResult, Mistakes};
use booth_core::domain::{parse_download_limit, Email};
use booth_core::purchase_filter::{PurchasePage, PurchaseQuery};
use booth_core::purchases::Purchase;
use booth_core::shop::PurchaseDetail;
use std::path::PathBuf;

/// `query`: part of an email, or a token; "" lists all (newest first, up to 500).
#[tauri::command]
#[specta::specta]
pub async fn list_purchases(state: S<'_>, query: String) -> CmdResult<Vec<Purchase>> {
    Ok(state.shop().await?.search_purchases(&query).await?)
}

/// A page of the purchases the filter bar matches, newest first; `filter.after` is the
/// previous page's `next`.
#[tauri::command]
#[specta::specta]
pub async fn find_purchases(state: S<'_>, filter: PurchaseQuery) -> CmdResult<PurchasePage> {
    Ok(state.shop().await?.find_purchases(&filter).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn purchase_detail(state: S<'_>, token: String) -> CmdResult<PurchaseDetail> {
    Ok(state.shop().await?.purchase_detail(&token).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn reset_downloads(state: S<'_>, token: String) -> CmdResult<Purchase> {
    Ok(state.shop().await?.reset_downloads(&token).await?)
}

/// A download limit as typed: a whole number or "unlimited".
#[tauri::command]
#[specta::specta]
pub async fn validate_limit(limit: String) -> Mistakes {
    mistake(parse_download_limit(&limit))
}

#[tauri::command]
#[specta::specta]
pub async fn set_download_limit(state: S<'_>, token: String, limit: String) -> CmdResult<Purchase> {
    Ok(state
        .shop()
        .await?
        .set_download_limit(&token, &limit)
        .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn resend_receipt(state: S<'_>, token: String) -> CmdResult<()> {
    state.shop().await?.resend_receipt(&token).await?;
    Ok(())
}

/// `product`: a slug to revoke one item, null for the whole purchase.
#[tauri::command]
#[specta::specta]
pub async fn revoke(state: S<'_>, token: String, product: Option<String>) -> CmdResult<Purchase> {
    Ok(state
        .shop()
        .await?
        .revoke(&token, product.as_deref())
        .await?)
}

/// A refund's amount in the major unit ("4.50"), against what is left of the purchase;
/// null (or "") refunds all of it.
#[tauri::command]
#[specta::specta]
pub async fn validate_refund(
    state: S<'_>,
    token: String,
    amount: Option<String>,
) -> CmdResult<Mistakes> {
    let purchase = state.shop().await?.purchase(&token).await?;
    let purchase = purchase.ok_or_else(|| CmdError::new("not_found", "no such purchase"))?;
    Ok(mistake(purchase.refund_amount(refund_amount(&amount))))
}

/// `amount` in the major unit ("4.50"); null refunds everything not yet refunded.
#[tauri::command]
#[specta::specta]
pub async fn refund(state: S<'_>, token: String, amount: Option<String>) -> CmdResult<Purchase> {
    Ok(state
        .running_shop()
        .await?
        .refund(&token, refund_amount(&amount))
        .await?)
}

fn refund_amount(typed: &Option<String>) -> Option<&str> {
    typed.as_deref().filter(|a| !a.trim().is_empty())
}

/// The address a copy would go to.
#[tauri::command]
#[specta::specta]
pub async fn validate_grant(email: String) -> Mistakes {
    mistake(Email::parse(&email))
}

#[tauri::command]
#[specta::specta]
pub async fn grant(state: S<'_>, slug: String, email: String) -> CmdResult<Purchase> {
    Ok(state.shop().await?.grant(&slug, &email).await?)
}

/// Writes the CSV to `path`; answers the number of purchases written.
#[tauri::command]
#[specta::specta]
pub async fn export_csv(state: S<'_>, path: PathBuf) -> CmdResult<usize> {
    if !path.is_absolute() {
        return Err(CmdError::invalid("path", "choose where to save the file"));
    }
    Ok(state.shop().await?.export_csv_to(path).await?)
}
