//! What Booth does around the running shop, window or not: every two seconds it glances at
//! the shop (open, paused or stopped; the tunnel; new sales) and keeps the tray, the sleep
//! inhibitor and the seller's notifications in step. A glance is a few SQLite reads and no
//! network (well under a millisecond each, next to the shop's own work); polling keeps this
//! one obvious loop instead of an event from every place that changes one of them.

use crate::awake::Awake;
use crate::state::AppState;
use crate::tray;
use booth_core::app_prefs::AppPrefs;
use booth_core::glance::{Glance, Outage};
use booth_core::Shop;
use std::time::{Duration, Instant};
use tauri::{AppHandle, Manager};
use tauri_plugin_notification::NotificationExt;

const EVERY: Duration = Duration::from_secs(2);

/// The glance, with the shop the caller already holds (`AppState::shop` opens the data
/// dir afresh when the shop isn't running).
pub async fn glance(state: &AppState, shop: Option<&Shop>) -> Glance {
    let (running, ..) = state.snapshot().await;
    let paused = match shop {
        Some(shop) => shop.sales_paused().await.unwrap_or(false),
        None => false,
    };
    Glance::of(running, paused, state.tunnel_status().await.state)
}

/// Runs for the app's life.
pub fn spawn(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        let mut seen_sale = None;
        let mut outage = Outage::default();
        loop {
            let shop = state.shop().await.ok();
            let glance = glance(&state, shop.as_ref()).await;
            let prefs = match &shop {
                Some(s) => s.app_prefs().await.ok(),
                None => None,
            };
            keep_awake(&app, &glance, prefs.as_ref()).await;
            tray::show(&app, &glance);

            // Sales: news only after the first glance (not the shop's whole history).
            if let Some(shop) = &shop {
                match seen_sale {
                    None => seen_sale = shop.newest_purchase().await.ok(),
                    Some(after) => {
                        for sale in shop.sales_after(after).await.unwrap_or_default() {
                            seen_sale = Some(sale.purchase_id);
                            if prefs.is_some_and(|p| p.notify_sales) {
                                notify(&app, &sale.title, &sale.body);
                            }
                        }
                    }
                }
            }
            if outage.news(glance.tunnel_down, Instant::now())
                && prefs.is_some_and(|p| p.notify_tunnel)
            {
                notify(
                    &app,
                    "Buyers can't reach your shop",
                    "The tunnel has been down for a minute. Booth keeps trying; open Booth to see why.",
                );
            }
            tokio::time::sleep(EVERY).await;
        }
    });
}

/// Holds or releases the sleep inhibitor as the glance and the seller's choice say.
pub async fn keep_awake(app: &AppHandle, glance: &Glance, prefs: Option<&AppPrefs>) {
    let want = prefs.is_some_and(|p| glance.wants_awake(p));
    let awake = app.state::<std::sync::Arc<Awake>>().inner().clone();
    let _ = tauri::async_runtime::spawn_blocking(move || awake.want(want)).await;
}

fn notify(app: &AppHandle, title: &str, body: &str) {
    if let Err(e) = app.notification().builder().title(title).body(body).show() {
        tracing::warn!(error = %e, "couldn't show a notification");
    }
}
