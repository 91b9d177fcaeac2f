//! Purchases: `booth purchases`, `booth purchase …` (show, reset, limit, resend, revoke,
//! refund), `booth grant` and `booth export purchases`.

use crate::cli::{PurchaseCmd, PurchaseFlags};
use crate::output::{self, purchase_line};
use anyhow::{anyhow, bail};
use booth_core::payments::{Payments, StripeConfig};
use booth_core::purchase_filter::{PurchaseFilter, PurchaseQuery};
use booth_core::purchases::Purchase;
use booth_core::Shop;
use std::path::{Path, PathBuf};

pub async fn purchases(
    data_dir: &Path,
    email: Option<String>,
    flags: PurchaseFlags,
    json: bool,
) -> anyhow::Result<()> {
    let shop = Shop::open(data_dir)?;
    let query = PurchaseQuery::from(flags);
    let filtered = PurchaseFilter::try_from(&query).map_err(flag_error)? != no_filter();
    let list = if email.is_some() || !filtered {
        shop.list_purchases(email.as_deref()).await?
    } else {
        every_page(&shop, query).await?
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&list)?);
    } else if list.is_empty() {
        println!(
            "{}",
            if email.is_some() {
                "No purchases for that email."
            } else if filtered {
                "No purchases match."
            } else {
                "No purchases yet."
            }
        );
    } else {
        for p in &list {
            println!("{}", purchase_line(p));
        }
    }
    Ok(())
}

impl From<PurchaseFlags> for PurchaseQuery {
    fn from(f: PurchaseFlags) -> PurchaseQuery {
        let test = match (f.test, f.live) {
            (true, _) => "test",
            (_, true) => "live",
            _ => "",
        };
        PurchaseQuery {
            text: f.search.unwrap_or_default(),
            status: f.status.unwrap_or_default(),
            product: f.product.unwrap_or_default(),
            source: f.source.unwrap_or_default(),
            test: test.into(),
            from: f.from.unwrap_or_default(),
            to: f.to.unwrap_or_default(),
            after: None,
            limit: Some(booth_core::filter::MAX_PAGE),
        }
    }
}

fn no_filter() -> PurchaseFilter {
    PurchaseFilter::try_from(PurchaseQuery::from(PurchaseFlags::default())).expect("no filter")
}

/// A flag the core refused, named as typed.
fn flag_error(e: booth_core::Error) -> anyhow::Error {
    match e {
        booth_core::Error::Invalid { field, message } => {
            let flag = if field == "text" { "search" } else { field };
            anyhow!("--{flag}: {message}")
        }
        e => e.into(),
    }
}

/// Every purchase the filter matches, a page at a time.
async fn every_page(shop: &Shop, mut query: PurchaseQuery) -> anyhow::Result<Vec<Purchase>> {
    let mut all = Vec::new();
    loop {
        let page = shop.find_purchases(&query).await.map_err(flag_error)?;
        all.extend(page.purchases);
        match page.next {
            Some(next) => query.after = Some(next),
            None => return Ok(all),
        }
    }
}

pub async fn purchase(data_dir: &Path, cmd: PurchaseCmd) -> anyhow::Result<()> {
    let shop = Shop::open(data_dir)?;
    match cmd {
        PurchaseCmd::Show { token, json } => {
            let d = shop.purchase_detail(&token).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&d)?);
                return Ok(());
            }
            output::print_purchase(&d);
        }
        PurchaseCmd::ResetDownloads { token } => {
            shop.reset_downloads(&token).await?;
            println!("Downloads reset for {token}.");
        }
        PurchaseCmd::SetLimit { token, limit } => {
            let p = shop.set_download_limit(&token, &limit).await?;
            let now = p
                .items
                .first()
                .and_then(|i| i.download_limit)
                .map(|l| l.to_string())
                .unwrap_or_else(|| "unlimited".into());
            println!("Download limit for {token} is now {now}.");
        }
        PurchaseCmd::Resend { token } => {
            shop.resend_receipt(&token).await?;
            send_now(&shop).await;
        }
        PurchaseCmd::Revoke { token, product } => {
            let p = shop.revoke(&token, product.as_deref()).await?;
            println!("{}", purchase_line(&p));
        }
        PurchaseCmd::Refund { token, amount } => {
            // Check the purchase before reaching for Stripe, so a typo gets the right error.
            let p = shop.purchase_detail(&token).await?.purchase;
            if p.payment_intent_id.is_none() {
                bail!("this purchase wasn't paid through Stripe (a complimentary copy?); revoke it instead");
            }
            let shop = with_payments(&shop)?;
            let p = shop.refund(&token, amount.as_deref()).await?;
            println!("{}", purchase_line(&p));
        }
    }
    Ok(())
}

pub async fn grant(data_dir: &Path, product: String, email: String) -> anyhow::Result<()> {
    let shop = Shop::open(data_dir)?;
    let p = shop.grant(&product, &email).await?;
    send_now(&shop).await;
    println!("{}", shop.purchase_url(&p.token));
    Ok(())
}

pub async fn export(data_dir: &Path, output: Option<PathBuf>) -> anyhow::Result<()> {
    let shop = Shop::open(data_dir)?;
    match output {
        Some(path) => {
            let n = shop.export_csv_to(path.clone()).await?;
            // Where it went, in full: `-o export.csv` from some folder is easy to lose.
            let full = std::fs::canonicalize(&path).unwrap_or(path);
            let what = if n == 1 { "purchase" } else { "purchases" };
            println!("Saved {n} {what} to {}", full.display());
        }
        None => print!("{}", shop.export_csv().await?),
    }
    Ok(())
}

/// Payments for a one-off command: Stripe from the environment, or the simulator of the
/// running `booth serve`.
fn with_payments(shop: &Shop) -> anyhow::Result<Shop> {
    // Simulated exactly when the key is the running simulator's, from run.json.
    let (config, simulated) = match std::env::var("STRIPE_SECRET_KEY")
        .ok()
        .filter(|k| !k.is_empty())
    {
        Some(secret_key) => (
            StripeConfig {
                secret_key: secret_key.into(),
                api_base: std::env::var("STRIPE_API_BASE").ok(),
                webhook_secret: None,
            },
            false,
        ),
        None => {
            let info = booth_runtime::read_run_info(shop.data_dir())
                .filter(|i| i.simulator_url.is_some())
                .ok_or_else(|| anyhow!("payments are simulated inside `booth serve`; start it first (or set STRIPE_SECRET_KEY)"))?;
            let key = info.simulator_key.ok_or_else(|| {
                anyhow!(
                    "the running `booth serve` is from an older Booth; restart it and try again"
                )
            })?;
            (
                StripeConfig {
                    secret_key: key.into(),
                    api_base: info.simulator_url,
                    webhook_secret: None,
                },
                true,
            )
        }
    };
    let payments = Payments::new(&config, simulated)?;
    Ok(Shop::builder(shop.data_dir()).payments(payments).open()?)
}

/// Sends queued mail right away, so the seller sees the result of `resend` or `grant`.
/// Safe beside a running `booth serve`: a message is claimed by one sender only.
async fn send_now(shop: &Shop) {
    let smtp = std::env::var("BOOTH_SMTP_URL").ok();
    let mailer = match booth_runtime::mailer_for(shop, smtp.as_deref(), true).await {
        Ok(m) => m,
        Err(e) => {
            eprintln!("Queued; not sent yet: {e}");
            return;
        }
    };
    match shop.send_due_receipts(&mailer, &Default::default()).await {
        Ok(_) => match shop
            .outbox(None, 1)
            .await
            .ok()
            .and_then(|r| r.into_iter().next())
        {
            Some(r) if r.status == "sent" => {
                println!("Sent to {} via {}.", r.recipient, mailer.describe())
            }
            Some(r) => println!(
                "Queued for {} ({}); it will be retried{}.",
                r.recipient,
                r.status,
                r.last_error.map(|e| format!(": {e}")).unwrap_or_default()
            ),
            None => {}
        },
        Err(e) => eprintln!("Queued; not sent yet: {e}"),
    }
}
