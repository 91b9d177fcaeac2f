//! `booth backup` (now, to a file, or list them) and `booth restore`.

use crate::commands::shop_is_running;
use crate::output;
use anyhow::bail;
use booth_core::domain::format_size;
use booth_core::Shop;
use std::path::{Path, PathBuf};

pub async fn backup(data_dir: &Path, to: Option<PathBuf>, list: bool) -> anyhow::Result<()> {
    if list {
        let all = booth_core::backup::list(data_dir)?;
        if all.is_empty() {
            println!(
                "No backups in {} yet.",
                booth_core::backup::dir(data_dir).display()
            );
        }
        for b in all {
            println!("{}", output::backup_line(&b));
        }
        return Ok(());
    }
    let shop = Shop::open(data_dir)?;
    let b = match to {
        Some(path) => shop.backup_to(path).await?,
        None => shop.backup_now().await?,
    };
    println!(
        "Backed up {} purchase(s) to {} ({}); integrity check ok.",
        b.purchases,
        b.path.display(),
        format_size(b.bytes)
    );
    Ok(())
}

pub async fn restore(data_dir: &Path, backup: PathBuf) -> anyhow::Result<()> {
    if shop_is_running(data_dir) {
        bail!("the shop is running on this data dir: stop `booth serve` (or the app) first, then restore");
    }
    let aside = booth_core::backup::restore(data_dir, &backup)?;
    let shop = Shop::open(data_dir)?;
    let n = shop.list_purchases(None).await?.len();
    println!("Restored {} ({n} purchase(s)).", backup.display());
    if let Some(aside) = aside {
        println!("The database it replaced is kept as {}.", aside.display());
    }
    Ok(())
}
