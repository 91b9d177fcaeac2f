//! The seller's bucket, through `object_store` (Apache Arrow's client for S3 and every
//! service that speaks its API). Booth's objects sit under the spec's prefix. Errors come
//! back in the seller's words: keys refused, no such bucket, the service unreachable.

use super::BucketSpec;
use crate::error::{Error, Result};
use crate::secrets::Secret;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path;
use object_store::{ClientOptions, ObjectStore, ObjectStoreExt, PutPayload, RetryConfig};
use std::sync::Arc;
use std::time::Duration;

/// A bucket Booth can write to, read from and delete in.
pub struct Bucket {
    spec: BucketSpec,
    store: Arc<AmazonS3>,
}

impl Bucket {
    pub fn new(spec: &BucketSpec, secret: &Secret) -> Result<Bucket> {
        let store = AmazonS3Builder::new()
            .with_endpoint(&spec.endpoint)
            .with_region(&spec.region)
            .with_bucket_name(&spec.bucket)
            .with_access_key_id(&spec.access_key_id)
            .with_secret_access_key(secret.expose())
            // Path-style (endpoint/bucket/key): what R2, B2, MinIO and S3 all answer.
            .with_virtual_hosted_style_request(false)
            // Plain http only to this computer: the spec allows no other.
            .with_client_options(
                ClientOptions::new().with_allow_http(spec.endpoint.starts_with("http://")),
            )
            .with_http_connector(super::http::Connector)
            // One retry: a seller pressing Check waits seconds, not minutes.
            .with_retry(RetryConfig {
                max_retries: 1,
                retry_timeout: Duration::from_secs(20),
                ..RetryConfig::default()
            })
            .build()
            .map_err(|e| Error::Storage(format!("this bucket setting can't be used: {e}")))?;
        Ok(Bucket {
            spec: spec.clone(),
            store: Arc::new(store),
        })
    }

    /// The client, for the other bucket modules (offsite.rs).
    pub(super) fn store(&self) -> Arc<AmazonS3> {
        self.store.clone()
    }

    /// The setting it was made from.
    pub fn spec(&self) -> &BucketSpec {
        &self.spec
    }

    /// Which bucket and prefix this is (`bucket_files` rows are this place's).
    pub fn place(&self) -> String {
        let s = &self.spec;
        format!("{}/{}/{}", s.endpoint, s.bucket, s.prefix)
    }

    /// An object's key under Booth's prefix.
    pub fn key(&self, name: &str) -> Path {
        match self.spec.prefix.as_str() {
            "" => Path::from(name),
            p => Path::from(format!("{p}/{name}")),
        }
    }

    /// Lists Booth's prefix: asked before a write, so a missing bucket is named as such
    /// (some services make one on a write).
    pub async fn exists(&self) -> Result<()> {
        self.store
            .list_with_delimiter(Some(&self.key("")))
            .await
            .map_err(|e| self.explain("list", e))?;
        Ok(())
    }

    /// Lists Booth's prefix, then writes, reads back and deletes a small probe object:
    /// what every later upload, download, backup and its pruning needs. Nothing is left
    /// behind, even when a step fails.
    pub async fn check(&self) -> Result<()> {
        self.exists().await?;
        let probe = self.key(&format!(".booth-check-{}", uuid::Uuid::new_v4()));
        let body = format!("Booth checked this bucket at {}", crate::db::now());
        self.store
            .put(&probe, PutPayload::from(body.clone().into_bytes()))
            .await
            .map_err(|e| self.explain("write", e))?;
        let read = async {
            let got = self.store.get(&probe).await?.bytes().await?;
            Ok::<_, object_store::Error>(got)
        }
        .await;
        let deleted = self.store.delete(&probe).await;
        let got = read.map_err(|e| self.explain("read", e))?;
        if got != body.as_bytes() {
            return Err(Error::Storage(format!(
                "the bucket gave back other bytes than Booth wrote to {probe}"
            )));
        }
        deleted.map_err(|e| self.explain("delete", e))?;
        Ok(())
    }

    /// An object_store error in the seller's words.
    pub(super) fn explain(&self, step: &str, e: object_store::Error) -> Error {
        let text = format!("{e:?}");
        let has = |s: &str| text.contains(s);
        let where_ = format!("{} at {}", self.spec.bucket, self.spec.endpoint);
        let message = if has("NoSuchBucket") {
            format!("there is no bucket {where_}: create it first, or check its name and region")
        } else if has("InvalidAccessKeyId")
            || has("SignatureDoesNotMatch")
            || has("AccessDenied")
            || matches!(
                e,
                object_store::Error::PermissionDenied { .. }
                    | object_store::Error::Unauthenticated { .. }
            )
        {
            format!("the bucket {where_} refused these keys ({step}): check the access key id and secret, and that the key may read, write and delete in this bucket")
        } else if has("Connect") || has("connect") || has("dns error") || has("timed out") {
            format!(
                "can't reach {}: check the address, or try again shortly",
                self.spec.endpoint
            )
        } else {
            format!("the bucket {where_} failed to {step}: {e}")
        };
        Error::Storage(message)
    }
}
