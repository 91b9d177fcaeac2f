//! `booth storage`: where product files and backups live.

use crate::cli::StorageCmd;
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
