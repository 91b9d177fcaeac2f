//! Offline license files: what an activation hands the app so it can check its license with
//! no network. The file is JSON: `payload` (base64 of the license's JSON, so no one has to
//! reproduce a byte-exact serialisation) and `signature` (base64 of Ed25519 over exactly
//! those decoded bytes), signed with the shop's license key (signing.rs). docs/licenses.md shows the check
//! in Rust, JavaScript and Python.

use crate::error::{Error, Result};
use crate::signing::ShopKey;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ed25519_dalek::{Signature, VerifyingKey};
use serde::{Deserialize, Serialize};

/// A license file is good for this long offline; the app gets a fresh one with every
/// online validation, and a refund reaches an offline app when its file runs out.
pub const OFFLINE_DAYS: i64 = 30;
/// What the payload says it is.
pub const FORMAT: &str = "booth-license-1";
/// A license file is a few hundred bytes: anything much bigger is not one.
const MAX_FILE_BYTES: usize = 16 * 1024;

/// What a license file says, signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicensePayload {
    pub format: String,
    /// The shop's name and address, as the buyer knows them.
    pub shop: String,
    pub shop_url: String,
    pub product: String,
    pub product_name: String,
    pub purchase_id: i64,
    pub license_key: String,
    pub instance_id: String,
    pub instance_name: String,
    pub activation_limit: u32,
    pub test_mode: bool,
    /// Unix seconds.
    pub issued_at: i64,
    pub expires_at: i64,
}

#[derive(Serialize, Deserialize)]
struct Signed {
    payload: String,
    signature: String,
    key_id: String,
}

/// The license file's text for `payload`, signed with the shop's license key.
pub fn sign(key: &ShopKey, payload: &LicensePayload) -> String {
    let json = serde_json::to_vec(payload).expect("a payload serialises");
    let signed = Signed {
        signature: B64.encode(key.sign(&json)),
        payload: B64.encode(&json),
        key_id: key.key_id(),
    };
    serde_json::to_string_pretty(&signed).expect("a file serialises")
}

/// Checks a license file against a shop's public key (base64), as an app would, and says
/// what it licenses. Expiry is the caller's to judge against its own clock.
pub fn verify(public_key: &str, file: &str) -> Result<LicensePayload> {
    let bad = |why: &str| Error::invalid("license_file", why.to_string());
    let key: [u8; 32] = B64
        .decode(public_key.trim())
        .ok()
        .and_then(|k| k.try_into().ok())
        .ok_or_else(|| Error::invalid("public_key", "a public key is 32 bytes in base64"))?;
    let key = VerifyingKey::from_bytes(&key)
        .map_err(|_| Error::invalid("public_key", "that is not an Ed25519 public key"))?;
    if file.len() > MAX_FILE_BYTES {
        return Err(bad("this is far too big to be a license file"));
    }
    let signed: Signed =
        serde_json::from_str(file).map_err(|_| bad("this is not a Booth license file"))?;
    let payload = B64
        .decode(&signed.payload)
        .map_err(|_| bad("the license is not base64"))?;
    let signature: [u8; 64] = B64
        .decode(&signed.signature)
        .ok()
        .and_then(|s| s.try_into().ok())
        .ok_or_else(|| bad("the signature is not 64 bytes in base64"))?;
    key.verify_strict(&payload, &Signature::from_bytes(&signature))
        .map_err(|_| {
            bad("the signature does not match: the file was changed or another shop signed it")
        })?;
    let payload: LicensePayload =
        serde_json::from_slice(&payload).map_err(|_| bad("the signed license is not one"))?;
    if payload.format != FORMAT {
        return Err(bad("this license file's format is not one Booth knows"));
    }
    Ok(payload)
}
