//! What the seller's dashboard shows: revenue per day and the funnel from product page
//! visit to download. Visits and started checkouts are counted here because nothing else
//! records them; paid and downloaded come from purchases and their download counts.

use crate::error::Result;
use crate::purchases::{self, Purchase};
use rusqlite::{params, Connection};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Visit,
    Checkout,
}

impl Step {
    fn as_str(self) -> &'static str {
        match self {
            Step::Visit => "visit",
            Step::Checkout => "checkout",
        }
    }
}

/// UTC day of a unix time, as yyyy-mm-dd.
pub fn day_of(unix: i64) -> String {
    let d = time::OffsetDateTime::from_unix_timestamp(unix)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Sources counted per product and day before the rest are counted as "other": links are
/// typed by anyone, and counters mustn't grow without bound.
pub const SOURCES_PER_DAY: i64 = 100;

/// Counts a step for a product, under the referral source it came with ("" for none).
pub fn count(conn: &Connection, product_id: i64, step: Step, source: &str, at: i64) -> Result<()> {
    let day = day_of(at);
    let known: bool = conn
        .prepare_cached(
            "SELECT 1 FROM funnel_counts WHERE day = ?1 AND product_id = ?2 AND source = ?3",
        )?
        .exists(params![day, product_id, source])?;
    let source = if known || source.is_empty() {
        source
    } else {
        let sources: i64 = conn
            .prepare_cached(
                "SELECT count(DISTINCT source) FROM funnel_counts WHERE day = ?1 AND product_id = ?2",
            )?
            .query_row(params![day, product_id], |r| r.get(0))?;
        if sources >= SOURCES_PER_DAY {
            "other"
        } else {
            source
        }
    };
    conn.prepare_cached(
        "INSERT INTO funnel_counts (day, product_id, source, step, count) VALUES (?1, ?2, ?3, ?4, 1)
         ON CONFLICT (day, product_id, source, step) DO UPDATE SET count = count + 1",
    )?
    .execute(params![day, product_id, source, step.as_str()])?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct DayPoint {
    pub day: String,
    pub purchases: i64,
    pub revenue_minor: i64,
}

#[derive(Debug, Clone, Serialize, Default, PartialEq, Eq)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct Funnel {
    pub visits: i64,
    pub checkouts: i64,
    pub paid: i64,
    pub downloaded: i64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct Dashboard {
    pub currency: String,
    pub series: Vec<DayPoint>,
    pub total_revenue_minor: i64,
    pub total_purchases: i64,
    /// Whether these are test sales (a shop taking simulated or Stripe test payments).
    pub test: bool,
    pub tally: Tally,
    pub funnel: Funnel,
    /// Where sales came from: one row per referral source, busiest first.
    pub sources: Vec<SourceRow>,
    pub recent: Vec<Purchase>,
}

/// One referral source's funnel over the period; `source` "" is sales with none.
#[derive(Debug, Clone, Serialize, Default, PartialEq, Eq)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct SourceRow {
    pub source: String,
    pub visits: i64,
    pub checkouts: i64,
    pub sales: i64,
    pub revenue_minor: i64,
}

/// Each kind of purchase in the period counted for what it is, so a refund, a gift or a
/// test purchase never passes for a sale.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct Tally {
    /// Paid or free purchases of the dashboard's mode, refunded ones included.
    pub sales: i64,
    /// Of `sales`: refunded in full, and refunded in part (access kept).
    pub refunded: i64,
    pub partially_refunded: i64,
    /// Copies the seller gave (`booth grant`, Give a copy): never sales.
    pub gifts: i64,
    /// Sales of the other mode: test ones on a live dashboard, live ones on a test one.
    pub other_mode: i64,
    /// What a sale that was paid for and kept brought in on average (net of refunds and
    /// tax, in the dashboard's currency); None when there is none.
    pub average_sale_minor: Option<i64>,
}

fn tally(conn: &Connection, test: bool, since: i64, currency: &str) -> Result<Tally> {
    let mut t = conn.query_row(
        "SELECT coalesce(sum(source IN ('checkout', 'free') AND test = ?1), 0),
                coalesce(sum(source IN ('checkout', 'free') AND test = ?1 AND status = 'refunded'), 0),
                coalesce(sum(source IN ('checkout', 'free') AND test = ?1 AND status = 'paid'
                             AND amount_refunded_minor > 0), 0),
                coalesce(sum(source = 'grant'), 0),
                coalesce(sum(source IN ('checkout', 'free') AND test <> ?1), 0)
         FROM purchases WHERE created_at >= ?2",
        params![test, since],
        |r| {
            Ok(Tally {
                sales: r.get(0)?,
                refunded: r.get(1)?,
                partially_refunded: r.get(2)?,
                gifts: r.get(3)?,
                other_mode: r.get(4)?,
                average_sale_minor: None,
            })
        },
    )?;
    t.average_sale_minor = conn.query_row(
        &format!(
            "SELECT CAST(round(avg({NET})) AS INTEGER) FROM purchases
             WHERE source = 'checkout' AND test = ?1 AND created_at >= ?2 AND currency = ?3
               AND amount_minor > 0 AND status <> 'refunded'"
        ),
        params![test, since, currency],
        |r| r.get(0),
    )?;
    Ok(t)
}

/// Revenue of a purchase row: what was paid, less refunds and the tax in what is kept.
const NET: &str = "((amount_minor - amount_refunded_minor)
     - (tax_minor * (amount_minor - amount_refunded_minor)) / max(amount_minor, 1))";

/// The last `days` days up to `now`, counting test purchases when `test` (a shop in test
/// mode looks at its test sales) and live ones otherwise. Revenue is net of tax and
/// refunds and in the currency most of the period's purchases used; grants are not sales,
/// free purchases are (at 0). `tally` counts each kind apart.
pub fn dashboard(conn: &Connection, days: u32, test: bool, now: i64) -> Result<Dashboard> {
    let days = days.clamp(1, 366) as i64;
    let first_day_start = (now - now.rem_euclid(86_400)) - (days - 1) * 86_400;
    let sold = "source IN ('checkout', 'free') AND test = ?1 AND created_at >= ?2";
    let currency: String = conn
        .query_row(
            &format!(
                "SELECT currency FROM purchases WHERE {sold}
                 GROUP BY currency ORDER BY count(*) DESC, currency LIMIT 1"
            ),
            params![test, first_day_start],
            |r| r.get(0),
        )
        .unwrap_or_else(|_| "usd".to_string());

    let mut by_day = std::collections::HashMap::new();
    let mut stmt = conn.prepare(&format!(
        "SELECT (created_at / 86400) * 86400, count(*), sum({NET})
         FROM purchases WHERE {sold} AND currency = ?3 GROUP BY 1"
    ))?;
    for row in stmt.query_map(params![test, first_day_start, currency], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })? {
        let (day, n, sum) = row?;
        by_day.insert(day, (n, sum));
    }
    let series: Vec<DayPoint> = (0..days)
        .map(|i| {
            let start = first_day_start + i * 86_400;
            let (purchases, revenue_minor) = by_day.get(&start).copied().unwrap_or((0, 0));
            DayPoint {
                day: day_of(start),
                purchases,
                revenue_minor,
            }
        })
        .collect();

    let steps = |step: Step| -> Result<i64> {
        Ok(conn.query_row(
            "SELECT coalesce(sum(count), 0) FROM funnel_counts WHERE step = ?1 AND day >= ?2",
            params![step.as_str(), day_of(first_day_start)],
            |r| r.get(0),
        )?)
    };
    let paid: i64 = conn.query_row(
        &format!("SELECT count(*) FROM purchases WHERE {sold}"),
        params![test, first_day_start],
        |r| r.get(0),
    )?;
    let downloaded: i64 = conn.query_row(
        &format!(
            "SELECT count(*) FROM purchases p WHERE {sold}
             AND EXISTS (SELECT 1 FROM purchase_items i JOIN download_counts c ON c.purchase_item_id = i.id
                         WHERE i.purchase_id = p.id)"
        ),
        params![test, first_day_start],
        |r| r.get(0),
    )?;
    let funnel = Funnel {
        visits: steps(Step::Visit)?,
        checkouts: steps(Step::Checkout)?,
        paid,
        downloaded,
    };
    let sources = sources(conn, &currency, test, first_day_start)?;
    Ok(Dashboard {
        test,
        tally: tally(conn, test, first_day_start, &currency)?,
        sources,
        currency,
        total_revenue_minor: series.iter().map(|d| d.revenue_minor).sum(),
        total_purchases: series.iter().map(|d| d.purchases).sum(),
        series,
        funnel,
        // Every kind (gifts, test, refunded), each marked as what it is.
        recent: purchases::recent_purchases(conn, 8)?,
    })
}

/// The funnel per referral source: visits and checkouts from the counters, sales and
/// revenue (in `currency`) from the purchases. Sources past the counters' per-day cap are
/// counted under "other" on that side.
fn sources(conn: &Connection, currency: &str, test: bool, since: i64) -> Result<Vec<SourceRow>> {
    let mut rows: std::collections::BTreeMap<String, SourceRow> = Default::default();
    let mut stmt = conn.prepare(
        "SELECT source, sum(CASE WHEN step = 'visit' THEN count END),
                sum(CASE WHEN step = 'checkout' THEN count END)
         FROM funnel_counts WHERE day >= ?1 GROUP BY source",
    )?;
    for r in stmt.query_map([day_of(since)], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, Option<i64>>(1)?,
            r.get::<_, Option<i64>>(2)?,
        ))
    })? {
        let (source, v, c) = r?;
        let row = rows.entry(source.clone()).or_default();
        row.source = source;
        row.visits = v.unwrap_or(0);
        row.checkouts = c.unwrap_or(0);
    }
    let sql = format!(
        "SELECT coalesce(ref, utm_source, ''), count(*),
                sum(CASE WHEN currency = ?3 THEN {NET} ELSE 0 END)
         FROM purchases WHERE source IN ('checkout', 'free') AND test = ?1 AND created_at >= ?2
         GROUP BY 1"
    );
    let mut stmt = conn.prepare(&sql)?;
    for r in stmt.query_map(params![test, since, currency], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })? {
        let (source, n, revenue) = r?;
        let row = rows.entry(source.clone()).or_default();
        row.source = source;
        row.sales = n;
        row.revenue_minor = revenue;
    }
    let mut out: Vec<SourceRow> = rows.into_values().collect();
    out.sort_by(|a, b| {
        (b.sales, b.visits)
            .cmp(&(a.sales, a.visits))
            .then(a.source.cmp(&b.source))
    });
    Ok(out)
}
