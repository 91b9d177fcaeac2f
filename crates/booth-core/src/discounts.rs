//! Discount codes: what the seller creates (`booth discount`, the window), and how many
//! uses a code has left. All functions take a connection or transaction; the caller
//! decides the transaction boundary.

use crate::db::now;
use crate::domain::{Currency, DiscountCode, Money, Slug};
use crate::error::Problems;
use crate::error::{Error, Result};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

/// A discount code as the seller made it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct Discount {
    pub id: i64,
    pub code: String,
    /// Whole percent off (1–100), or None for fixed amounts.
    pub percent_off: Option<u32>,
    /// Fixed amounts off, one per currency: (currency, minor units).
    pub amounts_off: Vec<AmountOff>,
    /// Slugs of the products it is for; empty is every product.
    pub products: Vec<String>,
    pub starts_at: Option<i64>,
    pub expires_at: Option<i64>,
    pub max_uses: Option<u32>,
    /// Purchases recorded with it (paid or free).
    pub uses: u32,
    pub disabled: bool,
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct AmountOff {
    pub currency: String,
    pub amount_minor: i64,
}

impl Discount {
    /// Why a buyer can't use it now, if they can't (never says how many uses are left).
    pub fn unusable(&self, at: i64) -> Option<String> {
        if self.disabled {
            return Some(format!("{} is no longer valid", self.code));
        }
        if self.starts_at.is_some_and(|s| at < s) {
            return Some(format!("{} isn't valid yet", self.code));
        }
        if self.expires_at.is_some_and(|e| at >= e) {
            return Some(format!("{} has expired", self.code));
        }
        None
    }

    pub fn applies_to(&self, slug: &str) -> bool {
        self.products.is_empty() || self.products.iter().any(|p| p == slug)
    }

    /// What it takes off `eligible` (the subtotal of the lines it applies to), never more:
    /// a percent rounds half up to the minor unit, as Stripe's coupons do.
    pub fn amount_off(&self, eligible: Money) -> Result<i64> {
        let off = match self.percent_off {
            Some(p) => (eligible.minor * i64::from(p) + 50) / 100,
            None => self
                .amounts_off
                .iter()
                .find(|a| a.currency == eligible.currency.code())
                .map(|a| a.amount_minor)
                .ok_or_else(|| {
                    Error::invalid(
                        "code",
                        format!(
                            "{} doesn't apply to prices in {}",
                            self.code,
                            eligible.currency.code().to_uppercase()
                        ),
                    )
                })?,
        };
        Ok(off.min(eligible.minor))
    }

    /// "20% off", "€5.00 off".
    pub fn describe(&self) -> String {
        match self.percent_off {
            Some(p) => format!("{p}% off"),
            None => {
                self.amounts_off
                    .iter()
                    .filter_map(|a| {
                        Currency::parse(&a.currency)
                            .ok()
                            .map(|c| Money::new(a.amount_minor, c).format())
                    })
                    .collect::<Vec<_>>()
                    .join(" / ")
                    + " off"
            }
        }
    }
}

/// What the seller types to make or change a code; each field names itself in errors.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct DiscountInput {
    pub code: String,
    /// "20" or "20%"; exactly one of percent_off and amounts_off.
    pub percent_off: Option<String>,
    /// "5.00 EUR", one per currency.
    pub amounts_off: Vec<String>,
    /// Product slugs; empty is every product.
    pub products: Vec<String>,
    /// Unix times.
    pub starts_at: Option<i64>,
    pub expires_at: Option<i64>,
    /// "100"; None or "" is unlimited.
    pub max_uses: Option<String>,
}

/// A discount code checked and ready to store.
#[derive(Debug, Clone)]
pub struct NewDiscount {
    pub code: DiscountCode,
    pub percent_off: Option<u32>,
    pub amounts_off: Vec<Money>,
    pub products: Vec<Slug>,
    pub starts_at: Option<i64>,
    pub expires_at: Option<i64>,
    pub max_uses: Option<u32>,
}

impl TryFrom<&DiscountInput> for NewDiscount {
    type Error = Problems;

    /// The one place a code's fields are checked: every mistake at once.
    fn try_from(input: &DiscountInput) -> Result<NewDiscount, Problems> {
        let mut p = Problems::default();
        let code = p.take(DiscountCode::parse(&input.code));
        let percent = input
            .percent_off
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let percent_off = match percent {
            None => Some(None),
            Some(s) => p.take(parse_percent(s).map(Some)),
        };
        let mut amounts: Vec<Money> = Vec::new();
        for a in &input.amounts_off {
            if let Some(m) = p.take(parse_amount_off(a)) {
                if amounts.iter().any(|x| x.currency == m.currency) {
                    p.take::<()>(Err(Error::invalid(
                        "amounts_off",
                        format!("{} is given twice", m.currency.code().to_uppercase()),
                    )));
                }
                amounts.push(m);
            }
        }
        if percent.is_some() != input.amounts_off.is_empty() {
            p.take::<()>(Err(Error::invalid(
                "percent_off",
                "give a percent off or amounts off (one of the two)",
            )));
        }
        let mut products = Vec::new();
        for s in &input.products {
            let slug = Slug::parse(s)
                .map_err(|_| Error::invalid("products", format!("'{s}' is not a product's slug")));
            if let Some(slug) = p.take(slug) {
                if !products.contains(&slug) {
                    products.push(slug);
                }
            }
        }
        if let (Some(s), Some(e)) = (input.starts_at, input.expires_at) {
            if e <= s {
                p.take::<()>(Err(Error::invalid(
                    "expires_at",
                    "the code must expire after it starts",
                )));
            }
        }
        let max_uses = match input.max_uses.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(s) => p.take(match s.parse::<u32>() {
                Ok(n) if (1..=1_000_000).contains(&n) => Ok(Some(n)),
                _ => Err(Error::invalid(
                    "max_uses",
                    "maximum uses is a whole number from 1 to 1000000, or empty for no limit",
                )),
            }),
        };
        p.finish(|| {
            Some(NewDiscount {
                code: code?,
                percent_off: percent_off?,
                amounts_off: amounts,
                products,
                starts_at: input.starts_at,
                expires_at: input.expires_at,
                max_uses: max_uses?,
            })
        })
    }
}

fn parse_percent(s: &str) -> Result<u32> {
    match s.trim_end_matches('%').trim().parse::<u32>() {
        Ok(n) if (1..=100).contains(&n) => Ok(n),
        _ => Err(Error::invalid(
            "percent_off",
            "a percent off is a whole number from 1 to 100",
        )),
    }
}

/// "5.00 EUR" or "EUR 5.00".
fn parse_amount_off(s: &str) -> Result<Money> {
    let bad = || Error::invalid("amounts_off", "write an amount off like 5.00 EUR");
    let mut parts = s.split_whitespace();
    let (a, b) = (parts.next().ok_or_else(bad)?, parts.next().ok_or_else(bad)?);
    if parts.next().is_some() {
        return Err(bad());
    }
    let (amount, currency) = match Currency::parse(b) {
        Ok(c) => (a, c),
        Err(_) => (b, Currency::parse(a).map_err(|_| bad())?),
    };
    let m = Money::parse_amount(amount, currency, "amounts_off")?;
    if m.minor == 0 {
        return Err(Error::invalid(
            "amounts_off",
            "an amount off must be more than zero",
        ));
    }
    Ok(m)
}

/// Stores a new code; a code already taken (in any case) is a conflict.
pub fn insert(conn: &Connection, d: &NewDiscount) -> Result<Discount> {
    let res = conn.execute(
        "INSERT INTO discounts (code, percent_off, starts_at, expires_at, max_uses, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            d.code.as_str(),
            d.percent_off,
            d.starts_at,
            d.expires_at,
            d.max_uses,
            now()
        ],
    );
    match res {
        Err(e) if crate::catalog::is_unique_violation(&e) => {
            return Err(Error::Conflict(format!(
                "the code {} already exists",
                d.code
            )))
        }
        r => r?,
    };
    let id = conn.last_insert_rowid();
    set_rules(conn, id, d)?;
    by_id(conn, id)
}

/// Changes a code's rules (its code stays); uses so far are kept.
pub fn update(conn: &Connection, code: &str, d: &NewDiscount) -> Result<Discount> {
    let current = require(conn, code)?;
    conn.execute(
        "UPDATE discounts SET code = ?2, percent_off = ?3, starts_at = ?4, expires_at = ?5, max_uses = ?6
         WHERE id = ?1",
        params![current.id, d.code.as_str(), d.percent_off, d.starts_at, d.expires_at, d.max_uses],
    )
    .map_err(|e| match e {
        e if crate::catalog::is_unique_violation(&e) => {
            Error::Conflict(format!("the code {} already exists", d.code))
        }
        e => e.into(),
    })?;
    set_rules(conn, current.id, d)?;
    by_id(conn, current.id)
}

fn set_rules(conn: &Connection, id: i64, d: &NewDiscount) -> Result<()> {
    conn.execute("DELETE FROM discount_amounts WHERE discount_id = ?1", [id])?;
    conn.execute("DELETE FROM discount_products WHERE discount_id = ?1", [id])?;
    for m in &d.amounts_off {
        conn.execute(
            "INSERT INTO discount_amounts (discount_id, currency, amount_minor) VALUES (?1, ?2, ?3)",
            params![id, m.currency.code(), m.minor],
        )?;
    }
    for slug in &d.products {
        let n = conn.execute(
            "INSERT INTO discount_products (discount_id, product_id)
             SELECT ?1, id FROM products WHERE slug = ?2",
            params![id, slug.as_str()],
        )?;
        if n == 0 {
            return Err(Error::invalid(
                "products",
                format!("there is no product '{slug}'"),
            ));
        }
    }
    Ok(())
}

/// Disables (or enables again) a code; purchases made with it keep it.
pub fn set_disabled(conn: &Connection, code: &str, disabled: bool) -> Result<Discount> {
    let d = require(conn, code)?;
    conn.execute(
        "UPDATE discounts SET disabled_at = CASE WHEN ?2 THEN coalesce(disabled_at, ?3) END WHERE id = ?1",
        params![d.id, disabled, now()],
    )?;
    by_id(conn, d.id)
}

const COLS: &str = "d.id, d.code, d.percent_off, d.starts_at, d.expires_at, d.max_uses,
     d.disabled_at IS NOT NULL, d.created_at,
     (SELECT count(*) FROM purchases WHERE discount_id = d.id)";

fn from_row(conn: &Connection, r: &rusqlite::Row<'_>) -> rusqlite::Result<Discount> {
    let id: i64 = r.get(0)?;
    let amounts_off = conn
        .prepare_cached(
            "SELECT currency, amount_minor FROM discount_amounts WHERE discount_id = ?1 ORDER BY currency",
        )?
        .query_map([id], |r| {
            Ok(AmountOff {
                currency: r.get(0)?,
                amount_minor: r.get(1)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let products = conn
        .prepare_cached(
            "SELECT p.slug FROM discount_products dp JOIN products p ON p.id = dp.product_id
             WHERE dp.discount_id = ?1 ORDER BY p.slug",
        )?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Discount {
        id,
        code: r.get(1)?,
        percent_off: r.get(2)?,
        amounts_off,
        products,
        starts_at: r.get(3)?,
        expires_at: r.get(4)?,
        max_uses: r.get(5)?,
        disabled: r.get(6)?,
        created_at: r.get(7)?,
        uses: r.get(8)?,
    })
}

pub fn list(conn: &Connection) -> Result<Vec<Discount>> {
    let sql = format!("SELECT {COLS} FROM discounts d ORDER BY d.created_at DESC, d.id DESC");
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([], |r| from_row(conn, r))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A code as a buyer typed it (any case); None if there is no such code.
pub fn by_code(conn: &Connection, code: &DiscountCode) -> Result<Option<Discount>> {
    let sql = format!("SELECT {COLS} FROM discounts d WHERE upper(d.code) = ?1");
    Ok(conn
        .query_row(&sql, [code.as_str()], |r| from_row(conn, r))
        .optional()?)
}

fn by_id(conn: &Connection, id: i64) -> Result<Discount> {
    let sql = format!("SELECT {COLS} FROM discounts d WHERE d.id = ?1");
    Ok(conn.query_row(&sql, [id], |r| from_row(conn, r))?)
}

pub fn require(conn: &Connection, code: &str) -> Result<Discount> {
    let c = DiscountCode::parse(code)?;
    by_code(conn, &c)?.ok_or_else(|| Error::NotFound(format!("no discount code {c}")))
}

/// Uses taken: purchases recorded with the code plus checkouts holding one.
pub fn uses_taken(conn: &Connection, discount_id: i64) -> Result<u32> {
    Ok(conn.query_row(
        "SELECT (SELECT count(*) FROM purchases WHERE discount_id = ?1)
              + (SELECT count(*) FROM discount_holds WHERE discount_id = ?1)",
        [discount_id],
        |r| r.get(0),
    )?)
}

/// Can one more purchase (or checkout) take a use of `d`? Run in the writer's transaction
/// with what it guards, so two buyers can't both take the last use.
pub fn use_left(conn: &Connection, d: &Discount) -> Result<bool> {
    match d.max_uses {
        None => Ok(true),
        Some(max) => Ok(uses_taken(conn, d.id)? < max),
    }
}

/// Holds a use for a checkout about to be created, under `key`, if one is left. Run in the
/// writer's transaction, so two buyers can't both take the last use.
pub fn hold(conn: &Connection, d: &Discount, key: &str, expires_at: i64) -> Result<bool> {
    if !use_left(conn, d)? {
        return Ok(false);
    }
    conn.execute(
        "INSERT INTO discount_holds (key, discount_id, expires_at) VALUES (?1, ?2, ?3)",
        params![key, d.id, expires_at],
    )?;
    Ok(true)
}

/// Holds past their expiry: (key, session id if the checkout was created).
pub fn stale_holds(
    conn: &Connection,
    discount_id: i64,
    at: i64,
) -> Result<Vec<(String, Option<String>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT key, session_id FROM discount_holds WHERE discount_id = ?1 AND expires_at <= ?2",
    )?;
    let rows = stmt.query_map(params![discount_id, at], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(f: impl FnOnce(&mut DiscountInput)) -> Result<NewDiscount, Problems> {
        let mut i = DiscountInput {
            code: "launch".into(),
            percent_off: Some("20%".into()),
            ..Default::default()
        };
        f(&mut i);
        NewDiscount::try_from(&i)
    }

    fn fields(r: Result<NewDiscount, Problems>) -> Vec<&'static str> {
        r.unwrap_err()
            .into_vec()
            .into_iter()
            .map(|e| match e {
                Error::Invalid { field, .. } => field,
                e => panic!("{e}"),
            })
            .collect()
    }

    #[test]
    fn a_codes_form_is_checked_field_by_field() {
        let d = form(|_| {}).unwrap();
        assert_eq!((d.code.as_str(), d.percent_off), ("LAUNCH", Some(20)));
        let d = form(|i| {
            i.percent_off = None;
            i.amounts_off = vec!["5.00 EUR".into(), "usd 6".into()];
        })
        .unwrap();
        assert_eq!(
            d.amounts_off
                .iter()
                .map(|m| (m.currency.code(), m.minor))
                .collect::<Vec<_>>(),
            [("eur", 500), ("usd", 600)]
        );
        assert_eq!(fields(form(|i| i.code = "été".into())), ["code"]);
        assert_eq!(
            fields(form(|i| i.percent_off = Some("0".into()))),
            ["percent_off"]
        );
        assert_eq!(
            fields(form(|i| i.percent_off = Some("101".into()))),
            ["percent_off"]
        );
        assert_eq!(
            fields(form(|i| i.percent_off = Some("12.5".into()))),
            ["percent_off"]
        );
        assert_eq!(
            fields(form(|i| i.amounts_off = vec!["5 EUR".into()])),
            ["percent_off"]
        );
        assert_eq!(fields(form(|i| i.percent_off = None)), ["percent_off"]);
        let both_eur = |i: &mut DiscountInput| {
            i.percent_off = None;
            i.amounts_off = vec!["5 EUR".into(), "6 eur".into(), "-1 EUR".into(), "5".into()];
        };
        assert_eq!(fields(form(both_eur)), ["amounts_off"; 3]);
        assert_eq!(
            fields(form(|i| i.max_uses = Some("0".into()))),
            ["max_uses"]
        );
        assert_eq!(
            fields(form(|i| {
                i.starts_at = Some(10);
                i.expires_at = Some(10);
            })),
            ["expires_at"]
        );
        assert_eq!(
            fields(form(|i| i.products = vec!["Not A Slug".into()])),
            ["products"]
        );
    }

    #[test]
    fn amounts_off_round_half_up_and_never_exceed_what_they_apply_to() {
        let usd = Currency::parse("usd").unwrap();
        let d = |percent: Option<u32>, amounts: Vec<AmountOff>| Discount {
            id: 1,
            code: "X".into(),
            percent_off: percent,
            amounts_off: amounts,
            products: vec![],
            starts_at: None,
            expires_at: None,
            max_uses: None,
            uses: 0,
            disabled: false,
            created_at: 0,
        };
        assert_eq!(
            d(Some(20), vec![])
                .amount_off(Money::new(999, usd))
                .unwrap(),
            200
        );
        assert_eq!(
            d(Some(15), vec![]).amount_off(Money::new(10, usd)).unwrap(),
            2
        );
        assert_eq!(
            d(Some(100), vec![])
                .amount_off(Money::new(999, usd))
                .unwrap(),
            999
        );
        let five = vec![AmountOff {
            currency: "usd".into(),
            amount_minor: 500,
        }];
        assert_eq!(
            d(None, five.clone())
                .amount_off(Money::new(300, usd))
                .unwrap(),
            300
        );
        let eur = Money::new(300, Currency::parse("eur").unwrap());
        assert!(d(None, five).amount_off(eur).is_err());
        assert_eq!(d(None, vec![]).unusable(0), None);
    }
}
