//! Booth around the shop (Settings → While Booth runs): start at login, keep the computer
//! awake, notifications; and what the tray and the sleep inhibitor are doing.

use super::S;
use crate::awake::{Awake, AwakeState};
use crate::error::{CmdError, CmdResult};
use booth_core::app_prefs::{AppPref, AppPrefs};
use serde::Serialize;
use std::sync::Arc;
use tauri::{AppHandle, Manager};
use tauri_plugin_autostart::ManagerExt;

#[derive(Serialize, specta::Type)]
pub struct Background {
    pub prefs: AppPrefs,
    /// Booth starts (in the background, without a window) when the seller logs in.
    pub start_at_login: bool,
    pub awake: AwakeState,
    /// The desktop shows Booth's tray icon.
    pub tray: bool,
}

#[tauri::command]
#[specta::specta]
pub async fn background(app: AppHandle, state: S<'_>) -> CmdResult<Background> {
    let prefs = state.shop().await?.app_prefs().await?;
    Ok(Background {
        prefs,
        start_at_login: app.autolaunch().is_enabled().unwrap_or(false),
        awake: app.state::<Arc<Awake>>().state(),
        tray: crate::tray::shown(&app),
    })
}

/// Switches one of stay_awake, notify_sales, notify_tunnel, background_told.
#[tauri::command]
#[specta::specta]
pub async fn set_background_pref(
    app: AppHandle,
    state: S<'_>,
    pref: String,
    on: bool,
) -> CmdResult<Background> {
    let pref = AppPref::parse(&pref)?;
    let shop = state.shop().await?;
    shop.set_app_pref(pref, on).await?;
    // Held or released now, so Settings' answer already says what it does.
    if pref == AppPref::StayAwake {
        let glance = crate::background::glance(&state, Some(&shop)).await;
        let prefs = shop.app_prefs().await?;
        crate::background::keep_awake(&app, &glance, Some(&prefs)).await;
    }
    background(app, state).await
}

/// Adds or removes Booth's entry among the programs started at login.
#[tauri::command]
#[specta::specta]
pub async fn set_start_at_login(app: AppHandle, state: S<'_>, on: bool) -> CmdResult<Background> {
    let launcher = app.autolaunch();
    let done = if on {
        launcher.enable()
    } else {
        launcher.disable()
    };
    done.map_err(|e| {
        CmdError::new(
            "start_at_login",
            format!("Couldn't change what starts at login: {e}"),
        )
    })?;
    background(app, state).await
}
