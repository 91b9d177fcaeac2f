//! `booth storage`: where product files and backups live.

use crate::cli::StorageCmd;
use crate::output::transfer_bar;
use booth_core::domain::format_size;
use booth_core::storage::{BucketSpec, StorageInput};
use booth_core::Shop;

pub async fn storage(shop: &Shop, cmd: StorageCmd) -> anyhow::Result<()> {
    match cmd {
        StorageCmd::Set {
            endpoint,
            region,
            bucket,
            prefix,
            access_key_id,
            secret_access_key,
        } => {
            let input = StorageInput {
                endpoint,
                region,
                bucket,
                prefix,
                access_key_id,
            };
            println!("Trying the bucket (write, read back, delete a probe)…");
            let spec = shop
                .set_storage(&input, secret_access_key.as_deref())
                .await?;
            println!("Saved: {}", describe(&spec));
        }
        StorageCmd::Check => {
            let spec = shop.check_storage().await?;
            println!(
                "The bucket works (wrote, read back and deleted a probe): {}",
                describe(&spec)
            );
        }
        StorageCmd::Show => match shop.storage().await? {
            Some(spec) => println!("{}", describe(&spec)),
            None => println!(
                "Files and backups live in the data dir ({}).",
                shop.data_dir().display()
            ),
        },
        StorageCmd::Local => {
            shop.use_local_storage().await?;
            println!("Storage: the data dir. The bucket's secret is forgotten.");
        }
        StorageCmd::Migrate { to } => {
            let bar = transfer_bar(shop);
            let (done, place) = if to == "local" {
                (
                    shop.migrate_to_local().await,
                    "the data dir (now the storage)",
                )
            } else {
                (shop.migrate_to_bucket().await, "the bucket")
            };
            bar.finish();
            let done = done?;
            println!(
                "Copied {} file(s), {}, to {place}; {} were there already.",
                done.files,
                format_size(done.bytes),
                done.already
            );
        }
        StorageCmd::FreeLocal => {
            let booth_core::shop::Freed { files, bytes } = shop.free_local_copies().await?;
            println!(
                "Deleted the data-dir copies of {files} file(s) the bucket holds ({}).",
                format_size(bytes)
            );
        }
    }
    Ok(())
}

fn describe(spec: &BucketSpec) -> String {
    let prefix = match spec.prefix.as_str() {
        "" => String::new(),
        p => format!("/{p}"),
    };
    format!(
        "bucket {}{prefix} at {} (region {}, key {})",
        spec.bucket, spec.endpoint, spec.region, spec.access_key_id
    )
}
