//! Shop settings kept in the database (never secrets: those stay out of the file).

use crate::error::{Error, Problems, Result};
use crate::secrets::{self, Secret, Secrets};
use lettre::message::Mailbox;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

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
/// Stripe Tax on Checkout: "off", or on with prices that "exclude" or "include" tax.
pub const TAX: &str = "tax";
/// "yes": business buyers may give a tax ID (EU reverse charge).
pub const TAX_IDS: &str = "tax_ids";
/// "yes": Stripe makes an invoice for each purchase.
pub const INVOICES: &str = "invoices";
/// "yes": buyers agree to immediate delivery before paying (EU digital content).
pub const CONSENT: &str = "consent";
/// The tax code of products that have none (txcd_…).
pub const TAX_CODE: &str = "tax_code";
/// "yes": no new sales (product pages and Buy links say "back soon"); downloads, receipts,
/// webhooks and mailings carry on.
pub const SALES_PAUSED: &str = "sales_paused";
/// The seller's choices for Booth around the shop (`app_prefs::AppPref`), "yes" or "no".
pub const STAY_AWAKE: &str = "stay_awake";
pub const NOTIFY_SALES: &str = "notify_sales";
pub const NOTIFY_TUNNEL: &str = "notify_tunnel";
pub const BACKGROUND_TOLD: &str = "background_told";
/// Where files and backups live: absent for the data dir, else a bucket (JSON of
/// `storage::BucketSpec`; its secret is with the other secrets).
pub const STORAGE: &str = "storage";

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

/// What pages and mail say until the seller names the shop (the first-run checklist asks).
const DEFAULT_STORE_NAME: &str = "My shop";
/// A From for mail written to the outbox folder before a sender is set; never a real domain.
const DEFAULT_FROM: &str = "shop@booth.localhost";
/// The demo shop's name and sender (README's first command).
pub const DEMO_STORE_NAME: &str = "Booth Demo Shop";

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
    TAX,
    TAX_IDS,
    INVOICES,
    CONSENT,
    TAX_CODE,
    SALES_PAUSED,
    STAY_AWAKE,
    NOTIFY_SALES,
    NOTIFY_TUNNEL,
    BACKGROUND_TOLD,
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
    let value = check(key, value)?;
    // Empty: no stable address; the tunnel's (or the local one) is used.
    if key == PUBLIC_URL && value.is_empty() {
        conn.execute("DELETE FROM settings WHERE key = ?1", [key])?;
        return Ok(());
    }
    store(conn, key, &value)
}

/// Checks a setting's value as typed; returns it as it is stored (trimmed, a public URL
/// normalised, "" for no public URL).
pub fn check(key: &str, value: &str) -> Result<String> {
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
            if !value.is_empty() {
                return Ok(crate::domain::PublicUrl::parse(value)?.into_string());
            }
        }
        TUNNEL => {
            let spec: crate::tunnel::TunnelSpec = serde_json::from_str(value)
                .map_err(|_| Error::invalid("tunnel", "not a tunnel setting"))?;
            // Stored only as parsing the seller's input would produce it.
            let checked = crate::tunnel::TunnelSpec::parse(&spec.input())?;
            return Ok(serde_json::to_string(&checked).expect("json"));
        }
        BACKUP_KEEP => {
            if !matches!(value.parse::<u16>(), Ok(1..=365)) {
                return Err(Error::invalid("backup_keep", "keep 1 to 365 daily backups"));
            }
        }
        TUNNEL_ON | TAX_IDS | INVOICES | CONSENT | SALES_PAUSED | STAY_AWAKE | NOTIFY_SALES
        | NOTIFY_TUNNEL | BACKGROUND_TOLD => {
            if !matches!(value, "yes" | "no") {
                return Err(Error::invalid(
                    KEYS.iter().find(|k| **k == key).copied().unwrap_or("key"),
                    "yes or no",
                ));
            }
        }
        TAX => {
            if !matches!(value, "off" | "exclusive" | "inclusive") {
                return Err(Error::invalid(
                    "tax",
                    "off, exclusive (tax added at checkout) or inclusive (prices include tax)",
                ));
            }
        }
        TAX_CODE => {
            crate::tax::TaxCode::parse(value)?;
            return Ok(crate::tax::TaxCode::parse(value)?.as_str().to_string());
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
        // Written by `Shop::set_storage` only, from a checked spec; read back the same way.
        STORAGE => {
            let spec: crate::storage::BucketSpec = serde_json::from_str(value)
                .map_err(|_| Error::invalid("storage", "not a storage setting"))?;
            let input = crate::storage::StorageInput {
                endpoint: spec.endpoint,
                region: spec.region,
                bucket: spec.bucket,
                prefix: spec.prefix,
                access_key_id: spec.access_key_id,
            };
            let checked = crate::storage::BucketSpec::try_from(&input)?;
            return Ok(serde_json::to_string(&checked).expect("json"));
        }
        _ => {
            return Err(Error::invalid(
                "key",
                format!("unknown setting '{key}'; known: {}", KEYS.join(", ")),
            ))
        }
    }
    Ok(value.to_string())
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
    // What the mailer makes of it (tls=required or opportunistic), refused now, not at send.
    crate::smtp::SmtpSession::from_url(value, std::time::Duration::from_secs(30))?;
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

/// What the seller changed in Settings; None leaves a value alone, and for a secret ""
/// removes it.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct SettingsInput {
    pub store_name: Option<String>,
    pub from_address: Option<String>,
    pub support_email: Option<String>,
    pub public_url: Option<String>,
    pub listen: Option<String>,
    pub payments: Option<String>,
    pub stripe_test_key: Option<String>,
    pub stripe_live_key: Option<String>,
    pub webhook_secret: Option<String>,
    pub smtp_url: Option<String>,
    pub smtp_password: Option<String>,
}

/// A checked `SettingsInput`: the settings to store, as stored, and the secrets to change
/// (None leaves one alone, Some(None) removes it).
#[derive(Debug, Default)]
pub struct SettingsChange {
    pub settings: Vec<(&'static str, String)>,
    pub stripe_test_key: Option<Option<Secret>>,
    pub stripe_live_key: Option<Option<Secret>>,
    pub webhook_secret: Option<Option<Secret>>,
    pub smtp_password: Option<Option<Secret>>,
}

impl SettingsInput {
    /// Every field checked at once, before anything is stored; each mistake names its field
    /// (an address's is "email").
    pub fn check(&self) -> Result<SettingsChange, Problems> {
        self.check_fields(false)
    }

    /// `form_fields`: each setting's mistake names the setting it is about (the form's
    /// field), as an address's "email" can't say which of the form's addresses it is.
    fn check_fields(&self, form_fields: bool) -> Result<SettingsChange, Problems> {
        let named = |key: &'static str, e: Error| match e {
            Error::Invalid { message, .. } if form_fields => Error::invalid(key, message),
            e => e,
        };
        let mut p = Problems::default();
        // None leaves a secret alone, "" removes it, anything else is checked.
        let mut secret = |v: &Option<String>, check: fn(&str) -> Result<Secret>| match v.as_deref()
        {
            None => Some(None),
            Some("") => Some(Some(None)),
            Some(v) => p.take(check(v)).map(|s| Some(Some(s))),
        };
        let test_key = secret(&self.stripe_test_key, |v| {
            secrets::check_stripe_key(false, v)
        });
        let live_key = secret(&self.stripe_live_key, |v| {
            secrets::check_stripe_key(true, v)
        });
        let webhook = secret(&self.webhook_secret, |v| {
            secrets::check("webhook_secret", v, &["whsec_"])
        });
        let smtp_password = secret(&self.smtp_password, |v| {
            secrets::check_password("smtp_password", v)
        });
        let settings: Vec<Option<(&'static str, String)>> = [
            (PUBLIC_URL, &self.public_url),
            (STORE_NAME, &self.store_name),
            (FROM_ADDRESS, &self.from_address),
            (SUPPORT_EMAIL, &self.support_email),
            (LISTEN, &self.listen),
            (PAYMENTS, &self.payments),
            (SMTP_URL, &self.smtp_url),
        ]
        .into_iter()
        .filter_map(|(k, v)| {
            let checked = v.as_ref()?.as_str();
            Some(
                p.take(check(k, checked).map_err(|e| named(k, e)))
                    .map(|v| (k, v)),
            )
        })
        .collect();
        p.finish(|| {
            Some(SettingsChange {
                settings: settings.into_iter().collect::<Option<_>>()?,
                stripe_test_key: test_key?,
                stripe_live_key: live_key?,
                webhook_secret: webhook?,
                smtp_password: smtp_password?,
            })
        })
    }

    /// Every mistake the Settings form shows: `check`'s, and Stripe test or live payments
    /// without that mode's key (typed now or saved before). Saving that is allowed (the
    /// CLI sets one value at a time, and the shop says what is missing when it starts);
    /// the form asks for the key first.
    pub fn check_form(&self, saved: &Secrets) -> Problems {
        let mut p = self.check_fields(true).err().unwrap_or_default();
        let has = |typed: &Option<String>, saved: &Option<Secret>| match typed {
            Some(t) => !t.trim().is_empty(),
            None => saved.is_some(),
        };
        let missing = match self.payments.as_deref().map(str::trim) {
            Some("test") if !has(&self.stripe_test_key, &saved.stripe_test_key) => {
                Some("add a Stripe test secret key to use Stripe test mode")
            }
            Some("live") if !has(&self.stripe_live_key, &saved.stripe_live_key) => {
                Some("add a Stripe live secret key to take real payments")
            }
            _ => None,
        };
        if let Some(m) = missing {
            p.take::<()>(Err(Error::invalid("payments", m)));
        }
        p
    }
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
