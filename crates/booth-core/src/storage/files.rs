//! Product files in the bucket: each stored once under `<prefix>/files/xx/<sha256>`, as in
//! the data dir. An upload is streamed (multipart when big), then read back and hashed:
//! only an object whose SHA-256 is the file's counts as there (shop/bucket_files.rs records
//! it). Downloads go to the buyer as presigned URLs that name the file.

use super::bucket::Bucket;
use super::transfer::{Transfer, TransferKind, Transfers};
use crate::error::{Error, Result};
use crate::owner_only;
use futures_util::StreamExt;
use object_store::buffered::BufWriter;
use object_store::signer::{SignedUrlOptions, Signer};
use object_store::{ObjectStore, ObjectStoreExt};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The bucket's folder (under Booth's prefix) for product files.
pub const FOLDER: &str = "files";

/// What an upload reads at a time, and how often progress is told.
const CHUNK: usize = 1024 * 1024;

/// How long a download's presigned URL may be used to start it (a download under way
/// carries on past it): long enough for a slow redirect, short enough that a shared link
/// is dead by the time anyone else tries it.
pub const LINK_TTL: Duration = Duration::from_secs(5 * 60);

/// Is this a sha256 as Booth writes them (64 lowercase hex)?
fn check_sha(sha256: &str) -> Result<()> {
    let ok = sha256.len() == 64
        && sha256
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if !ok {
        return Err(Error::Internal(format!("refusing file key {sha256:?}")));
    }
    Ok(())
}

impl Bucket {
    /// A product file's key.
    pub fn file_key(&self, sha256: &str) -> Result<object_store::path::Path> {
        check_sha(sha256)?;
        Ok(self.key(&format!("{FOLDER}/{}/{sha256}", &sha256[..2])))
    }

    /// Uploads the data dir's copy of a file, then reads it back: Ok only when the
    /// bucket holds exactly these bytes. A failed upload leaves no object (its parts are
    /// dropped); a copy that reads back wrong is deleted.
    pub async fn upload_file(
        &self,
        local: &Path,
        sha256: &str,
        name: &str,
        transfers: &Transfers,
    ) -> Result<()> {
        let key = self.file_key(sha256)?;
        self.exists().await?;
        let mut file = tokio::fs::File::open(local).await?;
        let total = file.metadata().await?.len();
        let mut t = Transfer::new(TransferKind::Upload, name, total);
        transfers.tell(&t);
        let store: std::sync::Arc<dyn ObjectStore> = self.store();
        let mut upload = BufWriter::new(store, key.clone());
        let failed = |e: std::io::Error| self.upload_failed(name, e);
        let mut buf = vec![0u8; CHUNK];
        loop {
            let n = match file.read(&mut buf).await {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) => {
                    let _ = upload.abort().await;
                    return Err(Error::Io(e));
                }
            };
            if let Err(e) = upload.write_all(&buf[..n]).await {
                // The parts sent so far are dropped; no object appears.
                let _ = upload.abort().await;
                return Err(failed(e));
            }
            t.done += n as u64;
            transfers.tell(&t);
        }
        upload.shutdown().await.map_err(failed)?;
        t.kind = TransferKind::Verify;
        t.done = 0;
        transfers.tell(&t);
        let got = self.hash_object(&key, &mut t, transfers).await?;
        if got != sha256 {
            let _ = self.store().delete(&key).await;
            return Err(Error::Storage(format!(
                "the bucket gave back other bytes than Booth uploaded for {name}: nothing was kept"
            )));
        }
        Ok(())
    }

    /// The SHA-256 of an object, read back in full.
    async fn hash_object(
        &self,
        key: &object_store::path::Path,
        t: &mut Transfer,
        transfers: &Transfers,
    ) -> Result<String> {
        let got = self
            .store()
            .get(key)
            .await
            .map_err(|e| self.explain("read back", e))?;
        let mut stream = got.into_stream();
        let mut hasher = Sha256::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| self.explain("read back", e))?;
            hasher.update(&chunk);
            t.done += chunk.len() as u64;
            transfers.tell(t);
        }
        Ok(hex::encode(hasher.finalize()))
    }

    /// Does the bucket hold this file with exactly its bytes? (Read back in full.)
    pub async fn holds(&self, sha256: &str, name: &str, transfers: &Transfers) -> Result<bool> {
        let key = self.file_key(sha256)?;
        let size = match self.store().head(&key).await {
            Ok(meta) => meta.size,
            Err(object_store::Error::NotFound { .. }) => return Ok(false),
            Err(e) => return Err(self.explain("look up a file", e)),
        };
        let mut t = Transfer::new(TransferKind::Verify, name, size);
        Ok(self.hash_object(&key, &mut t, transfers).await? == sha256)
    }

    /// Is the file's object there (and the bucket answering)? Ok(false): it isn't.
    pub async fn has_file(&self, sha256: &str) -> Result<bool> {
        match self.store().head(&self.file_key(sha256)?).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(self.explain("look up a file", e)),
        }
    }

    /// Fetches a file's object into the data dir's `files` folder at `dest` (its
    /// content-addressed place), through a partial file renamed only once its SHA-256 is
    /// the expected one.
    pub async fn fetch_file(
        &self,
        sha256: &str,
        dest: &Path,
        name: &str,
        transfers: &Transfers,
    ) -> Result<()> {
        let key = self.file_key(sha256)?;
        let got = self
            .store()
            .get(&key)
            .await
            .map_err(|e| self.explain(&format!("download {name}"), e))?;
        let dir = dest
            .parent()
            .expect("a content-addressed path has a folder");
        owner_only::create_dir(dir)?;
        let partial: PathBuf = dir.join(format!(".{sha256}.{}.partial", uuid::Uuid::new_v4()));
        let mut t = Transfer::new(TransferKind::Download, name, got.meta.size);
        let result = async {
            let mut out = tokio::fs::File::from_std(owner_only::create(&partial)?);
            let mut hasher = Sha256::new();
            let mut stream = got.into_stream();
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(|e| self.explain(&format!("download {name}"), e))?;
                hasher.update(&chunk);
                out.write_all(&chunk).await?;
                t.done += chunk.len() as u64;
                transfers.tell(&t);
            }
            out.sync_all().await?;
            if hex::encode(hasher.finalize()) != sha256 {
                return Err(Error::Storage(format!(
                    "the bucket's copy of {name} isn't the file Booth uploaded: left in the bucket, not used"
                )));
            }
            tokio::fs::rename(&partial, dest).await?;
            Ok(())
        }
        .await;
        if result.is_err() {
            let _ = std::fs::remove_file(&partial);
        }
        result
    }

    /// A URL the buyer's browser can fetch the file from for `LINK_TTL`, answered with the
    /// file's name and type (the bucket holds it under its hash). Made here, without a
    /// request to the bucket.
    pub async fn download_url(
        &self,
        sha256: &str,
        disposition: &str,
        content_type: &str,
    ) -> Result<String> {
        self.signed_download_url(sha256, disposition, content_type, LINK_TTL)
            .await
    }

    /// `download_url`, good for `ttl`.
    pub async fn signed_download_url(
        &self,
        sha256: &str,
        disposition: &str,
        content_type: &str,
        ttl: Duration,
    ) -> Result<String> {
        let options = SignedUrlOptions::default().with_query([
            ("response-content-disposition", disposition),
            ("response-content-type", content_type),
        ]);
        let url = self
            .store()
            .signed_url_opts(http::Method::GET, &self.file_key(sha256)?, ttl, &options)
            .await
            .map_err(|e| self.explain("sign a download link", e))?;
        Ok(url.to_string())
    }

    /// An upload's error (object_store's, inside the writer's io::Error) in the seller's
    /// words.
    fn upload_failed(&self, name: &str, e: std::io::Error) -> Error {
        match e
            .into_inner()
            .map(|inner| inner.downcast::<object_store::Error>())
        {
            Some(Ok(store_error)) => self.explain(&format!("upload {name}"), *store_error),
            Some(Err(other)) => Error::Storage(format!("uploading {name} failed: {other}")),
            None => Error::Storage(format!("uploading {name} failed")),
        }
    }
}
