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
        if let Some(bucket) = Shop::open(data_dir)?.bucket().await? {
            let offsite = bucket.backups().await?;
            println!("In the bucket: {} backup(s).", offsite.len());
            for b in offsite {
                println!("  {}  {}", b.name, format_size(b.bytes));
            }
        }
        return Ok(());
    }
    let shop = Shop::open(data_dir)?;
    let (b, offsite) = match to {
        Some(path) => (shop.backup_to(path).await?, None),
        None => shop.backup_now().await?,
    };
    println!(
        "Backed up {} purchase(s) to {} ({}); integrity check ok.",
        b.purchases,
        b.path.display(),
        format_size(b.bytes)
    );
    match offsite {
        Some(Ok(o)) => println!("Copied to the bucket as {}.", o.name),
        // The local backup stands; the seller hears why the off-site copy didn't.
        Some(Err(e)) => bail!("the backup is made, but its copy to the bucket failed: {e}"),
        None => {}
    }
    Ok(())
}

pub async fn restore(
    data_dir: &Path,
    backup: Option<PathBuf>,
    from_bucket: Option<String>,
) -> anyhow::Result<()> {
    if shop_is_running(data_dir) {
        bail!("the shop is running on this data dir: stop `booth serve` (or the app) first, then restore");
    }
    let backup = match (backup, from_bucket) {
        (Some(path), _) => path,
        (None, Some(name)) => {
            let shop = Shop::open(data_dir)?;
            let Some(bucket) = shop.bucket().await? else {
                bail!("no bucket is set: `booth storage set` first (the same bucket as before)");
            };
            let path = bucket
                .download_backup(&name, &booth_core::backup::dir(data_dir))
                .await?;
            println!("Fetched {name} from the bucket to {}.", path.display());
            drop(shop);
            path
        }
        (None, None) => bail!("name a backup file, or --from-bucket NAME"),
    };
    let aside = booth_core::backup::restore(data_dir, &backup)?;
    let shop = Shop::open(data_dir)?;
    let n = shop.list_purchases(None).await?.len();
    println!("Restored {} ({n} purchase(s)).", backup.display());
    if let Some(aside) = aside {
        println!("The database it replaced is kept as {}.", aside.display());
    }
    Ok(())
}
