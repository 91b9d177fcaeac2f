//! Stripe Tax, as the simulator mirrors it: a fixed table of where the simulated account
//! collects tax and at what rate, and the tax on one line item.
//!
//! The simulated account's head office is [`ORIGIN_COUNTRY`] (the United States), outside
//! the EU, and it is registered to collect VAT in every country the table gives a rate.
//! Rates are the standard VAT rates in force in 2026, in basis points (1900 = 19%):
//!
//! | Code | Country | Standard rate (%) |
//! |---|---|---|
//! | AT | Austria | 20 |
//! | BE | Belgium | 21 |
//! | BG | Bulgaria | 20 |
//! | HR | Croatia | 25 |
//! | CY | Cyprus | 19 |
//! | CZ | Czechia | 21 |
//! | DK | Denmark | 25 |
//! | EE | Estonia | 24 |
//! | FI | Finland | 25.5 |
//! | FR | France | 20 |
//! | DE | Germany | 19 |
//! | GR | Greece | 24 |
//! | HU | Hungary | 27 |
//! | IE | Ireland | 23 |
//! | IT | Italy | 22 |
//! | LV | Latvia | 21 |
//! | LT | Lithuania | 21 |
//! | LU | Luxembourg | 17 |
//! | MT | Malta | 18 |
//! | NL | Netherlands | 21 |
//! | PL | Poland | 23 |
//! | PT | Portugal | 23 |
//! | RO | Romania | 21 |
//! | SK | Slovakia | 23 |
//! | SI | Slovenia | 22 |
//! | ES | Spain | 21 |
//! | SE | Sweden | 25 |
//! | GB | United Kingdom (not EU) | 20 |
//! | NO | Norway (not EU) | 25 |
//! | CH | Switzerland (not EU) | 8.1 |
//!
//! Countries with no VAT or sales tax at all (HK Hong Kong): nothing is due,
//! `taxability_reason: "not_subject_to_tax"`. Every other country (the US too: the
//! account has no US registrations): no tax collected, `"not_collecting"` — what Stripe
//! Tax answers where the account isn't registered (docs.stripe.com/tax/zero-tax).
//!
//! Not mirrored: reduced rates (e-books, e.g. DE 7%, FR 5.5%, are charged the standard
//! rate here), regional rates, thresholds, and Stripe's VIES/HMRC checks of a tax ID
//! (the page checks its format only). A business buyer with a valid EU VAT number in an
//! EU country, or a GB VAT number in the UK, is reverse-charged: no tax,
//! `taxability_reason: "reverse_charge"`. The product tax code `txcd_00000000`
//! (Nontaxable) is never taxed (`"not_subject_to_tax"`); every other code is taxed at the
//! standard rate.
//!
//! Integer math only: exclusive tax = round-half-up(amount × rate); inclusive tax =
//! amount − round-half-up(amount ÷ (1 + rate)).

use serde_json::{json, Value};

/// Where the simulated account is established (its Stripe Tax head office).
pub const ORIGIN_COUNTRY: &str = "US";

/// The tax code for products that are never taxed.
pub const NONTAXABLE: &str = "txcd_00000000";

/// How a country taxes the simulator's sales.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Regime {
    /// VAT at this many basis points, collected (the account is registered).
    Vat(u32),
    /// The country has no such tax.
    NoTax,
    /// The account isn't registered there.
    NotCollecting,
}

pub struct Country {
    pub code: &'static str,
    pub name: &'static str,
    pub regime: Regime,
    pub eu: bool,
}

const fn c(code: &'static str, name: &'static str, regime: Regime, eu: bool) -> Country {
    Country {
        code,
        name,
        regime,
        eu,
    }
}

use Regime::{NoTax, NotCollecting, Vat};

/// Every country the hosted page offers, in the order it lists them.
pub const COUNTRIES: &[Country] = &[
    c("AT", "Austria", Vat(2000), true),
    c("AU", "Australia", NotCollecting, false),
    c("BE", "Belgium", Vat(2100), true),
    c("BG", "Bulgaria", Vat(2000), true),
    c("CA", "Canada", NotCollecting, false),
    c("CH", "Switzerland", Vat(810), false),
    c("CY", "Cyprus", Vat(1900), true),
    c("CZ", "Czechia", Vat(2100), true),
    c("DE", "Germany", Vat(1900), true),
    c("DK", "Denmark", Vat(2500), true),
    c("EE", "Estonia", Vat(2400), true),
    c("ES", "Spain", Vat(2100), true),
    c("FI", "Finland", Vat(2550), true),
    c("FR", "France", Vat(2000), true),
    c("GB", "United Kingdom", Vat(2000), false),
    c("GR", "Greece", Vat(2400), true),
    c("HK", "Hong Kong", NoTax, false),
    c("HR", "Croatia", Vat(2500), true),
    c("HU", "Hungary", Vat(2700), true),
    c("IE", "Ireland", Vat(2300), true),
    c("IT", "Italy", Vat(2200), true),
    c("JP", "Japan", NotCollecting, false),
    c("LT", "Lithuania", Vat(2100), true),
    c("LU", "Luxembourg", Vat(1700), true),
    c("LV", "Latvia", Vat(2100), true),
    c("MT", "Malta", Vat(1800), true),
    c("NL", "Netherlands", Vat(2100), true),
    c("NO", "Norway", Vat(2500), false),
    c("PL", "Poland", Vat(2300), true),
    c("PT", "Portugal", Vat(2300), true),
    c("RO", "Romania", Vat(2100), true),
    c("SE", "Sweden", Vat(2500), true),
    c("SG", "Singapore", NotCollecting, false),
    c("SI", "Slovenia", Vat(2200), true),
    c("SK", "Slovakia", Vat(2300), true),
    c("US", "United States", NotCollecting, false),
];

pub fn country(code: &str) -> Option<&'static Country> {
    COUNTRIES.iter().find(|c| c.code == code)
}

/// A country's regime; any country the table lacks isn't collected in.
pub fn regime(code: &str) -> Regime {
    country(code).map_or(NotCollecting, |c| c.regime)
}

/// Whether a business buyer there with a valid VAT number accounts for the VAT itself:
/// an EU country, or the UK, other than the head office's.
pub fn reverse_charge_applies(code: &str) -> bool {
    code != ORIGIN_COUNTRY && country(code).is_some_and(|c| c.eu || c.code == "GB")
}

/// `x / d` rounded half up, for non-negative `x` and positive `d`.
fn div_half_up(x: i128, d: i128) -> i128 {
    (2 * x + d) / (2 * d)
}

/// The tax on `amount` at `bp` basis points when the price excludes it.
pub fn exclusive_tax(amount: i64, bp: u32) -> i64 {
    div_half_up(i128::from(amount) * i128::from(bp), 10_000) as i64
}

/// The tax inside `amount` at `bp` basis points when the price includes it.
pub fn inclusive_tax(amount: i64, bp: u32) -> i64 {
    let net = div_half_up(i128::from(amount) * 10_000, 10_000 + i128::from(bp));
    amount - net as i64
}

/// "19", "25.5", "8.1": a rate in basis points as a percentage.
pub fn percent_label(bp: u32) -> String {
    let (whole, frac) = (bp / 100, bp % 100);
    match frac {
        0 => whole.to_string(),
        f if f % 10 == 0 => format!("{whole}.{}", f / 10),
        f => format!("{whole}.{f:02}"),
    }
}

/// The tax on one line, as Stripe Tax reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineTax {
    pub amount: i64,
    /// What the tax is calculated on: the line's amount after discounts, without the tax.
    pub taxable_amount: i64,
    pub reason: &'static str,
    /// The country's statutory rate (0 where it has none or isn't collected in).
    pub rate_bp: u32,
    /// The rate actually applied (0 when reverse-charged or not taxed).
    pub effective_bp: u32,
    pub inclusive: bool,
}

/// Who is buying, and where.
pub struct Place<'a> {
    pub country: &'a str,
    /// A business that gave a valid VAT number of that country.
    pub business: bool,
}

/// The tax on a line of `amount` (after discounts) for a buyer at `place`.
pub fn line_tax(amount: i64, inclusive: bool, tax_code: &str, place: &Place) -> LineTax {
    let amount = amount.max(0);
    let none = |reason, rate_bp| LineTax {
        amount: 0,
        taxable_amount: amount,
        reason,
        rate_bp,
        effective_bp: 0,
        inclusive,
    };
    match regime(place.country) {
        NotCollecting => none("not_collecting", 0),
        NoTax => none("not_subject_to_tax", 0),
        Vat(_) if tax_code == NONTAXABLE => none("not_subject_to_tax", 0),
        Vat(bp) if place.business && reverse_charge_applies(place.country) => {
            none("reverse_charge", bp)
        }
        Vat(bp) => {
            let tax = if inclusive {
                inclusive_tax(amount, bp)
            } else {
                exclusive_tax(amount, bp)
            };
            LineTax {
                amount: tax,
                taxable_amount: if inclusive { amount - tax } else { amount },
                reason: "standard_rated",
                rate_bp: bp,
                effective_bp: bp,
                inclusive,
            }
        }
    }
}

/// What the page and the tax rate call this tax.
pub fn display_name(country: &str) -> &'static str {
    match regime(country) {
        Vat(_) => "VAT",
        _ => "Tax",
    }
}

/// The archived TaxRate object Stripe Tax creates for a calculation's rate (Stripe
/// archives these at once: `active: false`).
pub fn rate_object(id: &str, country: &str, t: &LineTax, created: i64) -> Value {
    let display = display_name(country);
    let name = country_name(country);
    let pct = |bp: u32| f64::from(bp) / 100.0;
    json!({
        "id": id,
        "object": "tax_rate",
        "active": false,
        "country": country,
        "created": created,
        "description": format!("{display} {name}"),
        "display_name": display,
        "effective_percentage": pct(t.effective_bp),
        "flat_amount": null,
        "inclusive": t.inclusive,
        "jurisdiction": country,
        "jurisdiction_level": "country",
        "livemode": false,
        "metadata": {},
        "percentage": pct(t.rate_bp),
        "rate_type": "percentage",
        "state": null,
        "tax_type": if display == "VAT" { json!("vat") } else { Value::Null },
    })
}

pub fn country_name(code: &str) -> &str {
    country(code).map_or(code, |c| c.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_the_eu_27_and_their_2026_rates() {
        assert_eq!(COUNTRIES.iter().filter(|c| c.eu).count(), 27);
        for (code, bp) in [("DE", 1900), ("FI", 2550), ("EE", 2400), ("RO", 2100)] {
            assert_eq!(regime(code), Vat(bp), "{code}");
        }
        assert_eq!(regime("SK"), Vat(2300));
        assert_eq!(regime("CH"), Vat(810));
        assert_eq!(regime("HK"), NoTax);
        assert_eq!(regime("BR"), NotCollecting);
        assert!(COUNTRIES.windows(2).all(|w| w[0].code < w[1].code));
    }

    #[test]
    fn rounding_is_half_up_in_integers() {
        assert_eq!(exclusive_tax(842, 1900), 160); // 159.98
        assert_eq!(exclusive_tax(50, 1900), 10); // 9.5 → 10
        assert_eq!(exclusive_tax(1000, 2550), 255);
        assert_eq!(exclusive_tax(1, 810), 0); // 0.081
                                              // 1000 / 1.19 = 840.34 → net 840, tax 160.
        assert_eq!(inclusive_tax(1000, 1900), 160);
        // 1190 / 1.19 = 1000 exactly.
        assert_eq!(inclusive_tax(1190, 1900), 190);
        // 21 / 1.05 = 20 exactly; 1 / 1.1 = 0.909 → 1, tax 0.
        assert_eq!(inclusive_tax(21, 500), 1);
        assert_eq!(inclusive_tax(1, 1000), 0);
        assert_eq!(exclusive_tax(99_999_999, 2700), 27_000_000);
        assert_eq!(percent_label(1900), "19");
        assert_eq!(percent_label(2550), "25.5");
        assert_eq!(percent_label(810), "8.1");
        assert_eq!(percent_label(1725), "17.25");
    }

    #[test]
    fn who_pays_what() {
        let consumer = |country| Place {
            country,
            business: false,
        };
        let business = |country| Place {
            country,
            business: true,
        };
        let de = line_tax(842, false, "txcd_10302000", &consumer("DE"));
        assert_eq!(
            (de.amount, de.reason, de.taxable_amount),
            (160, "standard_rated", 842)
        );
        let inc = line_tax(1000, true, "txcd_10000000", &consumer("DE"));
        assert_eq!((inc.amount, inc.taxable_amount), (160, 840));
        let rc = line_tax(842, false, "txcd_10000000", &business("FR"));
        assert_eq!(
            (rc.amount, rc.reason, rc.rate_bp),
            (0, "reverse_charge", 2000)
        );
        // Norway and Switzerland aren't reverse-charged here; the head office never is.
        assert_eq!(line_tax(1000, false, "x", &business("NO")).amount, 250);
        assert!(!reverse_charge_applies("US"));
        assert_eq!(
            line_tax(1000, false, "x", &consumer("HK")).reason,
            "not_subject_to_tax"
        );
        assert_eq!(
            line_tax(1000, false, "x", &consumer("US")).reason,
            "not_collecting"
        );
        assert_eq!(
            line_tax(1000, false, "x", &consumer("ZZ")).reason,
            "not_collecting"
        );
        let free = line_tax(1000, false, NONTAXABLE, &consumer("DE"));
        assert_eq!((free.amount, free.reason), (0, "not_subject_to_tax"));
    }
}
