//! The shop as the tray and the seller's notifications see it, and the rules they follow:
//! the tray's words, when sleep is held off, when a tunnel outage is news. The desktop app
//! takes a glance every two seconds (src-tauri/src/background.rs) and asks these.

use crate::app_prefs::AppPrefs;
use crate::tunnel::TunnelState;
use std::time::{Duration, Instant};

/// A tunnel down this long is news; shorter outages mend themselves (a restart is ~2 s).
pub const TUNNEL_DOWN_NEWS: Duration = Duration::from_secs(60);

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
    /// The shop as it is: running or not, its sales paused or not, and its tunnel. A
    /// stopped shop has no tunnel to speak of.
    pub fn of(running: bool, paused: bool, tunnel: TunnelState) -> Glance {
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

/// A tunnel outage, told once when it has lasted [`TUNNEL_DOWN_NEWS`].
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
    fn a_glance_says_what_runs() {
        let g = Glance::of(true, false, TunnelState::Up);
        assert_eq!(
            (g.shop, g.tunnel_up, g.tunnel_down),
            (ShopState::Open, true, false)
        );
        let g = Glance::of(true, true, TunnelState::Retrying);
        assert_eq!(g.words(), "Sales paused · tunnel down");
        let g = Glance::of(true, false, TunnelState::Failed);
        assert!(g.tunnel_down && !g.tunnel_up);
        // A stopped shop's tunnel is neither up nor down, whatever its last state.
        let g = Glance::of(false, true, TunnelState::Up);
        assert_eq!(g.words(), "Shop stopped");
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
