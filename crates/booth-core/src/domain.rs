//! Domain newtypes: each parses its input once, so the rest of the code can trust it.

use crate::error::{Error, Result};
use serde::Serialize;
use std::fmt;

/// A buyer's email address, trimmed and checked. Never contains characters that could
/// break out of a mail header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Email> {
        let s = input.trim();
        let bad = |m: &str| Err(Error::invalid("email", m.to_string()));
        if s.is_empty() {
            return bad("an email address is required");
        }
        if s.len() > 254 {
            return bad("an email address can't be longer than 254 characters");
        }
        if s.chars()
            .any(|c| c.is_control() || c.is_whitespace() || "<>,;\"()[]\\".contains(c))
        {
            return bad("an email address can't contain spaces or <>,;\"()[]\\");
        }
        let Some((local, domain)) = s.rsplit_once('@') else {
            return bad("an email address needs an @");
        };
        if local.is_empty() || local.len() > 64 || local.contains('@') {
            return bad("the part before the @ is not valid");
        }
        let domain_ok = domain.contains('.')
            && domain
                .split('.')
                .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'));
        if !domain_ok {
            return bad("the part after the @ is not a valid domain");
        }
        // lettre is what will send to it: make sure it agrees.
        if s.parse::<lettre::Address>().is_err() {
            return bad("this is not a valid email address");
        }
        Ok(Email(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    /// An address a payment provider collected for a paid purchase. Never refused: a
    /// paid purchase is recorded whatever its email. Used as it is when only our own
    /// stricter parser disagrees; an address nobody could mail (empty, too long, control
    /// characters that could break a mail header or a seller's terminal) is kept in a
    /// printable form, with the reason it can't be mailed.
    pub fn from_payment_provider(input: &str) -> (Email, Option<String>) {
        if let Ok(e) = Email::parse(input) {
            return (e, None);
        }
        let s = input.trim();
        let problem = if s.is_empty() {
            Some("the payment provider sent no email address")
        } else if s.chars().count() > 254 {
            Some("the address is longer than an email address can be")
        } else if s.chars().any(|c| c.is_control()) {
            Some("the address contains control characters")
        } else {
            None
        };
        // Printable whatever it held: control characters become U+FFFD.
        let shown: String = s
            .chars()
            .take(320)
            .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
            .collect();
        (Email(shown), problem.map(String::from))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A product's URL name: lowercase letters, digits and single dashes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Slug(String);

impl Slug {
    pub fn parse(input: &str) -> Result<Slug> {
        let s = input.trim();
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-')
            && !s.contains("--");
        if !ok {
            return Err(Error::invalid(
                "slug",
                "use 1–64 lowercase letters, digits and single dashes, e.g. my-ebook",
            ));
        }
        Ok(Slug(s.to_string()))
    }

    /// Derives a slug from a product name ("The Book, 2nd ed." -> "the-book-2nd-ed").
    pub fn from_name(name: &str) -> Result<Slug> {
        let mut out = String::new();
        for c in name.chars().flat_map(char::to_lowercase) {
            if c.is_ascii_alphanumeric() {
                out.push(c);
            } else if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        }
        let trimmed: String = out.trim_end_matches('-').chars().take(64).collect();
        Slug::parse(trimmed.trim_end_matches('-'))
            .map_err(|_| Error::invalid("slug", "couldn't make a slug from the name; pass --slug"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A purchase's secret link token: 32 lowercase hex digits of a UUID v4 (122 random bits).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PurchaseToken(String);

impl PurchaseToken {
    pub fn generate() -> PurchaseToken {
        PurchaseToken(uuid::Uuid::new_v4().simple().to_string())
    }

    pub fn parse(input: &str) -> Result<PurchaseToken> {
        let s = input.trim();
        if s.len() == 32 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            Ok(PurchaseToken(s.to_string()))
        } else {
            Err(Error::invalid(
                "token",
                "a purchase token is 32 lowercase hex digits",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PurchaseToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A buyer address's unsubscribe token, for `List-Unsubscribe` links: 32 lowercase hex
/// digits (UUID v4). Its own secret, so the links that mailbox providers and third-party
/// services read from headers can't download anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsubscribeToken(String);

impl UnsubscribeToken {
    pub fn generate() -> UnsubscribeToken {
        UnsubscribeToken(uuid::Uuid::new_v4().simple().to_string())
    }

    /// This shape, or a purchase token's (links in mail sent before unsubscribing had its
    /// own token carried those, and must keep working).
    pub fn parse(input: &str) -> Result<UnsubscribeToken> {
        let s = input.trim();
        if s.len() == 32 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            Ok(UnsubscribeToken(s.to_string()))
        } else {
            Err(Error::invalid("token", "not an unsubscribe link"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The address buyers reach the shop at: http(s)://host[:port][/path], no trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl(String);

impl PublicUrl {
    pub fn parse(value: &str) -> Result<PublicUrl> {
        let value = value.trim();
        let u = url::Url::parse(value).map_err(|_| {
            Error::invalid(
                "public_url",
                "a public URL looks like https://shop.example.com",
            )
        })?;
        let ok = matches!(u.scheme(), "http" | "https")
            && u.host_str().is_some()
            && u.query().is_none()
            && u.fragment().is_none()
            && u.username().is_empty()
            && u.password().is_none()
            && !value.contains(char::is_whitespace);
        if !ok {
            return Err(Error::invalid(
                "public_url",
                "a public URL is http(s)://host[:port][/path], without a query, fragment or login",
            ));
        }
        Ok(PublicUrl(value.trim_end_matches('/').to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

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
        let bad = |m: String| Err(Error::invalid("price", m));
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
                .map_err(|_| Error::invalid("price", "that price is too large"))?,
        };
        if minor == 0 {
            return bad("a price must be more than zero".into());
        }
        // Stripe's ceiling for one charge: 8 digits of minor units.
        if minor > MAX_AMOUNT_MINOR {
            return bad("that price is above the most Stripe can charge at once".into());
        }
        Ok(Money { minor, currency })
    }

    /// The amount as a person reads it: "$9.99", "¥500", "12.50 CHF".
    pub fn format(&self) -> String {
        let exp = self.currency.exponent();
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        let number = if exp == 0 {
            abs.to_string()
        } else {
            let div = 10u64.pow(exp);
            format!("{}.{:0width$}", abs / div, abs % div, width = exp as usize)
        };
        match self.currency.symbol() {
            Some(sym) => format!("{sign}{sym}{number}"),
            None => format!("{sign}{number} {}", self.currency.code().to_uppercase()),
        }
    }
}

/// How many times each file of a purchase may be downloaded; `None` is unlimited.
pub fn parse_download_limit(input: &str) -> Result<Option<u32>> {
    let s = input.trim().to_ascii_lowercase();
    if s == "unlimited" || s == "none" {
        return Ok(None);
    }
    match s.parse::<u32>() {
        Ok(n) if (1..=1_000_000).contains(&n) => Ok(Some(n)),
        _ => Err(Error::invalid(
            "limit",
            "a download limit is a whole number from 1 to 1000000, or 'unlimited'",
        )),
    }
}

/// Text made safe to put in HTML, inside elements or quoted attributes.
pub fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Human-readable byte size, e.g. "1.2 MB".
pub fn format_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut value = bytes;
    let mut unit = 0;
    // Integer maths with one decimal: tenths of the unit.
    while value >= 1_000_000 && unit < UNITS.len() - 2 {
        value /= 1000;
        unit += 1;
    }
    let tenths = value / 100;
    format!("{}.{} {}", tenths / 10, tenths % 10, UNITS[unit + 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_parses_and_rejects() {
        assert_eq!(
            Email::parse("  Ann@Example.COM ").unwrap().as_str(),
            "Ann@example.com"
        );
        for bad in [
            "",
            "ann",
            "ann@",
            "@x.com",
            "a b@x.com",
            "ann@x",
            "a@x.com\r\nBcc: e@vil.com",
            "<a@x.com>",
            &format!("{}@x.com", "a".repeat(300)),
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn provider_emails_are_always_kept_and_flagged_when_unmailable() {
        let ok = |s: &str| {
            let (e, problem) = Email::from_payment_provider(s);
            assert_eq!(problem, None, "{s:?}");
            e.as_str().to_string()
        };
        assert_eq!(ok("Ann@Example.com"), "Ann@example.com");
        assert_eq!(ok("ann@localhost"), "ann@localhost");
        assert_eq!(ok("x;=1+2*3;y@x.com"), "x;=1+2*3;y@x.com");
        let flagged = |s: &str| {
            let (e, problem) = Email::from_payment_provider(s);
            assert!(problem.is_some(), "{s:?} should be flagged");
            assert!(!e.as_str().chars().any(char::is_control), "{e}");
            e.as_str().to_string()
        };
        assert_eq!(
            flagged("a@b.com\r\nBcc: x@y.com"),
            "a@b.com\u{FFFD}\u{FFFD}Bcc: x@y.com"
        );
        assert_eq!(flagged("a\u{1b}[31m@b.com"), "a\u{FFFD}[31m@b.com");
        assert_eq!(flagged(""), "");
        assert_eq!(flagged(&"a".repeat(5000)).chars().count(), 320);
    }

    #[test]
    fn slugs() {
        assert_eq!(
            Slug::from_name("The Book, 2nd ed.!").unwrap().as_str(),
            "the-book-2nd-ed"
        );
        assert!(Slug::parse("../etc").is_err());
        assert!(Slug::parse("UPPER").is_err());
        assert!(Slug::parse("a--b").is_err());
        assert!(Slug::from_name("!!!").is_err());
    }

    #[test]
    fn tokens() {
        let t = PurchaseToken::generate();
        assert_eq!(PurchaseToken::parse(t.as_str()).unwrap(), t);
        assert_ne!(PurchaseToken::generate(), t);
        for bad in [
            "",
            "../../etc/passwd",
            &"g".repeat(32),
            &"a".repeat(33),
            &"A".repeat(32),
        ] {
            assert!(PurchaseToken::parse(bad).is_err());
        }
    }

    #[test]
    fn prices_never_use_floats() {
        let usd = Currency::parse("USD").unwrap();
        assert_eq!(Money::parse_price("9.99", usd).unwrap().minor, 999);
        assert_eq!(Money::parse_price("10", usd).unwrap().minor, 1000);
        assert_eq!(Money::parse_price("0.1", usd).unwrap().minor, 10);
        assert_eq!(Money::parse_price("1,000.50", usd).unwrap().minor, 100050);
        assert_eq!(Money::parse_price("12,345", usd).unwrap().minor, 1234500);
        // 0.29 * 100 is 28.999999999999996 in floating point.
        assert_eq!(Money::parse_price("0.29", usd).unwrap().minor, 29);
        let jpy = Currency::parse("jpy").unwrap();
        assert_eq!(Money::parse_price("500", jpy).unwrap().minor, 500);
        assert!(Money::parse_price("5.5", jpy).is_err());
        let kwd = Currency::parse("kwd").unwrap();
        assert_eq!(Money::parse_price("1.234", kwd).unwrap().minor, 1234);
        for bad in [
            "",
            "-1",
            "1.999",
            "abc",
            "1e3",
            "0",
            "0.00",
            "99999999999999999999",
            "1.2.3",
            "NaN",
        ] {
            assert!(Money::parse_price(bad, usd).is_err(), "{bad:?}");
        }
        assert!(Currency::parse("xyz").is_err());
    }

    #[test]
    fn money_formats() {
        let usd = Currency::parse("usd").unwrap();
        assert_eq!(Money::new(999, usd).format(), "$9.99");
        assert_eq!(Money::new(5, usd).format(), "$0.05");
        assert_eq!(
            Money::new(500, Currency::parse("jpy").unwrap()).format(),
            "¥500"
        );
        assert_eq!(
            Money::new(1250, Currency::parse("chf").unwrap()).format(),
            "12.50 CHF"
        );
    }

    #[test]
    fn limits_and_sizes() {
        assert_eq!(parse_download_limit("5").unwrap(), Some(5));
        assert_eq!(parse_download_limit("unlimited").unwrap(), None);
        assert!(parse_download_limit("0").is_err());
        assert!(parse_download_limit("-3").is_err());
        assert_eq!(format_size(999), "999 B");
        assert_eq!(format_size(1_234_567), "1.2 MB");
        assert_eq!(format_size(10_000), "10.0 KB");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

        /// Parsing anything a form or a URL can carry never panics, and what is accepted
        /// keeps each type's promise.
        #[test]
        fn parsers_accept_only_what_they_promise(input in proptest::prelude::any::<String>()) {
            if let Ok(e) = Email::parse(&input) {
                assert!(!e.as_str().contains(['\r', '\n', '\0', ' ', '<', '>', ',']), "{e:?}");
                assert!(e.as_str().contains('@'));
            }
            if let Ok(s) = Slug::parse(&input) {
                assert!(!s.as_str().is_empty());
                assert!(s.as_str().bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "{s:?}");
            }
            if let Ok(t) = PurchaseToken::parse(&input) {
                assert_eq!(t.as_str().len(), 32);
            }
            if let Ok(c) = Currency::parse(&input) {
                let m = Money::parse_price(&input, c);
                assert!(m.is_err() || m.unwrap().minor > 0);
            }
            let usd = Currency::parse("usd").unwrap();
            if let Ok(m) = Money::parse_price(&input, usd) {
                assert!(m.minor > 0 && m.minor <= MAX_AMOUNT_MINOR, "{input:?} -> {}", m.minor);
            }
            if let Ok(Some(n)) = parse_download_limit(&input) {
                assert!(n > 0);
            }
        }

        #[test]
        fn prices_that_look_like_prices(input in "[-+ ]?[0-9]{0,12}([.,][0-9]{0,4})?[ a-z$€]{0,3}") {
            let usd = Currency::parse("usd").unwrap();
            if let Ok(m) = Money::parse_price(&input, usd) {
                assert!(m.minor > 0 && m.minor <= MAX_AMOUNT_MINOR, "{input:?} -> {}", m.minor);
            }
        }
    }
}
