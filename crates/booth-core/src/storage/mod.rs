//! Where product files and backups live: the data dir (the default), or an S3-compatible
//! bucket (Amazon S3, Cloudflare R2, Backblaze B2, MinIO, Wasabi) the seller names. This
//! module is the setting: what the seller typed, read once into a `BucketSpec`; the secret
//! access key stays with the other secrets, never in the database. `bucket.rs` speaks to
//! the bucket through the `object_store` crate.

pub mod bucket;
pub mod files;
mod http;
pub mod offsite;
pub mod transfer;

use crate::error::{Error, Problems, Result};
use serde::{Deserialize, Serialize};

/// The bucket the seller chose, as stored (JSON in the `storage` setting).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct BucketSpec {
    /// The S3 API's address: https://s3.eu-west-1.amazonaws.com,
    /// https://<account>.r2.cloudflarestorage.com, https://s3.us-west-004.backblazeb2.com…
    pub endpoint: String,
    /// us-east-1, auto (R2)…
    pub region: String,
    pub bucket: String,
    /// Booth's objects go under this prefix ("" for the whole bucket), without a leading
    /// or trailing slash.
    pub prefix: String,
    pub access_key_id: String,
}

/// The storage form as typed (the CLI's flags, the window's Settings → Storage).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct StorageInput {
    pub endpoint: String,
    pub region: String,
    pub bucket: String,
    pub prefix: String,
    pub access_key_id: String,
}

impl StorageInput {
    /// Every mistake in the form, each with its field.
    pub fn check(&self) -> std::result::Result<BucketSpec, Problems> {
        let mut p = Problems::default();
        let endpoint = p.take(endpoint(&self.endpoint));
        let region = p.take(region(&self.region));
        let bucket = p.take(bucket_name(&self.bucket));
        let prefix = p.take(prefix(&self.prefix));
        let access_key_id = p.take(access_key_id(&self.access_key_id));
        p.finish(|| {
            Some(BucketSpec {
                endpoint: endpoint?,
                region: region?,
                bucket: bucket?,
                prefix: prefix?,
                access_key_id: access_key_id?,
            })
        })
    }
}

impl TryFrom<&StorageInput> for BucketSpec {
    type Error = Error;
    fn try_from(input: &StorageInput) -> Result<BucketSpec> {
        input.check().map_err(Problems::first)
    }
}

/// One line of printable text, at most `max` characters.
fn one_line(field: &'static str, value: &str, max: usize) -> Result<String> {
    let v = value.trim();
    if v.chars().count() > max || v.chars().any(char::is_control) {
        return Err(Error::invalid(
            field,
            format!("one line of at most {max} characters"),
        ));
    }
    Ok(v.to_string())
}

fn endpoint(value: &str) -> Result<String> {
    let v = one_line("endpoint", value, 300)?;
    let bad = || {
        Error::invalid(
            "endpoint",
            "the S3 API's address, like https://s3.us-east-1.amazonaws.com or https://<account>.r2.cloudflarestorage.com",
        )
    };
    let url = url::Url::parse(&v).map_err(|_| bad())?;
    if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none() {
        return Err(bad());
    }
    if !url.username().is_empty() || url.password().is_some() || url.query().is_some() {
        return Err(Error::invalid(
            "endpoint",
            "just the address: keys go in their own fields",
        ));
    }
    // Plain http only to this computer (a MinIO beside the shop): elsewhere the keys'
    // signatures and the files would cross the network in the clear.
    let local = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    if url.scheme() == "http" && !local {
        return Err(Error::invalid(
            "endpoint",
            "use https:// (plain http only for a server on this computer)",
        ));
    }
    Ok(v.trim_end_matches('/').to_string())
}

fn region(value: &str) -> Result<String> {
    let v = one_line("region", value, 64)?;
    if v.is_empty() || !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(Error::invalid(
            "region",
            "the bucket's region, like us-east-1 (auto for Cloudflare R2)",
        ));
    }
    Ok(v)
}

/// S3's rules: 3–63 lowercase letters, digits, dots and hyphens, starting and ending with
/// a letter or digit.
fn bucket_name(value: &str) -> Result<String> {
    let v = value.trim();
    let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-';
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !(3..=63).contains(&v.len())
        || !v.chars().all(ok_char)
        || !edge(v.chars().next())
        || !edge(v.chars().last())
        || v.contains("..")
    {
        return Err(Error::invalid(
            "bucket",
            "a bucket name: 3–63 lowercase letters, digits, dots and hyphens",
        ));
    }
    Ok(v.to_string())
}

fn prefix(value: &str) -> Result<String> {
    let v = one_line("prefix", value, 200)?;
    let v = v.trim_matches('/');
    let ok = v.split('/').all(|part| {
        !part.is_empty()
            && part != "."
            && part != ".."
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    });
    if !v.is_empty() && !ok {
        return Err(Error::invalid(
            "prefix",
            "folders of letters, digits, - _ and . separated by /, like shops/booth",
        ));
    }
    Ok(v.to_string())
}

fn access_key_id(value: &str) -> Result<String> {
    let v = value.trim();
    if v.is_empty() || v.len() > 128 || !v.chars().all(|c| c.is_ascii_graphic()) {
        return Err(Error::invalid(
            "access_key_id",
            "the access key's id, as the provider shows it (no spaces)",
        ));
    }
    Ok(v.to_string())
}
