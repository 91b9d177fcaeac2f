//! `booth settings`: show them, or set one.

use crate::cli::SettingsCmd;
use booth_core::Shop;
use std::path::Path;

pub async fn settings(data_dir: &Path, action: Option<SettingsCmd>) -> anyhow::Result<()> {
    let shop = Shop::open(data_dir)?;
    if let Some(SettingsCmd::Set { key, value }) = action {
        shop.set_setting(&key, &value).await?;
    }
    let info = shop.store_info().await?;
    println!("store_name     {}", info.store_name);
    println!("from_address   {}", info.from_address);
    println!("support_email  {}", info.support_email);
    match shop.configured_url() {
        Some(url) => println!("public_url     {url}"),
        None => println!(
            "public_url     (not set: links use the tunnel's address, else the listen address)"
        ),
    }
    println!("data_dir       {}", data_dir.display());
    Ok(())
}

/// `booth pause` / `booth resume`: the running shop reads it at its next request.
pub async fn pause(data_dir: &Path, paused: bool) -> anyhow::Result<()> {
    let shop = Shop::open(data_dir)?;
    let was = shop.sales_paused().await?;
    shop.set_sales_paused(paused).await?;
    match (paused, was) {
        (true, true) => println!("Sales were already paused."),
        (true, false) => println!(
            "Sales paused: the storefront, product pages and Buy links say \"back soon\" (503). \
             Downloads, receipts, webhooks and mailings carry on. `booth resume` to sell again."
        ),
        (false, false) => println!("Sales weren't paused; the shop is selling."),
        (false, true) => println!("Sales resumed: the shop is selling again."),
    }
    Ok(())
}
