//! Progress of the long transfers to and from the bucket (an upload, its read-back, a
//! migration's files), for the CLI's progress bar and the window's progress events. One
//! channel per shop: whoever shows progress subscribes; nobody listening costs nothing.

use serde::Serialize;
use tokio::sync::watch;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum TransferKind {
    /// Sending a file to the bucket.
    Upload,
    /// Reading it back to check its SHA-256.
    Verify,
    /// Fetching a file from the bucket into the data dir.
    Download,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct Transfer {
    pub kind: TransferKind,
    /// The file's name as buyers see it.
    pub name: String,
    pub done: u64,
    pub total: u64,
}

impl Transfer {
    pub fn new(kind: TransferKind, name: &str, total: u64) -> Transfer {
        Transfer {
            kind,
            name: name.to_string(),
            done: 0,
            total,
        }
    }
}

/// Where transfers tell their progress.
#[derive(Clone)]
pub struct Transfers {
    tx: watch::Sender<Option<Transfer>>,
}

impl Default for Transfers {
    fn default() -> Transfers {
        Transfers {
            tx: watch::Sender::new(None),
        }
    }
}

impl Transfers {
    pub fn tell(&self, t: &Transfer) {
        self.tx.send_replace(Some(t.clone()));
    }

    /// The newest transfer's progress, as it changes.
    pub fn subscribe(&self) -> watch::Receiver<Option<Transfer>> {
        self.tx.subscribe()
    }
}
