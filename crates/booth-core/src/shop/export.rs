//! The purchases as CSV, safe to open in any spreadsheet, and the time formats Booth
//! prints.

use super::{blocking, Shop};
use crate::domain::Currency;
use crate::error::{Error, Result};
use std::path::PathBuf;

impl Shop {
    /// All purchases as CSV, one row per purchase.
    pub async fn export_csv(&self) -> Result<String> {
        let list = self.list_purchases(None).await?;
        let mut out = String::from(
            "created_at,token,email,status,source,test,currency,amount,amount_refunded,products,checkout_session_id,payment_intent_id,\
             subtotal,discount,tax,discount_code,country,tax_id,ref,utm_source,utm_medium,utm_campaign\n",
        );
        for p in list {
            let cur = p.total().currency;
            let products: Vec<&str> = p.items.iter().map(|i| i.product_slug.as_str()).collect();
            let cells = [
                format_iso(p.created_at),
                p.token.clone(),
                p.email.clone(),
                p.status.to_string(),
                p.source.to_string(),
                p.test.to_string(),
                p.currency.to_uppercase(),
                plain_amount(p.amount_minor, cur),
                plain_amount(p.amount_refunded_minor, cur),
                products.join(";"),
                p.checkout_session_id.clone().unwrap_or_default(),
                p.payment_intent_id.clone().unwrap_or_default(),
                plain_amount(p.charge.subtotal_minor, cur),
                plain_amount(p.charge.discount_minor, cur),
                plain_amount(p.charge.tax_minor, cur),
                p.charge.discount_code.clone().unwrap_or_default(),
                p.charge.country.clone().unwrap_or_default(),
                p.charge.tax_id.clone().unwrap_or_default(),
                p.referral.ref_.clone().unwrap_or_default(),
                p.referral.utm_source.clone().unwrap_or_default(),
                p.referral.utm_medium.clone().unwrap_or_default(),
                p.referral.utm_campaign.clone().unwrap_or_default(),
            ];
            out.push_str(
                &cells
                    .iter()
                    .map(|c| csv_cell(c))
                    .collect::<Vec<_>>()
                    .join(","),
            );
            out.push('\n');
        }
        Ok(out)
    }

    /// Writes the CSV export to `path` (whole or not at all, readable by the seller only:
    /// it lists every buyer); returns how many purchases it holds.
    pub async fn export_csv_to(&self, path: PathBuf) -> Result<usize> {
        let csv = self.export_csv().await?;
        let rows = csv.lines().count().saturating_sub(1);
        blocking(move || {
            crate::owner_only::write(&path, csv.as_bytes())
                .map_err(|e| Error::invalid("path", format!("can't write {}: {e}", path.display())))
        })
        .await?;
        Ok(rows)
    }
}

impl Shop {
    /// Paid purchases per country and currency in [from, to): for a VAT return; live ones,
    /// or with `test` the test ones (a shop trying things out).
    pub async fn tax_report(
        &self,
        from: i64,
        to: i64,
        test: bool,
    ) -> Result<Vec<crate::tax::TaxRow>> {
        self.db()
            .run(move |c| crate::tax::report(c, from, to, test))
            .await
    }

    /// `tax_report` as CSV: country, currency, purchases, net, tax, gross, reverse-charged.
    pub async fn tax_report_csv(&self, from: i64, to: i64, test: bool) -> Result<String> {
        let mut out = String::from("country,currency,purchases,net,tax,gross,reverse_charged\n");
        for r in self.tax_report(from, to, test).await? {
            let cur = Currency::parse(&r.currency)?;
            let cells = [
                r.country.clone(),
                r.currency.to_uppercase(),
                r.purchases.to_string(),
                plain_amount(r.net_minor, cur),
                plain_amount(r.tax_minor, cur),
                plain_amount(r.net_minor + r.tax_minor, cur),
                r.reverse_charged.to_string(),
            ];
            let row: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
            out.push_str(&row.join(","));
            out.push('\n');
        }
        Ok(out)
    }
}

/// An amount without a symbol, for spreadsheets: "9.99".
fn plain_amount(minor: i64, currency: Currency) -> String {
    let exp = currency.exponent();
    if exp == 0 {
        return minor.to_string();
    }
    let div = 10i64.pow(exp);
    format!(
        "{}{}.{:0w$}",
        if minor < 0 { "-" } else { "" },
        minor.abs() / div,
        minor.abs() % div,
        w = exp as usize
    )
}

/// Quotes a CSV cell, and defuses values a spreadsheet would run as a formula. Quoted
/// whenever it holds the separator of any common locale (`,`; `;` in German or French
/// Excel; tab), so no spreadsheet splits a buyer's email into cells of its own.
fn csv_cell(value: &str) -> String {
    let v = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if v.contains([',', ';', '\t', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v
    }
}

pub fn format_time(ts: i64) -> String {
    let fmt = time::macros::format_description!(
        "[month repr:long] [day padding:none], [year] at [hour]:[minute] UTC"
    );
    time::OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_default()
}

pub fn format_iso(ts: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// A moment the seller typed, in UTC: "2026-12-24", "2026-12-24T18:00" or
/// "2026-12-24 18:00" (a day alone is its start). `field` names it in the error.
pub fn parse_utc(input: &str, field: &'static str) -> Result<i64> {
    let t = input.trim().replace(' ', "T");
    let day = time::macros::format_description!("[year]-[month]-[day]");
    let minute = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let parsed = time::PrimitiveDateTime::parse(&t, &minute)
        .or_else(|_| time::Date::parse(&t, &day).map(|d| d.with_time(time::Time::MIDNIGHT)));
    parsed
        .map(|p| p.assume_utc().unix_timestamp())
        .map_err(|_| {
            crate::Error::invalid(
                field,
                "write a date like 2026-12-24 or 2026-12-24T18:00 (UTC)",
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_days_and_minutes_in_utc() {
        assert_eq!(parse_utc("1970-01-02", "x").unwrap(), 86_400);
        assert_eq!(parse_utc("1970-01-01T01:30", "x").unwrap(), 5_400);
        assert_eq!(parse_utc("1970-01-01 01:30", "x").unwrap(), 5_400);
        assert!(parse_utc("24/12/2026", "x").is_err());
        assert!(parse_utc("2026-13-01", "x").is_err());
    }

    #[test]
    pub(super) fn csv_cells_are_safe() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        // Semicolon locales: one cell, quoted, whatever follows the separator.
        assert_eq!(csv_cell("x;=1+2*3;y@x.com"), "\"x;=1+2*3;y@x.com\"");
        assert_eq!(csv_cell("a\tb"), "\"a\tb\"");
        assert_eq!(csv_cell("-1;2"), "\"'-1;2\"");
        assert_eq!(plain_amount(999, Currency::parse("usd").unwrap()), "9.99");
        assert_eq!(plain_amount(500, Currency::parse("jpy").unwrap()), "500");
    }

    #[test]
    pub(super) fn times_format() {
        assert_eq!(format_time(0), "January 1, 1970 at 00:00 UTC");
        assert_eq!(format_iso(0), "1970-01-01T00:00:00Z");
    }
}
