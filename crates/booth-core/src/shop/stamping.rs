//! Stamped PDFs in the shop (stamp/): a PDF that can't be stamped is refused before it
//! becomes a version of a product that stamps, and a buyer's stamped copy is made, once,
//! before a download of it is counted (stamping takes a while: never inside a write).

use super::{blocking, Shop};
use crate::catalog::{self, Product};
use crate::downloads::{Denied, DownloadRequest, ServeFile, Stamped};
use crate::error::{Error, Result};
use crate::stamp::{self, kept, StampLine};
use std::path::{Path, PathBuf};

/// The check's refusal, naming the file it is about.
fn naming(e: Error, name: &str) -> Error {
    match e {
        Error::Invalid { field, message } => Error::invalid(field, format!("{message} ({name})")),
        other => other,
    }
}

fn is_pdf_name(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".pdf")
}

impl Shop {
    /// Refuses, with its reason, any PDF among files about to be added to a product that
    /// stamps (a PDF by its content: it starts with `%PDF-`).
    pub(super) async fn check_pdfs(&self, files: Vec<PathBuf>) -> Result<()> {
        blocking(move || {
            for f in &files {
                // One that can't be read is left for storing it to say so.
                if stamp::is_pdf(f).unwrap_or(false) {
                    let name = catalog::display_name_for(f)?;
                    stamp::check_pdf(f).map_err(|e| naming(e, &name))?;
                }
            }
            Ok(())
        })
        .await
    }

    /// Before a product starts stamping: its current PDFs, as Booth keeps them.
    pub(super) async fn check_product_pdfs(&self, product: &Product) -> Result<()> {
        let dir = self.files_dir().to_path_buf();
        let files = product.files.clone();
        blocking(move || {
            for f in &files {
                let local = catalog::resolve_stored(&dir, &f.stored_path)?;
                if !local.exists() {
                    if is_pdf_name(&f.display_name) {
                        return Err(Error::invalid(
                            "stamp",
                            format!(
                                "{} is only in your bucket: stamping needs Booth's own copy (`booth storage migrate --to local` brings it back)",
                                f.display_name
                            ),
                        ));
                    }
                    continue;
                }
                if stamp::is_pdf(&local)? {
                    stamp::check_pdf(&local).map_err(|e| naming(e, &f.display_name))?;
                }
            }
            Ok(())
        })
        .await
    }

    /// For a download of a PDF of a product that stamps: the buyer's stamped copy, made now
    /// if this is its first download of this version. None: the file is served as it is.
    pub(super) async fn stamped_for(&self, req: &DownloadRequest) -> Result<Option<Stamped>> {
        let Some(w) = self.wanted(req).await? else {
            return Ok(None);
        };
        let dir = self.files_dir().to_path_buf();
        if let Some(copy) = kept_copy(&dir, &w)? {
            return Ok(Some(copy));
        }
        let original = catalog::resolve_stored(&dir, &w.stored_path)?;
        let (o, name) = (original.clone(), w.display_name.clone());
        if !blocking(move || stampable(&o, &name)).await? {
            return Ok(None);
        }
        // Stamping reads the whole PDF into memory: only a few at once in the process, and a
        // download that waited (the same link asked for many times at once) finds the copy
        // made meanwhile.
        let _permit = STAMPING
            .acquire()
            .await
            .map_err(|_| Error::Internal("stamping stopped".into()))?;
        let Some(w) = self.wanted(req).await? else {
            return Ok(None);
        };
        if let Some(copy) = kept_copy(&dir, &w)? {
            return Ok(Some(copy));
        }
        // A kept copy whose file is gone (the files dir restored from an older copy) is made
        // again: from the same original, wording, address and day, the same bytes.
        let replace = w.kept.is_some();
        let line = StampLine::parse(&w.wording)?.render(&w.email, w.purchased_at);
        let files_dir = dir.clone();
        let made = blocking(move || stamp::store_stamped(&files_dir, &original, &line)).await?;
        let key = (w.item_id, w.version_id);
        let kept = self
            .db()
            .write(move |tx| kept::keep(tx, &dir, key, &made, replace))
            .await?;
        Ok(Some(Stamped {
            item_id: key.0,
            version_id: key.1,
            file: kept,
        }))
    }

    /// Counts a download of a stamped copy. A copy made for a version that a new one
    /// replaced meanwhile is refused uncounted (StorageDown, which a stamped copy, never in
    /// the bucket, can't otherwise get): the new version is stamped and counted instead.
    pub(super) async fn count_stamped(
        &self,
        req: DownloadRequest,
        copy: Stamped,
    ) -> Result<std::result::Result<ServeFile, Denied>> {
        let mut copy = Some(copy);
        for _ in 0..2 {
            let decided = self.count_download(req.clone(), false, copy).await?;
            if !matches!(decided, Err(Denied::StorageDown)) {
                return Ok(decided);
            }
            copy = self.stamped_for(&req).await?;
        }
        self.count_download(req, false, copy).await
    }

    async fn wanted(&self, req: &DownloadRequest) -> Result<Option<kept::Wanted>> {
        let (token, file_id) = (req.token.clone(), req.file_id);
        self.db()
            .run(move |c| kept::wanted(c, &token, file_id))
            .await
    }
}

/// Stamping reads a whole PDF into memory: at most this many at once.
static STAMPING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// The copy kept for this download, if its file is there.
fn kept_copy(dir: &Path, w: &kept::Wanted) -> Result<Option<Stamped>> {
    Ok(match &w.kept {
        Some(k) if catalog::resolve_stored(dir, &k.stored_path)?.exists() => Some(Stamped {
            item_id: w.item_id,
            version_id: w.version_id,
            file: k.clone(),
        }),
        _ => None,
    })
}

/// Whether the original is a PDF to stamp (by its content; by its name when only the
/// bucket has it, which can't be stamped from).
fn stampable(original: &Path, name: &str) -> Result<bool> {
    if original.exists() {
        return stamp::is_pdf(original);
    }
    if is_pdf_name(name) {
        return Err(Error::Storage(format!(
            "{name} can't be stamped: Booth's own copy of it is gone (only the bucket has it)"
        )));
    }
    Ok(false)
}
