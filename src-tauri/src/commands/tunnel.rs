//! The shop's public address (Settings → Public address): the tunnel, its status and log.

use super::S;
use crate::error::{all, CmdResult, Mistakes};
use booth_core::tunnel::{self, LogEntry, Provider, TunnelInput, TunnelStatus};
use serde::Serialize;

#[derive(Serialize, specta::Type)]
pub struct ProviderInfo {
    id: Provider,
    label: &'static str,
    /// The program it runs; null for a custom command.
    program: Option<&'static str>,
    /// The program was found on this machine.
    installed: bool,
    /// What the token field is called, if this provider has one.
    token_label: Option<&'static str>,
    /// The address changes on every start, unless `stable_with` is filled in.
    changes_address: bool,
    /// The form field that keeps the address the same (bore's port, ngrok's hostname).
    stable_with: Option<&'static str>,
}

#[derive(Serialize, specta::Type)]
pub struct TunnelView {
    status: TunnelStatus,
    /// The saved tunnel as the form shows it.
    saved: Option<TunnelInput>,
    /// Starts with the shop.
    on: bool,
    token_set: bool,
    /// Where links in emails point now; `configured_url` is the stable one, if set.
    public_url: String,
    /// `public_url` opens only on this computer (the core's answer, as in Status).
    links_local: bool,
    configured_url: Option<String>,
    providers: Vec<ProviderInfo>,
    /// Newest first, at most 50.
    log: Vec<LogEntry>,
}

#[tauri::command]
#[specta::specta]
pub async fn tunnel(state: S<'_>) -> CmdResult<TunnelView> {
    let shop = state.shop().await?;
    let providers = Provider::ALL
        .into_iter()
        .map(|p| ProviderInfo {
            id: p,
            label: p.label(),
            program: p.program(),
            installed: p
                .program()
                .is_none_or(|prog| tunnel::find_program(prog).is_some()),
            token_label: p.token_label(),
            changes_address: p.changes_address(),
            stable_with: p.stable_with(),
        })
        .collect();
    Ok(TunnelView {
        status: state.tunnel_status().await,
        saved: shop.tunnel_spec().await?.map(|s| s.input()),
        on: shop.tunnel_on().await?,
        token_set: shop.tunnel_token()?.is_some(),
        public_url: shop.public_url(),
        links_local: shop.links_are_local(),
        configured_url: shop.configured_url(),
        providers,
        log: shop.tunnel_log(50).await?,
    })
}

/// The tunnel form: `token` as Start would send it (null keeps the saved one, "" removes it).
#[tauri::command]
#[specta::specta]
pub async fn validate_tunnel(
    state: S<'_>,
    input: TunnelInput,
    token: Option<String>,
) -> CmdResult<Mistakes> {
    let saved = state.shop().await?.tunnel_token()?.is_some();
    Ok(all(tunnel::check_form(&input, token.as_deref(), saved)))
}

/// Saves the tunnel the seller picked and opens it; it reopens with the shop from now on.
/// On invalid_input, `field` is provider/server/port/hostname/command/pattern/token.
#[tauri::command]
#[specta::specta]
pub async fn start_tunnel(
    state: S<'_>,
    input: TunnelInput,
    token: Option<String>,
) -> CmdResult<TunnelView> {
    let shop = state.running_shop().await?;
    shop.save_tunnel(&input, token.as_deref()).await?;
    shop.set_tunnel_on(true).await?;
    state.start_tunnel().await?;
    tunnel(state).await
}

#[tauri::command]
#[specta::specta]
pub async fn stop_tunnel(state: S<'_>) -> CmdResult<TunnelView> {
    state.shop().await?.set_tunnel_on(false).await?;
    state.stop_tunnel().await;
    tunnel(state).await
}

/// Checks the public address through the tunnel now (the result shows up shortly).
#[tauri::command]
#[specta::specta]
pub async fn check_tunnel(state: S<'_>) -> CmdResult<TunnelView> {
    state.check_tunnel().await;
    tunnel(state).await
}
