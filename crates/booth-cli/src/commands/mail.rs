//! Mail: `booth outbox`, `booth send-update` and `booth mailings` (list, show, resume, cancel).

use crate::cli::MailingsCmd;
use crate::commands::shop_is_running;
use crate::output::{self, mailing_line};
use anyhow::{bail, Context};
use booth_core::outbox::{OutboxConfig, Sender};
use booth_core::shop::MailingRequest;
use booth_core::Shop;
use std::path::{Path, PathBuf};

pub async fn outbox(
    data_dir: &Path,
    status: Option<String>,
    limit: i64,
    json: bool,
) -> anyhow::Result<()> {
    if let Some(s) = &status {
        if !["queued", "sending", "sent", "failed"].contains(&s.as_str()) {
            bail!("--status is one of queued, sending, sent, failed");
        }
    }
    let rows = Shop::open(data_dir)?
        .outbox(status.as_deref(), limit.clamp(1, 10_000))
        .await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else if rows.is_empty() {
        println!("The outbox is empty.");
    } else {
        for r in rows {
            println!("{}", output::outbox_line(r));
        }
    }
    Ok(())
}

pub async fn send_update(
    data_dir: &Path,
    product: String,
    subject: Option<String>,
    message: Option<PathBuf>,
    include_test: bool,
    dry_run: bool,
    rate: Option<u32>,
) -> anyhow::Result<()> {
    let shop = Shop::open(data_dir)?;
    let message = match message {
        Some(path) => std::fs::read_to_string(&path)
            .with_context(|| format!("can't read the message file {}", path.display()))?,
        None => String::new(),
    };
    let req = MailingRequest {
        product,
        subject,
        message,
        include_test,
    };
    if dry_run {
        let p = shop.preview_mailing(req).await?;
        println!(
            "Would email {} buyer(s) of {} ({} unsubscribed, left out).",
            p.recipients, p.product.name, p.skipped_unsubscribed
        );
        println!("Subject: {}", p.subject);
        if let Some((text, _)) = p.sample {
            println!("\n{text}");
        }
        return Ok(());
    }
    let m = shop.create_mailing(req).await?;
    println!(
        "Mailing #{} queued for {} buyer(s){}.",
        m.id,
        m.recipients,
        if m.skipped_unsubscribed > 0 {
            format!(" ({} unsubscribed, left out)", m.skipped_unsubscribed)
        } else {
            String::new()
        }
    );
    send_mailing(&shop, m.id, rate).await
}

pub async fn mailings(
    data_dir: &Path,
    action: Option<MailingsCmd>,
    json: bool,
) -> anyhow::Result<()> {
    let shop = Shop::open(data_dir)?;
    match action {
        None => {
            let list = shop.mailings().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else if list.is_empty() {
                println!("No mailings yet. Send one with: booth send-update --product SLUG --message changes.txt");
            }
            for m in list.iter().filter(|_| !json) {
                println!("{}", mailing_line(m));
            }
        }
        Some(MailingsCmd::Show { id }) => {
            let m = shop.mailing(id).await?;
            let failures = shop.mailing_failures(id).await?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(
                        &serde_json::json!({"mailing": m, "failures": failures})
                    )?
                );
                return Ok(());
            }
            println!("{}", mailing_line(&m));
            println!("  subject: {}", m.subject);
            for f in failures {
                println!("{}", output::failure_line(&f));
            }
        }
        Some(MailingsCmd::Resume { id, rate }) => {
            let m = shop.mailing(id).await?;
            if m.canceled {
                bail!("mailing #{id} was canceled");
            }
            send_mailing(&shop, id, rate).await?;
        }
        Some(MailingsCmd::Cancel { id }) => {
            let n = shop.cancel_mailing(id).await?;
            println!("Mailing #{id} canceled; {n} email(s) will not be sent.");
        }
    }
    Ok(())
}

/// Sends a mailing with a progress bar, or, when `booth serve` is running and sending it
/// already, shows its progress. Ctrl-C stops between two emails; resume any time.
async fn send_mailing(shop: &Shop, id: i64, rate: Option<u32>) -> anyhow::Result<()> {
    let m = shop.mailing(id).await?;
    let bar = output::mailing_bar(m.recipients as u64);
    bar.set_position(m.done() as u64);
    let serving = shop_is_running(shop.data_dir());
    let mut sender = if serving {
        bar.set_message("sent by the running `booth serve`");
        None
    } else {
        let mut config = OutboxConfig::from_env();
        if let Some(r) = rate {
            config.rate_per_sec = (r > 0).then_some(r);
        }
        let smtp = std::env::var("BOOTH_SMTP_URL").ok();
        let mailer = booth_runtime::mailer_for(shop, smtp.as_deref(), true).await?;
        Some(Sender::new(shop.db().clone(), mailer, config))
    };
    let interrupted = tokio::select! {
        r = async {
            // Counting a mailing's rows is a query over all of them: do it a few times a
            // second, not once per email.
            let every = std::time::Duration::from_millis(250);
            let mut checked: Option<std::time::Instant> = None;
            loop {
                let stale = checked.is_none_or(|t| t.elapsed() >= every);
                if stale {
                    let m = shop.mailing(id).await?;
                    bar.set_position(m.done() as u64);
                    if m.finished() {
                        return anyhow::Ok(());
                    }
                    checked = Some(std::time::Instant::now());
                }
                match &mut sender {
                    Some(s) => {
                        if !s.deliver_one().await? {
                            if !stale {
                                // Nothing due: look at once whether the mailing is done.
                                checked = None;
                                continue;
                            }
                            // Only retries are left: wait for the next one, saying why.
                            if let Some(f) = shop.mailing_failures(id).await?.into_iter().find(|f| f.status == "queued") {
                                bar.set_message(format!("retrying: {}", f.reason.chars().take(60).collect::<String>()));
                            }
                            tokio::time::sleep(s.next_due_in().await).await;
                        }
                    }
                    None => tokio::time::sleep(std::time::Duration::from_millis(250)).await,
                }
            }
        } => { r?; false }
        _ = tokio::signal::ctrl_c() => true,
    };
    bar.finish_and_clear();
    let m = shop.mailing(id).await?;
    if interrupted {
        println!(
            "Paused: {} of {} done. Resume with: booth mailings resume {id}",
            m.done(),
            m.recipients
        );
    } else {
        println!("{}", mailing_line(&m));
        if m.failed > 0 {
            println!("See why with: booth mailings show {id}");
        }
    }
    Ok(())
}
