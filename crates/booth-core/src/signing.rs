//! The shop's own Ed25519 keys: `license` signs offline license files (licenses/file.rs),
//! `updates` signs what app updaters download (updates/). Each is a 32-byte seed in the
//! database's `signing_keys`, made on first use, so a backup keeps it: apps carry the
//! public halves, and a new key would make every app refuse what the shop signs.

use crate::db::now;
use crate::error::{Error, Result};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ed25519_dalek::{Signer as _, SigningKey};
use rusqlite::{Connection, OptionalExtension};
use sha2::{Digest, Sha256};

/// Which key: one per purpose, so a signature made for one can't pass for the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyName {
    License,
    Updates,
}

impl KeyName {
    fn as_str(self) -> &'static str {
        match self {
            KeyName::License => "license",
            KeyName::Updates => "updates",
        }
    }
}

pub struct ShopKey(SigningKey);

impl ShopKey {
    /// The key, made on first use (inside a write, so two first uses make one).
    pub fn load_or_create(conn: &Connection, name: KeyName) -> Result<ShopKey> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed)
            .map_err(|e| Error::Internal(format!("no randomness for a signing key: {e}")))?;
        conn.execute(
            "INSERT INTO signing_keys (name, seed, created_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (name) DO NOTHING",
            rusqlite::params![name.as_str(), &seed[..], now()],
        )?;
        let seed: Option<Vec<u8>> = conn
            .query_row(
                "SELECT seed FROM signing_keys WHERE name = ?1",
                [name.as_str()],
                |r| r.get(0),
            )
            .optional()?;
        let seed: [u8; 32] = seed
            .and_then(|s| s.try_into().ok())
            .ok_or_else(|| Error::Internal("the stored signing key is not 32 bytes".into()))?;
        Ok(ShopKey(SigningKey::from_bytes(&seed)))
    }

    /// The public key: base64 of its 32 bytes (what Sparkle's `SUPublicEDKey` holds).
    pub fn public_key(&self) -> String {
        B64.encode(self.0.verifying_key().as_bytes())
    }

    /// The first 8 bytes of the public key's SHA-256, in hex: which key signed.
    pub fn key_id(&self) -> String {
        hex::encode(self.id_bytes())
    }

    fn id_bytes(&self) -> [u8; 8] {
        let digest = Sha256::digest(self.0.verifying_key().as_bytes());
        digest[..8].try_into().expect("8 bytes")
    }

    /// Ed25519 over `message`.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.0.sign(message).to_bytes()
    }

    /// The public key as minisign writes it (`minisign -p`), which Tauri's updater takes
    /// base64-encoded as its `pubkey`.
    pub fn minisign_public_key(&self) -> String {
        let mut bin = b"Ed".to_vec();
        bin.extend_from_slice(&self.minisign_id());
        bin.extend_from_slice(self.0.verifying_key().as_bytes());
        format!(
            "untrusted comment: minisign public key {}\n{}\n",
            hex::encode_upper(self.minisign_id_be()),
            B64.encode(bin)
        )
    }

    /// A minisign signature file for `data` (the legacy `Ed` algorithm: Ed25519 over the
    /// file itself, which minisign and Tauri's updater both check), with its trusted
    /// comment signed too.
    pub fn minisign(&self, data: &[u8], trusted_comment: &str) -> String {
        let signature = self.sign(data);
        let mut bin = b"Ed".to_vec();
        bin.extend_from_slice(&self.minisign_id());
        bin.extend_from_slice(&signature);
        let comment = trusted_comment.replace(['\r', '\n'], " ");
        let mut global = signature.to_vec();
        global.extend_from_slice(comment.as_bytes());
        format!(
            "untrusted comment: signature from the shop's update key\n{}\ntrusted comment: {comment}\n{}\n",
            B64.encode(bin),
            B64.encode(self.sign(&global))
        )
    }

    /// minisign's key id: 8 bytes, little-endian in the binary forms.
    fn minisign_id(&self) -> [u8; 8] {
        self.id_bytes()
    }

    /// The same id as minisign prints it (the little-endian number, most significant first).
    fn minisign_id_be(&self) -> [u8; 8] {
        let mut id = self.minisign_id();
        id.reverse();
        id
    }
}
