//! Files and folders only the seller's account can open. The data dir sits on a desktop
//! that other accounts and programs share, and holds buyers' emails, download links and
//! keys, so Booth makes every folder in it 0700 and every file 0600 whatever the umask
//! (Debian's default, 022, would leave them readable by everyone), and tightens a data dir
//! an older Booth left open the first time it opens it.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};

pub const DIR_MODE: u32 = 0o700;
pub const FILE_MODE: u32 = 0o600;

/// Creates `dir` and any missing parents Booth makes, each 0700. An existing folder is
/// left as it is (it may be the seller's own, such as a backup target).
pub fn create_dir(dir: &Path) -> io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    b.mode(DIR_MODE);
    b.create(dir)
}

/// Opens `path` for writing, creating it 0600 (an existing file is made 0600 too).
pub fn create(path: &Path) -> io::Result<File> {
    let mut o = OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    o.mode(FILE_MODE);
    let f = o.open(path)?;
    #[cfg(unix)]
    f.set_permissions(std::fs::Permissions::from_mode(FILE_MODE))?;
    Ok(f)
}

/// Creates an empty 0600 file at `path` if there is none (SQLite then opens it, and gives
/// its -wal and -shm files the same mode).
pub fn touch(path: &Path) -> io::Result<()> {
    let mut o = OpenOptions::new();
    o.write(true).create(true);
    #[cfg(unix)]
    o.mode(FILE_MODE);
    o.open(path).map(drop)
}

/// Writes `bytes` to `path` whole or not at all (a temp file beside it, synced, renamed
/// over it), readable by the owner only. Readers never see a half-written file.
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Makes `path` the owner's alone: 0700 for a folder, 0600 for a file.
pub fn restrict(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        let meta = std::fs::symlink_metadata(path)?;
        let mode = if meta.is_dir() { DIR_MODE } else { FILE_MODE };
        if !meta.file_type().is_symlink() && meta.permissions().mode() & 0o777 != mode {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Tightens a data dir: the folder itself 0700 and, the first time (while the folder was
/// still open to others), everything under it. Symlinks are not followed. A data dir
/// that is already 0700 costs one `stat`. One that another account owns is refused: they
/// could read everything put in it (say a shared /tmp path made ready by someone else).
pub fn tighten(data_dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(data_dir)?;
        // SAFETY: geteuid has no preconditions and can't fail.
        if meta.uid() != unsafe { libc::geteuid() } {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                "it belongs to another account",
            ));
        }
        if meta.permissions().mode() & 0o777 == DIR_MODE {
            return Ok(());
        }
        restrict_tree(data_dir)?;
    }
    #[cfg(not(unix))]
    let _ = data_dir;
    Ok(())
}

#[cfg(unix)]
fn restrict_tree(dir: &Path) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() {
            restrict_tree(&entry.path())?;
        } else if kind.is_file() {
            restrict(&entry.path())?;
        }
    }
    // The folder last: until now it kept letting its owner in as it was.
    restrict(dir)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn new_files_and_folders_are_the_owners_alone_whatever_the_umask() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a").join("b");
        create_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&root.path().join("a")), 0o700);
        let f = dir.join("x.json");
        write(&f, b"{}").unwrap();
        assert_eq!(mode(&f), 0o600);
        assert_eq!(std::fs::read(&f).unwrap(), b"{}");
        // Overwriting keeps it whole and private, and leaves no temp file behind.
        write(&f, b"{\"a\":1}").unwrap();
        assert_eq!(std::fs::read(&f).unwrap(), b"{\"a\":1}");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        let t = dir.join("db");
        touch(&t).unwrap();
        assert_eq!(mode(&t), 0o600);
    }

    #[test]
    fn an_open_data_dir_is_tightened_once() {
        let root = tempfile::tempdir().unwrap();
        let data = root.path().join("data");
        std::fs::create_dir_all(data.join("outbox")).unwrap();
        std::fs::write(data.join("booth.db"), b"x").unwrap();
        std::fs::write(data.join("outbox").join("1.eml"), b"x").unwrap();
        for (p, m) in [
            (data.clone(), 0o755),
            (data.join("outbox"), 0o755),
            (data.join("booth.db"), 0o644),
            (data.join("outbox").join("1.eml"), 0o644),
        ] {
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(m)).unwrap();
        }
        // A symlink out of the data dir is not followed.
        let outside = root.path().join("outside.txt");
        std::fs::write(&outside, b"x").unwrap();
        std::fs::set_permissions(&outside, std::fs::Permissions::from_mode(0o644)).unwrap();
        std::os::unix::fs::symlink(&outside, data.join("link")).unwrap();

        tighten(&data).unwrap();
        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&data.join("outbox")), 0o700);
        assert_eq!(mode(&data.join("booth.db")), 0o600);
        assert_eq!(mode(&data.join("outbox").join("1.eml")), 0o600);
        assert_eq!(mode(&outside), 0o644);
    }

    #[test]
    fn a_data_dir_another_account_owns_is_refused() {
        let root = tempfile::tempdir().unwrap();
        // As root (CI here), a folder handed to `nobody`; otherwise `/`, which root owns.
        let theirs = if unsafe { libc::geteuid() } == 0 {
            let dir = root.path().join("made-ready-by-someone-else");
            std::fs::create_dir(&dir).unwrap();
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
            std::os::unix::fs::chown(&dir, Some(65534), Some(65534)).unwrap();
            dir
        } else {
            std::path::PathBuf::from("/")
        };
        let err = tighten(&theirs).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::PermissionDenied);
        assert_ne!(mode(&theirs) & 0o777, DIR_MODE);
    }
}
