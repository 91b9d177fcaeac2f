//! Update mailings: tell every buyer of a product about its new version, once each.
//! A mailing is a row in `mailings` plus one outbox row per recipient, all written in one
//! transaction; the outbox's claim-then-mark sending makes delivery exactly-once per
//! recipient (bar the one message in flight at a crash).

use crate::db::now;
use crate::error::{Error, Problems, Result};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

/// Who gets a mailing: the newest paid, unrevoked purchase of the product per address.
#[derive(Debug, Clone, Serialize)]
pub struct Recipient {
    pub purchase_id: i64,
    pub token: String,
    pub email: String,
    pub test: bool,
    /// For the List-Unsubscribe link (never the purchase token: see migration 0006).
    #[serde(skip)]
    pub unsubscribe_token: String,
}

/// Recipients of a product's mailing, and how many buyers are left out as unsubscribed.
pub fn recipients(
    conn: &Connection,
    product_id: i64,
    include_test: bool,
) -> Result<(Vec<Recipient>, usize)> {
    let mut stmt = conn.prepare(
        "SELECT p.id, p.token, p.email, p.test, u.email IS NOT NULL, c.unsubscribe_token
         FROM purchases p
         JOIN customers c ON c.id = p.customer_id
         LEFT JOIN unsubscribes u ON u.email = lower(p.email)
         WHERE p.id IN (
             SELECT max(p2.id) FROM purchases p2
             JOIN purchase_items i ON i.purchase_id = p2.id
             WHERE i.product_id = ?1 AND i.revoked_at IS NULL AND p2.status = 'paid' AND (?2 OR p2.test = 0)
             GROUP BY lower(p2.email))
         ORDER BY p.id",
    )?;
    let mut out = Vec::new();
    let mut unsubscribed = 0;
    let rows = stmt.query_map(params![product_id, include_test], |r| {
        Ok((
            Recipient {
                purchase_id: r.get(0)?,
                token: r.get(1)?,
                email: r.get(2)?,
                test: r.get(3)?,
                unsubscribe_token: r.get(5)?,
            },
            r.get::<_, bool>(4)?,
        ))
    })?;
    for row in rows {
        let (recipient, unsub) = row?;
        if unsub {
            unsubscribed += 1;
        } else {
            out.push(recipient);
        }
    }
    Ok((out, unsubscribed))
}

pub fn check_subject(subject: &str) -> Result<String> {
    let s = subject.trim();
    if s.is_empty() || s.chars().count() > 200 || s.chars().any(char::is_control) {
        return Err(Error::invalid(
            "subject",
            "a subject is 1–200 characters on one line",
        ));
    }
    Ok(s.to_string())
}

pub fn check_message(message: &str) -> Result<String> {
    let m = message.trim();
    if m.chars().count() > 20_000 {
        return Err(Error::invalid(
            "message",
            "a message is at most 20,000 characters",
        ));
    }
    if m.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(Error::invalid(
            "message",
            "a message is plain text, without control characters",
        ));
    }
    Ok(m.replace("\r\n", "\n"))
}

/// A mailing's words as the seller typed them: the subject (None: the default, made from
/// the product's name) and the message, with every mistake at once.
pub fn check_text(
    subject: Option<&str>,
    message: &str,
) -> Result<(Option<String>, String), Problems> {
    let mut p = Problems::default();
    let subject = subject.map(|s| p.take(check_subject(s)));
    let message = p.take(check_message(message));
    // Without a mistake a subject given is there, so flattening keeps it.
    p.finish(|| Some((subject.flatten(), message?)))
}

/// The seller's message as paragraphs of lines, for the templates.
pub fn paragraphs(message: &str) -> Vec<Vec<String>> {
    message
        .split("\n\n")
        .map(|p| {
            p.lines()
                .map(|l| l.trim_end().to_string())
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
        })
        .filter(|p| !p.is_empty())
        .collect()
}

pub fn insert(
    conn: &Connection,
    product_id: i64,
    subject: &str,
    message: &str,
    include_test: bool,
    skipped: usize,
) -> Result<i64> {
    conn.execute(
        "INSERT INTO mailings (product_id, subject, message, include_test, skipped_unsubscribed, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![product_id, subject, message, include_test, skipped as i64, now()],
    )?;
    Ok(conn.last_insert_rowid())
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct MailingSummary {
    pub id: i64,
    pub product_slug: String,
    pub product_name: String,
    pub subject: String,
    pub created_at: i64,
    pub recipients: i64,
    pub sent: i64,
    pub failed: i64,
    /// Still to send (queued, or in flight).
    pub pending: i64,
    /// Skipped at send time (unsubscribed meanwhile, or the mailing was canceled).
    pub skipped: i64,
    /// Left out when queued because they had unsubscribed.
    pub skipped_unsubscribed: i64,
    /// Unsubscribed through this mailing's link.
    pub unsubscribed: i64,
    pub canceled: bool,
}

impl MailingSummary {
    pub fn done(&self) -> i64 {
        self.sent + self.failed + self.skipped
    }

    pub fn finished(&self) -> bool {
        self.pending == 0
    }
}

const SUMMARY_SQL: &str = "SELECT m.id, p.slug, p.name, m.subject, m.created_at,
        (SELECT count(*) FROM outbox o WHERE o.mailing_id = m.id),
        (SELECT count(*) FROM outbox o WHERE o.mailing_id = m.id AND o.status = 'sent'),
        (SELECT count(*) FROM outbox o WHERE o.mailing_id = m.id AND o.status = 'failed'),
        (SELECT count(*) FROM outbox o WHERE o.mailing_id = m.id AND o.status IN ('queued', 'sending')),
        (SELECT count(*) FROM outbox o WHERE o.mailing_id = m.id AND o.status = 'skipped'),
        m.skipped_unsubscribed,
        (SELECT count(*) FROM unsubscribes u WHERE u.mailing_id = m.id),
        m.canceled_at IS NOT NULL
     FROM mailings m JOIN products p ON p.id = m.product_id";

fn summary_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<MailingSummary> {
    Ok(MailingSummary {
        id: r.get(0)?,
        product_slug: r.get(1)?,
        product_name: r.get(2)?,
        subject: r.get(3)?,
        created_at: r.get(4)?,
        recipients: r.get(5)?,
        sent: r.get(6)?,
        failed: r.get(7)?,
        pending: r.get(8)?,
        skipped: r.get(9)?,
        skipped_unsubscribed: r.get(10)?,
        unsubscribed: r.get(11)?,
        canceled: r.get(12)?,
    })
}

pub fn list(conn: &Connection) -> Result<Vec<MailingSummary>> {
    let mut stmt = conn.prepare(&format!("{SUMMARY_SQL} ORDER BY m.id DESC"))?;
    let rows = stmt.query_map([], summary_from)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn get(conn: &Connection, id: i64) -> Result<MailingSummary> {
    conn.query_row(
        &format!("{SUMMARY_SQL} WHERE m.id = ?1"),
        [id],
        summary_from,
    )
    .optional()?
    .ok_or_else(|| Error::NotFound(format!("no mailing #{id}")))
}

/// An unfinished mailing of this product, if any (to resume rather than start twice).
pub fn unfinished_for(conn: &Connection, product_id: i64) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT m.id FROM mailings m WHERE m.product_id = ?1 AND m.canceled_at IS NULL
             AND EXISTS (SELECT 1 FROM outbox o WHERE o.mailing_id = m.id AND o.status IN ('queued', 'sending'))
             ORDER BY m.id DESC LIMIT 1",
            [product_id],
            |r| r.get(0),
        )
        .optional()?)
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct Failure {
    pub recipient: String,
    pub status: crate::outbox::MailStatus,
    pub attempts: i64,
    pub reason: String,
}

/// Deliveries that failed, or are waiting for a retry after an error, with the reason.
pub fn failures(conn: &Connection, id: i64) -> Result<Vec<Failure>> {
    let mut stmt = conn.prepare(
        "SELECT recipient, status, attempts, last_error FROM outbox
         WHERE mailing_id = ?1 AND last_error IS NOT NULL AND status != 'sent' ORDER BY id",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok(Failure {
            recipient: r.get(0)?,
            status: r.get(1)?,
            attempts: r.get(2)?,
            reason: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Stops a mailing: what hasn't gone out yet is skipped.
pub fn cancel(conn: &Connection, id: i64) -> Result<usize> {
    get(conn, id)?;
    conn.execute(
        "UPDATE mailings SET canceled_at = coalesce(canceled_at, ?2) WHERE id = ?1",
        params![id, now()],
    )?;
    Ok(conn.execute(
        "UPDATE outbox SET status = 'skipped', last_error = 'mailing canceled'
         WHERE mailing_id = ?1 AND status = 'queued'",
        [id],
    )?)
}

/// Records an unsubscribe for the address of this unsubscribe token; returns the address.
pub fn unsubscribe(
    conn: &Connection,
    token: &str,
    mailing_id: Option<i64>,
) -> Result<Option<String>> {
    let Some(email) = email_of_token(conn, token)? else {
        return Ok(None);
    };
    conn.execute(
        "INSERT INTO unsubscribes (email, mailing_id, at) VALUES (lower(?1), ?2, ?3) ON CONFLICT (email) DO NOTHING",
        params![email, mailing_id, now()],
    )?;
    Ok(Some(email))
}

pub fn resubscribe(conn: &Connection, token: &str) -> Result<Option<String>> {
    let Some(email) = email_of_token(conn, token)? else {
        return Ok(None);
    };
    conn.execute("DELETE FROM unsubscribes WHERE email = lower(?1)", [&email])?;
    Ok(Some(email))
}

/// The address an unsubscribe link is for: its own token, or a purchase token (the links
/// in mail sent before unsubscribe tokens existed; honoured so they keep working).
pub fn email_of_token(conn: &Connection, token: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT email FROM customers WHERE unsubscribe_token = ?1
             UNION ALL SELECT email FROM purchases WHERE token = ?1 LIMIT 1",
            [token],
            |r| r.get(0),
        )
        .optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_split_on_blank_lines() {
        assert_eq!(
            paragraphs("Hello!\nNew chapter.\n\n\nThanks\n"),
            vec![
                vec!["Hello!".to_string(), "New chapter.".into()],
                vec!["Thanks".into()]
            ]
        );
        assert!(paragraphs("").is_empty());
    }

    #[test]
    fn checks_subject_and_message() {
        assert!(check_subject("").is_err());
        assert!(check_subject("a\nb").is_err());
        assert!(check_subject(&"x".repeat(201)).is_err());
        assert_eq!(check_subject("  v2 is out ").unwrap(), "v2 is out");
        assert!(check_message(&"x".repeat(20_001)).is_err());
        assert!(check_message("bell\u{7}").is_err());
        assert_eq!(check_message("a\r\nb").unwrap(), "a\nb");
    }
}
