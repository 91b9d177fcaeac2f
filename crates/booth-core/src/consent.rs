//! EU digital-content consent (Directive 2011/83/EU, art. 16(m)): before paying, a buyer
//! expressly agrees that delivery starts at once and acknowledges losing the 14-day right
//! of withdrawal. Booth asks on its own product page, so the exact wording, its version,
//! the time and the purchase are Booth's to record, and the receipt repeats them (the
//! confirmation on a durable medium the directive requires). Wordings are per language and
//! versioned: editing one adds a version.

use crate::db::now;
use crate::error::{Error, Result};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

/// A version of the wording in one language.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct Wording {
    pub id: i64,
    pub lang: String,
    pub text: String,
    pub created_at: i64,
}

/// What a buyer agreed to and when, as carried through Checkout and kept on the purchase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Agreed {
    pub wording_id: i64,
    pub at: i64,
}

impl Agreed {
    /// "12:1764670000": how it travels in the Checkout Session's metadata.
    pub fn encode(&self) -> String {
        format!("{}:{}", self.wording_id, self.at)
    }

    pub fn decode(s: &str) -> Option<Agreed> {
        let (id, at) = s.split_once(':')?;
        Some(Agreed {
            wording_id: id.parse().ok()?,
            at: at.parse().ok()?,
        })
    }
}

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Wording> {
    Ok(Wording {
        id: r.get(0)?,
        lang: r.get(1)?,
        text: r.get(2)?,
        created_at: r.get(3)?,
    })
}

/// The current wording of each language, by language.
pub fn current(conn: &Connection) -> Result<Vec<Wording>> {
    let mut stmt = conn.prepare(
        "SELECT id, lang, text, created_at FROM consent_wordings w
         WHERE id = (SELECT max(id) FROM consent_wordings WHERE lang = w.lang) ORDER BY lang",
    )?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The wording to show a buyer whose browser prefers `accept_language` (an
/// Accept-Language header): the first language it names that has one, else English.
pub fn for_buyer(conn: &Connection, accept_language: &str) -> Result<Wording> {
    let all = current(conn)?;
    let wanted = accept_language
        .split(',')
        .filter_map(|part| part.split(';').next())
        .map(|tag| tag.trim().to_ascii_lowercase())
        .filter_map(|tag| tag.split('-').next().map(String::from));
    for lang in wanted.chain(["en".to_string()]) {
        if let Some(w) = all.iter().find(|w| w.lang == lang) {
            return Ok(w.clone());
        }
    }
    all.into_iter()
        .next()
        .ok_or_else(|| Error::Internal("no consent wording".into()))
}

/// The box a buyer ticked, as the form sent it: valid only for a wording that is current
/// (an old version or a made-up id is refused, so nobody agrees to text they weren't shown).
pub fn accept(conn: &Connection, given: Option<&str>) -> Result<Agreed> {
    let refused = || {
        Error::invalid(
            "consent",
            "please tick the box to agree that delivery starts immediately",
        )
    };
    let id: i64 = given
        .and_then(|g| g.trim().parse().ok())
        .ok_or_else(refused)?;
    let current = current(conn)?.iter().any(|w| w.id == id);
    if !current {
        return Err(refused());
    }
    Ok(Agreed {
        wording_id: id,
        at: now(),
    })
}

/// Adds a new version of `lang`'s wording; the old one stays for the purchases that agreed
/// to it.
pub fn set(conn: &Connection, lang: &str, text: &str) -> Result<Wording> {
    let lang = lang.trim().to_ascii_lowercase();
    if !(2..=8).contains(&lang.len()) || !lang.bytes().all(|b| b.is_ascii_lowercase()) {
        return Err(Error::invalid(
            "lang",
            "a language code such as en, de or fr",
        ));
    }
    let text = text.trim();
    if text.is_empty()
        || text.chars().count() > 2000
        || text.chars().any(|c| c.is_control() && c != '\n')
    {
        return Err(Error::invalid("text", "the wording is 1–2000 characters"));
    }
    conn.execute(
        "INSERT INTO consent_wordings (lang, text, created_at) VALUES (?1, ?2, ?3)",
        params![lang, text, now()],
    )?;
    by_id(conn, conn.last_insert_rowid())?.ok_or_else(|| Error::Internal("wording vanished".into()))
}

pub fn by_id(conn: &Connection, id: i64) -> Result<Option<Wording>> {
    Ok(conn
        .query_row(
            "SELECT id, lang, text, created_at FROM consent_wordings WHERE id = ?1",
            [id],
            from_row,
        )
        .optional()?)
}
