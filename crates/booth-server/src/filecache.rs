//! Small files kept in memory. A stored file is named by its SHA-256 and never changes, so
//! a copy can't go stale; serving one from memory saves an open, a read and a trip to the
//! blocking pool per download (most of the cost of a small download besides counting it).

use bytes::Bytes;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

/// Files up to this size are kept.
pub const MAX_FILE: u64 = 256 * 1024;

pub struct FileCache {
    budget: usize,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    files: HashMap<String, Bytes>,
    bytes: usize,
}

impl FileCache {
    /// Holds at most `budget` bytes of file contents.
    pub fn new(budget: usize) -> FileCache {
        FileCache {
            budget,
            inner: Mutex::default(),
        }
    }

    /// The whole file stored as `sha256` at `path`, read from disk the first time.
    pub async fn get(&self, sha256: &str, path: &Path) -> std::io::Result<Bytes> {
        if let Some(b) = self.lock().files.get(sha256) {
            return Ok(b.clone());
        }
        let path = path.to_path_buf();
        let bytes = tokio::task::spawn_blocking(move || std::fs::read(path))
            .await
            .map_err(std::io::Error::other)??;
        let bytes = Bytes::from(bytes);
        let mut inner = self.lock();
        if bytes.len() <= self.budget && !inner.files.contains_key(sha256) {
            // Full: start over rather than track use; old versions' files go with the rest.
            if inner.bytes + bytes.len() > self.budget {
                inner.files.clear();
                inner.bytes = 0;
            }
            inner.bytes += bytes.len();
            inner.files.insert(sha256.to_string(), bytes.clone());
        }
        Ok(bytes)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding it can't leave the map half-changed in a way that matters.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reads_once_and_stays_within_its_budget() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::write(&a, vec![1u8; 600]).unwrap();
        std::fs::write(&b, vec![2u8; 600]).unwrap();
        let cache = FileCache::new(1000);
        assert_eq!(cache.get("a", &a).await.unwrap().len(), 600);
        // Served from memory: the file on disk is no longer read.
        std::fs::remove_file(&a).unwrap();
        assert_eq!(cache.get("a", &a).await.unwrap()[0], 1);
        // b doesn't fit beside a: the cache starts over and holds b alone.
        assert_eq!(cache.get("b", &b).await.unwrap()[0], 2);
        assert_eq!(cache.lock().bytes, 600);
        assert!(cache.get("a", &a).await.is_err(), "a was dropped");
        // A missing file is an error, not an empty download.
        assert!(cache.get("c", &dir.path().join("c")).await.is_err());
    }
}
