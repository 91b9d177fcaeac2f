//! Taxes and EU consent: Stripe Tax settings, the consent wording per language, and the
//! per-country export for a VAT return.

use super::S;
use crate::error::{mistakes, CmdResult, Mistakes};
use booth_core::consent::Wording;
use booth_core::shop::parse_utc;
use booth_core::tax::{TaxRow, TaxSettings};
use std::path::PathBuf;

#[tauri::command]
#[specta::specta]
pub async fn tax_settings(state: S<'_>) -> CmdResult<TaxSettings> {
    Ok(state.shop().await?.tax_settings().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn validate_tax_settings(form: TaxSettings) -> Mistakes {
    mistakes(form.check())
}

#[tauri::command]
#[specta::specta]
pub async fn save_tax_settings(state: S<'_>, form: TaxSettings) -> CmdResult<TaxSettings> {
    Ok(state.shop().await?.save_tax_settings(&form).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn consent_wordings(state: S<'_>) -> CmdResult<Vec<Wording>> {
    Ok(state.shop().await?.consent_wordings().await?)
}

/// A new version of a language's wording; purchases keep the version their buyer saw.
#[tauri::command]
#[specta::specta]
pub async fn set_consent_wording(state: S<'_>, lang: String, text: String) -> CmdResult<Wording> {
    Ok(state
        .shop()
        .await?
        .set_consent_wording(&lang, &text)
        .await?)
}

/// Paid sales per country in [from, to) (days as 2026-10-01, UTC), for the screen.
#[tauri::command]
#[specta::specta]
pub async fn tax_report(state: S<'_>, from: String, to: String) -> CmdResult<Vec<TaxRow>> {
    let (from, to) = (parse_utc(&from, "from")?, parse_utc(&to, "to")?);
    let shop = state.shop().await?;
    Ok(shop.tax_report(from, to, test_mode(&shop)).await?)
}

/// The same as CSV at `path` (0600); returns how many rows.
#[tauri::command]
#[specta::specta]
pub async fn export_taxes(
    state: S<'_>,
    from: String,
    to: String,
    path: PathBuf,
) -> CmdResult<usize> {
    let (from, to) = (parse_utc(&from, "from")?, parse_utc(&to, "to")?);
    let shop = state.shop().await?;
    let csv = shop.tax_report_csv(from, to, test_mode(&shop)).await?;
    booth_core::owner_only::write(&path, csv.as_bytes()).map_err(|e| {
        booth_core::Error::invalid("path", format!("can't write {}: {e}", path.display()))
    })?;
    Ok(csv.lines().count().saturating_sub(1))
}

/// Like the dashboard: a shop taking test (or simulated) payments reports its test sales.
fn test_mode(shop: &booth_core::Shop) -> bool {
    shop.payments().map(|p| p.test_mode()).unwrap_or(true)
}
