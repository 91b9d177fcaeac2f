//! Sending mail: a real SMTP server when `BOOTH_SMTP_URL` is set, otherwise a folder of .eml
//! files in the data dir, so a demo loses nothing and the seller can read what was sent.

use crate::error::{Error, Result};
use crate::smtp::SmtpSession;
use lettre::message::dkim::{
    DkimCanonicalization, DkimCanonicalizationType, DkimConfig, DkimSigningAlgorithm,
    DkimSigningKey,
};
use lettre::message::{header, Mailbox, MultiPart};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    dkim: Option<Arc<DkimConfig>>,
}

#[derive(Clone)]
enum Transport {
    /// smtp:// (plain or STARTTLS): our own connection, with Nagle off.
    Session {
        session: Arc<SmtpSession>,
        url_redacted: String,
    },
    /// smtps://: lettre's transport.
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        url_redacted: String,
    },
    /// `<dir>/<uuid>.eml`, each the owner's alone (they carry buyers' download links).
    Folder { dir: PathBuf },
}

pub use crate::smtp::SendError;

/// One message as it goes out: to whom, what it says, and what Booth adds to its headers.
/// The outbox's rows give one (`OutboxRow::envelope`); a test mail makes its own.
#[derive(Debug, Clone, Copy)]
pub struct Envelope<'a> {
    /// receipt, update or test (the `X-Booth-Kind` header).
    pub kind: &'a str,
    pub recipient: &'a str,
    pub subject: &'a str,
    pub body_text: &'a str,
    pub body_html: &'a str,
    /// One-click unsubscribe (List-Unsubscribe), for bulk mail.
    pub unsubscribe_url: Option<&'a str>,
    pub message_id: &'a str,
}

/// DKIM signing: a private key file (PKCS#1 PEM for RSA, or a base64 Ed25519 seed), the
/// DNS selector and the signing domain.
#[derive(Debug, Clone)]
pub struct DkimSettings {
    pub key_file: PathBuf,
    pub selector: String,
    pub domain: String,
}

impl DkimSettings {
    /// BOOTH_DKIM_KEY_FILE, BOOTH_DKIM_SELECTOR (default "booth") and BOOTH_DKIM_DOMAIN
    /// (default: the sender address's domain).
    pub fn from_env(from_address: &str) -> Option<DkimSettings> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        Some(DkimSettings {
            key_file: PathBuf::from(var("BOOTH_DKIM_KEY_FILE")?),
            selector: var("BOOTH_DKIM_SELECTOR").unwrap_or_else(|| "booth".into()),
            domain: var("BOOTH_DKIM_DOMAIN").unwrap_or_else(|| {
                from_address
                    .rsplit_once('@')
                    .map(|(_, d)| d.to_string())
                    .unwrap_or_default()
            }),
        })
    }

    fn load(&self) -> Result<DkimConfig> {
        let key = std::fs::read_to_string(&self.key_file).map_err(|e| {
            Error::invalid(
                "dkim_key_file",
                format!("can't read {}: {e}", self.key_file.display()),
            )
        })?;
        let algorithm = if key.contains("BEGIN RSA PRIVATE KEY") {
            DkimSigningAlgorithm::Rsa
        } else {
            DkimSigningAlgorithm::Ed25519
        };
        let key = DkimSigningKey::new(key.trim(), algorithm).map_err(|e| {
            Error::invalid(
                "dkim_key_file",
                format!(
                    "{} is not a PKCS#1 RSA key or a base64 Ed25519 key: {e}",
                    self.key_file.display()
                ),
            )
        })?;
        if self.domain.is_empty() || self.selector.is_empty() {
            return Err(Error::invalid("dkim", "DKIM needs a selector and a domain"));
        }
        // relaxed/relaxed: lettre folds the long DKIM-Signature header after signing, which
        // "simple" header canonicalization would count as tampering.
        let relaxed = DkimCanonicalization {
            header: DkimCanonicalizationType::Relaxed,
            body: DkimCanonicalizationType::Relaxed,
        };
        let headers = [
            "From",
            "Subject",
            "To",
            "Date",
            "Message-ID",
            "List-Unsubscribe",
            "List-Unsubscribe-Post",
        ]
        .into_iter()
        .map(header::HeaderName::new_from_ascii_str)
        .collect();
        Ok(DkimConfig::new(
            self.selector.clone(),
            self.domain.clone(),
            key,
            headers,
            relaxed,
        ))
    }
}

impl Mailer {
    /// `smtp_url` is lettre's URL form: smtp://user:pass@host:port, smtps://…, or
    /// smtp://…?tls=required for STARTTLS.
    pub fn new(smtp_url: Option<&str>, outbox_dir: &Path) -> Result<Mailer> {
        let transport = match smtp_url.map(str::trim).filter(|u| !u.is_empty()) {
            Some(url) => {
                // One connection, reused message after message: polite to the server, and
                // fast for a big mailing.
                if let Some(session) = SmtpSession::from_url(url, Duration::from_secs(30))? {
                    return Ok(Mailer {
                        transport: Transport::Session {
                            session: Arc::new(session),
                            url_redacted: redact(url),
                        },
                        dkim: None,
                    });
                }
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| Error::invalid("smtp_url", format!("not a usable SMTP URL: {e}")))?
                    .timeout(Some(Duration::from_secs(30)))
                    .pool_config(PoolConfig::new().max_size(1))
                    .build();
                Transport::Smtp {
                    transport,
                    url_redacted: redact(url),
                }
            }
            None => {
                crate::owner_only::create_dir(outbox_dir)?;
                Transport::Folder {
                    dir: outbox_dir.to_path_buf(),
                }
            }
        };
        Ok(Mailer {
            transport,
            dkim: None,
        })
    }

    /// Signs every message with DKIM.
    pub fn with_dkim(mut self, settings: &DkimSettings) -> Result<Mailer> {
        self.dkim = Some(Arc::new(settings.load()?));
        Ok(self)
    }

    /// The folder messages are written to when no mail server is set: they are kept
    /// there, not sent to anyone.
    pub fn folder(&self) -> Option<&Path> {
        match &self.transport {
            Transport::Folder { dir } => Some(dir),
            _ => None,
        }
    }

    pub fn describe(&self) -> String {
        let dkim = if self.dkim.is_some() {
            ", DKIM-signed"
        } else {
            ""
        };
        match &self.transport {
            Transport::Smtp { url_redacted, .. } | Transport::Session { url_redacted, .. } => {
                format!("SMTP {url_redacted}{dkim}")
            }
            Transport::Folder { dir } => format!("local outbox folder {}{dkim}", dir.display()),
        }
    }

    pub async fn send(
        &self,
        from: &Mailbox,
        row: &Envelope<'_>,
    ) -> std::result::Result<(), SendError> {
        let mut message = build_message(from, row).map_err(|e| SendError {
            permanent: true,
            message: e.to_string(),
        })?;
        if let Some(dkim) = &self.dkim {
            message.sign(dkim);
        }
        match &self.transport {
            Transport::Session { session, .. } => session.send(&message).await,
            Transport::Smtp { transport, .. } => {
                transport
                    .send(message)
                    .await
                    .map(|_| ())
                    .map_err(|e| SendError {
                        permanent: e.is_permanent(),
                        message: e.to_string(),
                    })
            }
            Transport::Folder { dir } => {
                let path = dir.join(format!("{}.eml", uuid::Uuid::new_v4()));
                let bytes = message.formatted();
                tokio::task::spawn_blocking(move || crate::owner_only::write(&path, &bytes))
                    .await
                    .map_err(std::io::Error::other)
                    .and_then(|r| r)
                    .map_err(|e| SendError {
                        permanent: false,
                        message: format!("can't write to the outbox folder: {e}"),
                    })
            }
        }
    }
}

fn raw_header(name: &'static str, value: String) -> header::HeaderValue {
    header::HeaderValue::new(header::HeaderName::new_from_ascii_str(name), value)
}

fn build_message(from: &Mailbox, row: &Envelope<'_>) -> Result<Message> {
    let to: Mailbox = row
        .recipient
        .parse()
        .map_err(|e| Error::Mail(format!("bad recipient {}: {e}", row.recipient)))?;
    let mut builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(row.subject)
        .message_id(Some(row.message_id.to_string()))
        .raw_header(raw_header("X-Booth-Kind", row.kind.to_string()));
    if let Some(url) = row.unsubscribe_url {
        // RFC 8058 one-click unsubscribe: mail clients POST to the URL.
        builder = builder
            .raw_header(raw_header("List-Unsubscribe", format!("<{url}>")))
            .raw_header(raw_header(
                "List-Unsubscribe-Post",
                "List-Unsubscribe=One-Click".into(),
            ));
    }
    builder
        .multipart(MultiPart::alternative_plain_html(
            row.body_text.to_string(),
            row.body_html.to_string(),
        ))
        .map_err(|e| Error::Mail(format!("can't build the message: {e}")))
}

/// Hides a password in an SMTP URL for logs and status lines.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some("***"));
            }
            u.to_string()
        }
        Err(_) => "(unparsable URL)".into(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords() {
        assert_eq!(
            super::redact("smtp://ann:hunter2@mail.example.com:587"),
            "smtp://ann:***@mail.example.com:587"
        );
    }
}
