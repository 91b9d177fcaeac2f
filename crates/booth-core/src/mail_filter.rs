//! The seller's search over the outbox: `MailQuery` as typed, `MailFilter` (`TryFrom`) the
//! one reading of it, and `find` a page, newest first. The outbox's rows are inserted in
//! time order, so its id is the keyset: the cursor is the last id shown, walked on
//! `outbox_search` (migration 0010), which is in id order.

use crate::error::{Error, Result};
use crate::filter::{choice, page_size, SearchText, Where};
use crate::outbox::{self, MailStatus, OutboxRow};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

crate::text_enum! {
    /// What a message is, as the outbox records it.
    pub enum MailKind {
        /// A purchase's receipt with its link.
        Receipt => "receipt",
        /// A mailing about a product's new version.
        Update => "update",
        /// "Lost your link?": every purchase of an address.
        Library => "library",
        /// A refund, full or partial, told to the buyer.
        Refund => "refund",
    }
}

/// The search as typed; "" (or a missing field) is "any".
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
#[serde(default)]
pub struct MailQuery {
    /// Part of the recipient's address or of the subject.
    pub text: String,
    /// receipt, update, library or refund.
    pub kind: String,
    /// queued, sending, sent, failed or skipped.
    pub status: String,
    /// The previous page's `next`; null for the first page.
    pub after: Option<String>,
    /// Rows a page, 1–500; null for 100.
    pub limit: Option<u32>,
}

/// A page of the outbox: `total` match the filter; `next` asks for the page after.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct MailPage {
    pub messages: Vec<OutboxRow>,
    pub total: i64,
    pub next: Option<String>,
}

/// A checked search of the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailFilter {
    text: Option<SearchText>,
    kind: Option<MailKind>,
    status: Option<MailStatus>,
    after: Option<i64>,
    limit: u32,
}

impl TryFrom<&MailQuery> for MailFilter {
    type Error = Error;

    fn try_from(q: &MailQuery) -> Result<MailFilter> {
        let after =
            q.after
                .as_deref()
                .map(|a| {
                    a.parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(|| {
                        Error::invalid("after", "not a page of this list: start again")
                    })
                })
                .transpose()?;
        Ok(MailFilter {
            text: SearchText::parse(&q.text, "text")?,
            kind: choice(&q.kind, "kind")?,
            status: choice(&q.status, "status")?,
            after,
            limit: page_size(q.limit)?,
        })
    }
}

impl TryFrom<MailQuery> for MailFilter {
    type Error = Error;

    fn try_from(q: MailQuery) -> Result<MailFilter> {
        MailFilter::try_from(&q)
    }
}

impl MailFilter {
    fn matching(&self) -> Where {
        let mut w = Where::default();
        if let Some(text) = &self.text {
            let like = text.contains_pattern();
            w.and(
                "recipient LIKE ? ESCAPE '\\' OR subject LIKE ? ESCAPE '\\'",
                vec![Box::new(like.clone()), Box::new(like)],
            );
        }
        if let Some(kind) = self.kind {
            w.and("kind = ?", vec![Box::new(kind)]);
        }
        if let Some(status) = self.status {
            w.and("status = ?", vec![Box::new(status)]);
        }
        w
    }
}

/// A page of the messages `filter` matches, newest first, and how many match in all.
pub fn find(conn: &Connection, filter: &MailFilter) -> Result<MailPage> {
    let mut w = filter.matching();
    let total: i64 = conn.query_row(
        &format!(
            "SELECT count(*) FROM outbox INDEXED BY outbox_search{}",
            w.sql()
        ),
        &*w.values(),
        |r| r.get(0),
    )?;
    if let Some(after) = filter.after {
        w.and("id < ?", vec![Box::new(after)]);
    }
    // The page's ids come from outbox_search, which holds every column a filter reads;
    // only the rows shown are read from the table, bodies and all.
    let sql = format!(
        "SELECT {} FROM outbox WHERE id IN (
           SELECT id FROM outbox INDEXED BY outbox_search{} ORDER BY id DESC LIMIT {})
         ORDER BY id DESC",
        outbox::ROW_COLS,
        w.sql(),
        filter.limit + 1
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut messages = stmt
        .query_map(&*w.values(), outbox::row_from)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let next = if messages.len() > filter.limit as usize {
        messages.truncate(filter.limit as usize);
        messages.last().map(|m| m.id.to_string())
    } else {
        None
    };
    Ok(MailPage {
        messages,
        total,
        next,
    })
}
