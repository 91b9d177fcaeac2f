//! The persistent outbox: mail is queued in SQLite (in the same transaction as whatever
//! caused it) and a worker sends it, retrying with backoff while the SMTP server is down.
//! Like Zero To Production's delivery worker, but with a lease instead of row locks, which
//! SQLite doesn't have: a row is claimed before it is sent and marked after.

use crate::db::{now, Db};
use crate::error::Result;
use crate::mail::Mailer;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};

pub const PRIORITY_RECEIPT: i64 = 0;

#[derive(Debug, Clone)]
pub struct OutgoingMail {
    pub kind: String,
    pub purchase_id: Option<i64>,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub priority: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct OutboxRow {
    pub id: i64,
    pub kind: String,
    pub purchase_id: Option<i64>,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub message_id: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

#[derive(Debug, Clone, Copy)]
pub struct OutboxConfig {
    /// First retry delay; it doubles with each failed attempt, up to an hour.
    pub retry_base: Duration,
    /// Attempts before a message is given up as failed.
    pub max_attempts: i64,
    /// How long a claimed row belongs to its worker before another may take it over.
    pub lease: Duration,
    /// How often an idle worker looks for mail queued by another process (the CLI).
    pub poll: Duration,
}

impl Default for OutboxConfig {
    fn default() -> Self {
        OutboxConfig {
            retry_base: Duration::from_secs(5),
            max_attempts: 15,
            lease: Duration::from_secs(120),
            poll: Duration::from_secs(2),
        }
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

pub fn enqueue(conn: &Connection, mail: &OutgoingMail) -> Result<i64> {
    let message_id = format!("<{}@booth.local>", uuid::Uuid::new_v4().simple());
    conn.execute(
        "INSERT INTO outbox (kind, purchase_id, recipient, subject, body_text, body_html, message_id, status,
                             priority, next_attempt_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'queued', ?8, ?9, ?10)",
        params![
            mail.kind,
            mail.purchase_id,
            mail.recipient,
            mail.subject,
            mail.body_text,
            mail.body_html,
            message_id,
            mail.priority,
            now_ms(),
            now()
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

const ROW_COLS: &str =
    "id, kind, purchase_id, recipient, subject, body_text, body_html, message_id, status,
     attempts, last_error, created_at, sent_at";

fn row_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxRow> {
    Ok(OutboxRow {
        id: r.get(0)?,
        kind: r.get(1)?,
        purchase_id: r.get(2)?,
        recipient: r.get(3)?,
        subject: r.get(4)?,
        body_text: r.get(5)?,
        body_html: r.get(6)?,
        message_id: r.get(7)?,
        status: r.get(8)?,
        attempts: r.get(9)?,
        last_error: r.get(10)?,
        created_at: r.get(11)?,
        sent_at: r.get(12)?,
    })
}

/// Claims the next due message: queued and due, or sending with an expired lease (its
/// worker died mid-send). One UPDATE, so two workers never claim the same row.
pub fn claim_next(conn: &Connection, lease: Duration) -> Result<Option<OutboxRow>> {
    let now = now_ms();
    let sql = format!(
        "UPDATE outbox SET status = 'sending', attempts = attempts + 1, next_attempt_at = ?2
         WHERE id = (SELECT id FROM outbox WHERE status IN ('queued', 'sending') AND next_attempt_at <= ?1
                     ORDER BY priority, next_attempt_at, id LIMIT 1)
         RETURNING {ROW_COLS}"
    );
    Ok(conn
        .query_row(&sql, params![now, now + lease.as_millis() as i64], row_from)
        .optional()?)
}

pub fn mark_sent(conn: &Connection, id: i64) -> Result<()> {
    conn.execute(
        "UPDATE outbox SET status = 'sent', sent_at = ?2, last_error = NULL WHERE id = ?1",
        params![id, now()],
    )?;
    Ok(())
}

pub fn mark_retry(conn: &Connection, id: i64, error: &str, delay: Duration) -> Result<()> {
    conn.execute(
        "UPDATE outbox SET status = 'queued', last_error = ?2, next_attempt_at = ?3 WHERE id = ?1",
        params![id, error, now_ms() + delay.as_millis() as i64],
    )?;
    Ok(())
}

pub fn mark_failed(conn: &Connection, id: i64, error: &str) -> Result<()> {
    conn.execute(
        "UPDATE outbox SET status = 'failed', last_error = ?2 WHERE id = ?1",
        params![id, error],
    )?;
    Ok(())
}

/// Puts a failed message back in the queue (the seller pressed "retry").
pub fn retry(conn: &Connection, id: i64) -> Result<bool> {
    let n = conn.execute(
        "UPDATE outbox SET status = 'queued', next_attempt_at = ?2, attempts = 0 WHERE id = ?1 AND status = 'failed'",
        params![id, now_ms()],
    )?;
    Ok(n == 1)
}

pub fn list(conn: &Connection, status: Option<&str>, limit: i64) -> Result<Vec<OutboxRow>> {
    let sql = format!(
        "SELECT {ROW_COLS} FROM outbox WHERE (?1 IS NULL OR status = ?1) ORDER BY id DESC LIMIT ?2"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params![status, limit], row_from)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn backoff(config: &OutboxConfig, attempts: i64) -> Duration {
    let exp = (attempts.max(1) - 1).min(20) as u32;
    config
        .retry_base
        .saturating_mul(2u32.saturating_pow(exp))
        .min(Duration::from_secs(3600))
}

/// Sends one claimed message and records the outcome. Returns false if nothing was due.
pub async fn deliver_one(db: &Db, mailer: &Mailer, config: &OutboxConfig) -> Result<bool> {
    let lease = config.lease;
    let Some((row, from)) = db
        .run(move |c| {
            let Some(row) = claim_next(c, lease)? else {
                return Ok(None);
            };
            Ok(Some((row, crate::settings::sender(c)?)))
        })
        .await?
    else {
        return Ok(false);
    };
    let outcome = mailer.send(&from, &row).await;
    let config = *config;
    let id = row.id;
    match outcome {
        Ok(()) => {
            tracing::info!(id, kind = %row.kind, to = %row.recipient, "mail sent");
            db.run(move |c| mark_sent(c, id)).await?;
        }
        Err(e) if e.permanent || row.attempts >= config.max_attempts => {
            tracing::warn!(id, to = %row.recipient, error = %e.message, "mail failed for good");
            db.run(move |c| mark_failed(c, id, &e.message)).await?;
        }
        Err(e) => {
            let delay = backoff(&config, row.attempts);
            tracing::warn!(id, to = %row.recipient, error = %e.message, retry_in = ?delay, "mail not sent; will retry");
            db.run(move |c| mark_retry(c, id, &e.message, delay))
                .await?;
        }
    }
    Ok(true)
}

/// Sends everything that is due now; returns how many messages were attempted.
pub async fn drain(db: &Db, mailer: &Mailer, config: &OutboxConfig) -> Result<usize> {
    let mut n = 0;
    while deliver_one(db, mailer, config).await? {
        n += 1;
    }
    Ok(n)
}

/// The worker: sends due mail, then sleeps until woken (new mail) or the poll interval.
pub async fn run_worker(
    db: Db,
    mailer: Mailer,
    config: OutboxConfig,
    wake: Arc<Notify>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        if *shutdown.borrow() {
            return;
        }
        match deliver_one(&db, &mailer, &config).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(e) => tracing::error!(error = %e, "outbox worker error"),
        }
        let next_due = config
            .poll
            .min(next_due_in(&db).await.unwrap_or(config.poll));
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(next_due) => {}
            _ = shutdown.changed() => {}
        }
    }
}

async fn next_due_in(db: &Db) -> Result<Duration> {
    let next: Option<i64> = db
        .run(|c| {
            Ok(c.query_row(
                "SELECT min(next_attempt_at) FROM outbox WHERE status IN ('queued', 'sending')",
                [],
                |r| r.get(0),
            )?)
        })
        .await?;
    Ok(match next {
        Some(at) => Duration::from_millis((at - now_ms()).max(10) as u64),
        None => Duration::from_secs(3600),
    })
}
