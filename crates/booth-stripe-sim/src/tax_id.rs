//! Business tax IDs the hosted page collects (`tax_id_collection`), and the format each
//! must have. Stripe collects `eu_vat` in the 27 EU countries and `gb_vat` in the UK
//! (docs.stripe.com/tax/checkout/tax-ids, "Supported tax ID types"); the simulator checks
//! the format only, against this table:
//!
//! | Country | Type | Format | Stripe's example |
//! |---|---|---|---|
//! | AT | eu_vat | `ATU` + 8 digits | ATU12345678 |
//! | BE | eu_vat | `BE` + 0 or 1 + 9 digits | BE0123456789 |
//! | BG | eu_vat | `BG` + 9 or 10 digits | BG0123456789 |
//! | CY | eu_vat | `CY` + 8 digits + letter | CY12345678Z |
//! | CZ | eu_vat | `CZ` + 8 to 10 digits | CZ1234567890 |
//! | DE | eu_vat | `DE` + 9 digits | DE123456789 |
//! | DK | eu_vat | `DK` + 8 digits | DK12345678 |
//! | EE | eu_vat | `EE` + 9 digits | EE123456789 |
//! | ES | eu_vat | `ES` + letter or digit + 7 digits + letter or digit | ESA1234567Z |
//! | FI | eu_vat | `FI` + 8 digits | FI12345678 |
//! | FR | eu_vat | `FR` + 2 letters or digits + 9 digits | FRAB123456789 |
//! | GR | eu_vat | `EL` + 9 digits (Greece's prefix is EL) | EL123456789 |
//! | HR | eu_vat | `HR` + 11 digits | HR12345678912 |
//! | HU | eu_vat | `HU` + 8 digits | HU12345678 |
//! | IE | eu_vat | `IE` + 7 digits + 1–2 letters, or digit + letter/+/\* + 5 digits + letter | IE1234567AB |
//! | IT | eu_vat | `IT` + 11 digits | IT12345678912 |
//! | LT | eu_vat | `LT` + 9 or 12 digits | LT123456789123 |
//! | LU | eu_vat | `LU` + 8 digits | LU12345678 |
//! | LV | eu_vat | `LV` + 11 digits | LV12345678912 |
//! | MT | eu_vat | `MT` + 8 digits | MT12345678 |
//! | NL | eu_vat | `NL` + 9 digits + `B` + 2 digits | NL123456789B12 |
//! | PL | eu_vat | `PL` + 10 digits | PL1234567890 |
//! | PT | eu_vat | `PT` + 9 digits | PT123456789 |
//! | RO | eu_vat | `RO` + 2 to 10 digits | RO1234567891 |
//! | SE | eu_vat | `SE` + 12 digits | SE123456789123 |
//! | SI | eu_vat | `SI` + 8 digits | SI12345678 |
//! | SK | eu_vat | `SK` + 10 digits | SK1234567891 |
//! | GB | gb_vat | `GB` + 9 or 12 digits, or `GBGD`/`GBHA` + 3 digits | GB123456789 |
//!
//! A number is read without spaces, dots or dashes, in capitals, and must start with the
//! prefix of the billing country. No check digits are verified.
//!
//! The formats are written in a small pattern language (a regex engine would be a
//! dependency for a dozen fixed patterns): capitals stand for themselves, `d` is a digit,
//! `a` a letter, `x` a letter or digit, `p` a letter, `+` or `*`; `{n}` or `{n,m}` repeat
//! the element before; `|` separates alternatives; a pattern matches the whole number.

/// (country, tax ID type, pattern of the whole number, an example for the error message).
const FORMATS: &[(&str, &str, &str, &str)] = &[
    ("AT", "eu_vat", "ATUd{8}", "ATU12345678"),
    ("BE", "eu_vat", "BE0d{9}|BE1d{9}", "BE0123456789"),
    ("BG", "eu_vat", "BGd{9,10}", "BG0123456789"),
    ("CY", "eu_vat", "CYd{8}a", "CY12345678Z"),
    ("CZ", "eu_vat", "CZd{8,10}", "CZ1234567890"),
    ("DE", "eu_vat", "DEd{9}", "DE123456789"),
    ("DK", "eu_vat", "DKd{8}", "DK12345678"),
    ("EE", "eu_vat", "EEd{9}", "EE123456789"),
    ("ES", "eu_vat", "ESxd{7}x", "ESA1234567Z"),
    ("FI", "eu_vat", "FId{8}", "FI12345678"),
    ("FR", "eu_vat", "FRx{2}d{9}", "FRAB123456789"),
    ("GR", "eu_vat", "ELd{9}", "EL123456789"),
    ("HR", "eu_vat", "HRd{11}", "HR12345678912"),
    ("HU", "eu_vat", "HUd{8}", "HU12345678"),
    ("IE", "eu_vat", "IEd{7}a{1,2}|IEdpd{5}a", "IE1234567AB"),
    ("IT", "eu_vat", "ITd{11}", "IT12345678912"),
    ("LT", "eu_vat", "LTd{9}|LTd{12}", "LT123456789123"),
    ("LU", "eu_vat", "LUd{8}", "LU12345678"),
    ("LV", "eu_vat", "LVd{11}", "LV12345678912"),
    ("MT", "eu_vat", "MTd{8}", "MT12345678"),
    ("NL", "eu_vat", "NLd{9}Bd{2}", "NL123456789B12"),
    ("PL", "eu_vat", "PLd{10}", "PL1234567890"),
    ("PT", "eu_vat", "PTd{9}", "PT123456789"),
    ("RO", "eu_vat", "ROd{2,10}", "RO1234567891"),
    ("SE", "eu_vat", "SEd{12}", "SE123456789123"),
    ("SI", "eu_vat", "SId{8}", "SI12345678"),
    ("SK", "eu_vat", "SKd{10}", "SK1234567891"),
    (
        "GB",
        "gb_vat",
        "GBd{9}|GBd{12}|GBGDd{3}|GBHAd{3}",
        "GB123456789",
    ),
];

/// One element of a pattern: the class or literal byte, and at least and at most how
/// many of it.
type Token = (u8, usize, usize);

fn takes(class: u8, b: u8) -> bool {
    match class {
        b'd' => b.is_ascii_digit(),
        b'a' => b.is_ascii_uppercase(),
        b'x' => b.is_ascii_uppercase() || b.is_ascii_digit(),
        b'p' => b.is_ascii_uppercase() || b == b'+' || b == b'*',
        literal => b == literal,
    }
}

/// An alternative's elements; `{n}` and `{n,m}` set the count of the element before.
fn tokens(alt: &str) -> Vec<Token> {
    let b = alt.as_bytes();
    let mut out: Vec<Token> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'{' {
            out.push((b[i], 1, 1));
            i += 1;
            continue;
        }
        let close = alt[i..].find('}').map_or(b.len(), |c| i + c);
        let inner = &alt[i + 1..close];
        let (lo, hi) = inner.split_once(',').unwrap_or((inner, inner));
        if let (Some(last), Ok(lo), Ok(hi)) = (out.last_mut(), lo.parse(), hi.parse()) {
            (last.1, last.2) = (lo, hi);
        }
        i = close + 1;
    }
    out
}

/// Whether all of `s` matches `toks`, trying each count of each element.
fn matches(toks: &[Token], s: &[u8]) -> bool {
    let Some((&(class, lo, hi), rest)) = toks.split_first() else {
        return s.is_empty();
    };
    (lo..=hi.min(s.len()))
        .any(|n| s[..n].iter().all(|&b| takes(class, b)) && matches(rest, &s[n..]))
}

fn fits(pattern: &str, value: &str) -> bool {
    value.is_ascii()
        && pattern
            .split('|')
            .any(|alt| matches(&tokens(alt), value.as_bytes()))
}

/// A tax ID that passed its country's format: Stripe's `{type, value}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaxId {
    pub kind: &'static str,
    pub value: String,
}

/// Whether the page collects a business tax ID for buyers in `country`.
pub fn supported(country: &str) -> bool {
    FORMATS.iter().any(|f| f.0 == country)
}

/// Spaces, dots and dashes dropped; capitals.
pub fn normalize(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '.' | '-'))
        .flat_map(char::to_uppercase)
        .collect()
}

/// Checks `raw` against `country`'s format. The error is the page's message.
pub fn parse(country: &str, country_name: &str, raw: &str) -> Result<TaxId, String> {
    let Some(&(_, kind, pattern, example)) = FORMATS.iter().find(|f| f.0 == country) else {
        return Err(format!("Tax IDs are not collected for {country_name}."));
    };
    let value = normalize(raw);
    if value.len() > 30 || !fits(pattern, &value) {
        return Err(format!(
            "Invalid VAT number for {country_name}: it should look like {example}."
        ));
    }
    Ok(TaxId { kind, value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_takes_its_example() {
        for &(country, _, pattern, example) in FORMATS {
            assert!(fits(pattern, example), "{country}");
        }
        assert_eq!(FORMATS.iter().filter(|f| f.1 == "eu_vat").count(), 27);
        assert!(fits("ROd{2,10}", "RO12") && !fits("ROd{2,10}", "RO1"));
        assert!(fits("ROd{2,10}", "RO1234567890") && !fits("ROd{2,10}", "RO12345678901"));
        assert!(fits("IEd{7}a{1,2}|IEdpd{5}a", "IE1+23456A"));
        assert!(!fits("DEd{9}", "DE12345678\u{e9}") && !fits("DEd{9}", "de123456789"));
    }

    #[test]
    fn formats_per_country() {
        let ok = |c: &str, v: &str| parse(c, c, v).map(|t| t.value);
        assert_eq!(ok("DE", "de 123 456 789"), Ok("DE123456789".into()));
        assert_eq!(ok("FR", "FR-12.345678901"), Ok("FR12345678901".into()));
        assert_eq!(ok("NL", "NL123456789B01"), Ok("NL123456789B01".into()));
        assert_eq!(ok("ES", "ESX1234567L"), Ok("ESX1234567L".into()));
        assert_eq!(ok("IT", "IT01234567890"), Ok("IT01234567890".into()));
        assert_eq!(ok("GR", "EL123456789"), Ok("EL123456789".into()));
        assert_eq!(parse("GB", "GB", "GB123456789").unwrap().kind, "gb_vat");
        for (c, bad) in [
            ("DE", "DE12345678"),
            ("DE", "FR12345678901"),
            ("IT", "IT123"),
            ("NL", "NL123456789X01"),
            ("ES", "ES12345678"),
            ("GR", "GR123456789"),
            ("FR", "FR1234567890123"),
            ("DE", "DE123456789\u{0}"),
        ] {
            assert!(parse(c, c, bad).is_err(), "{c} {bad}");
        }
        let err = parse("US", "United States", "US123").unwrap_err();
        assert!(err.contains("United States"), "{err}");
        assert!(supported("IE") && supported("GB") && !supported("NO"));
    }
}
