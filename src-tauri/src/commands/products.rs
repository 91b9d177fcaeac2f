//! Products: the list, the new/edit form, files and versions, links, a test purchase.

use super::S;
use crate::error::{mistake, mistakes, CmdError, CmdResult, Mistakes};
use booth_core::catalog::{self, Product, ProductEditInput};
use booth_core::domain::{escape_html, Slug};
use booth_core::ProductInput;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use tauri::{AppHandle, Manager, WebviewUrl, WebviewWindowBuilder};

/// What the seller typed to create a product; the core parses it (price "9.99" in the
/// major unit, limit "5" or "unlimited").
#[derive(Deserialize, specta::Type)]
pub struct ProductForm {
    name: String,
    slug: Option<String>,
    description: String,
    price: String,
    currency: String,
    /// Pay what you want from this amount; empty for a fixed price.
    #[serde(default)]
    min_price: String,
    /// A Stripe tax code (txcd_…, or ebook, software, digital); empty for the shop's default.
    #[serde(default)]
    tax_code: String,
    limit: String,
    /// Activations per license key ("1" to "1000"); empty or "off" for no license keys.
    #[serde(default)]
    licenses: String,
    /// The line every page of its PDFs is stamped with for each buyer ({email}, {date}),
    /// "on" for the default wording; empty or "off" for no stamping.
    #[serde(default)]
    stamp: String,
    active: bool,
    /// Absolute paths of files to copy in (from the file picker or drag and drop).
    files: Vec<PathBuf>,
}

impl From<ProductForm> for ProductInput {
    fn from(f: ProductForm) -> ProductInput {
        ProductInput {
            name: f.name,
            slug: f.slug.filter(|s| !s.trim().is_empty()),
            description: f.description,
            price: f.price,
            currency: f.currency,
            min_price: Some(f.min_price).filter(|m| !m.trim().is_empty()),
            tax_code: Some(f.tax_code).filter(|c| !c.trim().is_empty()),
            limit: Some(f.limit).filter(|l| !l.trim().is_empty()),
            licenses: Some(f.licenses).filter(|l| !l.trim().is_empty()),
            stamp: Some(f.stamp).filter(|s| !s.trim().is_empty()),
            active: f.active,
            files: f.files,
        }
    }
}

#[tauri::command]
#[specta::specta]
pub async fn list_products(state: S<'_>) -> CmdResult<Vec<Product>> {
    Ok(state.shop().await?.list_products(false).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn validate_product(input: ProductForm) -> Mistakes {
    mistakes(ProductInput::from(input).check())
}

#[tauri::command]
#[specta::specta]
pub async fn create_product(state: S<'_>, input: ProductForm) -> CmdResult<Product> {
    Ok(state.shop().await?.add_product(input.into()).await?)
}

/// The changes to a product, checked against it as it is (only the fields present change).
#[tauri::command]
#[specta::specta]
pub async fn validate_product_edit(
    state: S<'_>,
    slug: String,
    edit: ProductEditInput,
) -> CmdResult<Mistakes> {
    let current = state.shop().await?.product(&slug).await?;
    let current = current
        .ok_or_else(|| CmdError::new("not_found", format!("no product with the slug '{slug}'")))?;
    Ok(mistakes(edit.check(&current)))
}

#[tauri::command]
#[specta::specta]
pub async fn edit_product(
    state: S<'_>,
    slug: String,
    edit: ProductEditInput,
) -> CmdResult<Product> {
    Ok(state.shop().await?.edit_product_input(&slug, edit).await?)
}

/// The slug the core would make of a name ("The Book, 2nd ed." → "the-book-2nd-ed"), or ""
/// when it can't make one.
#[tauri::command]
#[specta::specta]
pub async fn suggest_slug(name: String) -> String {
    Slug::from_name(&name)
        .map(|s| s.as_str().to_string())
        .unwrap_or_default()
}

#[tauri::command]
#[specta::specta]
pub async fn add_files(state: S<'_>, slug: String, paths: Vec<PathBuf>) -> CmdResult<Product> {
    let shop = state.shop().await?;
    if paths.is_empty() {
        return Err(CmdError::invalid("file", "choose at least one file"));
    }
    let mut product = None;
    for path in paths {
        product = Some(shop.add_file(&slug, path).await?);
    }
    Ok(product.expect("at least one file"))
}

/// Takes the product off the shop and the Products list; its buyers keep everything.
#[tauri::command]
#[specta::specta]
pub async fn archive_product(state: S<'_>, slug: String) -> CmdResult<Product> {
    Ok(state.shop().await?.archive_product(&slug).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn unarchive_product(state: S<'_>, slug: String) -> CmdResult<Product> {
    Ok(state.shop().await?.unarchive_product(&slug).await?)
}

/// Stops giving the file to new buyers; those who bought it keep it.
#[tauri::command]
#[specta::specta]
pub async fn remove_file(state: S<'_>, slug: String, file_id: i64) -> CmdResult<Product> {
    Ok(state.shop().await?.remove_file(&slug, file_id).await?)
}

/// A new version's label ("" is fine: the next number) and its release notes ("" for none).
#[tauri::command]
#[specta::specta]
pub async fn validate_version(version: String, notes: String) -> Mistakes {
    let mut found =
        version_label(version).map_or_else(Vec::new, |l| mistake(catalog::check_version_label(&l)));
    found.extend(mistake(catalog::check_release_notes(&notes)));
    found
}

/// `file` is the file's display name or id; version "" means the next number; `notes` are
/// the release notes ("" for none: feeds and the update email show them). Answers the new
/// version's label.
#[tauri::command]
#[specta::specta]
pub async fn new_version(
    state: S<'_>,
    slug: String,
    file: String,
    path: PathBuf,
    version: String,
    notes: String,
) -> CmdResult<String> {
    let shop = state.shop().await?;
    Ok(shop
        .new_version(&slug, &file, path, version_label(version), &notes)
        .await?)
}

fn version_label(typed: String) -> Option<String> {
    Some(typed).filter(|v| !v.trim().is_empty())
}

#[derive(Serialize, specta::Type)]
pub struct ProductLinks {
    page_url: String,
    buy_url: String,
    /// An HTML snippet: a styled <a> button linking to buy_url.
    button_html: String,
}

#[tauri::command]
#[specta::specta]
pub async fn product_links(state: S<'_>, slug: String) -> CmdResult<ProductLinks> {
    let shop = state.shop().await?;
    let p = shop
        .product(&slug)
        .await?
        .ok_or_else(|| CmdError::new("not_found", format!("no product with the slug '{slug}'")))?;
    let base = shop.public_url();
    let buy_url = format!("{base}/buy/{}", p.slug);
    let label = format!("Buy {} – {}", p.name, p.price().format());
    Ok(ProductLinks {
        page_url: format!("{base}/p/{}", p.slug),
        button_html: format!(
            "<a href=\"{buy_url}\" style=\"display:inline-block;padding:12px 22px;border-radius:8px;background:#4f46e5;color:#fff;font:600 16px/1.2 system-ui,sans-serif;text-decoration:none\">{}</a>",
            escape_html(&label)
        ),
        buy_url,
    })
}

/// Opens the product's checkout (the simulator's, or Stripe's in test mode) in a second
/// window. It has no access to commands: it is a web page like any buyer sees.
#[tauri::command]
#[specta::specta]
pub async fn open_test_purchase(app: AppHandle, state: S<'_>, slug: String) -> CmdResult<()> {
    let shop = state.running_shop().await?;
    if shop.payments().is_ok_and(|p| !p.test_mode()) {
        return Err(CmdError::new(
            "conflict",
            "The shop takes live payments: a test purchase would charge a real card. Switch payments to simulated or Stripe test mode in Settings.",
        ));
    }
    let req = booth_core::quote::CheckoutRequest::one(&slug);
    let booth_core::CheckoutStart::Pay(url) = shop.start_checkout(&req).await? else {
        return Err(CmdError::new(
            "conflict",
            "This product costs nothing at its suggested price: there is no payment to try.",
        ));
    };
    let url = url::Url::parse(&url)
        .map_err(|e| CmdError::new("payment_provider", format!("bad checkout URL: {e}")))?;
    if let Some(old) = app.get_webview_window("checkout") {
        old.destroy()?;
    }
    WebviewWindowBuilder::new(&app, "checkout", WebviewUrl::External(url))
        .title("Test purchase – Booth")
        .inner_size(880.0, 780.0)
        .build()?;
    Ok(())
}
