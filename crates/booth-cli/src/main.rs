//! `booth`: run and manage a Booth shop headless. Every command is a thin call into
//! booth-core; errors are one clear line and a non-zero exit.

use anyhow::{anyhow, bail, Context};
use booth_core::catalog::ProductEdit;
use booth_core::domain::{format_size, parse_download_limit, Currency, Money, Slug};
use booth_core::outbox::{OutboxConfig, Sender};
use booth_core::payments::{Payments, StripeConfig};
use booth_core::purchases::Purchase;
use booth_core::shop::MailingRequest;
use booth_core::{ProductInput, Shop};
use booth_server::runtime::{self, RunConfig};
use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

// glibc's malloc took a fifth of the shop's time per download; jemalloc far less, without
// holding more memory (docs/benchmarks.md, fifth pass).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[derive(Parser)]
#[command(
    name = "booth",
    version,
    about = "Sell digital goods on your own terms."
)]
struct Cli {
    /// The shop's data dir (database, files, outbox). Shared with the desktop app.
    #[arg(long, global = true, env = "BOOTH_DATA_DIR")]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

/// Open the shop to the world through a tunnel (the token, if one is needed, comes from
/// BOOTH_TUNNEL_TOKEN or the one saved in the app's Settings).
#[derive(clap::Args)]
struct TunnelArgs {
    /// bore, cloudflared, cloudflared-named, ngrok, ssh or custom; "saved" uses the
    /// tunnel saved in the app's Settings.
    #[arg(long)]
    tunnel: Option<String>,
    /// bore: the bore server (default bore.pub); ssh: [user@]host[:port].
    #[arg(long, requires = "tunnel")]
    tunnel_server: Option<String>,
    /// bore: a fixed public port; ssh: the remote port to ask for.
    #[arg(long, requires = "tunnel")]
    tunnel_port: Option<String>,
    /// cloudflared-named: the public hostname; ngrok: your reserved domain.
    #[arg(long, requires = "tunnel")]
    tunnel_hostname: Option<String>,
    /// custom: the command line ({port}, {addr} and {url} are the shop's local address).
    #[arg(long, requires = "tunnel")]
    tunnel_command: Option<String>,
    /// custom or ssh: a regular expression that finds the public URL in the output.
    #[arg(long, requires = "tunnel")]
    tunnel_pattern: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the shop: public server, mail outbox, and (without STRIPE_SECRET_KEY) the Stripe simulator.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// The URL buyers reach the shop at (used in checkout redirects and emails).
        #[arg(long)]
        public_url: Option<String>,
        /// Add the sample e-book as a product if the shop is empty.
        #[arg(long)]
        demo: bool,
        #[command(flatten)]
        tunnel: TunnelArgs,
    },
    /// Run the Stripe simulator on its own.
    StripeSim {
        #[arg(long, default_value = "127.0.0.1:12111")]
        listen: SocketAddr,
        /// Keep its state in this JSON file across restarts.
        #[arg(long)]
        state: Option<PathBuf>,
        /// The one API key it accepts (sk_test_ + at least 16 letters, digits or _);
        /// without, it makes one and prints it. Prefer the environment variable: other
        /// users on the machine can see a program's arguments.
        #[arg(long, env = "BOOTH_SIM_SECRET_KEY", hide_env_values = true)]
        secret_key: Option<String>,
    },
    /// Products: add, list, edit, files and versions.
    #[command(subcommand)]
    Product(ProductCmd),
    /// List purchases, newest first.
    Purchases {
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// One purchase: show it or act on it.
    #[command(subcommand)]
    Purchase(PurchaseCmd),
    /// Give a complimentary copy of a product and print its link.
    Grant {
        #[arg(long)]
        product: String,
        #[arg(long)]
        email: String,
    },
    /// Export data.
    #[command(subcommand)]
    Export(ExportCmd),
    /// Mail waiting, sent and failed.
    Outbox {
        /// queued, sending, sent or failed
        #[arg(long)]
        status: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: i64,
        #[arg(long)]
        json: bool,
    },
    /// Email every buyer of a product about its new version (their link serves it).
    SendUpdate {
        #[arg(long)]
        product: String,
        /// Default: "<product>: a new version is out".
        #[arg(long)]
        subject: Option<String>,
        /// A text file saying what changed.
        #[arg(long)]
        message: Option<PathBuf>,
        /// Also mail buyers of test purchases.
        #[arg(long)]
        include_test: bool,
        /// Show who would get it and the email, and send nothing.
        #[arg(long)]
        dry_run: bool,
        /// At most this many emails a second (0: no limit). Default: BOOTH_MAIL_RATE or 20.
        #[arg(long)]
        rate: Option<u32>,
    },
    /// Update mailings: list them, or show, resume or cancel one.
    Mailings {
        #[command(subcommand)]
        action: Option<MailingsCmd>,
        #[arg(long)]
        json: bool,
    },
    /// Show or change shop settings (store_name, from_address, support_email, public_url).
    Settings {
        #[command(subcommand)]
        action: Option<SettingsCmd>,
    },
    /// Back up the database, safely while the shop runs (default: into <data dir>/backups/).
    Backup {
        /// Write the copy here (a new file) instead.
        #[arg(long)]
        to: Option<PathBuf>,
        /// List the backups in <data dir>/backups/ instead (the daily ones included).
        #[arg(long, conflicts_with = "to")]
        list: bool,
    },
    /// Put a backup in place of the shop's database (stop the shop first); the current
    /// database is kept beside it.
    Restore { backup: PathBuf },
}

#[derive(Subcommand)]
enum ProductCmd {
    /// Add a product with one or more files.
    Add {
        #[arg(long)]
        name: String,
        /// Price in the currency's major unit, e.g. 9.99
        #[arg(long)]
        price: String,
        #[arg(long, default_value = "usd")]
        currency: String,
        #[arg(long = "file", required = true)]
        files: Vec<PathBuf>,
        /// Downloads per file per purchase: a number or "unlimited".
        #[arg(long, default_value = "5")]
        limit: String,
        #[arg(long)]
        slug: Option<String>,
        #[arg(long, default_value = "")]
        description: String,
        /// Create it hidden from the shop.
        #[arg(long)]
        inactive: bool,
    },
    List {
        #[arg(long)]
        json: bool,
    },
    Edit {
        slug: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long = "new-slug")]
        new_slug: Option<String>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        price: Option<String>,
        #[arg(long)]
        currency: Option<String>,
        #[arg(long)]
        limit: Option<String>,
        #[arg(long)]
        active: Option<bool>,
    },
    /// Add another file to a product.
    AddFile { slug: String, path: PathBuf },
    /// Upload a new version of a product's file (by its name or id); buyers' links serve it.
    NewVersion {
        slug: String,
        #[arg(long)]
        file: String,
        path: PathBuf,
        #[arg(long)]
        label: Option<String>,
    },
}

#[derive(Subcommand)]
enum PurchaseCmd {
    Show {
        token: String,
        #[arg(long)]
        json: bool,
    },
    /// Give every file its full download allowance again.
    ResetDownloads { token: String },
    /// Change the download limit of a purchase: a number or "unlimited".
    SetLimit { token: String, limit: String },
    /// Send the receipt (with the link) again.
    Resend { token: String },
    /// Turn off downloads for the purchase, or for one product of it.
    Revoke {
        token: String,
        #[arg(long)]
        product: Option<String>,
    },
    /// Refund through Stripe (or the simulator), fully or in part.
    Refund {
        token: String,
        /// Amount in the major unit; default: everything not yet refunded.
        #[arg(long)]
        amount: Option<String>,
    },
}

#[derive(Subcommand)]
enum ExportCmd {
    /// All purchases.
    Purchases {
        /// CSV is the only format for now; the flag is accepted for clarity.
        #[arg(long)]
        csv: bool,
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum MailingsCmd {
    /// Counts and the reason for every failure.
    Show { id: i64 },
    /// Carry on sending an interrupted mailing.
    Resume {
        id: i64,
        #[arg(long)]
        rate: Option<u32>,
    },
    /// Stop a mailing; what hasn't gone out is skipped.
    Cancel { id: i64 },
}

#[derive(Subcommand)]
enum SettingsCmd {
    Set { key: String, value: String },
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_env("BOOTH_LOG").unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new(
            if matches!(
                cli.command,
                Command::Serve { .. } | Command::StripeSim { .. }
            ) {
                "info"
            } else {
                "warn"
            },
        )
    });
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    if let Err(e) = run(cli).await {
        eprintln!("error: {}", one_line(&format!("{e:#}")));
        std::process::exit(1);
    }
}

/// Errors may quote what was typed: keep them on one line, free of terminal control
/// characters, and of a readable length.
fn one_line(msg: &str) -> String {
    let clean: String = msg
        .chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect();
    if clean.chars().count() > 300 {
        format!("{}…", clean.chars().take(300).collect::<String>())
    } else {
        clean
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let data_dir = cli
        .data_dir
        .unwrap_or_else(booth_core::shop::default_data_dir);
    match cli.command {
        Command::Serve {
            listen,
            public_url,
            demo,
            tunnel,
        } => serve(data_dir, listen, public_url, demo, tunnel).await,
        Command::StripeSim {
            listen,
            state,
            secret_key,
        } => {
            let chosen = secret_key.is_some();
            let sim = booth_stripe_sim::Simulator::start(booth_stripe_sim::SimConfig {
                listen,
                state_path: state,
                secret_key,
                ..Default::default()
            })
            .await?;
            if chosen {
                println!(
                    "Stripe simulator on {} (with the secret key you gave)",
                    sim.base_url()
                );
            } else {
                println!(
                    "Stripe simulator on {} (secret key: {})",
                    sim.base_url(),
                    sim.secret_key()
                );
            }
            tokio::signal::ctrl_c().await?;
            sim.shutdown().await;
            Ok(())
        }
        Command::Product(cmd) => product(&Shop::open(&data_dir)?, cmd).await,
        Command::Purchases { email, json } => {
            let list = Shop::open(&data_dir)?
                .list_purchases(email.as_deref())
                .await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else if list.is_empty() {
                println!(
                    "{}",
                    if email.is_some() {
                        "No purchases for that email."
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
        Command::Purchase(cmd) => purchase(&data_dir, cmd).await,
        Command::Grant { product, email } => {
            let shop = Shop::open(&data_dir)?;
            let p = shop.grant(&product, &email).await?;
            send_now(&shop).await;
            println!("{}", shop.purchase_url(&p.token));
            Ok(())
        }
        Command::Export(ExportCmd::Purchases { csv: _, output }) => {
            let shop = Shop::open(&data_dir)?;
            match output {
                Some(path) => {
                    shop.export_csv_to(path).await?;
                }
                None => print!("{}", shop.export_csv().await?),
            }
            Ok(())
        }
        Command::Outbox {
            status,
            limit,
            json,
        } => {
            if let Some(s) = &status {
                if !["queued", "sending", "sent", "failed"].contains(&s.as_str()) {
                    bail!("--status is one of queued, sending, sent, failed");
                }
            }
            let rows = Shop::open(&data_dir)?
                .outbox(status.as_deref(), limit.clamp(1, 10_000))
                .await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else if rows.is_empty() {
                println!("The outbox is empty.");
            } else {
                for r in rows {
                    let err = r.last_error.map(|e| format!("  ({e})")).unwrap_or_default();
                    println!(
                        "#{:<5} {:<8} {:<8} {:<30} {}{err}",
                        r.id, r.status, r.kind, r.recipient, r.subject
                    );
                }
            }
            Ok(())
        }
        Command::SendUpdate {
            product,
            subject,
            message,
            include_test,
            dry_run,
            rate,
        } => {
            let shop = Shop::open(&data_dir)?;
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
        Command::Mailings { action, json } => {
            let shop = Shop::open(&data_dir)?;
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
                        println!(
                            "  {:<8} {} (attempts {}): {}",
                            f.status, f.recipient, f.attempts, f.reason
                        );
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
        Command::Backup { to, list } => {
            if list {
                let all = booth_core::backup::list(&data_dir)?;
                if all.is_empty() {
                    println!(
                        "No backups in {} yet.",
                        booth_core::backup::dir(&data_dir).display()
                    );
                }
                for b in all {
                    println!(
                        "{}  {:>10}  {}",
                        booth_core::shop::format_iso(b.at),
                        format_size(b.bytes),
                        b.path.display()
                    );
                }
                return Ok(());
            }
            let shop = Shop::open(&data_dir)?;
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
        Command::Restore { backup } => {
            if shop_is_running(&data_dir) {
                bail!("the shop is running on this data dir: stop `booth serve` (or the app) first, then restore");
            }
            let aside = booth_core::backup::restore(&data_dir, &backup)?;
            let shop = Shop::open(&data_dir)?;
            let n = shop.list_purchases(None).await?.len();
            println!("Restored {} ({n} purchase(s)).", backup.display());
            if let Some(aside) = aside {
                println!("The database it replaced is kept as {}.", aside.display());
            }
            Ok(())
        }
        Command::Settings { action } => {
            let shop = Shop::open(&data_dir)?;
            if let Some(SettingsCmd::Set { key, value }) = action {
                shop.set_setting(&key, &value).await?;
            }
            let info = shop.store_info().await?;
            println!("store_name     {}", info.store_name);
            println!("from_address   {}", info.from_address);
            println!("support_email  {}", info.support_email);
            match shop.configured_url() {
                Some(url) => println!("public_url     {url}"),
                None => println!(
                    "public_url     (not set: links use the tunnel's address, else the listen address)"
                ),
            }
            println!("data_dir       {}", data_dir.display());
            Ok(())
        }
    }
}

/// Is a `booth serve` (or the app) running on this data dir right now?
fn shop_is_running(data_dir: &std::path::Path) -> bool {
    runtime::read_run_info(data_dir).is_some_and(|i| {
        cfg!(not(target_os = "linux")) || std::path::Path::new(&format!("/proc/{}", i.pid)).exists()
    })
}

async fn serve(
    data_dir: PathBuf,
    listen: SocketAddr,
    public_url: Option<String>,
    demo: bool,
    tunnel: TunnelArgs,
) -> anyhow::Result<()> {
    // Bad tunnel flags are refused before anything starts.
    let tunnel = match tunnel.tunnel.as_deref() {
        None => None,
        Some("saved") => {
            let shop = Shop::open(&data_dir)?;
            let spec = shop.tunnel_spec().await?.ok_or_else(|| {
                anyhow!("no tunnel is saved yet: pick one in the app's Settings, or name one with --tunnel bore|cloudflared|…")
            })?;
            Some((spec, shop.tunnel_token()?))
        }
        Some(provider) => {
            let input = booth_core::tunnel::TunnelInput {
                provider: provider.into(),
                server: tunnel.tunnel_server.unwrap_or_default(),
                port: tunnel.tunnel_port.unwrap_or_default(),
                hostname: tunnel.tunnel_hostname.unwrap_or_default(),
                command: tunnel.tunnel_command.unwrap_or_default(),
                pattern: tunnel.tunnel_pattern.unwrap_or_default(),
            };
            let spec = booth_core::tunnel::TunnelSpec::parse(&input)?;
            let token = match std::env::var("BOOTH_TUNNEL_TOKEN") {
                Ok(t) if !t.trim().is_empty() => Some(t.trim().to_string()),
                _ => booth_core::secrets::load(&data_dir)?.tunnel_token,
            };
            Some((spec, token))
        }
    };
    // The demo product is there before the first buyer can arrive.
    let seeded = demo && runtime::seed_demo(&Shop::open(&data_dir)?).await?;
    let mut config = RunConfig::new(data_dir, listen).with_env();
    config.public_url = public_url;
    let running = runtime::start(config).await?;
    if seeded {
        println!(
            "Added the demo product: {}/p/little-book",
            running.public_url
        );
    }
    println!("Booth is open at {}", running.public_url);
    println!(
        "  payments: {}",
        if running.simulated() {
            "simulated (Booth's Stripe simulator; pay with 4242 4242 4242 4242)"
        } else {
            "Stripe"
        }
    );
    println!("  mail:     {}", running.mailer.describe());
    let mut failed = None;
    if let Some((spec, token)) = tunnel {
        println!("Opening a tunnel ({})…", spec.provider.label());
        let status = running
            .start_tunnel(
                spec,
                token,
                std::sync::Arc::new(booth_server::tunnel::TokioLauncher),
                booth_server::tunnel::TunnelOptions::default(),
            )
            .await;
        failed = Some(tokio::spawn(report_tunnel(status)));
    }
    println!("Press Ctrl-C to stop.");
    let failed = async {
        match failed {
            Some(f) => f.await.unwrap_or_else(|e| e.to_string()),
            None => std::future::pending().await,
        }
    };
    // Ctrl-C, or a service manager's SIGTERM, stops the shop (and its tunnel) cleanly.
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let result = tokio::select! {
        r = tokio::signal::ctrl_c() => r.map_err(Into::into),
        _ = term.recv() => Ok(()),
        m = failed => Err(anyhow!(m)),
    };
    println!("Stopping…");
    running.shutdown().await;
    result
}

/// Prints what the tunnel does, as it happens; returns the message if it can't start.
async fn report_tunnel(
    mut status: tokio::sync::watch::Receiver<booth_core::tunnel::TunnelStatus>,
) -> String {
    use booth_core::tunnel::TunnelState;
    let mut last = (TunnelState::Starting, None::<String>, None::<bool>);
    loop {
        let s = status.borrow_and_update().clone();
        let health_ok = s.health.as_ref().map(|h| h.ok);
        match s.state {
            TunnelState::Up if (last.0 != TunnelState::Up || last.1 != s.url) => {
                println!("Public address: {}", s.url.clone().unwrap_or_default());
                if let Some(w) = &s.webhook {
                    println!("  {w}");
                }
                for w in &s.warnings {
                    println!("  warning: {w}");
                }
            }
            TunnelState::Retrying if last.0 != TunnelState::Retrying => println!(
                "The tunnel stopped ({}); starting it again in {} s",
                s.message.clone().unwrap_or_default().to_lowercase(),
                s.retry_in_secs.unwrap_or(0)
            ),
            TunnelState::Failed => return s.message.unwrap_or_default(),
            _ => {}
        }
        if health_ok != last.2 {
            match (&s.health, health_ok) {
                (Some(h), Some(true)) => println!(
                    "  {} answers through the tunnel ({} ms)",
                    s.url.clone().unwrap_or_default(),
                    h.latency_ms.unwrap_or(0)
                ),
                (Some(h), Some(false)) => println!(
                    "  health check failed: {}",
                    h.error.clone().unwrap_or_default()
                ),
                _ => {}
            }
        }
        last = (s.state, s.url.clone(), health_ok);
        if status.changed().await.is_err() {
            return "the tunnel supervisor ended".into();
        }
    }
}

async fn product(shop: &Shop, cmd: ProductCmd) -> anyhow::Result<()> {
    match cmd {
        ProductCmd::Add {
            name,
            price,
            currency,
            files,
            limit,
            slug,
            description,
            inactive,
        } => {
            let p = shop
                .add_product(ProductInput {
                    name,
                    slug,
                    description,
                    price,
                    currency,
                    limit: Some(limit),
                    active: !inactive,
                    files,
                })
                .await?;
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
                let limit = p
                    .download_limit
                    .map(|l| l.to_string())
                    .unwrap_or_else(|| "unlimited".into());
                println!(
                    "{:<24} {:<32} {:>10}  limit {limit}{}",
                    p.slug,
                    p.name,
                    p.price().format(),
                    if p.active { "" } else { "  (inactive)" }
                );
                for f in &p.files {
                    println!(
                        "    #{} {} v{} {}",
                        f.id,
                        f.display_name,
                        f.version,
                        format_size(f.size)
                    );
                }
            }
        }
        ProductCmd::Edit {
            slug,
            name,
            new_slug,
            description,
            price,
            currency,
            limit,
            active,
        } => {
            let current = shop
                .product(&slug)
                .await?
                .ok_or_else(|| anyhow!("no product with the slug '{slug}'"))?;
            let price = match (price, currency) {
                (None, None) => None,
                (Some(p), c) => Some(Money::parse_price(
                    &p,
                    Currency::parse(c.as_deref().unwrap_or(&current.currency))?,
                )?),
                // Minor units mean different amounts in different currencies.
                (None, Some(_)) => bail!("a new --currency needs a new --price too"),
            };
            let edit = ProductEdit {
                name: name
                    .map(|n| booth_core::catalog::check_name(&n))
                    .transpose()?,
                slug: new_slug.map(|s| Slug::parse(&s)).transpose()?,
                description: description
                    .map(|d| booth_core::catalog::check_description(&d))
                    .transpose()?,
                price,
                download_limit: limit.map(|l| parse_download_limit(&l)).transpose()?,
                active,
            };
            let p = shop.edit_product(&slug, edit).await?;
            println!("Updated {} ({}) at {}", p.name, p.slug, p.price().format());
        }
        ProductCmd::AddFile { slug, path } => {
            let p = shop.add_file(&slug, path).await?;
            println!("{} now has {} file(s).", p.slug, p.files.len());
        }
        ProductCmd::NewVersion {
            slug,
            file,
            path,
            label,
        } => {
            let v = shop.new_version(&slug, &file, path, label).await?;
            println!("Uploaded version {v} of '{file}'. Buyers' links now serve it.");
        }
    }
    Ok(())
}

async fn purchase(data_dir: &std::path::Path, cmd: PurchaseCmd) -> anyhow::Result<()> {
    let shop = Shop::open(data_dir)?;
    match cmd {
        PurchaseCmd::Show { token, json } => {
            let d = shop.purchase_detail(&token).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&d)?);
                return Ok(());
            }
            let p = &d.purchase;
            println!("{}", purchase_line(p));
            println!("  link:    {}", d.url);
            if let Some(problem) = &p.email_problem {
                println!("  email:   can't be mailed ({problem}); the receipt waits in `booth outbox --status failed`");
            }
            if let Some(s) = &p.checkout_session_id {
                println!(
                    "  stripe:  {s} {}",
                    p.payment_intent_id.as_deref().unwrap_or("")
                );
            }
            if p.amount_refunded_minor > 0 {
                println!(
                    "  refunded {}",
                    Money::new(p.amount_refunded_minor, p.total().currency).format()
                );
            }
            for i in &p.items {
                println!(
                    "  {}{}",
                    i.product_name,
                    if i.revoked { " (revoked)" } else { "" }
                );
                for f in &i.files {
                    let left = f
                        .downloads_left
                        .map(|l| format!("{l} left"))
                        .unwrap_or_else(|| "unlimited".into());
                    println!(
                        "    #{} {} v{}: {} used, {left}",
                        f.file.id, f.file.display_name, f.file.version, f.downloads_used
                    );
                }
            }
            println!("  downloads: {}", d.downloads.len());
            for l in &d.downloads {
                println!(
                    "    {} {} v{} {} {}{}",
                    booth_core::shop::format_iso(l.at),
                    l.file_name,
                    l.version,
                    l.ip,
                    l.range.as_deref().unwrap_or("full"),
                    if l.counted { "" } else { " (not counted)" }
                );
            }
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
            let shop = with_payments(shop)?;
            let p = shop.refund(&token, amount.as_deref()).await?;
            println!("{}", purchase_line(&p));
        }
    }
    Ok(())
}

/// Payments for a one-off command: Stripe from the environment, or the simulator of the
/// running `booth serve`.
fn with_payments(shop: Shop) -> anyhow::Result<Shop> {
    // Simulated exactly when the key is the running simulator's, from run.json.
    let (config, simulated) = match std::env::var("STRIPE_SECRET_KEY")
        .ok()
        .filter(|k| !k.is_empty())
    {
        Some(secret_key) => (
            StripeConfig {
                secret_key,
                api_base: std::env::var("STRIPE_API_BASE").ok(),
                webhook_secret: None,
            },
            false,
        ),
        None => {
            let info = runtime::read_run_info(shop.data_dir())
                .filter(|i| i.simulator_url.is_some())
                .ok_or_else(|| anyhow!("payments are simulated inside `booth serve`; start it first (or set STRIPE_SECRET_KEY)"))?;
            let key = info.simulator_key.ok_or_else(|| {
                anyhow!(
                    "the running `booth serve` is from an older Booth; restart it and try again"
                )
            })?;
            (
                StripeConfig {
                    secret_key: key,
                    api_base: info.simulator_url,
                    webhook_secret: None,
                },
                true,
            )
        }
    };
    Ok(shop.with_payments(Payments::new(&config, simulated)?))
}

/// Sends queued mail right away, so the seller sees the result of `resend` or `grant`.
/// Safe beside a running `booth serve`: a message is claimed by one sender only.
async fn send_now(shop: &Shop) {
    let smtp = std::env::var("BOOTH_SMTP_URL").ok();
    let mailer = match runtime::mailer_for(shop, smtp.as_deref(), true).await {
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

/// Sends a mailing with a progress bar, or, when `booth serve` is running and sending it
/// already, shows its progress. Ctrl-C stops between two emails; resume any time.
async fn send_mailing(shop: &Shop, id: i64, rate: Option<u32>) -> anyhow::Result<()> {
    let m = shop.mailing(id).await?;
    let bar = indicatif::ProgressBar::new(m.recipients as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40.cyan/blue} {pos}/{len} emails  {per_sec}  ETA {eta}  {msg}",
        )
        .expect("template")
        .progress_chars("█▉▊▋▌▍▎▏ "),
    );
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
        let mailer = runtime::mailer_for(shop, smtp.as_deref(), true).await?;
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

fn mailing_line(m: &booth_core::mailing::MailingSummary) -> String {
    let state = if m.canceled {
        "canceled"
    } else if m.finished() {
        "done"
    } else {
        "sending"
    };
    format!(
        "#{:<4} {}  {:<20} {:<8} {} recipients: {} sent, {} failed, {} pending, {} skipped, {} unsubscribed",
        m.id,
        booth_core::shop::format_iso(m.created_at),
        m.product_slug,
        state,
        m.recipients,
        m.sent,
        m.failed,
        m.pending,
        m.skipped + m.skipped_unsubscribed,
        m.unsubscribed
    )
}

fn purchase_line(p: &Purchase) -> String {
    let products: Vec<&str> = p.items.iter().map(|i| i.product_slug.as_str()).collect();
    format!(
        "{}  {}  {:<28} {:>10}  {:<8}{}{}  {}",
        booth_core::shop::format_iso(p.created_at),
        p.token,
        p.email,
        p.total().format(),
        p.status,
        if p.test { " test" } else { "" },
        if p.source == "grant" { " comp" } else { "" },
        products.join(",")
    )
}
