//! `booth`: run and manage a Booth shop headless. Every command is a thin call into
//! booth-core; errors are one clear line and a non-zero exit.

mod cli;
mod commands;
mod output;

use booth_core::Shop;
use clap::Parser;
use cli::{Cli, Command, ExportCmd};
use commands::{backup, discount, license, mail, product, purchase, serve, settings, storage, tax};

// glibc's malloc took a fifth of the shop's time per download; jemalloc far less, without
// holding more memory (docs/benchmarks.md, fifth pass).
#[cfg(all(feature = "jemalloc", not(target_env = "msvc")))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

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
        .unwrap_or_else(|| booth_core::DataDir::platform_default().root().to_path_buf());
    match cli.command {
        Command::Serve {
            listen,
            public_url,
            demo,
            tunnel,
        } => serve::serve(data_dir, listen, public_url, demo, tunnel).await,
        Command::StripeSim {
            listen,
            state,
            secret_key,
        } => serve::stripe_sim(listen, state, secret_key).await,
        Command::Product(cmd) => product::product(&Shop::open(&data_dir)?, cmd).await,
        Command::Purchases {
            email,
            filter,
            json,
        } => purchase::purchases(&data_dir, email, filter, json).await,
        Command::Purchase(cmd) => purchase::purchase(&data_dir, cmd).await,
        Command::Discount(cmd) => discount::discount(&Shop::open(&data_dir)?, cmd).await,
        Command::License(cmd) => license::license(&Shop::open(&data_dir)?, cmd).await,
        Command::Feed(cmd) => license::feed(&Shop::open(&data_dir)?, cmd).await,
        Command::Grant { product, email } => purchase::grant(&data_dir, product, email).await,
        Command::Export(ExportCmd::Purchases { csv: _, output }) => {
            purchase::export(&data_dir, output).await
        }
        Command::Export(ExportCmd::Taxes {
            from,
            to,
            test,
            output,
        }) => tax::export_taxes(&Shop::open(&data_dir)?, &from, &to, test, output).await,
        Command::Consent(cmd) => tax::consent(&Shop::open(&data_dir)?, cmd).await,
        Command::Pause => settings::pause(&data_dir, true).await,
        Command::Resume => settings::pause(&data_dir, false).await,
        Command::Outbox {
            status,
            limit,
            json,
        } => mail::outbox(&data_dir, status, limit, json).await,
        Command::SendUpdate {
            product,
            subject,
            message,
            include_test,
            dry_run,
            rate,
        } => {
            mail::send_update(
                &data_dir,
                product,
                subject,
                message,
                include_test,
                dry_run,
                rate,
            )
            .await
        }
        Command::Mailings { action, json } => mail::mailings(&data_dir, action, json).await,
        Command::Backup { to, list } => backup::backup(&data_dir, to, list).await,
        Command::Restore {
            backup,
            from_bucket,
        } => backup::restore(&data_dir, backup, from_bucket).await,
        Command::Settings { action } => settings::settings(&data_dir, action).await,
        Command::Storage(cmd) => storage::storage(&Shop::open(&data_dir)?, cmd).await,
    }
}
