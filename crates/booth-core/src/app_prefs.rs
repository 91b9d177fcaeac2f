//! The seller's choices for Booth around the running shop: keep the computer awake while
//! the shop is open to the world, tell them of each sale and of a tunnel that stays down.
//! Kept with the shop's settings, so they follow the data dir; all on until switched off.
//! And the sale notice itself: one wording for every notification of a sale.

use crate::error::{Error, Result};
use crate::purchases::{self, Purchase, Source};
use crate::settings;
use rusqlite::Connection;
use serde::Serialize;

/// One of the seller's choices; its settings key is its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppPref {
    /// Hold off idle sleep while the shop is open and a tunnel is up.
    StayAwake,
    /// A desktop notification for each sale.
    NotifySales,
    /// A desktop notification when the tunnel stays down.
    NotifyTunnel,
    /// The seller has been told, once, that closing the window keeps the shop selling.
    BackgroundTold,
}

impl AppPref {
    pub const ALL: [AppPref; 4] = [
        AppPref::StayAwake,
        AppPref::NotifySales,
        AppPref::NotifyTunnel,
        AppPref::BackgroundTold,
    ];

    pub fn key(self) -> &'static str {
        match self {
            AppPref::StayAwake => settings::STAY_AWAKE,
            AppPref::NotifySales => settings::NOTIFY_SALES,
            AppPref::NotifyTunnel => settings::NOTIFY_TUNNEL,
            AppPref::BackgroundTold => settings::BACKGROUND_TOLD,
        }
    }

    /// Parses a choice's name as the window or the CLI sends it.
    pub fn parse(name: &str) -> Result<AppPref> {
        AppPref::ALL
            .into_iter()
            .find(|p| p.key() == name)
            // Not echoed: it may be anything, of any length.
            .ok_or_else(|| {
                Error::invalid(
                    "pref",
                    "no such choice; the choices are stay_awake, notify_sales, notify_tunnel and background_told",
                )
            })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct AppPrefs {
    pub stay_awake: bool,
    pub notify_sales: bool,
    pub notify_tunnel: bool,
    pub background_told: bool,
}

impl AppPrefs {
    pub fn read(conn: &Connection) -> Result<AppPrefs> {
        // Off only when switched off; told only once told.
        let on = |p: AppPref| -> Result<bool> {
            Ok(settings::get(conn, p.key())?.as_deref() != Some("no"))
        };
        Ok(AppPrefs {
            stay_awake: on(AppPref::StayAwake)?,
            notify_sales: on(AppPref::NotifySales)?,
            notify_tunnel: on(AppPref::NotifyTunnel)?,
            background_told: settings::get(conn, AppPref::BackgroundTold.key())?.as_deref()
                == Some("yes"),
        })
    }
}

/// A notification of one sale: "Sold: The Book" / "$5.00 · test". No buyer's address: a
/// notification can show on a locked or shared screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleNotice {
    pub purchase_id: i64,
    pub title: String,
    pub body: String,
}

impl SaleNotice {
    pub fn of(p: &Purchase) -> SaleNotice {
        let names: Vec<&str> = p.items.iter().map(|i| i.product_name.as_str()).collect();
        let what = match names.as_slice() {
            [] => "a purchase".to_string(),
            [one] => one.to_string(),
            [first, rest @ ..] => format!("{first} and {} more", rest.len()),
        };
        let mut body = p.total().format();
        if p.test {
            body.push_str(" · test");
        }
        SaleNotice {
            purchase_id: p.id,
            title: format!("Sold: {what}"),
            body,
        }
    }
}

/// Sales (paid through Checkout, not gifts or free copies) after purchase `after`, oldest
/// first, at most `limit`.
pub fn sales_after(conn: &Connection, after: i64, limit: i64) -> Result<Vec<SaleNotice>> {
    let sql = format!(
        "SELECT {} FROM purchases WHERE id > ?1 AND source = ?2 ORDER BY id LIMIT ?3",
        purchases::PURCHASE_COLS
    );
    let list = purchases::collect_purchases(
        conn,
        &sql,
        rusqlite::params![after, Source::Checkout.as_str(), limit],
    )?;
    Ok(list.iter().map(SaleNotice::of).collect())
}

/// The newest purchase's id (0 with none): sales after it are news.
pub fn newest_purchase(conn: &Connection) -> Result<i64> {
    Ok(
        conn.query_row("SELECT COALESCE(MAX(id), 0) FROM purchases", [], |r| {
            r.get(0)
        })?,
    )
}
