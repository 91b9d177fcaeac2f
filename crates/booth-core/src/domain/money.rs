//! Currencies Stripe charges in, and amounts in integer minor units (never floats).

use super::*;

/// An ISO 4217 currency Stripe can charge in, lowercase as Stripe writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Currency(&'static str);

// Stripe's presentment currencies (docs.stripe.com/currencies).
const CURRENCIES: &[&str] = &[
    "usd", "aed", "afn", "all", "amd", "ang", "aoa", "ars", "aud", "awg", "azn", "bam", "bbd",
    "bdt", "bgn", "bhd", "bif", "bmd", "bnd", "bob", "brl", "bsd", "bwp", "byn", "bzd", "cad",
    "cdf", "chf", "clp", "cny", "cop", "crc", "cve", "czk", "djf", "dkk", "dop", "dzd", "egp",
    "etb", "eur", "fjd", "fkp", "gbp", "gel", "gip", "gmd", "gnf", "gtq", "gyd", "hkd", "hnl",
    "htg", "huf", "idr", "ils", "inr", "isk", "jmd", "jod", "jpy", "kes", "kgs", "khr", "kmf",
    "krw", "kwd", "kyd", "kzt", "lak", "lbp", "lkr", "lrd", "lsl", "mad", "mdl", "mga", "mkd",
    "mmk", "mnt", "mop", "mur", "mvr", "mwk", "mxn", "myr", "mzn", "nad", "ngn", "nio", "nok",
    "npr", "nzd", "omr", "pab", "pen", "pgk", "php", "pkr", "pln", "pyg", "qar", "ron", "rsd",
    "rub", "rwf", "sar", "sbd", "scr", "sek", "sgd", "shp", "sle", "sos", "srd", "std", "szl",
    "thb", "tjs", "tnd", "top", "try", "ttd", "twd", "tzs", "uah", "ugx", "uyu", "uzs", "vnd",
    "vuv", "wst", "xaf", "xcd", "xof", "xpf", "yer", "zar", "zmw",
];
const ZERO_DECIMAL: &[&str] = &[
    "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv",
    "xaf", "xof", "xpf",
];
const THREE_DECIMAL: &[&str] = &["bhd", "jod", "kwd", "omr", "tnd"];

impl Currency {
    pub fn parse(input: &str) -> Result<Currency> {
        let lower = input.trim().to_ascii_lowercase();
        CURRENCIES
            .iter()
            .find(|c| **c == lower)
            .map(|c| Currency(c))
            .ok_or_else(|| {
                Error::invalid(
                    "currency",
                    format!(
                        "'{}' is not a currency Stripe supports (e.g. usd, eur, gbp)",
                        input.trim()
                    ),
                )
            })
    }

    pub fn code(&self) -> &'static str {
        self.0
    }

    /// Digits after the decimal point in the currency's minor unit.
    pub fn exponent(&self) -> u32 {
        if ZERO_DECIMAL.contains(&self.0) {
            0
        } else if THREE_DECIMAL.contains(&self.0) {
            3
        } else {
            2
        }
    }

    /// The smallest amount Stripe charges a card in this currency, in minor units
    /// (docs.stripe.com/currencies#minimum-and-maximum-charge-amounts); for currencies that
    /// table doesn't list, about 0.50 USD is assumed, and Stripe has the last word.
    pub fn minimum_charge(&self) -> i64 {
        match self.0 {
            "gbp" => 30,
            "aed" | "myr" | "pln" | "ron" => 200,
            "bgn" => 100,
            "czk" => 1500,
            "dkk" => 250,
            "hkd" => 400,
            "huf" => 17500,
            "mxn" | "thb" => 1000,
            "nok" | "sek" => 300,
            "jpy" => 50,
            _ if self.exponent() == 0 => 100,
            _ if self.exponent() == 3 => 500,
            _ => 50,
        }
    }

    fn symbol(&self) -> Option<&'static str> {
        Some(match self.0 {
            "usd" => "$",
            "eur" => "€",
            "gbp" => "£",
            "jpy" => "¥",
            "inr" => "₹",
            "krw" => "₩",
            "brl" => "R$",
            "aud" => "A$",
            "cad" => "CA$",
            "nzd" => "NZ$",
            _ => return None,
        })
    }
}

pub const MAX_AMOUNT_MINOR: i64 = 99_999_999;

/// An amount of money in a currency's minor unit (cents for usd). Never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Money {
        Money { minor, currency }
    }

    /// Parses a price a person typed ("9.99", "10", "1,000.50") in the currency's major unit.
    pub fn parse_price(input: &str, currency: Currency) -> Result<Money> {
        let m = Money::parse_amount(input, currency, "price")?;
        if m.minor == 0 {
            return Err(Error::invalid("price", "a price must be more than zero"));
        }
        Ok(m)
    }

    /// `parse_price`, but zero is allowed (a pay-what-you-want minimum, a buyer's offer);
    /// errors name `field`.
    pub fn parse_amount(input: &str, currency: Currency, field: &'static str) -> Result<Money> {
        let bad = |m: String| Err(Error::invalid(field, m));
        let trimmed = input.trim();
        let exp = currency.exponent() as usize;
        let (whole, frac) = trimmed.split_once('.').unwrap_or((trimmed, ""));
        // A comma only groups thousands ("1,000.50"); "9,99" is someone's decimal comma, and
        // reading it as 999 would charge a hundred times the price.
        let groups: Vec<&str> = whole.split(',').collect();
        let bad_grouping = groups.len() > 1
            && (groups[0].is_empty()
                || groups[0].len() > 3
                || groups[1..].iter().any(|g| g.len() != 3));
        if bad_grouping {
            return bad(format!(
                "'{trimmed}' is not a price; use a point for decimals, e.g. 9.99"
            ));
        }
        let whole = whole.replace(',', "");
        if whole.is_empty() && frac.is_empty() {
            return bad("a price is required, e.g. 9.99".into());
        }
        if !whole.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return bad(format!("'{trimmed}' is not a price; write it like 9.99"));
        }
        if frac.len() > exp {
            return bad(format!(
                "{} takes at most {exp} digits after the point",
                currency.code().to_uppercase()
            ));
        }
        let digits = format!("{whole}{frac:0<exp$}");
        let minor: i64 = match digits.trim_start_matches('0') {
            "" => 0,
            d if d.len() > 15 => return bad("that price is too large".into()),
            d => d
                .parse()
                .map_err(|_| Error::invalid(field, "that price is too large"))?,
        };
        // Stripe's ceiling for one charge: 8 digits of minor units.
        if minor > MAX_AMOUNT_MINOR {
            return bad("that price is above the most Stripe can charge at once".into());
        }
        Ok(Money { minor, currency })
    }

    /// The number alone, as a form field holds it and `parse_amount` reads it: "9.99".
    pub fn plain(&self) -> String {
        let exp = self.currency.exponent();
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        if exp == 0 {
            format!("{sign}{abs}")
        } else {
            let div = 10u64.pow(exp);
            format!(
                "{sign}{}.{:0width$}",
                abs / div,
                abs % div,
                width = exp as usize
            )
        }
    }

    /// The amount as a person reads it: "$9.99", "¥500", "12.50 CHF".
    pub fn format(&self) -> String {
        let plain = self.plain();
        let (sign, number) = match plain.strip_prefix('-') {
            Some(n) => ("-", n.to_string()),
            None => ("", plain),
        };
        match self.currency.symbol() {
            Some(sym) => format!("{sign}{sym}{number}"),
            None => format!("{sign}{number} {}", self.currency.code().to_uppercase()),
        }
    }
}
