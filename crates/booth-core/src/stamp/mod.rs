//! Stamped PDFs: a product may have every page of its PDFs stamped with a line the seller
//! words ("Licensed to {email} · {date}"), made once per purchase and file version and kept
//! (kept.rs), so a resumed download gets the same bytes. A PDF that can't be stamped
//! (encrypted, damaged) is refused when it is added, never at download time: `check_pdf`
//! does everything stamping does.

use crate::catalog::StoredFile;
use crate::error::{Error, Result};
use std::io::{Read, Write};
use std::path::Path;

pub mod kept;
mod layout;
mod pdf;
#[cfg(test)]
mod test_pdf;
#[cfg(test)]
mod tests;
mod text;

/// The wording a product stamps with when the seller just turns stamping on.
pub const DEFAULT_WORDING: &str = "Licensed to {email} · {date}";

/// The most characters the seller's wording may have (before its placeholders are filled).
pub const MAX_CHARS: usize = 200;

/// The seller's wording, checked: 1–200 characters, no control characters, and no
/// placeholder but `{email}` and `{date}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StampLine(String);

impl StampLine {
    pub fn parse(input: &str) -> Result<StampLine> {
        let t = input.trim();
        if t.is_empty() || t.chars().count() > MAX_CHARS || t.chars().any(char::is_control) {
            return Err(Error::invalid(
                "stamp",
                format!("a stamp is 1–{MAX_CHARS} characters on one line"),
            ));
        }
        let mut rest = t;
        while let Some(open) = rest.find('{') {
            rest = &rest[open + 1..];
            let name = rest.split('}').next().filter(|_| rest.contains('}'));
            if let Some(name) =
                name.filter(|n| !n.is_empty() && n.chars().all(|c| c.is_alphanumeric() || c == '_'))
            {
                if name != "email" && name != "date" {
                    return Err(Error::invalid(
                        "stamp",
                        format!("{{{name}}} is not a placeholder: a stamp can use {{email}} and {{date}}"),
                    ));
                }
            }
        }
        Ok(StampLine(t.to_string()))
    }

    /// The product form's setting: "off" is no stamping, "on" or "default" the default
    /// wording, anything else the wording itself. Nothing at all is a mistake, not "off":
    /// the window's switch on with its line cleared must not quietly stop stamping.
    pub fn setting(input: &str) -> Result<Option<StampLine>> {
        let t = input.trim();
        if t.is_empty() {
            Err(Error::invalid(
                "stamp",
                "write the line to stamp, or turn stamping off",
            ))
        } else if t.eq_ignore_ascii_case("off") {
            Ok(None)
        } else if t.eq_ignore_ascii_case("on") || t.eq_ignore_ascii_case("default") {
            Ok(Some(StampLine(DEFAULT_WORDING.to_string())))
        } else {
            StampLine::parse(t).map(Some)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The line for one purchase: its buyer's email and its day (unix seconds, UTC).
    pub fn render(&self, email: &str, purchased_at: i64) -> String {
        self.0
            .replace("{email}", email)
            .replace("{date}", &day(purchased_at))
    }
}

/// YYYY-MM-DD (UTC) of unix seconds.
pub fn day(unix: i64) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(fmt).ok())
        .unwrap_or_default()
}

/// Whether the file is a PDF by its content: it starts with `%PDF-`.
pub fn is_pdf(path: &Path) -> Result<bool> {
    let mut head = [0u8; 5];
    let mut f = std::fs::File::open(path)?;
    let mut n = 0;
    while n < head.len() {
        match f.read(&mut head[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n == head.len() && &head == b"%PDF-")
}

/// Refuses a PDF that can't be stamped, with the reason: everything stamping does is done,
/// and the result thrown away.
pub fn check_pdf(path: &Path) -> Result<()> {
    stamp_into(
        path,
        "Licensed to buyer@example.com · 2026-01-01",
        &mut std::io::sink(),
    )
}

/// Writes `src` stamped on every page with `line` (already filled in) to `dest` (0600).
pub fn stamp_pdf(src: &Path, dest: &Path, line: &str) -> Result<()> {
    let mut out = std::io::BufWriter::new(crate::owner_only::create(dest)?);
    stamp_into(src, line, &mut out)?;
    out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    Ok(())
}

/// Stamps `src` into the files dir, content-addressed like the originals (0600).
pub fn store_stamped(files_dir: &Path, src: &Path, line: &str) -> Result<StoredFile> {
    crate::catalog::store_with(files_dir, |out| stamp_into(src, line, out))
}

fn stamp_into(src: &Path, line: &str, out: &mut dyn Write) -> Result<()> {
    let input = std::fs::read(src)?;
    let line = text::encode(line);
    // lopdf reads what a stranger may have made: a panic in it is a damaged file too.
    let stamped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut doc = pdf::load(input)?;
        pdf::stamp(&mut doc, &line)?;
        let mut target = &mut *out;
        doc.save_to(&mut target).map_err(pdf::Refusal::Io)
    }))
    .unwrap_or_else(|_| Err(pdf::Refusal::Damaged("it can't be read".into())));
    stamped.map_err(|r| match r {
        pdf::Refusal::Encrypted => Error::invalid(
            "file",
            "this PDF is encrypted: remove its password before adding it",
        ),
        pdf::Refusal::Damaged(why) => Error::invalid("file", format!("this PDF is damaged: {why}")),
        pdf::Refusal::Io(e) => Error::Io(e),
    })
}
