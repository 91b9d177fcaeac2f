//! Shop settings kept in the database (never secrets: those stay out of the file).

use crate::error::{Error, Result};
use lettre::message::Mailbox;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

pub const STORE_NAME: &str = "store_name";
pub const FROM_ADDRESS: &str = "from_address";
pub const SUPPORT_EMAIL: &str = "support_email";
pub const PUBLIC_URL: &str = "public_url";
/// Where the desktop app's shop server listens (host:port); `booth serve` takes --listen.
pub const LISTEN: &str = "listen";
/// simulated, test or live: which payments the desktop app's shop uses.
pub const PAYMENTS: &str = "payments";
/// smtp://user@host:port without the password (that is a secret); empty: the outbox folder.
pub const SMTP_URL: &str = "smtp_url";
/// The tunnel the shop is reached through (JSON of `tunnel::TunnelSpec`).
pub const TUNNEL: &str = "tunnel";
/// "yes" when the tunnel starts with the shop (the seller pressed Start and not Stop).
pub const TUNNEL_ON: &str = "tunnel_on";
/// How many daily backups to keep (1–365; default 7).
pub const BACKUP_KEEP: &str = "backup_keep";
/// A random id for this shop, so Booth knows its own webhook endpoint among others.
pub const SHOP_ID: &str = "shop_id";

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

crate::text_enum! {
    /// Which payments the desktop app's shop takes (the `payments` setting).
    pub enum PaymentsMode {
        /// Booth's own Stripe simulator: no account, no money.
        Simulated => "simulated",
        /// Stripe in test mode, with the saved test key.
        Test => "test",
        /// Stripe in live mode, with the saved live key.
        Live => "live",
    }
}

const DEFAULT_STORE_NAME: &str = "Booth Demo Shop";
const DEFAULT_FROM: &str = "shop@booth.localhost";

pub const KEYS: &[&str] = &[
    STORE_NAME,
    FROM_ADDRESS,
    SUPPORT_EMAIL,
    PUBLIC_URL,
    LISTEN,
    PAYMENTS,
    SMTP_URL,
    TUNNEL,
    TUNNEL_ON,
    BACKUP_KEEP,
];

pub fn get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?)
}

/// Validates and stores a setting.
pub fn set(conn: &Connection, key: &str, value: &str) -> Result<()> {
    let value = value.trim();
    match key {
        STORE_NAME => {
            crate::catalog::check_name(value)
                .map_err(|_| Error::invalid("store_name", "1–200 characters"))?;
        }
        FROM_ADDRESS | SUPPORT_EMAIL => {
            if !(key == SUPPORT_EMAIL && value.is_empty()) {
                crate::domain::Email::parse(value)?;
            }
        }
        PUBLIC_URL => {
            // Empty: no stable address; the tunnel's (or the local one) is used.
            if value.is_empty() {
                conn.execute("DELETE FROM settings WHERE key = ?1", [key])?;
                return Ok(());
            }
            let normal = crate::domain::PublicUrl::parse(value)?.into_string();
            return store(conn, key, &normal);
        }
        TUNNEL => {
            let spec: crate::tunnel::TunnelSpec = serde_json::from_str(value)
                .map_err(|_| Error::invalid("tunnel", "not a tunnel setting"))?;
            // Stored only as parsing the seller's input would produce it.
            let checked = crate::tunnel::TunnelSpec::parse(&spec.input())?;
            return store(conn, key, &serde_json::to_string(&checked).expect("json"));
        }
        BACKUP_KEEP => {
            if !matches!(value.parse::<u16>(), Ok(1..=365)) {
                return Err(Error::invalid("backup_keep", "keep 1 to 365 daily backups"));
            }
        }
        TUNNEL_ON => {
            if !matches!(value, "yes" | "no") {
                return Err(Error::invalid("tunnel_on", "yes or no"));
            }
        }
        LISTEN => {
            value.parse::<std::net::SocketAddr>().map_err(|_| {
                Error::invalid("listen", "an address and port, like 127.0.0.1:8080")
            })?;
        }
        PAYMENTS => {
            value
                .parse::<PaymentsMode>()
                .map_err(|_| Error::invalid("payments", "payments are simulated, test or live"))?;
        }
        SMTP_URL => check_smtp_url(value)?,
        _ => {
            return Err(Error::invalid(
                "key",
                format!("unknown setting '{key}'; known: {}", KEYS.join(", ")),
            ))
        }
    }
    store(conn, key, value)
}

fn store(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

/// An SMTP server as smtp://user@host:port or smtps://…, the password kept apart.
pub fn check_smtp_url(value: &str) -> Result<()> {
    if value.is_empty() {
        return Ok(());
    }
    let bad = |m: &str| Error::invalid("smtp_url", m.to_string());
    let u = url::Url::parse(value)
        .map_err(|_| bad("an SMTP server looks like smtp://user@smtp.example.com:587"))?;
    if !matches!(u.scheme(), "smtp" | "smtps") || u.host_str().is_none() {
        return Err(bad(
            "an SMTP URL starts with smtp:// or smtps:// and names a host",
        ));
    }
    if u.password().is_some() {
        return Err(bad(
            "leave the password out of the URL and type it in the password field",
        ));
    }
    if value.chars().any(|c| c.is_control() || c.is_whitespace()) || value.len() > 500 {
        return Err(bad("no spaces or line breaks, at most 500 characters"));
    }
    Ok(())
}

/// The SMTP URL the mailer uses: the stored one with the secret password put back in.
pub fn smtp_url_with_password(
    url: &str,
    password: Option<&crate::secrets::Secret>,
) -> Result<crate::secrets::Secret> {
    let mut u = url::Url::parse(url)
        .map_err(|_| Error::invalid("smtp_url", "the saved SMTP URL is not a URL"))?;
    if let Some(p) = password.map(|p| p.expose()).filter(|p| !p.is_empty()) {
        u.set_password(Some(p))
            .map_err(|_| Error::invalid("smtp_url", "this SMTP URL can't carry a password"))?;
    }
    Ok(crate::secrets::Secret::new(u.to_string()))
}

#[derive(Debug, Clone, Serialize)]
pub struct StoreInfo {
    pub store_name: String,
    pub from_address: String,
    pub support_email: String,
}

pub fn store_info(conn: &Connection) -> Result<StoreInfo> {
    Ok(StoreInfo {
        store_name: get(conn, STORE_NAME)?.unwrap_or_else(|| DEFAULT_STORE_NAME.into()),
        from_address: get(conn, FROM_ADDRESS)?.unwrap_or_else(|| DEFAULT_FROM.into()),
        support_email: get(conn, SUPPORT_EMAIL)?.unwrap_or_default(),
    })
}

/// The From of every mail: the store's name and address.
pub fn sender(conn: &Connection) -> Result<Mailbox> {
    let info = store_info(conn)?;
    let addr = info
        .from_address
        .parse()
        .map_err(|e| Error::Mail(format!("bad sender address: {e}")))?;
    Ok(Mailbox::new(Some(info.store_name), addr))
}
