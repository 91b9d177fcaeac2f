//! Products and their files. File content is stored content-addressed under the files dir
//! (files/ab/abcdef…), so no path is ever built from what a seller or buyer typed.

use crate::db::now;
use crate::domain::{Currency, Money};
use crate::error::{Error, Result};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use std::path::{Path, PathBuf};

mod archive;
mod form;
mod stored;
pub use archive::{archive, remove_file, unarchive};
pub use form::{NewProduct, ProductEdit, ProductEditInput, ProductInput};
pub use stored::{store_file, store_with, StoredFile};

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct Product {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    /// The price; for pay what you want, the suggested amount.
    pub price_minor: i64,
    pub currency: String,
    /// Pay what you want from this amount up (possibly 0); None is a fixed price.
    pub min_price_minor: Option<i64>,
    /// Stripe tax code (txcd_…); None is the shop's default.
    pub tax_code: Option<String>,
    pub active: bool,
    pub download_limit: Option<u32>,
    /// Activations each purchase's license key allows; None: no license keys.
    pub license_activations: Option<u32>,
    /// The wording its PDFs are stamped with for each buyer; None: not stamped.
    pub pdf_stamp: Option<String>,
    pub created_at: i64,
    /// When the seller archived it: off the shop and the window's list, its purchases kept.
    pub archived_at: Option<i64>,
    pub files: Vec<ProductFile>,
}

impl Product {
    /// Whether a buyer can see and buy it: active, not archived, with a file to deliver.
    /// The product page, the storefront and the quote all ask this one question.
    pub fn for_sale(&self) -> bool {
        self.active && self.archived_at.is_none() && !self.files.is_empty()
    }

    pub fn price(&self) -> Money {
        // Currency codes in the table were parsed on the way in.
        Money::new(
            self.price_minor,
            Currency::parse(&self.currency).expect("stored currency"),
        )
    }
}

/// A file of a product, at its newest version.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct ProductFile {
    pub id: i64,
    pub display_name: String,
    pub version_id: i64,
    pub version: String,
    pub size: u64,
    pub sha256: String,
    pub stored_path: String,
    pub versions: u32,
    /// The newest version's release notes ("" when none were given).
    pub notes: String,
}

pub fn check_name(name: &str) -> Result<String> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 200 || n.chars().any(char::is_control) {
        return Err(Error::invalid(
            "name",
            "a name is 1–200 characters with no control characters",
        ));
    }
    Ok(n.to_string())
}

pub fn check_description(d: &str) -> Result<String> {
    if d.chars().count() > 10_000
        || d.chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(Error::invalid(
            "description",
            "a description is at most 10,000 characters of text",
        ));
    }
    Ok(d.trim().to_string())
}

/// A file version's label as the seller typed it (the next number is picked without one).
pub fn check_version_label(label: &str) -> Result<String> {
    let l = label.trim();
    if l.is_empty() || l.len() > 40 || l.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(Error::invalid(
            "version",
            "a version label is 1–40 characters without spaces, e.g. 1.1",
        ));
    }
    Ok(l.to_string())
}

/// A version's release notes: plain text, at most 10,000 characters ("" for none).
pub fn check_release_notes(notes: &str) -> Result<String> {
    if notes.chars().count() > 10_000
        || notes
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(Error::invalid(
            "notes",
            "release notes are at most 10,000 characters of text",
        ));
    }
    Ok(notes.trim().to_string())
}

/// The name a buyer sees for a file: the source's file name, without any path.
pub fn display_name_for(path: &Path) -> Result<String> {
    let name = path.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
        Error::invalid(
            "file",
            format!("{} has no usable file name", path.display()),
        )
    })?;
    let clean: String = name
        .chars()
        .filter(|c| !c.is_control() && *c != '"' && *c != '/' && *c != '\\')
        .collect();
    if clean.is_empty() || clean.chars().count() > 200 {
        return Err(Error::invalid(
            "file",
            "a file name must be 1–200 characters",
        ));
    }
    Ok(clean)
}

/// Resolves a stored path (from the database) to a file under `files_dir`, refusing
/// anything that is not our own `xx/<sha256>` shape.
pub fn resolve_stored(files_dir: &Path, stored_path: &str) -> Result<PathBuf> {
    let ok = stored_path.len() == 67
        && stored_path.as_bytes()[2] == b'/'
        && stored_path[3..].starts_with(&stored_path[..2])
        && stored_path
            .bytes()
            .enumerate()
            .all(|(i, b)| i == 2 || matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if !ok {
        return Err(Error::Internal(format!(
            "refusing stored path {stored_path:?}"
        )));
    }
    Ok(files_dir.join(stored_path))
}

pub fn insert_product(conn: &Connection, p: &NewProduct) -> Result<i64> {
    let res = conn.execute(
        "INSERT INTO products (slug, name, description, price_minor, currency, active, download_limit, created_at, min_price_minor, tax_code, license_activations, pdf_stamp)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![p.slug.as_str(), p.name, p.description, p.price.minor, p.price.currency.code(), p.active, p.download_limit, now(), p.min_price.map(|m| m.minor), p.tax_code.as_ref().map(|c| c.as_str()), p.license_activations, p.pdf_stamp.as_ref().map(|s| s.as_str())],
    );
    match res {
        Ok(_) => Ok(conn.last_insert_rowid()),
        Err(e) if is_unique_violation(&e) => Err(Error::Conflict(format!(
            "a product with the slug '{}' already exists",
            p.slug
        ))),
        Err(e) => Err(e.into()),
    }
}

pub fn add_file(
    conn: &Connection,
    product_id: i64,
    display_name: &str,
    stored: &StoredFile,
) -> Result<i64> {
    conn.execute(
        "INSERT INTO product_files (product_id, display_name, created_at) VALUES (?1, ?2, ?3)",
        params![product_id, display_name, now()],
    )?;
    let file_id = conn.last_insert_rowid();
    insert_version(conn, file_id, "1", "", stored)?;
    Ok(file_id)
}

/// Adds a new version of a file; without a label it is the next whole number.
pub fn add_version(
    conn: &Connection,
    file_id: i64,
    label: Option<&str>,
    notes: &str,
    stored: &StoredFile,
) -> Result<String> {
    let label = match label {
        Some(l) => check_version_label(l)?,
        None => {
            // The next whole number no version uses yet (a seller may have used "3" already).
            let mut n: i64 = conn.query_row(
                "SELECT count(*) FROM file_versions WHERE file_id = ?1",
                [file_id],
                |r| r.get(0),
            )?;
            loop {
                n += 1;
                let taken: bool = conn.query_row(
                    "SELECT count(*) > 0 FROM file_versions WHERE file_id = ?1 AND version = ?2",
                    params![file_id, n.to_string()],
                    |r| r.get(0),
                )?;
                if !taken {
                    break n.to_string();
                }
            }
        }
    };
    insert_version(conn, file_id, &label, notes, stored)?;
    Ok(label)
}

fn insert_version(
    conn: &Connection,
    file_id: i64,
    label: &str,
    notes: &str,
    stored: &StoredFile,
) -> Result<()> {
    let res = conn.execute(
        "INSERT INTO file_versions (file_id, version, stored_path, size, sha256, created_at, notes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            file_id,
            label,
            stored.stored_path,
            stored.size as i64,
            stored.sha256,
            now(),
            notes
        ],
    );
    match res {
        Ok(_) => Ok(()),
        Err(e) if is_unique_violation(&e) => Err(Error::Conflict(format!(
            "version '{label}' of this file already exists"
        ))),
        Err(e) => Err(e.into()),
    }
}

pub fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(err, _) if err.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE)
}

const PRODUCT_COLS: &str =
    "id, slug, name, description, price_minor, currency, active, download_limit, created_at, min_price_minor, tax_code,
     archived_at, license_activations, pdf_stamp";

fn product_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Product> {
    Ok(Product {
        id: r.get(0)?,
        slug: r.get(1)?,
        name: r.get(2)?,
        description: r.get(3)?,
        price_minor: r.get(4)?,
        currency: r.get(5)?,
        active: r.get(6)?,
        download_limit: r.get(7)?,
        created_at: r.get(8)?,
        min_price_minor: r.get(9)?,
        tax_code: r.get(10)?,
        archived_at: r.get(11)?,
        license_activations: r.get(12)?,
        pdf_stamp: r.get(13)?,
        files: Vec::new(),
    })
}

/// The current files of a product, each at its newest version.
pub fn files_of(conn: &Connection, product_id: i64) -> Result<Vec<ProductFile>> {
    files_sold(conn, product_id, None)
}

/// The files a purchase of the product gets: its current files, and those removed after
/// the purchase was made (see migration 0011), each at its newest version. `None` is a
/// purchase made now: the current files only.
pub fn files_sold(
    conn: &Connection,
    product_id: i64,
    purchase_id: Option<i64>,
) -> Result<Vec<ProductFile>> {
    let mut stmt = conn.prepare_cached(
        "SELECT f.id, f.display_name, v.id, v.version, v.size, v.sha256, v.stored_path,
                (SELECT count(*) FROM file_versions WHERE file_id = f.id), v.notes
         FROM product_files f
         JOIN file_versions v ON v.id = (SELECT max(id) FROM file_versions WHERE file_id = f.id)
         WHERE f.product_id = ?1 AND (f.removed_at IS NULL OR f.kept_through_purchase >= ?2)
         ORDER BY f.id",
    )?;
    let rows = stmt.query_map(params![product_id, purchase_id], |r| {
        Ok(ProductFile {
            id: r.get(0)?,
            display_name: r.get(1)?,
            version_id: r.get(2)?,
            version: r.get(3)?,
            size: r.get::<_, i64>(4)? as u64,
            sha256: r.get(5)?,
            stored_path: r.get(6)?,
            versions: r.get(7)?,
            notes: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn list_products(conn: &Connection, only_active: bool) -> Result<Vec<Product>> {
    let sql = format!(
        "SELECT {PRODUCT_COLS} FROM products {} ORDER BY created_at, id",
        if only_active {
            "WHERE active = 1 AND archived_at IS NULL"
        } else {
            ""
        }
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut products = stmt
        .query_map([], product_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for p in &mut products {
        p.files = files_of(conn, p.id)?;
    }
    Ok(products)
}

pub fn product_by_slug(conn: &Connection, slug: &str) -> Result<Option<Product>> {
    let sql = format!("SELECT {PRODUCT_COLS} FROM products WHERE slug = ?1");
    let p = conn.query_row(&sql, [slug], product_from_row).optional()?;
    match p {
        Some(mut p) => {
            p.files = files_of(conn, p.id)?;
            Ok(Some(p))
        }
        None => Ok(None),
    }
}

pub fn product_by_id(conn: &Connection, id: i64) -> Result<Option<Product>> {
    let sql = format!("SELECT {PRODUCT_COLS} FROM products WHERE id = ?1");
    let p = conn.query_row(&sql, [id], product_from_row).optional()?;
    match p {
        Some(mut p) => {
            p.files = files_of(conn, p.id)?;
            Ok(Some(p))
        }
        None => Ok(None),
    }
}

pub fn require_product(conn: &Connection, slug: &str) -> Result<Product> {
    product_by_slug(conn, slug)?
        .ok_or_else(|| Error::NotFound(format!("no product with the slug '{slug}'")))
}

pub fn edit_product(conn: &Connection, slug: &str, edit: &ProductEdit) -> Result<Product> {
    let p = require_product(conn, slug)?;
    let res = conn.execute(
        "UPDATE products SET slug = ?2, name = ?3, description = ?4, price_minor = ?5, currency = ?6,
                download_limit = ?7, active = ?8, min_price_minor = ?9, tax_code = ?10,
                license_activations = ?11, pdf_stamp = ?12
         WHERE id = ?1",
        params![
            p.id,
            edit.slug.as_ref().map(|s| s.as_str()).unwrap_or(&p.slug),
            edit.name.as_deref().unwrap_or(&p.name),
            edit.description.as_deref().unwrap_or(&p.description),
            edit.price.map(|m| m.minor).unwrap_or(p.price_minor),
            edit.price.map(|m| m.currency.code()).unwrap_or(&p.currency),
            edit.download_limit.unwrap_or(p.download_limit),
            edit.active.unwrap_or(p.active),
            match edit.min_price {
                Some(m) => m.map(|m| m.minor),
                None => p.min_price_minor,
            },
            match &edit.tax_code {
                Some(c) => c.as_ref().map(|c| c.as_str().to_string()),
                None => p.tax_code.clone(),
            },
            edit.license_activations.unwrap_or(p.license_activations),
            match &edit.pdf_stamp {
                Some(s) => s.as_ref().map(|s| s.as_str().to_string()),
                None => p.pdf_stamp.clone(),
            },
        ],
    );
    match res {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e) => {
            return Err(Error::Conflict(
                "another product already uses that slug".into(),
            ))
        }
        Err(e) => return Err(e.into()),
    }
    product_by_id(conn, p.id)?.ok_or_else(|| Error::Internal("product vanished".into()))
}

/// Finds a product's file by id or by display name.
pub fn find_file(product: &Product, which: &str) -> Result<ProductFile> {
    product
        .files
        .iter()
        .find(|f| f.id.to_string() == which || f.display_name == which)
        .cloned()
        .ok_or_else(|| Error::NotFound(format!("'{}' has no file '{which}'", product.slug)))
}
