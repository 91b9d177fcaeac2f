//! The first-run checklist: what a new shop still needs before buyers can rely on it. The
//! window shows it on the Dashboard until every step is done; each step's test is here, so
//! "done" means one thing everywhere.

use crate::error::Result;
use crate::settings;
use rusqlite::Connection;
use serde::Serialize;

crate::text_enum! {
    /// One thing to set up, in the order a new seller does them.
    pub enum SetupKey {
        /// The name buyers see on pages and in emails.
        StoreName => "store_name",
        /// The address receipts come from.
        Sender => "sender",
        /// A product with a file.
        Product => "product",
        /// Stripe (test or live) instead of the simulator.
        Payments => "payments",
        /// A mail server, so receipts reach buyers instead of a folder.
        Email => "email",
        /// An address the world can reach: a tunnel or the seller's own.
        PublicAddress => "public_address",
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct SetupStep {
    pub key: SetupKey,
    pub done: bool,
}

/// Every step and whether it is done; `public_address` is whether the shop has a stable
/// address or a tunnel the seller turned on (the shop knows, not the database alone).
pub fn steps(conn: &Connection, public_address: bool) -> Result<Vec<SetupStep>> {
    let set = |key: &str| -> Result<bool> {
        Ok(settings::get(conn, key)?.is_some_and(|v| !v.trim().is_empty()))
    };
    let product: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM products p WHERE p.archived_at IS NULL
                        AND EXISTS (SELECT 1 FROM product_files f
                                    WHERE f.product_id = p.id AND f.removed_at IS NULL))",
        [],
        |r| r.get(0),
    )?;
    let stripe =
        settings::get(conn, settings::PAYMENTS)?.is_some_and(|m| m == "test" || m == "live");
    let step = |key, done| SetupStep { key, done };
    Ok(vec![
        step(SetupKey::StoreName, set(settings::STORE_NAME)?),
        step(SetupKey::Sender, set(settings::FROM_ADDRESS)?),
        step(SetupKey::Product, product),
        step(SetupKey::Payments, stripe),
        step(SetupKey::Email, set(settings::SMTP_URL)?),
        step(SetupKey::PublicAddress, public_address),
    ])
}
