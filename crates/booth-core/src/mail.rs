//! Sending mail: a real SMTP server when `BOOTH_SMTP_URL` is set, otherwise a folder of .eml
//! files in the data dir, so a demo loses nothing and the seller can read what was sent.

use crate::error::{Error, Result};
use crate::outbox::OutboxRow;
use lettre::message::{header, Mailbox, MultiPart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Clone)]
pub enum Mailer {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        url_redacted: String,
    },
    Folder {
        transport: AsyncFileTransport<Tokio1Executor>,
        dir: PathBuf,
    },
}

/// Why a send failed, and whether trying again could help.
#[derive(Debug)]
pub struct SendError {
    pub permanent: bool,
    pub message: String,
}

impl Mailer {
    /// `smtp_url` is lettre's URL form: smtp://user:pass@host:port, smtps://…, or
    /// smtp://…?tls=required for STARTTLS.
    pub fn new(smtp_url: Option<&str>, outbox_dir: &Path) -> Result<Mailer> {
        match smtp_url.map(str::trim).filter(|u| !u.is_empty()) {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| Error::invalid("smtp_url", format!("not a usable SMTP URL: {e}")))?
                    .timeout(Some(Duration::from_secs(30)))
                    .build();
                Ok(Mailer::Smtp {
                    transport,
                    url_redacted: redact(url),
                })
            }
            None => {
                std::fs::create_dir_all(outbox_dir)?;
                Ok(Mailer::Folder {
                    transport: AsyncFileTransport::new(outbox_dir),
                    dir: outbox_dir.to_path_buf(),
                })
            }
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Mailer::Smtp { url_redacted, .. } => format!("SMTP {url_redacted}"),
            Mailer::Folder { dir, .. } => format!("local outbox folder {}", dir.display()),
        }
    }

    pub async fn send(
        &self,
        from: &Mailbox,
        row: &OutboxRow,
    ) -> std::result::Result<(), SendError> {
        let message = build_message(from, row).map_err(|e| SendError {
            permanent: true,
            message: e.to_string(),
        })?;
        match self {
            Mailer::Smtp { transport, .. } => {
                transport
                    .send(message)
                    .await
                    .map(|_| ())
                    .map_err(|e| SendError {
                        permanent: e.is_permanent(),
                        message: e.to_string(),
                    })
            }
            Mailer::Folder { transport, .. } => {
                transport
                    .send(message)
                    .await
                    .map(|_| ())
                    .map_err(|e| SendError {
                        permanent: false,
                        message: e.to_string(),
                    })
            }
        }
    }
}

fn build_message(from: &Mailbox, row: &OutboxRow) -> Result<Message> {
    let to: Mailbox = row
        .recipient
        .parse()
        .map_err(|e| Error::Mail(format!("bad recipient {}: {e}", row.recipient)))?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(row.subject.clone())
        .message_id(Some(row.message_id.clone()))
        .raw_header(header::HeaderValue::new(
            header::HeaderName::new_from_ascii_str("X-Booth-Kind"),
            row.kind.clone(),
        ))
        .multipart(MultiPart::alternative_plain_html(
            row.body_text.clone(),
            row.body_html.clone(),
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
