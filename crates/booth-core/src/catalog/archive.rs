//! Taking things off the catalog without taking them from buyers: archiving a product
//! (off the shop and the window's list; its purchases, downloads and mailings unchanged)
//! and removing one file (new buyers don't get it; earlier buyers keep it, at the version
//! it had, since a removed file takes no new versions).

use super::{require_product, Product};
use crate::db::now;
use crate::error::{Error, Result};
use rusqlite::{params, Connection};

pub fn archive(conn: &Connection, slug: &str) -> Result<Product> {
    let p = require_product(conn, slug)?;
    if p.archived_at.is_some() {
        return Err(Error::Conflict(format!("'{slug}' is already archived")));
    }
    conn.execute(
        "UPDATE products SET archived_at = ?2 WHERE id = ?1",
        params![p.id, now()],
    )?;
    require_product(conn, slug)
}

pub fn unarchive(conn: &Connection, slug: &str) -> Result<Product> {
    let p = require_product(conn, slug)?;
    if p.archived_at.is_none() {
        return Err(Error::Conflict(format!("'{slug}' isn't archived")));
    }
    conn.execute(
        "UPDATE products SET archived_at = NULL WHERE id = ?1",
        [p.id],
    )?;
    require_product(conn, slug)
}

/// Removes one of the product's current files from what new buyers get. Purchases recorded
/// so far keep it (`kept_through_purchase`, migration 0011); its rows and stored content
/// stay, so their links go on serving it. A product for sale keeps at least one file.
pub fn remove_file(conn: &Connection, slug: &str, file_id: i64) -> Result<Product> {
    let p = require_product(conn, slug)?;
    // Only this product's current files: an id of another product's file, or of one
    // removed already, is unknown here.
    let Some(file) = p.files.iter().find(|f| f.id == file_id) else {
        return Err(Error::NotFound(format!("'{slug}' has no file {file_id}")));
    };
    if p.files.len() == 1 && p.active && p.archived_at.is_none() {
        return Err(Error::Conflict(format!(
            "'{}' is the only file of '{slug}', which is for sale: add another file first, \
             or make the product inactive or archive it",
            file.display_name
        )));
    }
    conn.execute(
        "UPDATE product_files
         SET removed_at = ?2, kept_through_purchase = (SELECT max(id) FROM purchases)
         WHERE id = ?1 AND removed_at IS NULL",
        params![file_id, now()],
    )?;
    require_product(conn, slug)
}
