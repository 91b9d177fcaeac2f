//! Secrets (Stripe keys, the webhook secret, the SMTP password) never go in the database
//! or logs. They live in the OS keychain when there is one (the Secret Service on Linux
//! desktops, Keychain on macOS, Credential Manager on Windows): one item per data dir.
//! Where there is none (a server, a bare session) they go in a JSON file in the data dir
//! that only the seller's user can read (mode 0600), written atomically.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// A key, password or token: `Debug` never shows it, nothing formats it, and reading it
/// takes `expose()`, so it can't reach a log or an error message by accident. Serialized
/// as itself, for the one place it is stored (the keychain item or the 0600 file).
#[derive(Clone, Deserialize)]
#[serde(from = "String")]
pub struct Secret(secrecy::SecretString);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(secrecy::SecretString::from(value.into()))
    }

    pub fn expose(&self) -> &str {
        secrecy::ExposeSecret::expose_secret(&self.0)
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Secret {
        Secret::new(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Secret {
        Secret::new(s)
    }
}

/// Comparing tells nothing about the value beyond equality.
impl PartialEq<&str> for Secret {
    fn eq(&self, other: &&str) -> bool {
        self.expose() == *other
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Secret) -> bool {
        self.expose() == other.expose()
    }
}

impl Eq for Secret {}

impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.expose())
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Secrets {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stripe_test_key: Option<Secret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stripe_live_key: Option<Secret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_secret: Option<Secret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smtp_password: Option<Secret>,
    /// cloudflared's tunnel token, ngrok's authtoken or bore's server secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tunnel_token: Option<Secret>,
    /// The secret access key of the seller's bucket (storage::BucketSpec holds its id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_secret: Option<Secret>,
    /// The webhook endpoint Booth created in Stripe, and its signing secret (Stripe shows
    /// the secret only once, when the endpoint is created).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_webhook: Option<ManagedWebhook>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ManagedWebhook {
    pub endpoint_id: String,
    pub secret: Secret,
    pub livemode: bool,
}

/// The keychain item's service name; its account is the data dir's path.
pub const KEYCHAIN_SERVICE: &str = "Booth";

pub fn path(data_dir: &Path) -> PathBuf {
    crate::DataDir::new(data_dir).secrets()
}

/// The keychain item for this data dir, if a keychain answers (an empty one counts).
fn keychain(data_dir: &Path) -> Option<keyring::Entry> {
    let dir = std::fs::canonicalize(data_dir).unwrap_or_else(|_| data_dir.to_path_buf());
    let entry = keyring::Entry::new(KEYCHAIN_SERVICE, &dir.display().to_string()).ok()?;
    match entry.get_password() {
        Ok(_) | Err(keyring::Error::NoEntry) => Some(entry),
        Err(e) => {
            tracing::debug!(error = %e, "no usable keychain; secrets go in a 0600 file");
            None
        }
    }
}

/// Where the secrets are kept, in words for the Settings screen.
pub fn describe(data_dir: &Path) -> String {
    // A file means the keychain wasn't there (or refused) when they were saved.
    let in_file = path(data_dir).exists();
    match keychain(data_dir).filter(|_| !in_file) {
        Some(_) => format!(
            "the system keychain (item \"{KEYCHAIN_SERVICE}\", account {})",
            data_dir.display()
        ),
        None => format!(
            "a file only your user can read ({}, mode 0600): this system has no keychain Booth can use",
            path(data_dir).display()
        ),
    }
}

pub fn load(data_dir: &Path) -> Result<Secrets> {
    if let Some(entry) = keychain(data_dir) {
        match entry.get_password() {
            Ok(json) => {
                return serde_json::from_str(&json).map_err(|e| {
                    Error::Internal(format!(
                        "Booth's keychain item is damaged ({e}); enter the keys again"
                    ))
                })
            }
            // Nothing there yet; secrets saved before the keychain was there are in the file.
            Err(keyring::Error::NoEntry) => {}
            Err(e) => return Err(Error::Internal(format!("keychain: {e}"))),
        }
    }
    load_file(data_dir)
}

pub fn save(data_dir: &Path, secrets: &Secrets) -> Result<()> {
    if let Some(entry) = keychain(data_dir) {
        let json = serde_json::to_string(secrets).expect("json");
        match entry.set_password(&json) {
            // Safely in the keychain now: no plain copy should linger on disk.
            Ok(()) => {
                return match std::fs::remove_file(path(data_dir)) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
                    _ => Ok(()),
                }
            }
            // A keychain that reads but won't write (locked, no default collection) must
            // not cost the seller their keys: the private file takes them.
            Err(e) => {
                tracing::warn!(error = %e, "the keychain refused the secrets; keeping them in the 0600 file")
            }
        }
    }
    save_file(data_dir, secrets)
}

fn load_file(data_dir: &Path) -> Result<Secrets> {
    match std::fs::read_to_string(path(data_dir)) {
        Ok(s) => serde_json::from_str(&s).map_err(|e| {
            Error::Internal(format!(
                "{} is damaged ({e}); fix or delete it and enter the keys again",
                path(data_dir).display()
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Secrets::default()),
        Err(e) => Err(e.into()),
    }
}

fn save_file(data_dir: &Path, secrets: &Secrets) -> Result<()> {
    let json = serde_json::to_string_pretty(secrets).expect("json");
    crate::owner_only::write(&path(data_dir), json.as_bytes())?;
    Ok(())
}

/// A secret as typed: trimmed, one line, printable, not absurdly long. `prefixes` are the
/// forms Stripe's keys take, so a live key pasted into the test field is caught.
pub fn check(field: &'static str, value: &str, prefixes: &[&str]) -> Result<Secret> {
    let v = value.trim();
    if v.len() > 512 || v.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(Error::invalid(
            field,
            "paste the key on its own: no spaces or line breaks, at most 512 characters",
        ));
    }
    if !prefixes.is_empty() && !prefixes.iter().any(|p| v.starts_with(p)) {
        return Err(Error::invalid(
            field,
            format!("this key should start with {}", prefixes.join(" or ")),
        ));
    }
    Ok(Secret::new(v))
}

/// A Stripe secret key typed for test or live mode: its form must match the mode, so a
/// live key pasted into the test field is caught. The error names the form field.
pub fn check_stripe_key(live: bool, value: &str) -> Result<Secret> {
    if live {
        check("stripe_live_key", value, &["sk_live_", "rk_live_"])
    } else {
        check("stripe_test_key", value, &["sk_test_", "rk_test_"])
    }
}

/// A password as typed: spaces are allowed and kept; line breaks and control characters
/// (which could break the protocol it's sent in) are not.
pub fn check_password(field: &'static str, value: &str) -> Result<Secret> {
    if value.len() > 512 || value.chars().any(char::is_control) {
        return Err(Error::invalid(
            field,
            "a password is one line of at most 512 characters",
        ));
    }
    Ok(Secret::new(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_secrets_round_trip_in_a_private_file() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load_file(dir.path()).unwrap(), Secrets::default());
        let s = Secrets {
            stripe_test_key: Some("sk_test_abc".into()),
            smtp_password: Some("p@ss".into()),
            ..Secrets::default()
        };
        save_file(dir.path(), &s).unwrap();
        assert_eq!(load_file(dir.path()).unwrap(), s);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path(dir.path()))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(path(dir.path()), "{not json").unwrap();
        assert!(load(dir.path())
            .unwrap_err()
            .to_string()
            .contains("damaged"));
    }

    #[test]
    fn keys_are_checked_for_their_form() {
        assert_eq!(
            check("k", " sk_test_1 ", &["sk_test_", "rk_test_"]).unwrap(),
            "sk_test_1"
        );
        assert!(check("k", "sk_live_1", &["sk_test_", "rk_test_"]).is_err());
        assert!(check("k", "sk_test_1\nX-Injected: 1", &["sk_test_"]).is_err());
        assert!(check("k", &"a".repeat(600), &[]).is_err());
    }

    #[test]
    fn secrets_never_print_and_round_trip_the_file() {
        let s = Secrets {
            stripe_live_key: Some("sk_live_topsecret".into()),
            smtp_password: Some("correct horse".into()),
            ..Secrets::default()
        };
        let shown = format!("{s:?}");
        assert!(
            !shown.contains("topsecret") && !shown.contains("horse"),
            "{shown}"
        );
        let json = serde_json::to_string(&s).unwrap();
        let back: Secrets = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s);
        assert_eq!(back.stripe_live_key.unwrap().expose(), "sk_live_topsecret");
    }
}
