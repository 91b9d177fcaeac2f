//! `booth serve` (the whole shop, and a tunnel if asked for) and `booth stripe-sim`.

use crate::cli::TunnelArgs;
use anyhow::anyhow;
use booth_core::Shop;
use booth_runtime::RunConfig;
use std::net::SocketAddr;
use std::path::PathBuf;

pub async fn serve(
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
                Ok(t) if !t.trim().is_empty() => Some(t.trim().into()),
                _ => booth_core::secrets::load(&data_dir)?.tunnel_token,
            };
            Some((spec, token))
        }
    };
    // The demo product is there before the first buyer can arrive.
    let seeded = demo && booth_runtime::seed_demo(&Shop::open(&data_dir)?).await?;
    let mut config = RunConfig::new(data_dir, listen).with_env();
    config.public_url = public_url;
    let running = booth_runtime::start(config).await?;
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
    println!("  mail:     {}", running.mailer().describe());
    let mut failed = None;
    if let Some((spec, token)) = tunnel {
        println!("Opening a tunnel ({})…", spec.provider.label());
        let status = running
            .start_tunnel(
                spec,
                token,
                std::sync::Arc::new(booth_runtime::tunnel::TokioLauncher),
                booth_runtime::tunnel::TunnelOptions::default(),
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
    let result = tokio::select! {
        r = quit_signal() => r,
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

pub async fn stripe_sim(
    listen: SocketAddr,
    state: Option<PathBuf>,
    secret_key: Option<String>,
) -> anyhow::Result<()> {
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

/// Ctrl-C, or SIGTERM where there is one.
async fn quit_signal() -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r?,
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c().await?;
    Ok(())
}
