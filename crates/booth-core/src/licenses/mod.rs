//! License keys: one per purchase of a product that gives them (issued with the purchase,
//! in purchases.rs), activated on at most `activation_limit` instances (computers) at once.
//! A key is usable while its purchase is paid, its item not revoked and the seller hasn't
//! disabled it; anything else is a `Refusal` that names why. The license API (booth-server's
//! licenses.rs) and the seller's commands are adapters over these functions.

use crate::db::now;
use crate::error::{Error, Result};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

pub mod file;
mod names;
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

/// Gives a new purchase item its key when its product gives keys (inside the purchase's
/// own transaction).
pub(crate) fn issue(conn: &Connection, purchase_item_id: i64, product_id: i64) -> Result<()> {
    conn.execute(
        "INSERT INTO license_keys (purchase_item_id, key, activation_limit, created_at)
         SELECT ?1, ?2, license_activations, ?3 FROM products
         WHERE id = ?4 AND license_activations IS NOT NULL",
        params![
            purchase_item_id,
            LicenseKey::generate().as_str(),
            now(),
            product_id
        ],
    )?;
    Ok(())
}

/// Activates `key` on a new instance named `name`, when the key is usable and under its
/// limit (counted in the same write, so two activations at once can't both take the last).
pub fn activate(conn: &Connection, key: &LicenseKey, name: &InstanceName) -> Result<Answer> {
    let Some(license) = by_key(conn, key)? else {
        return Ok(Answer::refused(None, Refusal::UnknownKey));
    };
    if let Some(why) = license.refusal {
        return Ok(Answer::refused(Some(license), why));
    }
    if license.instances.len() as u32 >= license.activation_limit {
        return Ok(Answer::refused(Some(license), Refusal::LimitReached));
    }
    let instance = Instance {
        id: InstanceId::generate().as_str().to_string(),
        name: name.as_str().to_string(),
        created_at: now(),
    };
    conn.execute(
        "INSERT INTO license_instances (id, license_key_id, name, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![instance.id, license.id, instance.name, instance.created_at],
    )?;
    Ok(Answer {
        license: by_key(conn, key)?,
        instance: Some(instance),
        refused: None,
    })
}

/// Whether `key` is usable now, and on `instance` when one is named.
pub fn validate(
    conn: &Connection,
    key: &LicenseKey,
    instance: Option<&InstanceId>,
) -> Result<Answer> {
    let Some(license) = by_key(conn, key)? else {
        return Ok(Answer::refused(None, Refusal::UnknownKey));
    };
    let found = instance.map(|id| {
        license
            .instances
            .iter()
            .find(|i| i.id == id.as_str())
            .cloned()
    });
    match (license.refusal, found) {
        (Some(why), _) => Ok(Answer::refused(Some(license), why)),
        (None, Some(None)) => Ok(Answer::refused(Some(license), Refusal::UnknownInstance)),
        (None, found) => Ok(Answer {
            license: Some(license),
            instance: found.flatten(),
            refused: None,
        }),
    }
}

/// Who frees an instance.
#[derive(Debug, Clone, Copy)]
pub enum FreedBy {
    Buyer,
    App,
    Seller,
}

/// Frees `instance` of the key with id `license_id`. False when it isn't one of its
/// active instances.
pub fn free(
    conn: &Connection,
    license_id: i64,
    instance: &InstanceId,
    by: FreedBy,
) -> Result<bool> {
    let by = match by {
        FreedBy::Buyer => "buyer",
        FreedBy::App => "app",
        FreedBy::Seller => "seller",
    };
    let n = conn.execute(
        "UPDATE license_instances SET freed_at = ?3, freed_by = ?4
         WHERE id = ?1 AND license_key_id = ?2 AND freed_at IS NULL",
        params![instance.as_str(), license_id, now(), by],
    )?;
    Ok(n == 1)
}

/// The app's deactivate: frees `instance` of `key`. A refused key can still be freed (a
/// buyer tidying up after a refund gives nothing away).
pub fn deactivate(conn: &Connection, key: &LicenseKey, instance: &InstanceId) -> Result<Answer> {
    let Some(license) = by_key(conn, key)? else {
        return Ok(Answer::refused(None, Refusal::UnknownKey));
    };
    if !free(conn, license.id, instance, FreedBy::App)? {
        return Ok(Answer::refused(Some(license), Refusal::UnknownInstance));
    }
    Ok(Answer {
        license: by_key(conn, key)?,
        instance: None,
        refused: None,
    })
}

/// The key of the instance with this id (the seller frees by instance id alone).
pub fn key_of_instance(conn: &Connection, instance: &InstanceId) -> Result<LicenseKey> {
    let key: Option<String> = conn
        .query_row(
            "SELECT k.key FROM license_instances n JOIN license_keys k ON k.id = n.license_key_id
             WHERE n.id = ?1",
            [instance.as_str()],
            |r| r.get(0),
        )
        .optional()?;
    key.map(|k| LicenseKey::parse(&k))
        .transpose()?
        .ok_or_else(|| Error::NotFound(format!("no activation {instance}")))
}

/// The seller's switch: a disabled key validates as disabled until enabled again.
pub fn set_disabled(conn: &Connection, key: &LicenseKey, disabled: bool) -> Result<License> {
    conn.execute(
        "UPDATE license_keys SET disabled_at = CASE WHEN ?2 THEN coalesce(disabled_at, ?3) END
         WHERE key = ?1",
        params![key.as_str(), disabled, now()],
    )?;
    require(conn, key)
}

/// A new activation limit for one key. Instances over it stay until freed; no new ones
/// are activated meanwhile.
pub fn set_limit(conn: &Connection, key: &LicenseKey, limit: u32) -> Result<License> {
    if !(1..=MAX_ACTIVATIONS).contains(&limit) {
        return Err(Error::invalid(
            "limit",
            format!("an activation limit is 1 to {MAX_ACTIVATIONS}"),
        ));
    }
    conn.execute(
        "UPDATE license_keys SET activation_limit = ?2 WHERE key = ?1",
        params![key.as_str(), limit],
    )?;
    require(conn, key)
}

pub fn require(conn: &Connection, key: &LicenseKey) -> Result<License> {
    by_key(conn, key)?.ok_or_else(|| Error::NotFound(format!("no license key {key}")))
}
