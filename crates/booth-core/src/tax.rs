//! Taxes: the Stripe tax codes a product can carry, how the shop asks Stripe Tax to
//! charge them (the `tax`, `tax_ids`, `invoices` and `tax_code` settings), and the
//! per-country totals a VAT return needs. Stripe computes the tax; Booth records what
//! Stripe charged.

use crate::error::{Error, Result};
use crate::settings::{self, INVOICES, TAX, TAX_CODE, TAX_IDS};
use rusqlite::{params, Connection};
use serde::Serialize;

/// Stripe's codes for what Booth sells (docs.stripe.com/tax/tax-codes; opaque strings from
/// Stripe's list, never derived): the names a seller may type instead.
pub const NAMED_CODES: &[(&str, &str, &str)] = &[
    (
        "ebook",
        "txcd_10302000",
        "Digital Books - downloaded - permanent rights",
    ),
    (
        "software",
        "txcd_10202000",
        "Downloadable Software - personal use",
    ),
    (
        "digital",
        "txcd_10000000",
        "General - Electronically Supplied Services",
    ),
];
/// A product's tax code when neither it nor the shop names one.
pub const DEFAULT_CODE: &str = "txcd_10000000";

/// A Stripe tax code: `txcd_` and 8 digits, or one of `NAMED_CODES`' names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxCode(String);

impl TaxCode {
    pub fn parse(input: &str) -> Result<TaxCode> {
        let s = input.trim().to_ascii_lowercase();
        if let Some((_, code, _)) = NAMED_CODES.iter().find(|(name, _, _)| *name == s) {
            return Ok(TaxCode(code.to_string()));
        }
        let ok =
            s.len() == 13 && s.starts_with("txcd_") && s[5..].bytes().all(|b| b.is_ascii_digit());
        if !ok {
            return Err(Error::invalid(
                "tax_code",
                "a Stripe tax code like txcd_10302000, or ebook, software or digital",
            ));
        }
        Ok(TaxCode(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How Checkout is asked to charge tax; None when the shop doesn't use Stripe Tax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxSetup {
    /// Prices include tax (as EU consumers expect) rather than have it added.
    pub inclusive: bool,
    pub collect_tax_ids: bool,
    /// The code for products that have none.
    pub default_code: String,
}

/// What the checkout asks Stripe for besides the prices.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckoutOptions {
    pub tax: Option<TaxSetup>,
    pub invoices: bool,
}

pub fn checkout_options(conn: &Connection) -> Result<CheckoutOptions> {
    let yes = |k| -> Result<bool> { Ok(settings::get(conn, k)?.as_deref() == Some("yes")) };
    let tax = match settings::get(conn, TAX)?.as_deref() {
        Some(mode @ ("exclusive" | "inclusive")) => Some(TaxSetup {
            inclusive: mode == "inclusive",
            collect_tax_ids: yes(TAX_IDS)?,
            default_code: settings::get(conn, TAX_CODE)?.unwrap_or_else(|| DEFAULT_CODE.into()),
        }),
        _ => None,
    };
    Ok(CheckoutOptions {
        tax,
        invoices: yes(INVOICES)?,
    })
}

/// The shop's tax and consent settings as one form (the window's Taxes screen).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct TaxSettings {
    /// "off", "exclusive" or "inclusive".
    pub tax: String,
    pub tax_ids: bool,
    pub invoices: bool,
    /// txcd_… or ebook, software, digital.
    pub tax_code: String,
    pub consent: bool,
}

impl TaxSettings {
    pub fn read(conn: &Connection) -> Result<TaxSettings> {
        let yes = |k| -> Result<bool> { Ok(settings::get(conn, k)?.as_deref() == Some("yes")) };
        Ok(TaxSettings {
            tax: settings::get(conn, TAX)?.unwrap_or_else(|| "off".into()),
            tax_ids: yes(TAX_IDS)?,
            invoices: yes(INVOICES)?,
            tax_code: settings::get(conn, TAX_CODE)?.unwrap_or_else(|| DEFAULT_CODE.into()),
            consent: yes(settings::CONSENT)?,
        })
    }

    /// Every field checked by the settings' own rules; the pairs to store.
    pub fn check(&self) -> Result<Vec<(&'static str, String)>, crate::error::Problems> {
        let mut p = crate::error::Problems::default();
        let yn = |b: bool| if b { "yes" } else { "no" }.to_string();
        let fields = [
            (TAX, self.tax.clone()),
            (TAX_IDS, yn(self.tax_ids)),
            (INVOICES, yn(self.invoices)),
            (TAX_CODE, self.tax_code.clone()),
            (settings::CONSENT, yn(self.consent)),
        ];
        let checked: Vec<_> = fields
            .into_iter()
            .filter_map(|(k, v)| p.take(settings::check(k, &v)).map(|v| (k, v)))
            .collect();
        p.finish(|| Some(checked))
    }
}

/// One country's line of a VAT return, in one currency: what was sold, the tax charged,
/// and what was refunded of both (refunds take tax back in proportion).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct TaxRow {
    /// ISO country code; "" when Stripe collected no address.
    pub country: String,
    pub currency: String,
    pub purchases: i64,
    /// Sales without tax, refunds taken off.
    pub net_minor: i64,
    /// Tax charged, refunds' share taken off.
    pub tax_minor: i64,
    /// Of those purchases, how many were reverse-charged (a business tax ID, no tax).
    pub reverse_charged: i64,
}

/// Paid purchases (not grants or free ones) made in [from, to), per country and currency:
/// live ones, or test ones for a shop trying things in test mode (never both).
pub fn report(conn: &Connection, from: i64, to: i64, test: bool) -> Result<Vec<TaxRow>> {
    if to <= from {
        return Err(Error::invalid("to", "the period must end after it starts"));
    }
    let mut stmt = conn.prepare(
        "SELECT coalesce(country, ''), currency, count(*),
                sum(kept - (tax_minor * kept) / max(amount_minor, 1)),
                sum((tax_minor * kept) / max(amount_minor, 1)),
                sum(tax_id IS NOT NULL AND tax_minor = 0)
         FROM (SELECT *, amount_minor - amount_refunded_minor AS kept FROM purchases
               WHERE source = 'checkout' AND test = ?3 AND created_at >= ?1 AND created_at < ?2)
         GROUP BY 1, 2 ORDER BY 1, 2",
    )?;
    let rows = stmt.query_map(params![from, to, test], |r| {
        Ok(TaxRow {
            country: r.get(0)?,
            currency: r.get(1)?,
            purchases: r.get(2)?,
            net_minor: r.get(3)?,
            tax_minor: r.get(4)?,
            reverse_charged: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tax_codes_by_code_or_name() {
        assert_eq!(TaxCode::parse(" EBOOK ").unwrap().as_str(), "txcd_10302000");
        assert_eq!(
            TaxCode::parse("txcd_10202000").unwrap().as_str(),
            "txcd_10202000"
        );
        for bad in [
            "",
            "txcd_1",
            "txcd_1030200x",
            "tx_10302000",
            "ebooks",
            "txcd_103020000",
        ] {
            assert!(TaxCode::parse(bad).is_err(), "{bad}");
        }
    }
}
