//! Which bucket a download's bytes come from (shop/purchases.rs asks before counting): the
//! seller's, when it holds the file and answers; else the data dir.

use super::Shop;
use crate::catalog;
use crate::downloads::{self, Denied, DownloadRequest};
use crate::error::Result;
use crate::storage::bucket::Bucket;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long the shop trusts its reading of the storage setting (the CLI may change it
/// while the shop runs), and a bucket's answer that a file is there.
const FRESH: Duration = Duration::from_secs(10);

/// The bucket downloads are served from, with the files it answered for lately: a launch's
/// thousand downloads of one file ask the bucket once every 10 s, not a thousand times.
pub(super) struct Serving {
    pub(super) bucket: Bucket,
    seen: Mutex<HashMap<String, Instant>>,
}

pub(super) type ServingCache = Mutex<Option<(Instant, Option<Arc<Serving>>)>>;

impl Shop {
    /// After the storage setting changed: the next download reads it again.
    pub(super) fn forget_serving(&self) {
        *self.inner.serving.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    pub(super) async fn serving(&self) -> Result<Option<Arc<Serving>>> {
        if let Some((at, s)) = &*self.inner.serving.lock().unwrap_or_else(|e| e.into_inner()) {
            if at.elapsed() < FRESH {
                return Ok(s.clone());
            }
        }
        let serving = self.bucket().await?.map(|bucket| {
            Arc::new(Serving {
                bucket,
                seen: Mutex::default(),
            })
        });
        *self.inner.serving.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((Instant::now(), serving.clone()));
        Ok(serving)
    }

    /// The bucket a download's bytes come from: None for the data dir (no bucket, the
    /// file not in it, a HEAD, or a bucket that doesn't answer while the data dir still
    /// has the file); StorageDown when only the silent bucket has it.
    pub(super) async fn bucket_for(
        &self,
        req: &DownloadRequest,
    ) -> Result<std::result::Result<Option<Arc<Serving>>, Denied>> {
        if req.head {
            return Ok(Ok(None));
        }
        // A bucket setting that can't be used (its secret gone) serves from the data dir.
        let Ok(Some(serving)) = self.serving().await else {
            return Ok(Ok(None));
        };
        let (token, file_id, place) = (req.token.clone(), req.file_id, serving.bucket.place());
        let content = self
            .db()
            .run(move |c| downloads::bucket_content(c, &token, file_id, &place))
            .await?;
        let Some(sha256) = content else {
            return Ok(Ok(None));
        };
        Ok(match serving.has(&sha256).await {
            Ok(true) => Ok(Some(serving)),
            Ok(false) => Ok(None),
            Err(_) if self.has_local_copy(&sha256) => Ok(None),
            Err(_) => Err(Denied::StorageDown),
        })
    }

    fn has_local_copy(&self, sha256: &str) -> bool {
        let stored = format!("{}/{sha256}", &sha256[..2.min(sha256.len())]);
        catalog::resolve_stored(self.files_dir(), &stored).is_ok_and(|p| p.exists())
    }
}

impl Serving {
    /// Does the bucket answer for this file now? Err: it doesn't answer at all.
    pub(super) async fn has(&self, sha256: &str) -> Result<bool> {
        let fresh = |seen: &HashMap<String, Instant>| {
            seen.get(sha256).is_some_and(|at| at.elapsed() < FRESH)
        };
        if fresh(&self.seen.lock().unwrap_or_else(|e| e.into_inner())) {
            return Ok(true);
        }
        let there = self.bucket.has_file(sha256).await?;
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if there {
            if seen.len() >= 10_000 {
                seen.clear();
            }
            seen.insert(sha256.to_string(), Instant::now());
        } else {
            seen.remove(sha256);
        }
        Ok(there)
    }
}
