//! The three shapes an update feed is read in: Booth's JSON feed (every version, with
//! notes), a Sparkle appcast (one file's newest version, `sparkle:edSignature`) and the
//! answer of a Tauri updater endpoint (one file's newest version, its minisign signature).

use super::FeedEntry;
use serde_json::{json, Value};
use time::format_description::well_known::{Rfc2822, Rfc3339};
use time::OffsetDateTime;

/// A product's feed as the formats need it; `link` gives the download URL of a file.
pub struct Feed<'a> {
    pub product_slug: &'a str,
    pub product_name: &'a str,
    pub entries: &'a [FeedEntry],
}

fn date(at: i64, rfc2822: bool) -> String {
    let t = OffsetDateTime::from_unix_timestamp(at).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    if rfc2822 {
        t.format(&Rfc2822)
    } else {
        t.format(&Rfc3339)
    }
    .unwrap_or_default()
}

/// Booth's JSON feed: every version of every current file, newest first; the newest of
/// each file with its download URL and signatures.
pub fn json_feed(feed: &Feed, link: impl Fn(&FeedEntry) -> String) -> Value {
    let versions: Vec<Value> = feed
        .entries
        .iter()
        .map(|e| {
            json!({
                "file": e.file_name,
                "file_id": e.file_id,
                "version": e.version,
                "date": date(e.released_at, false),
                "notes": e.notes,
                "size": e.size,
                "sha256": e.sha256,
                "latest": e.newest,
                "url": e.newest.then(|| link(e)),
                "ed_signature": e.signatures.as_ref().filter(|_| e.newest).map(|s| s.ed_signature.clone()),
            })
        })
        .collect();
    json!({ "product": feed.product_slug, "name": feed.product_name, "versions": versions })
}

/// The file's newest version, named by its id, its whole name, or a part of its name only
/// one file has (so `{{target}}-{{arch}}` in a Tauri endpoint finds `App-darwin-aarch64.tar.gz`).
pub fn pick<'a>(entries: &'a [FeedEntry], file: Option<&str>) -> Option<&'a FeedEntry> {
    let newest = || entries.iter().filter(|e| e.newest);
    let Some(file) = file.map(str::trim).filter(|f| !f.is_empty()) else {
        return newest().min_by_key(|e| e.file_id);
    };
    if let Some(e) = newest().find(|e| e.file_id.to_string() == file || e.file_name == file) {
        return Some(e);
    }
    let lower = file.to_lowercase();
    let mut matching = newest().filter(|e| e.file_name.to_lowercase().contains(&lower));
    match (matching.next(), matching.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}

/// A Sparkle appcast with the entry's version as its one item.
pub fn appcast(feed: &Feed, e: &FeedEntry, url: &str) -> String {
    let signature = e
        .signatures
        .as_ref()
        .map(|s| format!(" sparkle:edSignature=\"{}\"", xml(&s.ed_signature)))
        .unwrap_or_default();
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:sparkle="http://www.andymatuschak.org/xml-namespaces/sparkle">
  <channel>
    <title>{name}</title>
    <item>
      <title>Version {version}</title>
      <pubDate>{date}</pubDate>
      <sparkle:version>{version}</sparkle:version>
      <sparkle:shortVersionString>{version}</sparkle:shortVersionString>
      <description>{notes}</description>
      <enclosure url="{url}" length="{size}" type="application/octet-stream"{signature}/>
    </item>
  </channel>
</rss>
"#,
        name = xml(feed.product_name),
        version = xml(&e.version),
        date = date(e.released_at, true),
        notes = xml(&e.notes),
        url = xml(url),
        size = e.size,
    )
}

/// What a Tauri updater endpoint answers: the newest version, its notes and date, where to
/// download it and its minisign signature (base64 of the signature file, as `tauri signer`
/// writes it).
pub fn tauri(e: &FeedEntry, url: &str) -> Value {
    use base64::Engine;
    json!({
        "version": semver_like(&e.version),
        "notes": e.notes,
        "pub_date": date(e.released_at, false),
        "url": url,
        "signature": e.signatures.as_ref().map(|s| base64::engine::general_purpose::STANDARD.encode(&s.minisign)),
    })
}

/// Tauri compares versions as semver: "2" and "2.1" are read as 2.0.0 and 2.1.0; a label
/// that isn't numbers is given as it is.
pub fn semver_like(label: &str) -> String {
    let bare = label.strip_prefix('v').unwrap_or(label);
    let parts: Vec<&str> = bare.split('.').collect();
    let numeric = parts
        .iter()
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    match (numeric, parts.len()) {
        (true, 1) => format!("{bare}.0.0"),
        (true, 2) => format!("{bare}.0"),
        _ => bare.to_string(),
    }
}

/// Text for XML content and attributes: the shop's HTML escaping (the same five
/// characters), less the control characters XML 1.0 can't carry at all.
fn xml(s: &str) -> String {
    let carried: String = s
        .chars()
        .filter(|&c| (c as u32) >= 0x20 || matches!(c, '\t' | '\n' | '\r'))
        .collect();
    crate::domain::escape_html(&carried)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_become_semver_and_text_is_escaped() {
        assert_eq!(semver_like("2"), "2.0.0");
        assert_eq!(semver_like("v2.1"), "2.1.0");
        assert_eq!(semver_like("1.2.3"), "1.2.3");
        assert_eq!(semver_like("1.2.3-beta.1"), "1.2.3-beta.1");
        assert_eq!(semver_like("2024-05"), "2024-05");
        assert_eq!(xml("a<b>&\"c'\u{1}"), "a&lt;b&gt;&amp;&quot;c&#39;");
    }
}
