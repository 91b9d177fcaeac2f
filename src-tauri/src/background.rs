//! What Booth does around the running shop, window or not: every two seconds it glances at
//! the shop (open, paused or stopped; the tunnel; new sales) and keeps the tray, the sleep
//! inhibitor and the seller's notifications in step. A glance is a few SQLite reads and no
//! network (well under a millisecond each, next to the shop's own work); polling keeps this
//! one obvious loop instead of an event from every place that changes one of them.

use crate::awake::Awake;
use crate::state::AppState;
use crate::tray;
use booth_core::app_prefs::AppPrefs;
use booth_core::tunnel::TunnelState;
use booth_core::Shop;
use std::time::{Duration, Instant};
use tauri::{AppHandle, Manager};
use tauri_plugin_notification::NotificationExt;

const EVERY: Duration = Duration::from_secs(2);
/// A tunnel down this long is news; shorter outages mend themselves (a restart is ~2 s).
const TUNNEL_DOWN_NEWS: Duration = Duration::from_secs(60);

/// The shop as the tray and the notifications see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glance {
    pub shop: ShopState,
    pub tunnel_up: bool,
    /// A tunnel the seller turned on is not up (starting again, or failed).
    pub tunnel_down: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShopState {
    Open,
    Paused,
    Stopped,
}

impl Glance {
    /// The tray's first line: "Shop open · tunnel up".
    pub fn words(&self) -> String {
        let shop = match self.shop {
            ShopState::Open => "Shop open",
            ShopState::Paused => "Sales paused",
            ShopState::Stopped => "Shop stopped",
        };
        let tunnel = if self.tunnel_up {
            " · tunnel up"
        } else if self.tunnel_down {
            " · tunnel down"
        } else {
            ""
        };
        format!("{shop}{tunnel}")
    }

    /// Sleep is held off only while it matters: the shop sells to the world.
    pub fn wants_awake(&self, prefs: &AppPrefs) -> bool {
        prefs.stay_awake && self.shop == ShopState::Open && self.tunnel_up
    }
}

/// The glance, with the shop the caller already holds (`AppState::shop` opens the data
/// dir afresh when the shop isn't running).
pub async fn glance(state: &AppState, shop: Option<&Shop>) -> Glance {
    let (running, ..) = state.snapshot().await;
    let paused = match shop {
        Some(shop) => shop.sales_paused().await.unwrap_or(false),
        None => false,
    };
    let tunnel = state.tunnel_status().await.state;
    Glance {
        shop: match (running, paused) {
            (false, _) => ShopState::Stopped,
            (true, true) => ShopState::Paused,
            (true, false) => ShopState::Open,
        },
        tunnel_up: running && tunnel == TunnelState::Up,
        tunnel_down: running && matches!(tunnel, TunnelState::Retrying | TunnelState::Failed),
    }
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

/// A tunnel outage, told once when it has lasted a minute.
#[derive(Default)]
pub struct Outage {
    since: Option<Instant>,
    told: bool,
}

impl Outage {
    /// Whether the seller should hear of it now.
    pub fn news(&mut self, down: bool, now: Instant) -> bool {
        if !down {
            *self = Outage::default();
            return false;
        }
        let since = *self.since.get_or_insert(now);
        if self.told || now.duration_since(since) < TUNNEL_DOWN_NEWS {
            return false;
        }
        self.told = true;
        true
    }
}

fn notify(app: &AppHandle, title: &str, body: &str) {
    if let Err(e) = app.notification().builder().title(title).body(body).show() {
        tracing::warn!(error = %e, "couldn't show a notification");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prefs(stay_awake: bool) -> AppPrefs {
        AppPrefs {
            stay_awake,
            notify_sales: true,
            notify_tunnel: true,
            background_told: false,
        }
    }

    #[test]
    fn sleep_is_held_off_only_while_the_shop_sells_to_the_world() {
        let open_up = Glance {
            shop: ShopState::Open,
            tunnel_up: true,
            tunnel_down: false,
        };
        assert!(open_up.wants_awake(&prefs(true)));
        assert!(!open_up.wants_awake(&prefs(false)), "switched off");
        for shop in [ShopState::Paused, ShopState::Stopped] {
            let g = Glance {
                shop,
                ..open_up.clone()
            };
            assert!(!g.wants_awake(&prefs(true)), "{shop:?}");
        }
        let no_tunnel = Glance {
            tunnel_up: false,
            ..open_up.clone()
        };
        assert!(!no_tunnel.wants_awake(&prefs(true)));
        assert_eq!(open_up.words(), "Shop open · tunnel up");
        let down = Glance {
            shop: ShopState::Paused,
            tunnel_up: false,
            tunnel_down: true,
        };
        assert_eq!(down.words(), "Sales paused · tunnel down");
    }

    #[test]
    fn a_tunnel_down_for_a_minute_is_told_once_per_outage() {
        let t0 = Instant::now();
        let at = |s| t0 + Duration::from_secs(s);
        let mut o = Outage::default();
        assert!(!o.news(true, at(0)));
        assert!(!o.news(true, at(59)), "a short outage mends itself");
        assert!(o.news(true, at(60)));
        assert!(!o.news(true, at(62)), "once");
        assert!(!o.news(false, at(64)), "back up");
        assert!(!o.news(true, at(70)));
        assert!(o.news(true, at(130)), "a new outage is news again");
    }
}
