//! Discount codes: the list, the new/edit form, disabling and enabling.

use super::S;
use crate::error::{mistakes, CmdResult, Mistakes};
use booth_core::discounts::{Discount, DiscountInput};
use booth_core::shop::parse_utc;

/// The form as typed: times as "2026-12-24" or "2026-12-24T18:00" (UTC), empty for none.
#[derive(serde::Deserialize, specta::Type)]
pub struct DiscountForm {
    code: String,
    /// "20"; empty when the code takes amounts off instead.
    percent_off: String,
    /// "5.00 EUR", one per currency.
    amounts_off: Vec<String>,
    /// Product slugs; none is every product.
    products: Vec<String>,
    starts: String,
    expires: String,
    /// Empty is unlimited.
    max_uses: String,
}

fn input(f: DiscountForm) -> booth_core::Result<DiscountInput> {
    let when = |s: &str, field| {
        Some(s.trim())
            .filter(|s| !s.is_empty())
            .map(|s| parse_utc(s, field))
            .transpose()
    };
    Ok(DiscountInput {
        code: f.code,
        percent_off: Some(f.percent_off).filter(|p| !p.trim().is_empty()),
        amounts_off: f
            .amounts_off
            .into_iter()
            .filter(|a| !a.trim().is_empty())
            .collect(),
        products: f.products,
        starts_at: when(&f.starts, "starts")?,
        expires_at: when(&f.expires, "expires")?,
        max_uses: Some(f.max_uses).filter(|m| !m.trim().is_empty()),
    })
}

#[tauri::command]
#[specta::specta]
pub async fn list_discounts(state: S<'_>) -> CmdResult<Vec<Discount>> {
    Ok(state.shop().await?.discounts().await?)
}

/// Every mistake in the form, each beside its field.
#[tauri::command]
#[specta::specta]
pub async fn validate_discount(state: S<'_>, form: DiscountForm) -> CmdResult<Mistakes> {
    let shop = state.shop().await?;
    Ok(match input(form) {
        Ok(i) => mistakes(shop.check_discount(&i)),
        Err(e) => vec![e.into()],
    })
}

#[tauri::command]
#[specta::specta]
pub async fn add_discount(state: S<'_>, form: DiscountForm) -> CmdResult<Discount> {
    Ok(state.shop().await?.add_discount(&input(form)?).await?)
}

/// Replaces the rules of `code` (the form may rename it).
#[tauri::command]
#[specta::specta]
pub async fn edit_discount(state: S<'_>, code: String, form: DiscountForm) -> CmdResult<Discount> {
    Ok(state
        .shop()
        .await?
        .edit_discount(&code, &input(form)?)
        .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn set_discount_disabled(
    state: S<'_>,
    code: String,
    disabled: bool,
) -> CmdResult<Discount> {
    Ok(state
        .shop()
        .await?
        .set_discount_disabled(&code, disabled)
        .await?)
}
