//! `booth discount`: add, list, edit, disable and enable discount codes.

use crate::cli::{DiscountCmd, DiscountRules};
use booth_core::discounts::{Discount, DiscountInput};
use booth_core::shop::{format_iso, parse_utc};
use booth_core::Shop;

pub async fn discount(shop: &Shop, cmd: DiscountCmd) -> anyhow::Result<()> {
    match cmd {
        DiscountCmd::Add { code, rules } => {
            let d = shop.add_discount(&input(code, rules)?).await?;
            println!("Added {}: {}", d.code, line(&d));
            println!(
                "  share: {}/p/<product>?code={}  (or type it on the product page)",
                shop.public_url(),
                d.code
            );
        }
        DiscountCmd::List { json } => {
            let list = shop.discounts().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else if list.is_empty() {
                println!(
                    "No discount codes yet. Add one with: booth discount add LAUNCH --percent 20"
                );
            }
            for d in list.iter().filter(|_| !json) {
                println!("{:<16} {}", d.code, line(d));
            }
        }
        DiscountCmd::Edit {
            code,
            new_code,
            rules,
        } => {
            let name = new_code.unwrap_or_else(|| code.clone());
            let d = shop.edit_discount(&code, &input(name, rules)?).await?;
            println!("Updated {}: {}", d.code, line(&d));
        }
        DiscountCmd::Disable { code } => {
            let d = shop.set_discount_disabled(&code, true).await?;
            println!("Disabled {}; {} purchase(s) used it.", d.code, d.uses);
        }
        DiscountCmd::Enable { code } => {
            let d = shop.set_discount_disabled(&code, false).await?;
            println!("Enabled {}: {}", d.code, line(&d));
        }
    }
    Ok(())
}

fn input(code: String, r: DiscountRules) -> anyhow::Result<DiscountInput> {
    Ok(DiscountInput {
        code,
        percent_off: r.percent,
        amounts_off: r.amount,
        products: r.products,
        starts_at: r
            .starts
            .as_deref()
            .map(|s| parse_utc(s, "starts"))
            .transpose()?,
        expires_at: r
            .expires
            .as_deref()
            .map(|s| parse_utc(s, "expires"))
            .transpose()?,
        max_uses: r.max_uses,
    })
}

/// "20% off · every product · 3/100 used · until 2027-01-01T00:00:00Z".
fn line(d: &Discount) -> String {
    let mut parts = vec![d.describe()];
    parts.push(if d.products.is_empty() {
        "every product".into()
    } else {
        d.products.join(", ")
    });
    parts.push(match d.max_uses {
        Some(max) => format!("{}/{max} used", d.uses),
        None => format!("{} used", d.uses),
    });
    if let Some(s) = d.starts_at {
        parts.push(format!("from {}", format_iso(s)));
    }
    if let Some(e) = d.expires_at {
        parts.push(format!("until {}", format_iso(e)));
    }
    if d.disabled {
        parts.push("disabled".into());
    }
    parts.join(" · ")
}
