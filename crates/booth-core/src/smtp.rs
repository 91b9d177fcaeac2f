//! One SMTP connection, kept open from message to message, with Nagle's algorithm off.
//! lettre 0.11.23's own pool leaves Nagle on, and lettre writes a message's body and its
//! final "." separately, so every message waits out the server's 40 ms delayed ACK: 22
//! messages a second at most. (Fixed upstream in lettre#1159, not yet released; once it is,
//! this module can go.) Implicit TLS (smtps://) still goes through lettre's transport.

use crate::error::{Error, Result};
/// Why a send failed, and whether trying again could help.
#[derive(Debug)]
pub struct SendError {
    pub permanent: bool,
    pub message: String,
}
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::Message;
use std::time::Duration;
use tokio::sync::Mutex;

pub struct SmtpSession {
    host: String,
    port: u16,
    /// STARTTLS parameters, and whether a server without STARTTLS is refused.
    starttls: Option<(TlsParameters, bool)>,
    credentials: Option<Credentials>,
    hello: ClientId,
    timeout: Duration,
    conn: Mutex<Option<AsyncSmtpConnection>>,
}

impl SmtpSession {
    /// Reads lettre's URL form (smtp://user:pass@host:port/ehlo-name?tls=required|opportunistic).
    /// Returns None for smtps://, which lettre's transport handles.
    pub fn from_url(url: &str, timeout: Duration) -> Result<Option<SmtpSession>> {
        let bad = |m: &str| Error::invalid("smtp_url", m.to_string());
        let u = url::Url::parse(url).map_err(|_| {
            bad("not a URL; e.g. smtp://user:pass@mail.example.com:587?tls=required")
        })?;
        if u.scheme() == "smtps" {
            return Ok(None);
        }
        if u.scheme() != "smtp" {
            return Err(bad("the scheme is smtp:// or smtps://"));
        }
        let host = u.host_str().ok_or_else(|| bad("no host"))?.to_string();
        let tls = u
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.to_string());
        let params = || TlsParameters::new(host.clone()).map_err(|e| bad(&format!("TLS: {e}")));
        let (port, starttls) = match tls.as_deref() {
            None => (u.port().unwrap_or(25), None),
            Some("required") => (u.port().unwrap_or(587), Some((params()?, true))),
            Some("opportunistic") => (u.port().unwrap_or(587), Some((params()?, false))),
            Some(_) => return Err(bad("tls= is required or opportunistic")),
        };
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|c| c.into_owned())
                .map_err(|_| bad("bad escape in the user or password"))
        };
        let credentials = match u.password() {
            Some(p) => Some(Credentials::new(decode(u.username())?, decode(p)?)),
            None => None,
        };
        let hello = match u.path().trim_matches('/') {
            "" => ClientId::default(),
            name => ClientId::Domain(name.to_string()),
        };
        Ok(Some(SmtpSession {
            host,
            port,
            starttls,
            credentials,
            hello,
            timeout,
            conn: Mutex::new(None),
        }))
    }

    async fn connect(&self) -> std::result::Result<AsyncSmtpConnection, SendError> {
        let transient = |message: String| SendError {
            permanent: false,
            message,
        };
        let tcp = tokio::time::timeout(
            self.timeout,
            tokio::net::TcpStream::connect((self.host.as_str(), self.port)),
        )
        .await
        .map_err(|_| {
            transient(format!(
                "connecting to {}:{} timed out",
                self.host, self.port
            ))
        })?
        .map_err(|e| transient(format!("can't connect to {}:{}: {e}", self.host, self.port)))?;
        tcp.set_nodelay(true)
            .map_err(|e| transient(e.to_string()))?;
        let smtp = |e: lettre::transport::smtp::Error| SendError {
            permanent: e.is_permanent(),
            message: e.to_string(),
        };
        let mut conn = AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.hello)
            .await
            .map_err(smtp)?;
        if let Some((params, required)) = &self.starttls {
            if conn.can_starttls() {
                conn.starttls(params.clone(), &self.hello)
                    .await
                    .map_err(smtp)?;
            } else if *required {
                return Err(SendError {
                    permanent: false,
                    message: "the server doesn't offer STARTTLS".into(),
                });
            }
        }
        if let Some(creds) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], creds)
                .await
                .map_err(smtp)?;
        }
        Ok(conn)
    }

    pub async fn send(&self, message: &Message) -> std::result::Result<(), SendError> {
        let mut guard = self.conn.lock().await;
        // Reuse the open connection while it still answers.
        if let Some(conn) = guard.as_mut() {
            if conn.has_broken() || !conn.test_connected().await {
                *guard = None;
            }
        }
        if guard.is_none() {
            *guard = Some(self.connect().await?);
        }
        let conn = guard.as_mut().expect("connected");
        let sent = tokio::time::timeout(
            self.timeout,
            conn.send(message.envelope(), &message.formatted()),
        )
        .await;
        match sent {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => {
                // Start the next message on a fresh connection rather than guess its state.
                *guard = None;
                Err(SendError {
                    permanent: e.is_permanent(),
                    message: e.to_string(),
                })
            }
            Err(_) => {
                *guard = None;
                Err(SendError {
                    permanent: false,
                    message: "the SMTP server timed out".into(),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_lettre_urls() {
        let t = Duration::from_secs(5);
        let s = SmtpSession::from_url("smtp://127.0.0.1:2525", t)
            .unwrap()
            .unwrap();
        assert_eq!(
            (
                s.host.as_str(),
                s.port,
                s.starttls.is_none(),
                s.credentials.is_none()
            ),
            ("127.0.0.1", 2525, true, true)
        );
        let s = SmtpSession::from_url("smtp://ann:p%40ss@mail.example.com?tls=required", t)
            .unwrap()
            .unwrap();
        assert_eq!(s.port, 587);
        assert!(matches!(s.starttls, Some((_, true))));
        assert!(s.credentials.is_some());
        assert!(SmtpSession::from_url("smtps://mail.example.com", t)
            .unwrap()
            .is_none());
        for bad in ["http://x", "smtp://", "smtp://x?tls=maybe", "not a url"] {
            assert!(SmtpSession::from_url(bad, t).is_err(), "{bad}");
        }
    }
}
