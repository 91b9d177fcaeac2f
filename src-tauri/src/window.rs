//! The seller's window over a shop that keeps selling when it closes. Closing the window
//! asks (in the window) whether to keep selling in the background or quit; kept, the
//! webview is destroyed, not hidden, so a shop in the background costs only the shop. A
//! second launch of the app (tauri-plugin-single-instance) or the tray brings a fresh
//! window back on the same running shop.

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

/// The main window's close button: the window asks the seller first (`close-requested`),
/// and answers with the `close_window` command.
pub fn on_event(window: &tauri::Window, event: &WindowEvent) {
    if window.label() != MAIN {
        return;
    }
    if let WindowEvent::CloseRequested { api, .. } = event {
        api.prevent_close();
        let _ = window.emit_to(MAIN, "close-requested", ());
    }
}

/// Closes the seller's window: keeping the shop selling (the webview is destroyed; the
/// server, outbox, tunnel and catch-up run on) or quitting Booth, which stops it cleanly.
pub fn close(app: &AppHandle, window: Option<WebviewWindow>, keep_selling: bool) {
    if !keep_selling {
        app.exit(0);
        return;
    }
    if let Some(w) = window.or_else(|| app.get_webview_window(MAIN)) {
        let _ = w.destroy();
    }
}
