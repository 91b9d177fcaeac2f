//! The running shop inside the app: the public server, the outbox worker and (in simulated
//! mode) the Stripe simulator, started from the seller's saved settings, restartable when
//! they change, stopped cleanly on quit.

use crate::error::{CmdError, CmdResult};
use booth_core::tunnel::{TunnelSpec, TunnelState, TunnelStatus};
use booth_core::Shop;
use booth_runtime::tunnel::{Launcher, TunnelOptions};
use booth_runtime::{RunConfig, Running};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use tokio::sync::{watch, Mutex};

pub struct AppState {
    pub data_dir: PathBuf,
    inner: Mutex<Inner>,
    /// Starts tunnel programs (tauri-plugin-shell); set once the app exists.
    launcher: OnceLock<Arc<dyn Launcher>>,
    /// Told of every shop opened here, running or not (its transfers go to the window).
    on_open: OnceLock<Box<OnOpen>>,
}

type OnOpen = dyn Fn(&Shop) + Send + Sync;

#[derive(Default)]
struct Inner {
    running: Option<Running>,
    /// Why the shop isn't running (port taken, unusable data dir, missing key...).
    error: Option<CmdError>,
}

impl AppState {
    pub fn new(data_dir: PathBuf) -> AppState {
        AppState {
            data_dir,
            inner: Mutex::new(Inner::default()),
            launcher: OnceLock::new(),
            on_open: OnceLock::new(),
        }
    }

    pub fn set_launcher(&self, launcher: Arc<dyn Launcher>) {
        let _ = self.launcher.set(launcher);
    }

    /// What to do with each shop opened from now on; set once, before the shop starts.
    pub fn on_open(&self, f: impl Fn(&Shop) + Send + Sync + 'static) {
        let _ = self.on_open.set(Box::new(f));
    }

    fn opened(&self, shop: &Shop) {
        if let Some(f) = self.on_open.get() {
            f(shop);
        }
    }

    /// Starts the shop from the saved settings, stopping a running one first; but a shop
    /// that works is kept when the new listen address is one it couldn't take.
    pub async fn restart(&self) -> CmdResult<()> {
        let mut inner = self.inner.lock().await;
        if let Some(running) = &inner.running {
            keep_if_port_taken(&self.data_dir, running)?;
        }
        if let Some(running) = inner.running.take() {
            running.shutdown().await;
        }
        let started = async {
            let config = RunConfig::from_saved(self.data_dir.clone())?;
            booth_runtime::start(config).await
        }
        .await;
        match started {
            Ok(running) => {
                self.opened(&running.shop);
                // The tunnel comes back with the shop if the seller left it on.
                let shop = running.shop.clone();
                if let (Ok(true), Ok(Some(spec))) =
                    (shop.tunnel_on().await, shop.tunnel_spec().await)
                {
                    self.open_tunnel(&running, spec).await;
                }
                inner.running = Some(running);
                inner.error = None;
            }
            Err(e) => {
                tracing::error!(error = %e, "the shop couldn't start");
                inner.error = Some(e.into());
            }
        }
        Ok(())
    }

    /// Applies the saved mail settings to the running shop, without a restart.
    pub async fn apply_mail_settings(&self) -> CmdResult<()> {
        if let Some(running) = &self.inner.lock().await.running {
            let config = RunConfig::from_saved(self.data_dir.clone())?;
            running.use_mail_settings(config.smtp_url.as_ref()).await?;
        }
        Ok(())
    }

    /// The running shop's mailer.
    pub async fn mailer(&self) -> Option<booth_core::mail::Mailer> {
        self.inner
            .lock()
            .await
            .running
            .as_ref()
            .map(Running::mailer)
    }

    async fn open_tunnel(
        &self,
        running: &Running,
        spec: TunnelSpec,
    ) -> Option<watch::Receiver<TunnelStatus>> {
        let launcher = self.launcher.get()?;
        let token = running.shop.tunnel_token().unwrap_or_else(|e| {
            tracing::warn!(error = %e, "couldn't read the tunnel token");
            None
        });
        Some(
            running
                .start_tunnel(spec, token, launcher.clone(), TunnelOptions::default())
                .await,
        )
    }

    /// Starts the saved tunnel on the running shop (replacing a running one).
    pub async fn start_tunnel(&self) -> CmdResult<()> {
        let inner = self.inner.lock().await;
        let running = inner.running.as_ref().ok_or_else(|| {
            CmdError::new(
                "not_running",
                "Start the shop first: a tunnel opens the running shop to the world.",
            )
        })?;
        let spec = running
            .shop
            .tunnel_spec()
            .await?
            .ok_or_else(|| CmdError::invalid("provider", "Pick a tunnel first."))?;
        let status = self.open_tunnel(running, spec).await;
        drop(inner);
        // Most tunnels give their address within a second or two: answer with it rather
        // than with "starting", when it comes soon enough.
        if let Some(mut status) = status {
            let settled = status.wait_for(|s| s.state != TunnelState::Starting);
            let _ = tokio::time::timeout(std::time::Duration::from_secs(5), settled).await;
        }
        Ok(())
    }

    pub async fn stop_tunnel(&self) {
        if let Some(r) = &self.inner.lock().await.running {
            r.stop_tunnel().await;
        }
    }

    pub async fn check_tunnel(&self) {
        if let Some(r) = &self.inner.lock().await.running {
            r.check_tunnel().await;
        }
    }

    pub async fn tunnel_status(&self) -> TunnelStatus {
        match &self.inner.lock().await.running {
            Some(r) => r.tunnel_status().await,
            None => TunnelStatus::off(),
        }
    }

    pub async fn stop(&self) {
        if let Some(running) = self.inner.lock().await.running.take() {
            running.shutdown().await;
        }
    }

    /// The shop, with payments when it is running; without, the catalog and purchases
    /// can still be read and edited.
    pub async fn shop(&self) -> CmdResult<Shop> {
        if let Some(r) = &self.inner.lock().await.running {
            return Ok(r.shop.clone());
        }
        let shop = Shop::open(&self.data_dir)?;
        self.opened(&shop);
        Ok(shop)
    }

    /// The running shop, for what needs the server or payments (checkout, refunds).
    pub async fn running_shop(&self) -> CmdResult<Shop> {
        let inner = self.inner.lock().await;
        match &inner.running {
            Some(r) => Ok(r.shop.clone()),
            None => Err(CmdError::new(
                "not_running",
                match &inner.error {
                    Some(e) => format!("The shop isn't running: {}", e.message),
                    None => "The shop isn't running yet.".to_string(),
                },
            )),
        }
    }

    /// (running, error, listen address, simulated).
    pub async fn snapshot(&self) -> (bool, Option<CmdError>, Option<String>, Option<bool>) {
        let inner = self.inner.lock().await;
        match &inner.running {
            Some(r) => (true, None, Some(r.addr.to_string()), Some(r.simulated())),
            None => (false, inner.error.clone(), None, None),
        }
    }
}

/// Refuses a restart onto a listen address another program holds, so the seller's working
/// shop keeps selling instead of stopping for one that can't start.
fn keep_if_port_taken(data_dir: &std::path::Path, running: &Running) -> CmdResult<()> {
    let Ok(config) = RunConfig::from_saved(data_dir.to_path_buf()) else {
        return Ok(()); // the start below says what is wrong with the settings
    };
    if config.listen == running.addr || config.listen.port() == 0 {
        return Ok(());
    }
    match std::net::TcpListener::bind(config.listen) {
        Ok(_) => Ok(()),
        Err(e) => Err(CmdError::invalid(
            "listen",
            format!(
                "can't listen on {}: {e} (another program may be using it). The shop keeps running on {}.",
                config.listen, running.addr
            ),
        )),
    }
}
