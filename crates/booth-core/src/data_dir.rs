//! A shop's data dir, and the one place every path in it is named. The `booth` CLI and the
//! desktop app open the same one, so both always see the same shop.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataDir(PathBuf);

impl DataDir {
    pub fn new(root: impl Into<PathBuf>) -> DataDir {
        DataDir(root.into())
    }

    /// The platform's data dir (`~/.local/share/booth` on Linux), shared by the CLI and
    /// the app.
    pub fn platform_default() -> DataDir {
        DataDir(
            directories::ProjectDirs::from("app", "booth", "Booth")
                .map(|d| d.data_dir().to_path_buf())
                .unwrap_or_else(|| PathBuf::from(".booth")),
        )
    }

    pub fn root(&self) -> &Path {
        &self.0
    }

    /// The SQLite database (with its `-wal` and `-shm` beside it).
    pub fn database(&self) -> PathBuf {
        self.0.join("booth.db")
    }

    /// Product files, stored by content (`ab/<sha256>`).
    pub fn files(&self) -> PathBuf {
        self.0.join("files")
    }

    /// Mail written as `.eml` files when no SMTP server is set.
    pub fn outbox(&self) -> PathBuf {
        self.0.join("outbox")
    }

    /// The daily and requested backups.
    pub fn backups(&self) -> PathBuf {
        self.0.join("backups")
    }

    /// The seller's overrides of the buyer's pages (and `email/` for emails).
    pub fn templates(&self) -> PathBuf {
        self.0.join("templates")
    }

    pub fn email_templates(&self) -> PathBuf {
        self.templates().join("email")
    }

    /// Keys, when no system keychain answers.
    pub fn secrets(&self) -> PathBuf {
        self.0.join("secrets.json")
    }

    /// What a running shop leaves for other `booth` commands.
    pub fn run_info(&self) -> PathBuf {
        self.0.join("run.json")
    }

    /// The Stripe simulator's state.
    pub fn simulator_state(&self) -> PathBuf {
        self.0.join("stripe-sim.json")
    }

    /// Held (locked) by the one process serving this data dir: the app or `booth serve`.
    pub fn serve_lock(&self) -> PathBuf {
        self.0.join("booth.lock")
    }

    /// The running tunnel program's pid.
    pub fn tunnel_pid(&self) -> PathBuf {
        self.0.join("tunnel.pid")
    }
}

impl From<&Path> for DataDir {
    fn from(p: &Path) -> DataDir {
        DataDir::new(p)
    }
}
