//! Purchases, their items and downloads. All functions take a connection or transaction;
//! the caller decides the transaction boundary.

use crate::catalog::{files_sold, ProductFile};
use crate::db::now;
use crate::domain::{Currency, Email, Money, PurchaseToken, Referral};
use crate::error::{Error, Result};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

crate::text_enum! {
    /// How a purchase came about.
    pub enum Source {
        /// Paid through Stripe Checkout (or the simulator).
        Checkout => "checkout",
        /// A complimentary copy the seller gave away.
        Grant => "grant",
        /// Taken at no charge: pay what you want at 0, or a code taking the whole price.
        Free => "free",
    }
}

crate::text_enum! {
    /// Where a purchase stands: only a paid one can be downloaded.
    pub enum Status {
        Paid => "paid",
        /// Fully refunded.
        Refunded => "refunded",
        /// By the seller, or by a dispute.
        Revoked => "revoked",
    }
}

crate::text_enum! {
    /// Where a purchase stands to the seller: its `Status`, with a partial refund told apart
    /// (still paid, access kept). The window's badges and the purchase filters read this.
    pub enum Standing {
        Paid => "paid",
        PartiallyRefunded => "partially_refunded",
        Refunded => "refunded",
        Revoked => "revoked",
    }
}

impl Standing {
    pub fn of(status: Status, amount_refunded_minor: i64) -> Standing {
        match status {
            Status::Paid if amount_refunded_minor > 0 => Standing::PartiallyRefunded,
            Status::Paid => Standing::Paid,
            Status::Refunded => Standing::Refunded,
            Status::Revoked => Standing::Revoked,
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewPurchase {
    pub email: Email,
    /// Why `email` can't be mailed (see `Email::from_payment_provider`), if it can't.
    pub email_problem: Option<String>,
    pub currency: Currency,
    pub checkout_session_id: Option<String>,
    pub payment_intent_id: Option<String>,
    pub source: Source,
    pub test: bool,
    pub items: Vec<NewItem>,
    pub charge: Charge,
    pub referral: Referral,
    pub consent: Option<crate::consent::Agreed>,
    pub invoice_url: Option<String>,
}

/// What a purchase cost, as Stripe (or the quote, for a free one) said; the total paid is
/// `subtotal - discount + tax` when prices exclude tax, and is recorded as given.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct Charge {
    pub subtotal_minor: i64,
    pub discount_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
    pub discount_id: Option<i64>,
    pub discount_code: Option<String>,
    /// ISO 3166-1 alpha-2, when Stripe collected an address.
    pub country: Option<String>,
    pub tax_id: Option<String>,
}

/// A line above a purchase's total; a discount's `minor` is negative.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct ChargeLine {
    pub label: String,
    pub minor: i64,
}

impl Charge {
    /// The lines above the total on the receipt, the purchase page and the window, when
    /// there is more to say than the total: subtotal, the code's discount, tax.
    pub fn lines(&self) -> Vec<ChargeLine> {
        let line = |label: String, minor| ChargeLine { label, minor };
        let mut lines = Vec::new();
        if self.discount_minor > 0 || self.tax_minor > 0 {
            lines.push(line("Subtotal".into(), self.subtotal_minor));
        }
        if self.discount_minor > 0 {
            let label = match &self.discount_code {
                Some(code) => format!("Discount ({code})"),
                None => "Discount".into(),
            };
            lines.push(line(label, -self.discount_minor));
        }
        if self.tax_minor > 0 {
            // Prices that include tax: the total is what was asked, the tax inside it.
            let included = self.subtotal_minor - self.discount_minor == self.total_minor;
            let label = if included { "Tax (included)" } else { "Tax" };
            lines.push(line(label.into(), self.tax_minor));
        }
        lines
    }

    /// A charge with nothing off and no tax: a grant, or a fixed price.
    pub fn plain(total_minor: i64) -> Charge {
        Charge {
            subtotal_minor: total_minor,
            total_minor,
            ..Charge::default()
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewItem {
    pub product_id: i64,
    pub amount_minor: i64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct Purchase {
    pub id: i64,
    pub token: String,
    pub email: String,
    pub amount_minor: i64,
    pub currency: String,
    pub amount_refunded_minor: i64,
    pub checkout_session_id: Option<String>,
    pub payment_intent_id: Option<String>,
    pub status: Status,
    /// `status` with a partial refund told apart.
    pub standing: Standing,
    pub status_reason: Option<String>,
    pub source: Source,
    pub test: bool,
    pub created_at: i64,
    /// Why the buyer's address can't be mailed, when it can't (their receipt waits in the
    /// outbox, failed, for the seller to act on).
    pub email_problem: Option<String>,
    pub charge: Charge,
    /// `charge.lines()`, for the window (it shows them as they are).
    pub charge_lines: Vec<ChargeLine>,
    pub referral: Referral,
    /// What the buyer agreed to before paying (EU digital-content consent), if asked.
    pub consent: Option<ConsentGiven>,
    /// Stripe's invoice for it, when the shop asks for invoices.
    pub invoice_url: Option<String>,
    pub items: Vec<PurchaseItem>,
}

/// The exact wording a buyer agreed to, its version, and when.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct ConsentGiven {
    pub wording_id: i64,
    pub lang: String,
    pub text: String,
    pub at: i64,
}

impl Purchase {
    pub fn total(&self) -> Money {
        Money::new(
            self.amount_minor,
            Currency::parse(&self.currency).expect("stored currency"),
        )
    }

    /// Cost nothing: a grant or a free purchase (shown as "Free", not 0.00).
    pub fn is_free(&self) -> bool {
        matches!(self.source, Source::Grant | Source::Free)
    }

    /// `Charge::lines` as text, for the receipt and the purchase page: ("Discount
    /// (LAUNCH)", "−$5.00").
    pub fn breakdown(&self) -> Vec<(String, String)> {
        let currency = self.total().currency;
        self.charge_lines
            .iter()
            .map(|l| {
                let money = Money::new(l.minor.abs(), currency).format();
                let sign = if l.minor < 0 { "−" } else { "" };
                (l.label.clone(), format!("{sign}{money}"))
            })
            .collect()
    }

    /// What a refund takes back, in minor units, from the amount the seller typed in the
    /// major unit ("4.50"); None is everything not yet refunded. At most what is left.
    pub fn refund_amount(&self, amount: Option<&str>) -> Result<i64> {
        let remaining = self.amount_minor - self.amount_refunded_minor;
        let Some(amount) = amount else {
            return Ok(remaining);
        };
        let currency = self.total().currency;
        let m = Money::parse_price(amount, currency).map_err(|e| match e {
            Error::Invalid { message, .. } => Error::invalid("amount", message),
            e => e,
        })?;
        if m.minor > remaining {
            return Err(Error::invalid(
                "amount",
                format!(
                    "at most {} can still be refunded",
                    Money::new(remaining, currency).format()
                ),
            ));
        }
        Ok(m.minor)
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct PurchaseItem {
    pub id: i64,
    pub product_id: i64,
    pub product_slug: String,
    pub product_name: String,
    pub amount_minor: i64,
    pub download_limit: Option<u32>,
    pub revoked: bool,
    pub files: Vec<ItemFile>,
    /// Its license key, when the product gives them.
    pub license: Option<crate::licenses::License>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct ItemFile {
    #[serde(flatten)]
    pub file: ProductFile,
    pub downloads_used: u32,
    /// None when downloads are unlimited.
    pub downloads_left: Option<u32>,
}

/// Records a purchase and its items. Returns None when this checkout session was already
/// recorded: the UNIQUE constraint on the session id is what makes fulfilment exactly-once.
pub fn insert_purchase(
    conn: &Connection,
    new: &NewPurchase,
) -> Result<Option<(i64, PurchaseToken)>> {
    if new.items.is_empty() {
        return Err(Error::invalid(
            "items",
            "a purchase needs at least one product",
        ));
    }
    conn.execute(
        "INSERT INTO customers (email, created_at, unsubscribe_token) VALUES (?1, ?2, ?3)
         ON CONFLICT (email) DO NOTHING",
        params![
            new.email.as_str(),
            now(),
            crate::domain::UnsubscribeToken::generate().as_str()
        ],
    )?;
    let customer_id: i64 = conn.query_row(
        "SELECT id FROM customers WHERE email = ?1",
        [new.email.as_str()],
        |r| r.get(0),
    )?;
    let token = PurchaseToken::generate();
    let (c, r) = (&new.charge, &new.referral);
    let inserted = conn.execute(
        "INSERT INTO purchases (token, customer_id, email, amount_minor, currency, checkout_session_id,
                                payment_intent_id, status, source, test, created_at, email_problem,
                                subtotal_minor, discount_minor, tax_minor, discount_id, discount_code,
                                country, tax_id, ref, utm_source, utm_medium, utm_campaign,
                                consent_wording_id, consent_at, invoice_url)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'paid', ?8, ?9, ?10, ?11, ?12, ?13, ?14,
                 -- A code deleted meanwhile must not stop a paid purchase from being recorded.
                 (SELECT id FROM discounts WHERE id = ?15), ?16, ?17,
                 ?18, ?19, ?20, ?21, ?22,
                 (SELECT id FROM consent_wordings WHERE id = ?23), ?24, ?25)
         ON CONFLICT (checkout_session_id) DO NOTHING",
        params![
            token.as_str(),
            customer_id,
            new.email.as_str(),
            c.total_minor,
            new.currency.code(),
            new.checkout_session_id,
            new.payment_intent_id,
            new.source.as_str(),
            new.test,
            now(),
            new.email_problem,
            c.subtotal_minor,
            c.discount_minor,
            c.tax_minor,
            c.discount_id,
            c.discount_code,
            c.country,
            c.tax_id,
            r.ref_,
            r.utm_source,
            r.utm_medium,
            r.utm_campaign,
            new.consent.map(|c| c.wording_id),
            new.consent.map(|c| c.at),
            new.invoice_url,
        ],
    )?;
    if inserted == 0 {
        return Ok(None);
    }
    let purchase_id = conn.last_insert_rowid();
    for item in &new.items {
        let added = conn.execute(
            "INSERT INTO purchase_items (purchase_id, product_id, amount_minor, download_limit)
             SELECT ?1, id, ?3, download_limit FROM products WHERE id = ?2",
            params![purchase_id, item.product_id, item.amount_minor],
        )?;
        if added == 1 {
            // In this same transaction: a paid purchase never lacks its key.
            crate::licenses::issue(conn, conn.last_insert_rowid(), item.product_id)?;
        }
    }
    Ok(Some((purchase_id, token)))
}

pub(crate) const PURCHASE_COLS: &str =
    "id, token, email, amount_minor, currency, amount_refunded_minor, checkout_session_id,
     payment_intent_id, status, status_reason, source, test, created_at, email_problem,
     subtotal_minor, discount_minor, tax_minor, discount_id, discount_code, country, tax_id,
     ref, utm_source, utm_medium, utm_campaign, consent_wording_id, consent_at, invoice_url,
     (SELECT lang FROM consent_wordings WHERE id = consent_wording_id),
     (SELECT text FROM consent_wordings WHERE id = consent_wording_id)";

fn purchase_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Purchase> {
    let charge = Charge {
        subtotal_minor: r.get(14)?,
        discount_minor: r.get(15)?,
        tax_minor: r.get(16)?,
        total_minor: r.get(3)?,
        discount_id: r.get(17)?,
        discount_code: r.get(18)?,
        country: r.get(19)?,
        tax_id: r.get(20)?,
    };
    Ok(Purchase {
        id: r.get(0)?,
        token: r.get(1)?,
        email: r.get(2)?,
        amount_minor: r.get(3)?,
        currency: r.get(4)?,
        amount_refunded_minor: r.get(5)?,
        checkout_session_id: r.get(6)?,
        payment_intent_id: r.get(7)?,
        status: r.get(8)?,
        standing: Standing::of(r.get(8)?, r.get(5)?),
        status_reason: r.get(9)?,
        source: r.get(10)?,
        test: r.get(11)?,
        created_at: r.get(12)?,
        email_problem: r.get(13)?,
        charge_lines: charge.lines(),
        charge,
        referral: Referral {
            ref_: r.get(21)?,
            utm_source: r.get(22)?,
            utm_medium: r.get(23)?,
            utm_campaign: r.get(24)?,
        },
        consent: match (r.get::<_, Option<i64>>(25)?, r.get::<_, Option<i64>>(26)?) {
            (Some(wording_id), Some(at)) => Some(ConsentGiven {
                wording_id,
                at,
                lang: r.get::<_, Option<String>>(28)?.unwrap_or_default(),
                text: r.get::<_, Option<String>>(29)?.unwrap_or_default(),
            }),
            _ => None,
        },
        invoice_url: r.get(27)?,
        items: Vec::new(),
    })
}

fn load_items(conn: &Connection, purchase: &mut Purchase) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.id, i.product_id, p.slug, p.name, i.amount_minor, i.download_limit, i.revoked_at IS NOT NULL
         FROM purchase_items i JOIN products p ON p.id = i.product_id
         WHERE i.purchase_id = ?1 ORDER BY i.id",
    )?;
    let mut items = stmt
        .query_map([purchase.id], |r| {
            Ok(PurchaseItem {
                id: r.get(0)?,
                product_id: r.get(1)?,
                product_slug: r.get(2)?,
                product_name: r.get(3)?,
                amount_minor: r.get(4)?,
                download_limit: r.get(5)?,
                revoked: r.get(6)?,
                files: Vec::new(),
                license: None,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut licenses = crate::licenses::for_purchase(conn, purchase.id)?;
    for item in &mut items {
        item.license = licenses
            .iter()
            .position(|l| l.purchase_item_id == item.id)
            .map(|i| licenses.swap_remove(i));
        // What was sold: a file removed since stays with the purchases made before.
        for file in files_sold(conn, item.product_id, Some(purchase.id))? {
            let used: u32 = conn
                .query_row(
                    // Counts belong to a version: a newer one starts fresh.
                    "SELECT used FROM download_counts WHERE purchase_item_id = ?1 AND file_id = ?2
                     AND file_version_id = ?3",
                    params![item.id, file.id, file.version_id],
                    |r| r.get(0),
                )
                .optional()?
                .unwrap_or(0);
            let left = item.download_limit.map(|l| l.saturating_sub(used));
            item.files.push(ItemFile {
                file,
                downloads_used: used,
                downloads_left: left,
            });
        }
    }
    purchase.items = items;
    Ok(())
}

pub fn purchase_by_token(conn: &Connection, token: &PurchaseToken) -> Result<Option<Purchase>> {
    let sql = format!("SELECT {PURCHASE_COLS} FROM purchases WHERE token = ?1");
    let Some(mut p) = conn
        .query_row(&sql, [token.as_str()], purchase_from_row)
        .optional()?
    else {
        return Ok(None);
    };
    load_items(conn, &mut p)?;
    Ok(Some(p))
}

pub fn purchase_by_id(conn: &Connection, id: i64) -> Result<Purchase> {
    let sql = format!("SELECT {PURCHASE_COLS} FROM purchases WHERE id = ?1");
    let mut p = conn.query_row(&sql, [id], purchase_from_row)?;
    load_items(conn, &mut p)?;
    Ok(p)
}

pub fn require_purchase(conn: &Connection, token: &PurchaseToken) -> Result<Purchase> {
    purchase_by_token(conn, token)?
        .ok_or_else(|| Error::NotFound(format!("no purchase with the token {token}")))
}

pub fn purchase_by_session(conn: &Connection, session_id: &str) -> Result<Option<Purchase>> {
    let sql = format!("SELECT {PURCHASE_COLS} FROM purchases WHERE checkout_session_id = ?1");
    let Some(mut p) = conn
        .query_row(&sql, [session_id], purchase_from_row)
        .optional()?
    else {
        return Ok(None);
    };
    load_items(conn, &mut p)?;
    Ok(Some(p))
}

/// Purchases, newest first, optionally only one buyer's (email match is case-insensitive).
pub fn list_purchases(conn: &Connection, email: Option<&str>) -> Result<Vec<Purchase>> {
    let sql = format!(
        "SELECT {PURCHASE_COLS} FROM purchases WHERE (?1 IS NULL OR lower(email) = lower(?1))
         ORDER BY created_at DESC, id DESC"
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut list = stmt
        .query_map([email], purchase_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for p in &mut list {
        load_items(conn, p)?;
    }
    Ok(list)
}

/// The newest purchases, test or live, for the dashboard.
/// The newest purchases of every kind: sales, test purchases and gifts.
pub fn recent_purchases(conn: &Connection, limit: i64) -> Result<Vec<Purchase>> {
    let sql =
        format!("SELECT {PURCHASE_COLS} FROM purchases ORDER BY created_at DESC, id DESC LIMIT ?1");
    collect_purchases(conn, &sql, params![limit])
}

pub(crate) fn collect_purchases(
    conn: &Connection,
    sql: &str,
    args: impl rusqlite::Params,
) -> Result<Vec<Purchase>> {
    let mut stmt = conn.prepare(sql)?;
    let mut list = stmt
        .query_map(args, purchase_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for p in &mut list {
        load_items(conn, p)?;
    }
    Ok(list)
}

/// Gives every file of the purchase its full allowance again.
pub fn reset_downloads(conn: &Connection, purchase_id: i64) -> Result<()> {
    conn.execute(
        "UPDATE download_counts SET used = 0
         WHERE purchase_item_id IN (SELECT id FROM purchase_items WHERE purchase_id = ?1)",
        [purchase_id],
    )?;
    Ok(())
}

pub fn set_item_limit(conn: &Connection, purchase_id: i64, limit: Option<u32>) -> Result<()> {
    conn.execute(
        "UPDATE purchase_items SET download_limit = ?2 WHERE purchase_id = ?1",
        params![purchase_id, limit],
    )?;
    Ok(())
}

/// Revokes a whole purchase (no product) or a single item of it.
pub fn revoke(
    conn: &Connection,
    purchase_id: i64,
    product_id: Option<i64>,
    reason: &str,
) -> Result<()> {
    match product_id {
        None => {
            conn.execute(
                "UPDATE purchases SET status = 'revoked', status_reason = ?2 WHERE id = ?1 AND status = 'paid'",
                params![purchase_id, reason],
            )?;
        }
        Some(product_id) => {
            let n = conn.execute(
                "UPDATE purchase_items SET revoked_at = coalesce(revoked_at, ?3) WHERE purchase_id = ?1 AND product_id = ?2",
                params![purchase_id, product_id, now()],
            )?;
            if n == 0 {
                return Err(Error::NotFound(
                    "that product is not part of this purchase".into(),
                ));
            }
        }
    }
    Ok(())
}

/// Applies a refund reported by Stripe: a full refund revokes access, a partial one is
/// recorded and leaves access alone (the seller can revoke single items).
pub fn apply_refund(
    conn: &Connection,
    payment_intent: &str,
    amount: i64,
    amount_refunded: i64,
) -> Result<bool> {
    let full = amount_refunded >= amount;
    let n = conn.execute(
        "UPDATE purchases SET amount_refunded_minor = max(amount_refunded_minor, ?2),
                status = CASE WHEN ?3 AND status = 'paid' THEN 'refunded' ELSE status END,
                status_reason = CASE WHEN ?3 AND status = 'paid' THEN 'refunded' ELSE status_reason END
         WHERE payment_intent_id = ?1",
        params![payment_intent, amount_refunded, full],
    )?;
    Ok(n > 0)
}

/// A dispute (chargeback) revokes access to the whole purchase.
pub fn apply_dispute(conn: &Connection, payment_intent: &str) -> Result<bool> {
    let n = conn.execute(
        "UPDATE purchases SET status = 'revoked', status_reason = 'disputed'
         WHERE payment_intent_id = ?1 AND status = 'paid'",
        [payment_intent],
    )?;
    Ok(n > 0)
}
