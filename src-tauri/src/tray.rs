//! Booth's tray icon: whether the shop is open, paused or stopped, the tunnel, and whether
//! the computer is kept awake; Open Booth, Pause sales / Resume sales, Quit Booth. Quit is
//! the only way out of a shop running in the background, so where the desktop shows no
//! tray (GNOME without its AppIndicator extension) closing the window asks instead.

use crate::awake::{Awake, AwakeState};
use crate::state::AppState;
use booth_core::glance::{Glance, ShopState};
use std::sync::Arc;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Wry};

/// The menu lines that change, kept to update them.
pub struct Tray {
    status: MenuItem<Wry>,
    awake: MenuItem<Wry>,
    pause: MenuItem<Wry>,
    /// The desktop shows tray icons (so the window may close without asking).
    pub shown: bool,
}

/// Makes the tray icon; the app runs on without one if the desktop refuses it.
pub fn build(app: &AppHandle) -> tauri::Result<()> {
    let status = MenuItem::with_id(app, "status", "Starting…", false, None::<&str>)?;
    let awake = MenuItem::with_id(app, "awake", "", false, None::<&str>)?;
    let open = MenuItem::with_id(app, "open", "Open Booth", true, None::<&str>)?;
    let pause = MenuItem::with_id(app, "pause", "Pause sales", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit Booth", true, None::<&str>)?;
    let menu = Menu::with_items(
        app,
        &[
            &status,
            &awake,
            &PredefinedMenuItem::separator(app)?,
            &open,
            &pause,
            &PredefinedMenuItem::separator(app)?,
            &quit,
        ],
    )?;
    let mut icon = TrayIconBuilder::with_id("booth")
        .tooltip("Booth")
        .menu(&menu)
        .on_menu_event(|app, event| match event.id.as_ref() {
            "open" => crate::window::show(app),
            "pause" => toggle_pause(app.clone()),
            "quit" => app.exit(0),
            _ => {}
        });
    if let Some(i) = app.default_window_icon() {
        icon = icon.icon(i.clone());
    }
    icon.build(app)?;
    app.manage(Tray {
        status,
        awake,
        pause,
        shown: desktop_shows_tray(),
    });
    Ok(())
}

/// Whether the desktop shows Booth's tray icon (so closing the window need not ask).
pub fn shown(app: &AppHandle) -> bool {
    app.try_state::<Tray>().is_some_and(|t| t.shown)
}

/// Brings the menu's lines up to date with a glance at the shop.
pub fn show(app: &AppHandle, glance: &Glance) {
    let Some(tray) = app.try_state::<Tray>() else {
        return;
    };
    let _ = tray.status.set_text(glance.words());
    let awake = match app.state::<Arc<Awake>>().state() {
        AwakeState::Held => "Keeping the computer awake",
        AwakeState::Off => "The computer may sleep",
        AwakeState::Unavailable(_) => "Can't keep the computer awake",
    };
    let _ = tray.awake.set_text(awake);
    let _ = tray.pause.set_text(match glance.shop {
        ShopState::Paused => "Resume sales",
        _ => "Pause sales",
    });
    let _ = tray.pause.set_enabled(glance.shop != ShopState::Stopped);
}

fn toggle_pause(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        let Ok(shop) = state.shop().await else { return };
        let paused = shop.sales_paused().await.unwrap_or(false);
        if let Err(e) = shop.set_sales_paused(!paused).await {
            tracing::warn!(error = %e, "couldn't pause or resume sales from the tray");
        }
        let glance = crate::background::glance(&state, Some(&shop)).await;
        show(&app, &glance);
    });
}

/// Whether the desktop shows tray icons. On Linux an icon is shown only where a
/// StatusNotifierWatcher runs (KDE, most others; GNOME only with its AppIndicator
/// extension); macOS and Windows always show them.
#[cfg(target_os = "linux")]
fn desktop_shows_tray() -> bool {
    let watcher = || -> zbus::Result<bool> {
        let bus = zbus::blocking::Connection::session()?;
        let dbus = zbus::blocking::fdo::DBusProxy::new(&bus)?;
        Ok(dbus.name_has_owner("org.kde.StatusNotifierWatcher".try_into()?)?)
    };
    watcher().unwrap_or(false)
}

#[cfg(not(target_os = "linux"))]
fn desktop_shows_tray() -> bool {
    true
}
