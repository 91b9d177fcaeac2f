//! License keys: one per purchase of a product that gives them (issued with the purchase,
//! in purchases.rs), activated on at most `activation_limit` instances (computers) at once.
//! A key is usable while its purchase is paid, its item not revoked and the seller hasn't
//! disabled it; anything else is a `Refusal` that names why. The license API (booth-server's
//! licenses.rs) and the seller's commands are adapters over these functions.

use crate::error::Result;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

mod activations;
pub mod file;
mod names;
pub(crate) use activations::issue;
pub use activations::{
    activate, deactivate, free, key_of_instance, require, set_disabled, set_limit, validate,
    FreedBy,
};
pub use names::{parse_activation_limit, InstanceId, InstanceName, LicenseKey, MAX_ACTIVATIONS};

/// A license key as the seller, the buyer and an app see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct License {
    pub id: i64,
    pub key: String,
    pub activation_limit: u32,
    /// The instances it is activated on now, oldest first.
    pub instances: Vec<Instance>,
    /// How many instances were freed (by the buyer, the app or the seller).
    pub freed: u32,
    pub disabled: bool,
    pub created_at: i64,
    pub purchase_id: i64,
    pub purchase_item_id: i64,
    pub product_id: i64,
    pub product_slug: String,
    pub product_name: String,
    pub email: String,
    pub test: bool,
    /// Why the key can't be used now, if it can't.
    pub refusal: Option<Refusal>,
}

impl License {
    /// "active" with an instance, "inactive" without, "disabled" when it can't be used:
    /// the statuses the established license API gives.
    pub fn status(&self) -> &'static str {
        match (&self.refusal, self.instances.is_empty()) {
            (Some(_), _) => "disabled",
            (None, true) => "inactive",
            (None, false) => "active",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct Instance {
    pub id: String,
    pub name: String,
    pub created_at: i64,
}

/// Why a license request was refused. Each has its own words for the app and the buyer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    UnknownKey,
    UnknownInstance,
    LimitReached,
    Disabled,
    Refunded,
    Revoked,
}

impl Refusal {
    /// Its stable name, as serialised.
    pub fn code(self) -> &'static str {
        match self {
            Refusal::UnknownKey => "unknown_key",
            Refusal::UnknownInstance => "unknown_instance",
            Refusal::LimitReached => "limit_reached",
            Refusal::Disabled => "disabled",
            Refusal::Refunded => "refunded",
            Refusal::Revoked => "revoked",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Refusal::UnknownKey => "license_key not found.",
            Refusal::UnknownInstance => "license_key instance_id not found.",
            Refusal::LimitReached => "This license key has reached the activation limit.",
            Refusal::Disabled => "This license key has been disabled by the seller.",
            Refusal::Refunded => "This license key's purchase was refunded.",
            Refusal::Revoked => "This license key's purchase was revoked.",
        }
    }
}

/// What a license request came to: the key (when it is one), the instance it named or
/// made, and the refusal, if any.
#[derive(Debug, Clone)]
pub struct Answer {
    pub license: Option<License>,
    pub instance: Option<Instance>,
    pub refused: Option<Refusal>,
}

impl Answer {
    fn refused(license: Option<License>, why: Refusal) -> Answer {
        Answer {
            license,
            instance: None,
            refused: Some(why),
        }
    }
}

const LICENSE_COLS: &str =
    "k.id, k.key, k.activation_limit, k.disabled_at IS NOT NULL, k.created_at,
     p.id, i.id, i.product_id, pr.slug, pr.name, p.email, p.test, p.status, i.revoked_at IS NOT NULL
     FROM license_keys k JOIN purchase_items i ON i.id = k.purchase_item_id
     JOIN purchases p ON p.id = i.purchase_id JOIN products pr ON pr.id = i.product_id";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<License> {
    let disabled: bool = r.get(3)?;
    let status: String = r.get(12)?;
    let revoked: bool = r.get(13)?;
    let refusal = match status.as_str() {
        "refunded" => Some(Refusal::Refunded),
        "revoked" => Some(Refusal::Revoked),
        _ if revoked => Some(Refusal::Revoked),
        _ if disabled => Some(Refusal::Disabled),
        _ => None,
    };
    Ok(License {
        id: r.get(0)?,
        key: r.get(1)?,
        activation_limit: r.get(2)?,
        instances: Vec::new(),
        freed: 0,
        disabled,
        created_at: r.get(4)?,
        purchase_id: r.get(5)?,
        purchase_item_id: r.get(6)?,
        product_id: r.get(7)?,
        product_slug: r.get(8)?,
        product_name: r.get(9)?,
        email: r.get(10)?,
        test: r.get(11)?,
        refusal,
    })
}

fn with_instances(conn: &Connection, mut l: License) -> Result<License> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, created_at, freed_at IS NOT NULL FROM license_instances
         WHERE license_key_id = ?1 ORDER BY created_at, rowid",
    )?;
    for row in stmt.query_map([l.id], |r| {
        Ok((
            Instance {
                id: r.get(0)?,
                name: r.get(1)?,
                created_at: r.get(2)?,
            },
            r.get::<_, bool>(3)?,
        ))
    })? {
        match row? {
            (_, true) => l.freed += 1,
            (instance, false) => l.instances.push(instance),
        }
    }
    Ok(l)
}

pub fn by_key(conn: &Connection, key: &LicenseKey) -> Result<Option<License>> {
    let sql = format!("SELECT {LICENSE_COLS} WHERE k.key = ?1");
    match conn.query_row(&sql, [key.as_str()], from_row).optional()? {
        Some(l) => Ok(Some(with_instances(conn, l)?)),
        None => Ok(None),
    }
}

/// Every key of a purchase, in item order.
pub fn for_purchase(conn: &Connection, purchase_id: i64) -> Result<Vec<License>> {
    let sql = format!("SELECT {LICENSE_COLS} WHERE p.id = ?1 ORDER BY i.id");
    let mut stmt = conn.prepare_cached(&sql)?;
    let found = stmt
        .query_map([purchase_id], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    found.into_iter().map(|l| with_instances(conn, l)).collect()
}

/// The newest keys first, at most `limit`, of one product when given.
pub fn list(conn: &Connection, product_id: Option<i64>, limit: u32) -> Result<Vec<License>> {
    let sql = format!(
        "SELECT {LICENSE_COLS} WHERE ?1 IS NULL OR i.product_id = ?1 ORDER BY k.id DESC LIMIT ?2"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let found = stmt
        .query_map(params![product_id, limit], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    found.into_iter().map(|l| with_instances(conn, l)).collect()
}
