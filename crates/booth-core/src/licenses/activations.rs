//! What changes a key: issuing it with its purchase, activating, freeing and the
//! seller's switches. Each counts and changes in the caller's one transaction.

use super::MAX_ACTIVATIONS;
use super::{by_key, Answer, Instance, InstanceId, InstanceName, License, LicenseKey, Refusal};
use crate::db::now;
use crate::error::{Error, Result};
use rusqlite::{params, Connection, OptionalExtension};

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
