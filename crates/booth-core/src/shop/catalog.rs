//! Products, their files and versions, as the seller makes and edits them.

use super::{blocking, Shop};
use crate::catalog::{self, Product, ProductEdit, ProductEditInput, ProductInput};
use crate::error::{Error, Result};
use std::path::PathBuf;

impl Shop {
    pub async fn add_product(&self, input: ProductInput) -> Result<Product> {
        let new = input.parse()?;
        let names = input
            .files
            .iter()
            .map(|f| catalog::display_name_for(f))
            .collect::<Result<Vec<_>>>()?;
        // Refuse a taken slug before copying what may be large files.
        if self.product(new.slug.as_str()).await?.is_some() {
            return Err(Error::Conflict(format!(
                "a product with the slug '{}' already exists",
                new.slug
            )));
        }
        // A PDF that can't be stamped is refused now, never at a buyer's download.
        if new.pdf_stamp.is_some() {
            self.check_pdfs(input.files.clone()).await?;
        }
        let stored = self.store_files(input.files).await?;
        self.db()
            .write(move |tx| {
                let id = catalog::insert_product(tx, &new)?;
                for (name, file) in names.iter().zip(&stored) {
                    catalog::add_file(tx, id, name, file)?;
                }
                catalog::product_by_id(tx, id)?
                    .ok_or_else(|| Error::Internal("product vanished".into()))
            })
            .await
    }

    pub(super) async fn store_files(
        &self,
        files: Vec<PathBuf>,
    ) -> Result<Vec<catalog::StoredFile>> {
        let dir = self.files_dir().to_path_buf();
        let names = files
            .iter()
            .map(|f| catalog::display_name_for(f))
            .collect::<Result<Vec<_>>>()?;
        let stored: Vec<catalog::StoredFile> =
            blocking(move || files.iter().map(|f| catalog::store_file(&dir, f)).collect()).await?;
        // Into the bucket too, when the seller has one, before any version points at it.
        for (file, name) in stored.iter().zip(&names) {
            self.upload_to_bucket(file, name).await?;
        }
        Ok(stored)
    }

    pub async fn list_products(&self, only_active: bool) -> Result<Vec<Product>> {
        self.db()
            .run(move |c| catalog::list_products(c, only_active))
            .await
    }

    pub async fn product(&self, slug: &str) -> Result<Option<Product>> {
        let slug = slug.to_string();
        self.db()
            .run(move |c| catalog::product_by_slug(c, &slug))
            .await
    }

    pub async fn edit_product(&self, slug: &str, edit: ProductEdit) -> Result<Product> {
        // Turning stamping on checks the PDFs it will stamp.
        if let Some(Some(_)) = &edit.pdf_stamp {
            let current = self
                .product(slug)
                .await?
                .ok_or_else(|| Error::NotFound(format!("no product with the slug '{slug}'")))?;
            if current.pdf_stamp.is_none() {
                self.check_product_pdfs(&current).await?;
            }
        }
        let slug = slug.to_string();
        self.db()
            .write(move |tx| catalog::edit_product(tx, &slug, &edit))
            .await
    }

    /// Changes a product from what the seller typed; only the fields given change.
    pub async fn edit_product_input(&self, slug: &str, input: ProductEditInput) -> Result<Product> {
        let current = self
            .product(slug)
            .await?
            .ok_or_else(|| Error::NotFound(format!("no product with the slug '{slug}'")))?;
        let edit = input.parse(&current)?;
        self.edit_product(slug, edit).await
    }

    pub async fn add_file(&self, slug: &str, path: PathBuf) -> Result<Product> {
        let name = catalog::display_name_for(&path)?;
        let product = self
            .product(slug)
            .await?
            .ok_or_else(|| Error::NotFound(format!("no product with the slug '{slug}'")))?;
        if product.pdf_stamp.is_some() {
            self.check_pdfs(vec![path.clone()]).await?;
        }
        let stored = self.store_files(vec![path]).await?.remove(0);
        let slug = slug.to_string();
        self.db()
            .write(move |tx| {
                let p = catalog::require_product(tx, &slug)?;
                catalog::add_file(tx, p.id, &name, &stored)?;
                catalog::require_product(tx, &slug)
            })
            .await
    }

    /// Uploads a new version of one of a product's files; buyers get it from their
    /// existing links. Returns the new version's label.
    pub async fn new_version(
        &self,
        slug: &str,
        file: &str,
        path: PathBuf,
        label: Option<String>,
        notes: &str,
    ) -> Result<String> {
        let (slug, file) = (slug.to_string(), file.to_string());
        let notes = catalog::check_release_notes(notes)?;
        // Check the target exists before copying a possibly large file.
        let product = self
            .product(&slug)
            .await?
            .ok_or_else(|| Error::NotFound(format!("no product with the slug '{slug}'")))?;
        let target = catalog::find_file(&product, &file)?;
        if product.pdf_stamp.is_some() {
            self.check_pdfs(vec![path.clone()]).await?;
        }
        let stored = self.store_files(vec![path]).await?.remove(0);
        self.db()
            .write(move |tx| catalog::add_version(tx, target.id, label.as_deref(), &notes, &stored))
            .await
    }

    /// Takes a product off the shop and the window's list; everything sold of it keeps
    /// working (purchase pages, downloads, the library, mailings to its buyers).
    pub async fn archive_product(&self, slug: &str) -> Result<Product> {
        let slug = slug.to_string();
        self.db().write(move |tx| catalog::archive(tx, &slug)).await
    }

    /// Puts an archived product back in the catalog, as it was (active or not).
    pub async fn unarchive_product(&self, slug: &str) -> Result<Product> {
        let slug = slug.to_string();
        self.db()
            .write(move |tx| catalog::unarchive(tx, &slug))
            .await
    }

    /// Stops giving one file of a product to new buyers; those who bought it keep it.
    pub async fn remove_file(&self, slug: &str, file_id: i64) -> Result<Product> {
        let slug = slug.to_string();
        self.db()
            .write(move |tx| catalog::remove_file(tx, &slug, file_id))
            .await
    }
}
