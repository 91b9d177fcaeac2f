//! Which folder the window may open in the file manager to show a file it saved (a CSV
//! export): only an existing folder, never a file, so no path the window sends can start a
//! program.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// The existing folder holding `path` (an absolute path to a file or folder), resolved.
pub fn holding(path: &Path) -> Result<PathBuf> {
    let gone = || Error::invalid("path", "that folder no longer exists");
    if !path.is_absolute() {
        return Err(Error::invalid("path", "not a full path"));
    }
    let folder = if path.is_dir() {
        path
    } else {
        path.parent().ok_or_else(gone)?
    };
    let folder = folder.canonicalize().map_err(|_| gone())?;
    if folder.is_dir() {
        Ok(folder)
    } else {
        Err(gone())
    }
}

#[cfg(test)]
mod tests {
    use super::holding;

    #[test]
    fn only_an_existing_folder_is_shown() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("booth-purchases.csv");
        std::fs::write(&csv, "a,b\n").unwrap();
        let real = dir.path().canonicalize().unwrap();
        assert_eq!(holding(&csv).unwrap(), real);
        assert_eq!(holding(dir.path()).unwrap(), real);
        // Not yet written, or relative, or its folder gone: nothing is opened.
        assert_eq!(holding(&dir.path().join("new.csv")).unwrap(), real);
        assert!(holding(std::path::Path::new("booth-purchases.csv")).is_err());
        assert!(holding(&dir.path().join("gone/x.csv")).is_err());
    }
}
