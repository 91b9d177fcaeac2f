//! `booth export taxes` (per-country totals for a VAT return) and `booth consent` (the
//! wording EU buyers agree to before paying).

use crate::cli::ConsentCmd;
use booth_core::shop::{format_iso, parse_utc};
use booth_core::Shop;
use std::path::PathBuf;

pub async fn export_taxes(
    shop: &Shop,
    from: &str,
    to: &str,
    test: bool,
    output: Option<PathBuf>,
) -> anyhow::Result<()> {
    let (from, to) = (parse_utc(from, "from")?, parse_utc(to, "to")?);
    let csv = shop.tax_report_csv(from, to, test).await?;
    match output {
        Some(path) => {
            booth_core::owner_only::write(&path, csv.as_bytes())?;
            println!(
                "Wrote {} ({} rows, {} to {}).",
                path.display(),
                csv.lines().count() - 1,
                format_iso(from),
                format_iso(to)
            );
        }
        None => print!("{csv}"),
    }
    Ok(())
}

pub async fn consent(shop: &Shop, cmd: ConsentCmd) -> anyhow::Result<()> {
    match cmd {
        ConsentCmd::List => {
            for w in shop.consent_wordings().await? {
                println!("{} (version {}): {}", w.lang, w.id, w.text);
            }
        }
        ConsentCmd::Set { lang, text } => {
            let w = shop.set_consent_wording(&lang, &text).await?;
            println!("{} is now version {}: {}", w.lang, w.id, w.text);
        }
    }
    Ok(())
}
