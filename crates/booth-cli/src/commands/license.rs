//! `booth license`: the seller's side of license keys (list, show, free, disable, enable,
//! limit), the public key apps check license files with, and checking a file as an app would.
//! `booth feed`: the update feeds' keys and URLs.

use crate::cli::{FeedCmd, LicenseCmd};
use crate::output::print_license_state;
use anyhow::Context;
use booth_core::licenses::{file, License};
use booth_core::Shop;

pub async fn license(shop: &Shop, cmd: LicenseCmd) -> anyhow::Result<()> {
    match cmd {
        LicenseCmd::List {
            product,
            limit,
            json,
        } => {
            let list = shop.licenses(product.as_deref(), limit).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else if list.is_empty() {
                println!("No license keys yet. A product gives them with: booth product edit <slug> --licenses 3");
            }
            for l in list.iter().filter(|_| !json) {
                print_license(l);
            }
        }
        LicenseCmd::Show { key, json } => {
            let l = shop.license(&key).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&l)?);
            } else {
                print_license(&l);
            }
        }
        LicenseCmd::Free { instance_id } => {
            let l = shop.free_license_instance(&instance_id).await?;
            println!("Freed {instance_id}.");
            print_license(&l);
        }
        LicenseCmd::Disable { key } => {
            let l = shop.set_license_disabled(&key, true).await?;
            println!("Disabled {}: it fails validation from now on.", l.key);
        }
        LicenseCmd::Enable { key } => {
            let l = shop.set_license_disabled(&key, false).await?;
            println!("Enabled {}.", l.key);
            print_license(&l);
        }
        LicenseCmd::Limit { key, activations } => {
            let l = shop.set_license_limit(&key, &activations).await?;
            print_license(&l);
        }
        LicenseCmd::PublicKey => {
            let k = shop.license_public_key().await?;
            println!("{}", k.public_key);
            eprintln!(
                "(Ed25519, key id {}; apps check license files with it: docs/licenses.md)",
                k.key_id
            );
        }
        LicenseCmd::Verify { file: path } => {
            // A license file is a few hundred bytes: read at most a little more than the
            // core accepts, so a huge file is refused without filling memory.
            use std::io::Read;
            let mut text = String::new();
            std::fs::File::open(&path)
                .with_context(|| format!("can't open {}", path.display()))?
                .take(64 * 1024)
                .read_to_string(&mut text)
                .with_context(|| format!("{} is not a text file", path.display()))?;
            let key = shop.license_public_key().await?;
            let p = file::verify(&key.public_key, &text)?;
            let expired = p.expires_at < booth_core::db::now();
            println!(
                "Signed by this shop: {} for {} on \"{}\" ({}), issued {}, {} {}.",
                p.license_key,
                p.product,
                p.instance_name,
                p.instance_id,
                booth_core::shop::format_iso(p.issued_at),
                if expired {
                    "expired"
                } else {
                    "good offline until"
                },
                booth_core::shop::format_iso(p.expires_at)
            );
        }
    }
    Ok(())
}

fn print_license(l: &License) {
    println!(
        "{} {} (purchase {}, {}){}",
        l.product_slug,
        l.email,
        l.purchase_id,
        l.status(),
        if l.test { " [test]" } else { "" }
    );
    print_license_state(l);
}

pub async fn feed(shop: &Shop, cmd: FeedCmd) -> anyhow::Result<()> {
    match cmd {
        FeedCmd::Keys { json } => {
            let k = shop.update_keys().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&k)?);
            } else {
                println!("Sparkle (SUPublicEDKey):        {}", k.sparkle);
                println!("Tauri (plugins.updater.pubkey): {}", k.tauri);
                print!("minisign public key file:\n{}", k.minisign);
            }
        }
        FeedCmd::Urls { slug } => {
            let p = shop
                .product(&slug)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no product with the slug '{slug}'"))?;
            let base = format!("{}/feeds/{}", shop.public_url(), p.slug);
            println!("JSON feed:      {base}/versions.json?key=LICENSE_KEY");
            println!("Sparkle:        {base}/appcast.xml?key=LICENSE_KEY&file=FILE");
            println!("Tauri updater:  {base}/tauri/{{{{target}}}}-{{{{arch}}}}?key=LICENSE_KEY");
            println!("(or ?token=PURCHASE_TOKEN instead of a key; docs/updates.md)");
        }
    }
    Ok(())
}
