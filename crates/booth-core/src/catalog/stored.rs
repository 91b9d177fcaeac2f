//! The files dir's content-addressed store: every file Booth keeps for buyers (an
//! original as the seller added it, a buyer's stamped copy) is written under a temporary
//! name while it is hashed, synced, and only then renamed to `xx/<sha256>`, so a crash or a
//! full disk never leaves a half file that a version could point at. Files are 0600.

use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::Path;

#[derive(Debug, Clone)]
pub struct StoredFile {
    /// `xx/<sha256>`, relative to the files dir.
    pub stored_path: String,
    pub size: u64,
    pub sha256: String,
}

/// Copies `source` into the files dir.
pub fn store_file(files_dir: &Path, source: &Path) -> Result<StoredFile> {
    let meta = std::fs::metadata(source)
        .map_err(|e| Error::invalid("file", format!("can't read {}: {e}", source.display())))?;
    if !meta.is_file() {
        return Err(Error::invalid(
            "file",
            format!("{} is not a regular file", source.display()),
        ));
    }
    let mut input = std::fs::File::open(source)
        .map_err(|e| Error::invalid("file", format!("can't read {}: {e}", source.display())))?;
    store_with(files_dir, |out| {
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = input.read(&mut buf)?;
            if n == 0 {
                return Ok(());
            }
            out.write_all(&buf[..n])?;
        }
    })
}

/// Stores what `write` writes into the files dir, under its SHA-256.
pub fn store_with(
    files_dir: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<StoredFile> {
    // tempfile makes the file 0600; the folders are made the owner's alone too.
    crate::owner_only::create_dir(files_dir)?;
    let tmp = tempfile::NamedTempFile::new_in(files_dir)?;
    let mut out = Hashing {
        inner: std::io::BufWriter::with_capacity(256 * 1024, tmp),
        hasher: Sha256::new(),
        size: 0,
    };
    write(&mut out)?;
    let (sha256, size) = (hex::encode(out.hasher.finalize()), out.size);
    let tmp = out.inner.into_inner().map_err(|e| e.into_error())?;
    tmp.as_file().sync_all()?;
    let stored_path = format!("{}/{}", &sha256[..2], sha256);
    let dest = files_dir.join(&stored_path);
    crate::owner_only::create_dir(dest.parent().expect("has parent"))?;
    tmp.persist(&dest).map_err(|e| Error::Io(e.error))?;
    Ok(StoredFile {
        stored_path,
        size,
        sha256,
    })
}

/// A writer that hashes and counts what goes through it.
struct Hashing<W> {
    inner: W,
    hasher: Sha256,
    size: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
