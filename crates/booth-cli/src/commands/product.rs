//! `booth product`: add, list, edit, add a file, upload a new version, archive, remove a
//! file.

use crate::cli::ProductCmd;
use crate::output;

use booth_core::catalog::ProductEditInput;
use booth_core::{ProductInput, Shop};

pub async fn product(shop: &Shop, cmd: ProductCmd) -> anyhow::Result<()> {
    match cmd {
        ProductCmd::Add {
            name,
            price,
            currency,
            min_price,
            tax_code,
            files,
            limit,
            licenses,
            stamp,
            slug,
            description,
            inactive,
        } => {
            let bar = output::transfer_bar(shop);
            let p = shop
                .add_product(ProductInput {
                    licenses,
                    stamp,
                    name,
                    slug,
                    description,
                    price,
                    currency,
                    min_price,
                    tax_code,
                    limit: Some(limit),
                    active: !inactive,
                    files,
                })
                .await;
            bar.finish();
            let p = p?;
            println!("Added {} ({}) at {}", p.name, p.slug, p.price().format());
            println!("  buy link: {}/buy/{}", shop.public_url(), p.slug);
        }
        ProductCmd::List { json } => {
            let list = shop.list_products(false).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else if list.is_empty() {
                println!("No products yet. Add one with: booth product add --name \"My e-book\" --price 9.99 --file book.pdf");
            }
            for p in list.iter().filter(|_| !json) {
                output::print_product(p);
            }
        }
        ProductCmd::Edit {
            slug,
            name,
            new_slug,
            description,
            price,
            currency,
            min_price,
            tax_code,
            limit,
            licenses,
            stamp,
            active,
        } => {
            // The core checks it, as it does the window's form.
            let edit = ProductEditInput {
                name,
                slug: new_slug,
                description,
                price,
                currency,
                min_price,
                tax_code,
                limit,
                licenses,
                stamp,
                active,
            };
            let p = shop.edit_product_input(&slug, edit).await?;
            println!("Updated {} ({}) at {}", p.name, p.slug, p.price().format());
        }
        ProductCmd::AddFile { slug, path } => {
            let bar = output::transfer_bar(shop);
            let p = shop.add_file(&slug, path).await;
            bar.finish();
            let p = p?;
            println!("{} now has {} file(s).", p.slug, p.files.len());
        }
        ProductCmd::NewVersion {
            slug,
            file,
            path,
            label,
            notes,
            notes_file,
        } => {
            let notes = match (notes, notes_file) {
                (Some(n), _) => n,
                (None, Some(p)) => read_notes(&p)?,
                (None, None) => String::new(),
            };
            let bar = output::transfer_bar(shop);
            let v = shop.new_version(&slug, &file, path, label, &notes).await;
            bar.finish();
            let v = v?;
            println!("Uploaded version {v} of '{file}'. Buyers' links now serve it.");
            // The window's nudge, in the same words, with the command that does it.
            let news = shop.version_news(&slug, &file).await?;
            if let Some(nudge) = news.nudge {
                let test = if news.buyers == 0 {
                    " --include-test"
                } else {
                    ""
                };
                println!("{nudge}  booth send-update --product {}{test}", news.slug);
            }
        }
        ProductCmd::Archive { slug } => {
            let p = shop.archive_product(&slug).await?;
            println!(
                "Archived {} ({}): off the shop; its buyers keep their downloads.",
                p.name, p.slug
            );
        }
        ProductCmd::Unarchive { slug } => {
            let p = shop.unarchive_product(&slug).await?;
            let state = if p.for_sale() {
                "for sale again"
            } else {
                "back, not for sale (inactive or no files)"
            };
            println!("Unarchived {} ({}): {state}.", p.name, p.slug);
        }
        ProductCmd::RemoveFile { slug, file_id } => {
            let id = file_id.trim().parse::<i64>().map_err(|_| {
                anyhow::anyhow!(
                    "'{file_id}' is not a file id: use the number after # in `booth product list`"
                )
            })?;
            let p = shop.remove_file(&slug, id).await?;
            println!(
                "Removed file #{id} from {}: new buyers get {} file(s); earlier buyers keep it.",
                p.slug,
                p.files.len()
            );
        }
    }
    Ok(())
}

/// A release notes file: text, read no further than the core would accept.
fn read_notes(path: &std::path::Path) -> anyhow::Result<String> {
    use anyhow::Context;
    use std::io::Read;
    let mut text = String::new();
    std::fs::File::open(path)
        .with_context(|| format!("can't open {}", path.display()))?
        .take(64 * 1024)
        .read_to_string(&mut text)
        .with_context(|| format!("{} is not a text file", path.display()))?;
    Ok(text)
}
