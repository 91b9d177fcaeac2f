//! One shop per data dir. The process serving a data dir (the app or `booth serve`) holds
//! an exclusive lock on `<data dir>/booth.lock` for as long as its shop runs; another one
//! is refused with who holds it, before it changes anything. The operating system lets
//! the lock go when the process ends, however it ends, so a crash never leaves a data dir
//! that can't be served.

use booth_core::{DataDir, Error, Result};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::Path;

/// The held lock; dropping it lets another process serve the data dir.
pub struct ServeLock {
    _file: File,
}

impl ServeLock {
    pub fn acquire(data_dir: &Path) -> Result<ServeLock> {
        booth_core::owner_only::create_dir(data_dir)?;
        let path = DataDir::new(data_dir).serve_lock();
        let mut o = OpenOptions::new();
        o.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut o, booth_core::owner_only::FILE_MODE);
        let mut file = o.open(&path)?;
        match file.try_lock() {
            Ok(()) => {
                // Who holds it, for the next one to say.
                file.set_len(0)?;
                file.rewind()?;
                writeln!(file, "{} {}", std::process::id(), program())?;
                Ok(ServeLock { _file: file })
            }
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let who = match holder.trim().split_once(' ') {
                    Some((pid, name)) => format!("{name} (pid {pid})"),
                    None => "another Booth".to_string(),
                };
                Err(Error::Conflict(format!(
                    "{who} is already serving {}; stop it first (or use another --data-dir)",
                    data_dir.display()
                )))
            }
            Err(TryLockError::Error(e)) => Err(e.into()),
        }
    }
}

/// "booth serve" or the app's name, as the one refused will read it.
fn program() -> String {
    let exe = std::env::current_exe().ok();
    let name = exe
        .as_deref()
        .and_then(|p| p.file_stem())
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "booth".into());
    if name == "booth" {
        "booth serve".into()
    } else {
        name
    }
}
