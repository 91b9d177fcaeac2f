//! The persistent outbox: mail is queued in SQLite (in the same transaction as whatever
//! caused it) and a worker sends it, retrying with backoff while the SMTP server is down.
//! Like Zero To Production's delivery worker, but with a lease instead of row locks, which
//! SQLite doesn't have: a row is claimed before it is sent and marked after, so a crash
//! can send at most the one message that was in flight twice, and loses none.

use crate::db::{now, Db};
use crate::delivery::Delivery;
use crate::error::Result;
use crate::mail::{Envelope, Mailer};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{watch, Notify};

/// Lower goes first: receipts are never stuck behind a bulk mailing.
pub const PRIORITY_RECEIPT: i64 = 0;
pub const PRIORITY_BULK: i64 = 10;

crate::text_enum! {
    /// Where a message stands in the outbox.
    pub enum MailStatus {
        /// Waiting for its turn (or for a retry after a temporary error).
        Queued => "queued",
        /// Claimed by a sender, under a lease.
        Sending => "sending",
        Sent => "sent",
        /// Given up: a permanent error, too many attempts, or an address nobody can mail.
        Failed => "failed",
        /// Not sent: its mailing was canceled, or the buyer unsubscribed meanwhile.
        Skipped => "skipped",
    }
}

#[derive(Debug, Clone)]
pub struct OutgoingMail {
    pub kind: String,
    pub purchase_id: Option<i64>,
    pub mailing_id: Option<i64>,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    /// One-click unsubscribe URL, for bulk mail (List-Unsubscribe).
    pub unsubscribe_url: Option<String>,
    pub priority: i64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct OutboxRow {
    pub id: i64,
    pub kind: String,
    pub purchase_id: Option<i64>,
    pub mailing_id: Option<i64>,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub unsubscribe_url: Option<String>,
    pub message_id: String,
    pub status: MailStatus,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

impl OutboxRow {
    /// The message as it goes out.
    pub fn envelope(&self) -> Envelope<'_> {
        Envelope {
            kind: &self.kind,
            recipient: &self.recipient,
            subject: &self.subject,
            body_text: &self.body_text,
            body_html: &self.body_html,
            unsubscribe_url: self.unsubscribe_url.as_deref(),
            message_id: &self.message_id,
        }
    }
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
    /// At most this many messages a second (None: as fast as the server takes them).
    pub rate_per_sec: Option<u32>,
}

impl Default for OutboxConfig {
    fn default() -> Self {
        OutboxConfig {
            retry_base: Duration::from_secs(5),
            max_attempts: 15,
            lease: Duration::from_secs(120),
            poll: Duration::from_secs(2),
            rate_per_sec: Some(20),
        }
    }
}

impl OutboxConfig {
    /// Defaults, with BOOTH_MAIL_RATE (messages a second, 0 = unlimited) and
    /// BOOTH_MAIL_LEASE_SECS applied.
    pub fn from_env() -> OutboxConfig {
        let mut c = OutboxConfig::default();
        if let Some(rate) = std::env::var("BOOTH_MAIL_RATE")
            .ok()
            .and_then(|v| v.trim().parse::<u32>().ok())
        {
            c.rate_per_sec = (rate > 0).then_some(rate);
        }
        if let Some(secs) = std::env::var("BOOTH_MAIL_LEASE_SECS")
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
        {
            c.lease = Duration::from_secs(secs.max(1));
        }
        c
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
    conn.prepare_cached(
        "INSERT INTO outbox (kind, purchase_id, mailing_id, recipient, subject, body_text, body_html,
                             unsubscribe_url, message_id, status, priority, next_attempt_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'queued', ?10, ?11, ?12)",
    )?
    .execute(params![
        mail.kind,
        mail.purchase_id,
        mail.mailing_id,
        mail.recipient,
        mail.subject,
        mail.body_text,
        mail.body_html,
        mail.unsubscribe_url,
        message_id,
        mail.priority,
        now_ms(),
        now()
    ])?;
    Ok(conn.last_insert_rowid())
}

pub(crate) const ROW_COLS: &str =
    "id, kind, purchase_id, mailing_id, recipient, subject, body_text, body_html,
     unsubscribe_url, message_id, status, attempts, last_error, created_at, sent_at";

pub(crate) fn row_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxRow> {
    Ok(OutboxRow {
        id: r.get(0)?,
        kind: r.get(1)?,
        purchase_id: r.get(2)?,
        mailing_id: r.get(3)?,
        recipient: r.get(4)?,
        subject: r.get(5)?,
        body_text: r.get(6)?,
        body_html: r.get(7)?,
        unsubscribe_url: r.get(8)?,
        message_id: r.get(9)?,
        status: r.get(10)?,
        attempts: r.get(11)?,
        last_error: r.get(12)?,
        created_at: r.get(13)?,
        sent_at: r.get(14)?,
    })
}

/// Claims the next due message: queued and due, or sending with an expired lease (its
/// worker died mid-send). One UPDATE, so two workers never claim the same row. Bulk mail to
/// someone who unsubscribed since it was queued is skipped here instead.
pub fn claim_next(
    conn: &Connection,
    lease: Duration,
    max_priority: i64,
) -> Result<Option<OutboxRow>> {
    loop {
        let now = now_ms();
        let sql = format!(
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1, next_attempt_at = ?2
             WHERE id = (SELECT id FROM outbox WHERE status IN ('queued', 'sending') AND next_attempt_at <= ?1
                         AND priority <= ?3 ORDER BY priority, next_attempt_at, id LIMIT 1)
             RETURNING {ROW_COLS}"
        );
        let row = conn
            .prepare_cached(&sql)?
            .query_row(
                params![now, now + lease.as_millis() as i64, max_priority],
                row_from,
            )
            .optional()?;
        match row {
            Some(r) if r.mailing_id.is_some() => {
                let reason = if mailing_canceled(conn, r.mailing_id)? {
                    "mailing canceled"
                } else if is_unsubscribed(conn, &r.recipient)? {
                    "unsubscribed"
                } else {
                    return Ok(Some(r));
                };
                conn.execute(
                    "UPDATE outbox SET status = 'skipped', last_error = ?2 WHERE id = ?1",
                    params![r.id, reason],
                )?;
            }
            other => return Ok(other),
        }
    }
}

fn mailing_canceled(conn: &Connection, mailing_id: Option<i64>) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT count(*) FROM mailings WHERE id = ?1 AND canceled_at IS NOT NULL")?
        .query_row([mailing_id], |r| r.get::<_, i64>(0))?
        > 0)
}

pub fn is_unsubscribed(conn: &Connection, email: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT count(*) FROM unsubscribes WHERE email = lower(?1)")?
        .query_row([email], |r| r.get::<_, i64>(0))?
        > 0)
}

pub fn mark_sent(conn: &Connection, id: i64) -> Result<()> {
    conn.prepare_cached(
        "UPDATE outbox SET status = 'sent', sent_at = ?2, last_error = NULL WHERE id = ?1",
    )?
    .execute(params![id, now()])?;
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

/// Makes every message waiting out a retry due now (new mail settings were saved: what
/// failed with the old ones goes out at once, not after its backoff).
pub fn due_now(conn: &Connection) -> Result<usize> {
    Ok(conn.execute(
        "UPDATE outbox SET next_attempt_at = ?1 WHERE status = 'queued' AND next_attempt_at > ?1",
        params![now_ms()],
    )?)
}

/// Messages queued and not yet sent.
pub fn waiting(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM outbox WHERE status IN ('queued', 'sending')",
        [],
        |r| r.get(0),
    )?)
}

pub fn list(conn: &Connection, status: Option<MailStatus>, limit: i64) -> Result<Vec<OutboxRow>> {
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

/// Sends claimed messages one at a time, no faster than the configured rate.
pub struct Sender {
    db: Db,
    mailer: Mailer,
    config: OutboxConfig,
    next_slot: Instant,
    max_priority: i64,
    delivery: Delivery,
}

impl Sender {
    pub fn new(db: Db, mailer: Mailer, config: OutboxConfig) -> Sender {
        Sender {
            db,
            mailer,
            config,
            next_slot: Instant::now(),
            max_priority: i64::MAX,
            delivery: Delivery::default(),
        }
    }

    /// New mail settings: the next message goes with them, and the old ones' trouble is forgotten.
    fn use_mailer(&mut self, mailer: Mailer) {
        self.mailer = mailer;
        self.delivery.sent();
    }

    /// Notes each attempt's outcome in `delivery` (the shop's, for the window to show).
    pub fn reporting_to(mut self, delivery: Delivery) -> Sender {
        self.delivery = delivery;
        self
    }

    /// Only sends mail of this priority or more urgent (e.g. receipts, not a mailing).
    pub fn only_priority(mut self, max_priority: i64) -> Sender {
        self.max_priority = max_priority;
        self
    }

    /// Sends one due message and records the outcome. Returns false if nothing was due.
    pub async fn deliver_one(&mut self) -> Result<bool> {
        if let Some(rate) = self.config.rate_per_sec {
            tokio::time::sleep_until(self.next_slot.into()).await;
            self.next_slot = Instant::now().max(self.next_slot) + Duration::from_secs(1) / rate;
        }
        let (lease, max_priority) = (self.config.lease, self.max_priority);
        let Some((row, from)) = self
            .db
            .run(move |c| {
                let Some(row) = claim_next(c, lease, max_priority)? else {
                    return Ok(None);
                };
                Ok(Some((row, crate::settings::sender(c)?)))
            })
            .await?
        else {
            return Ok(false);
        };
        let outcome = self.mailer.send(&from, &row.envelope()).await;
        let (id, max_attempts) = (row.id, self.config.max_attempts);
        if let Err(e) = &outcome {
            self.delivery
                .failed(&e.message, e.permanent, now_ms() / 1000);
        }
        match outcome {
            Ok(()) => {
                self.delivery.sent();
                tracing::debug!(id, kind = %row.kind, to = %row.recipient, "mail sent");
                self.db.run(move |c| mark_sent(c, id)).await?;
            }
            Err(e) if e.permanent || row.attempts >= max_attempts => {
                tracing::warn!(id, to = %row.recipient, error = %e.message, "mail failed for good");
                self.db.run(move |c| mark_failed(c, id, &e.message)).await?;
            }
            Err(e) => {
                let delay = backoff(&self.config, row.attempts);
                tracing::warn!(id, to = %row.recipient, error = %e.message, retry_in = ?delay, "mail not sent; will retry");
                self.db
                    .run(move |c| mark_retry(c, id, &e.message, delay))
                    .await?;
            }
        }
        Ok(true)
    }

    /// Sends everything that is due now; returns how many messages were attempted.
    pub async fn drain(&mut self) -> Result<usize> {
        let mut n = 0;
        while self.deliver_one().await? {
            n += 1;
        }
        Ok(n)
    }

    /// How long until the next queued message is due (capped at the poll interval).
    pub async fn next_due_in(&self) -> Duration {
        let poll = self.config.poll;
        let next: Option<i64> = self
            .db
            .run(|c| {
                Ok(c.query_row(
                    "SELECT min(next_attempt_at) FROM outbox WHERE status IN ('queued', 'sending')",
                    [],
                    |r| r.get(0),
                )?)
            })
            .await
            .unwrap_or(None);
        match next {
            Some(at) => Duration::from_millis((at - now_ms()).max(10) as u64).min(poll),
            None => poll,
        }
    }
}

/// The worker: sends due mail, then sleeps until woken (new mail) or something is due.
/// `mailers` carries the mail settings: new ones (saved in Settings) take effect with the
/// next message, without restarting the shop.
pub async fn run_worker(
    db: Db,
    mut mailers: watch::Receiver<Mailer>,
    delivery: Delivery,
    config: OutboxConfig,
    wake: Arc<Notify>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mailer = mailers.borrow_and_update().clone();
    let mut sender = Sender::new(db, mailer, config).reporting_to(delivery);
    loop {
        if *shutdown.borrow() {
            return;
        }
        if mailers.has_changed().unwrap_or(false) {
            sender.use_mailer(mailers.borrow_and_update().clone());
        }
        match sender.deliver_one().await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(e) => tracing::error!(error = %e, "outbox worker error"),
        }
        let wait = sender.next_due_in().await;
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.changed() => {}
            // `changed` marks the new settings seen: take them here, or they'd be missed.
            Ok(()) = mailers.changed() => sender.use_mailer(mailers.borrow_and_update().clone()),
        }
    }
}
