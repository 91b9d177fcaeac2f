//! The shell (the sidebar's status, restart, links out) and the dashboard.

use super::S;
use crate::error::{CmdError, CmdResult};
use booth_core::delivery::DeliveryTrouble;
use booth_core::secrets;
use booth_core::settings::{self, PaymentsMode};
use booth_core::setup::SetupStep;
use booth_core::stats::Dashboard;
use booth_core::tunnel::TunnelStatus;
use serde::Serialize;
use tauri::AppHandle;
use tauri_plugin_shell::ShellExt;

#[derive(Serialize, specta::Type)]
pub struct Status {
    /// The shop server, outbox worker (and simulator) are up.
    running: bool,
    /// Why it is not running (port taken, data dir unusable, bad Stripe key…).
    error: Option<CmdError>,
    mode: PaymentsMode,
    /// Where the server listens, e.g. "127.0.0.1:8080".
    listen: String,
    /// Where links in emails point now: the stable address if set, else the tunnel's, else the local one.
    public_url: String,
    data_dir: String,
    /// Where secrets are kept, in words.
    secrets_store: String,
    store_name: String,
    version: &'static str,
    tunnel: TunnelStatus,
    /// New sales are paused (the shop's pages say "back soon"); links keep working.
    sales_paused: bool,
    /// The links the shop hands out open only on this computer (no public address yet).
    links_local: bool,
    /// Where mail is written when no mail server is set: kept there, sent to nobody.
    mail_folder: Option<String>,
    /// Mail isn't going out, and why (the mail server doesn't answer, refuses the login…).
    mail_trouble: Option<DeliveryTrouble>,
}

#[tauri::command]
#[specta::specta]
pub async fn status(state: S<'_>) -> CmdResult<Status> {
    let (running, error, addr, simulated) = state.snapshot().await;
    let mut status = Status {
        running,
        error,
        mode: PaymentsMode::Simulated,
        listen: addr.unwrap_or_else(|| settings::DEFAULT_LISTEN.into()),
        public_url: String::new(),
        data_dir: state.data_dir.display().to_string(),
        secrets_store: secrets::describe(&state.data_dir),
        store_name: "Booth".into(),
        version: env!("CARGO_PKG_VERSION"),
        tunnel: state.tunnel_status().await,
        sales_paused: false,
        links_local: true,
        mail_folder: None,
        mail_trouble: None,
    };
    // An unusable data dir is itself the status to show, not a failure to report one.
    let shop = match state.shop().await {
        Ok(shop) => shop,
        Err(e) => {
            status.error.get_or_insert(e);
            return Ok(status);
        }
    };
    status.mode = match (simulated, shop.payments()) {
        (Some(true), _) => PaymentsMode::Simulated,
        (Some(false), Ok(p)) if p.test_mode() => PaymentsMode::Test,
        (Some(false), Ok(_)) => PaymentsMode::Live,
        _ => saved_mode(shop.setting(settings::PAYMENTS).await?),
    };
    if !running {
        if let Some(listen) = shop.setting(settings::LISTEN).await? {
            status.listen = listen;
        }
    }
    status.public_url = shop.public_url();
    status.links_local = shop.links_are_local();
    status.store_name = shop.store_info().await?.store_name;
    status.sales_paused = shop.sales_paused().await?;
    status.mail_folder = state
        .mailer()
        .await
        .and_then(|m| m.folder().map(|d| d.display().to_string()));
    status.mail_trouble = shop.delivery_trouble().await?;
    Ok(status)
}

/// Pauses or resumes new sales (as `booth pause` / `booth resume`); the shop's pages say
/// so at their next request.
#[tauri::command]
#[specta::specta]
pub async fn set_sales_paused(state: S<'_>, paused: bool) -> CmdResult<Status> {
    state.shop().await?.set_sales_paused(paused).await?;
    status(state).await
}

/// The saved payments setting (simulated when there is none).
pub fn saved_mode(saved: Option<String>) -> PaymentsMode {
    saved
        .and_then(|m| m.parse().ok())
        .unwrap_or(PaymentsMode::Simulated)
}

/// Stops and starts the server, worker and payments with the saved settings.
#[tauri::command]
#[specta::specta]
pub async fn restart_shop(state: S<'_>) -> CmdResult<Status> {
    state.restart().await?;
    status(state).await
}

/// Opens a web page (a product page, a buyer's link) in the seller's browser.
#[tauri::command]
#[specta::specta]
pub async fn open_external(app: AppHandle, url: String) -> CmdResult<()> {
    let ok = url::Url::parse(&url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
    if !ok {
        return Err(CmdError::invalid(
            "url",
            "only web pages (http or https) can be opened",
        ));
    }
    #[allow(deprecated)] // tauri-plugin-shell's open is the design card's choice
    app.shell()
        .open(&url, None)
        .map_err(|e| CmdError::new("internal", format!("couldn't open a browser: {e}")))
}

/// Shows a file the window saved (a CSV export) in the file manager: opens the folder that
/// holds it. Only an existing folder is ever opened, never a file, so this can't start a
/// program whatever path the window sends.
#[tauri::command]
#[specta::specta]
pub async fn show_in_folder(app: AppHandle, path: std::path::PathBuf) -> CmdResult<()> {
    let folder = booth_core::folder::holding(&path)?;
    #[allow(deprecated)] // as open_external: tauri-plugin-shell is the app's opener
    app.shell()
        .open(folder.to_string_lossy(), None)
        .map_err(|e| CmdError::new("internal", format!("couldn't open the folder: {e}")))
}

#[tauri::command]
#[specta::specta]
pub async fn dashboard(state: S<'_>, days: u32) -> CmdResult<Dashboard> {
    Ok(state.shop().await?.dashboard(days).await?)
}

/// The first-run checklist: each step and whether it is done.
#[tauri::command]
#[specta::specta]
pub async fn setup_steps(state: S<'_>) -> CmdResult<Vec<SetupStep>> {
    Ok(state.shop().await?.setup_steps().await?)
}
