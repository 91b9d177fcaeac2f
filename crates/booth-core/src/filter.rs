//! What the seller's searches share (`PurchaseFilter`, `MailFilter`): the typed text, the
//! page size and the days of a date range, each read once, and the SQL a filter is built
//! into. Only bound values come from the seller; the SQL text is Booth's own.

use crate::error::{Error, Result};
use rusqlite::types::ToSql;

/// Rows a page when the seller names no size, and the most a page may hold.
pub const DEFAULT_PAGE: u32 = 100;
pub const MAX_PAGE: u32 = 500;
/// An email address is at most 254 characters; nothing longer is worth searching for.
const MAX_TEXT: usize = 320;

/// What the seller typed in a search box: trimmed, at most 320 characters, no control
/// characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchText(String);

impl SearchText {
    /// None when there is nothing to search for.
    pub fn parse(raw: &str, field: &'static str) -> Result<Option<SearchText>> {
        if raw.len() > 4 * MAX_TEXT || raw.chars().count() > MAX_TEXT {
            return Err(Error::invalid(
                field,
                format!("search for at most {MAX_TEXT} characters"),
            ));
        }
        if raw.chars().any(char::is_control) {
            return Err(Error::invalid(
                field,
                "search text can't hold line breaks or control characters",
            ));
        }
        let t = raw.trim();
        Ok((!t.is_empty()).then(|| SearchText(t.to_string())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A `LIKE … ESCAPE '\'` pattern for "contains": the seller's % and _ are meant
    /// literally. Lower-cased, though SQLite's LIKE ignores ASCII case anyway.
    pub fn contains_pattern(&self) -> String {
        let escaped = self
            .0
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        format!("%{escaped}%")
    }
}

/// A page's size as asked: None is `DEFAULT_PAGE`; 1 to `MAX_PAGE`.
pub fn page_size(limit: Option<u32>) -> Result<u32> {
    match limit {
        None => Ok(DEFAULT_PAGE),
        Some(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
        Some(_) => Err(Error::invalid(
            "limit",
            format!("a page holds 1 to {MAX_PAGE} rows"),
        )),
    }
}

/// A day as typed, "2026-12-24" (UTC); "" is none. Answers its first second.
pub fn day(raw: &str, field: &'static str) -> Result<Option<i64>> {
    let t = raw.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = (t.len() == 10)
        .then(|| time::Date::parse(t, &format).ok())
        .flatten()
        .ok_or_else(|| Error::invalid(field, "write a day as YYYY-MM-DD, e.g. 2026-12-24"))?;
    Ok(Some(date.midnight().assume_utc().unix_timestamp()))
}

/// One of a text enum's words, or "" for any; a wrong word names `field`.
pub fn choice<T: std::str::FromStr<Err = Error>>(
    raw: &str,
    field: &'static str,
) -> Result<Option<T>> {
    let t = raw.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse().map(Some).map_err(|e| match e {
        Error::Invalid { message, .. } => Error::invalid(field, message),
        e => e,
    })
}

/// A filter's WHERE clause as it is built: conditions joined by AND, and their values.
#[derive(Default)]
pub struct Where {
    conditions: Vec<String>,
    values: Vec<Box<dyn ToSql>>,
}

impl Where {
    /// Adds a condition; its `?` placeholders take `values`, in order.
    pub fn and(&mut self, condition: &str, values: Vec<Box<dyn ToSql>>) {
        let mut numbered = String::new();
        let mut rest = condition;
        let mut n = self.values.len();
        while let Some(at) = rest.find('?') {
            n += 1;
            numbered.push_str(&rest[..at]);
            numbered.push_str(&format!("?{n}"));
            rest = &rest[at + 1..];
        }
        numbered.push_str(rest);
        assert_eq!(
            n,
            self.values.len() + values.len(),
            "placeholders: {condition}"
        );
        self.conditions.push(format!("({numbered})"));
        self.values.extend(values);
    }

    /// " WHERE a AND b", or "" when there is no condition.
    pub fn sql(&self) -> String {
        if self.conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.conditions.join(" AND "))
        }
    }

    pub fn values(&self) -> Vec<&dyn ToSql> {
        self.values.iter().map(|v| v.as_ref()).collect()
    }
}
