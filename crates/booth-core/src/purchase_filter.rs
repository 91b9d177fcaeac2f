//! The seller's search over purchases, for the window and `booth purchases` alike:
//! `PurchaseQuery` is what they typed, `PurchaseFilter` (`TryFrom`) the one reading of it,
//! and `find` answers a page, newest first, with a keyset cursor on (created_at, id) so a
//! deep page costs what the first does.

use crate::domain::{PurchaseToken, Slug};
use crate::error::{Error, Result};
use crate::filter::{choice, day, page_size, SearchText, Where};
use crate::purchases::{collect_purchases, Purchase, Source, Standing, PURCHASE_COLS};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

crate::text_enum! {
    /// Test purchases (the simulator or Stripe's test mode), live ones, or both.
    pub enum TestFilter {
        Test => "test",
        Live => "live",
    }
}

/// The search as typed; "" (or a missing field) is "any".
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
#[serde(default)]
pub struct PurchaseQuery {
    /// Part of an email, a whole token, or part of a product's name or slug.
    pub text: String,
    /// paid, partially_refunded, refunded or revoked.
    pub status: String,
    /// A product's slug.
    pub product: String,
    /// checkout, grant or free.
    pub source: String,
    /// test or live.
    pub test: String,
    /// First and last day, inclusive, YYYY-MM-DD (UTC).
    pub from: String,
    pub to: String,
    /// The previous page's `next`; null for the first page.
    pub after: Option<String>,
    /// Rows a page, 1–500; null for 100.
    pub limit: Option<u32>,
}

/// A page of purchases: `total` match the filter; `next` asks for the page after.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct PurchasePage {
    pub purchases: Vec<Purchase>,
    pub total: i64,
    pub next: Option<String>,
}

/// A checked search: nothing reaches the database before all of it is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurchaseFilter {
    text: Option<SearchText>,
    status: Option<Standing>,
    product: Option<Slug>,
    source: Option<Source>,
    test: Option<TestFilter>,
    /// Unix seconds: from the start of `from` to before the day after `to`.
    since: Option<i64>,
    until: Option<i64>,
    after: Option<(i64, i64)>,
    limit: u32,
}

impl TryFrom<&PurchaseQuery> for PurchaseFilter {
    type Error = Error;

    fn try_from(q: &PurchaseQuery) -> Result<PurchaseFilter> {
        let product = match q.product.trim() {
            "" => None,
            slug => Some(
                Slug::parse(slug)
                    .map_err(|_| Error::invalid("product", "a product's slug, e.g. my-ebook"))?,
            ),
        };
        let since = day(&q.from, "from")?;
        let until = day(&q.to, "to")?.map(|d| d + 86_400);
        if let (Some(s), Some(u)) = (since, until) {
            if u <= s {
                return Err(Error::invalid("to", "the last day comes before the first"));
            }
        }
        Ok(PurchaseFilter {
            text: SearchText::parse(&q.text, "text")?,
            status: choice(&q.status, "status")?,
            product,
            source: choice(&q.source, "source")?,
            test: choice(&q.test, "test")?,
            since,
            until,
            after: q.after.as_deref().map(parse_cursor).transpose()?,
            limit: page_size(q.limit)?,
        })
    }
}

impl TryFrom<PurchaseQuery> for PurchaseFilter {
    type Error = Error;

    fn try_from(q: PurchaseQuery) -> Result<PurchaseFilter> {
        PurchaseFilter::try_from(&q)
    }
}

/// "<created_at>.<id>", as `next` gives it.
fn parse_cursor(raw: &str) -> Result<(i64, i64)> {
    raw.split_once('.')
        .and_then(|(at, id)| Some((at.parse().ok()?, id.parse().ok()?)))
        .filter(|&(_, id): &(i64, i64)| id > 0)
        .ok_or_else(|| Error::invalid("after", "not a page of this list: start again"))
}

impl PurchaseFilter {
    /// Everything but the cursor: what `total` counts.
    fn matching(&self) -> Where {
        let mut w = Where::default();
        if let Some(token) = self
            .text
            .as_ref()
            .and_then(|t| PurchaseToken::parse(t.as_str()).ok())
        {
            // A whole token finds its purchase through the token's index, and only it
            // (matched as part of an email too, it cost a scan: 75 ms at 100,000).
            w.and("token = ?", vec![Box::new(token.as_str().to_string())]);
        } else if let Some(text) = &self.text {
            let like = text.contains_pattern();
            // The products whose name or slug holds the text are few (the catalog), so
            // they are found first and their purchases through purchase_items_product.
            w.and(
                "email LIKE ? ESCAPE '\\' OR id IN (
                   SELECT purchase_id FROM purchase_items WHERE product_id IN (
                     SELECT id FROM products WHERE name LIKE ? ESCAPE '\\' OR slug LIKE ? ESCAPE '\\'))",
                vec![
                    Box::new(like.clone()),
                    Box::new(like.clone()),
                    Box::new(like),
                ],
            );
        }
        // `Standing::of` in SQL (purchase_filter_tests checks the two agree on every row).
        match self.status {
            Some(Standing::Paid) => w.and("status = 'paid' AND amount_refunded_minor = 0", vec![]),
            Some(Standing::PartiallyRefunded) => {
                w.and("status = 'paid' AND amount_refunded_minor > 0", vec![])
            }
            Some(Standing::Refunded) => w.and("status = 'refunded'", vec![]),
            Some(Standing::Revoked) => w.and("status = 'revoked'", vec![]),
            None => {}
        }
        if let Some(slug) = &self.product {
            w.and(
                "id IN (SELECT purchase_id FROM purchase_items
                        WHERE product_id = (SELECT id FROM products WHERE slug = ?))",
                vec![Box::new(slug.as_str().to_string())],
            );
        }
        if let Some(source) = self.source {
            w.and("source = ?", vec![Box::new(source)]);
        }
        if let Some(test) = self.test {
            w.and("test = ?", vec![Box::new(test == TestFilter::Test)]);
        }
        if let Some(since) = self.since {
            w.and("created_at >= ?", vec![Box::new(since)]);
        }
        if let Some(until) = self.until {
            w.and("created_at < ?", vec![Box::new(until)]);
        }
        w
    }
}

/// A page of the purchases `filter` matches, newest first, and how many match in all.
pub fn find(conn: &Connection, filter: &PurchaseFilter) -> Result<PurchasePage> {
    let mut w = filter.matching();
    let total: i64 = conn.query_row(
        &format!("SELECT count(*) FROM purchases{}", w.sql()),
        &*w.values(),
        |r| r.get(0),
    )?;
    if let Some((at, id)) = filter.after {
        // The first condition is a range on purchases_created; the second breaks ties.
        w.and(
            "created_at <= ? AND (created_at < ? OR id < ?)",
            vec![Box::new(at), Box::new(at), Box::new(id)],
        );
    }
    let sql = format!(
        "SELECT {PURCHASE_COLS} FROM purchases{} ORDER BY created_at DESC, id DESC LIMIT {}",
        w.sql(),
        filter.limit + 1
    );
    let mut purchases = collect_purchases(conn, &sql, &*w.values())?;
    let next = if purchases.len() > filter.limit as usize {
        purchases.truncate(filter.limit as usize);
        purchases
            .last()
            .map(|p| format!("{}.{}", p.created_at, p.id))
    } else {
        None
    };
    Ok(PurchasePage {
        purchases,
        total,
        next,
    })
}
