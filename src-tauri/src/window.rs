//! The seller's window over a shop that keeps selling when it closes. With a tray, closing
//! the window keeps selling (the first time, the window says so once); without one, it
//! asks whether to keep selling in the background or quit. Kept, the webview is destroyed,
//! not hidden, so a shop in the background costs only the shop. A second launch of the app
//! (tauri-plugin-single-instance) or the tray brings a fresh window back on the same
//! running shop.

use crate::state::AppState;
use booth_core::app_prefs::AppPref;
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, WebviewWindow, WebviewWindowBuilder, WindowEvent};

pub const MAIN: &str = "main";

/// Brings the seller's window forward, making a new one when it was closed.
pub fn show(app: &AppHandle) {
    if let Some(w) = app.get_webview_window(MAIN) {
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
        return;
    }
    let Some(config) = app.config().app.windows.iter().find(|w| w.label == MAIN) else {
        return;
    };
    match WebviewWindowBuilder::from_config(app, config).and_then(|b| b.build()) {
        Ok(w) => {
            let _ = w.set_focus();
        }
        Err(e) => tracing::error!(error = %e, "couldn't open Booth's window"),
    }
}

/// What the window's close question is told: with a tray, it only says (once) that the
/// shop keeps selling; without, it asks.
#[derive(Clone, Serialize)]
pub struct CloseAsked {
    pub tray: bool,
}

/// The main window's close button: with a tray and the seller told before, the window
/// closes and the shop sells on; otherwise the window asks first (`close-requested`), and
/// answers with the `close_window` command.
pub fn on_event(window: &tauri::Window, event: &WindowEvent) {
    if window.label() != MAIN {
        return;
    }
    if let WindowEvent::CloseRequested { api, .. } = event {
        api.prevent_close();
        let app = window.app_handle().clone();
        tauri::async_runtime::spawn(async move {
            let tray = crate::tray::shown(&app);
            let told = match app.state::<AppState>().shop().await {
                Ok(shop) => shop.app_prefs().await.is_ok_and(|p| p.background_told),
                Err(_) => false,
            };
            if tray && told {
                close(&app, None, true).await;
            } else {
                let _ = app.emit_to(MAIN, "close-requested", CloseAsked { tray });
            }
        });
    }
}

/// Closes the seller's window: keeping the shop selling (the webview is destroyed; the
/// server, outbox, tunnel and catch-up run on) or quitting Booth, which stops it cleanly.
pub async fn close(app: &AppHandle, window: Option<WebviewWindow>, keep_selling: bool) {
    if !keep_selling {
        app.exit(0);
        return;
    }
    // Told once: with a tray, the next close doesn't ask.
    if crate::tray::shown(app) {
        if let Ok(shop) = app.state::<AppState>().shop().await {
            if let Err(e) = shop.set_app_pref(AppPref::BackgroundTold, true).await {
                tracing::warn!(error = %e, "couldn't note that the seller was told");
            }
        }
    }
    if let Some(w) = window.or_else(|| app.get_webview_window(MAIN)) {
        let _ = w.destroy();
    }
}
