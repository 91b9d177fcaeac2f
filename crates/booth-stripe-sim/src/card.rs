//! Test cards on the hosted page: the fields' checks (as Stripe's card element words
//! them), the brand a number belongs to, and the outcome a test number simulates.

use std::collections::HashMap;

use crate::state::now_secs;

/// A card that passed the page's checks.
pub struct Card {
    pub number: String,
    pub exp_month: i64,
    pub exp_year: i64,
}

pub fn card_brand(number: &str) -> &'static str {
    let two: u32 = number.get(..2).and_then(|s| s.parse().ok()).unwrap_or(0);
    let four: u32 = number.get(..4).and_then(|s| s.parse().ok()).unwrap_or(0);
    match () {
        _ if number.starts_with('4') => "visa",
        _ if (51..=55).contains(&two) || (2221..=2720).contains(&four) => "mastercard",
        _ if two == 34 || two == 37 => "amex",
        _ if four == 6011 || two == 65 => "discover",
        _ => "unknown",
    }
}

fn luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = (b - b'0') as u32;
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Current (year, month) in UTC, from days since the epoch (civil-from-days).
fn year_month(now: i64) -> (i64, i64) {
    let z = now.div_euclid(86400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m)
}

fn parse_expiry(s: &str) -> Option<(i64, i64)> {
    let (m, y) = s.split_once('/')?;
    let (m, y) = (m.trim(), y.trim());
    if m.is_empty()
        || m.len() > 2
        || !(y.len() == 2 || y.len() == 4)
        || !m.bytes().chain(y.bytes()).all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let month: i64 = m.parse().ok()?;
    let mut year: i64 = y.parse().ok()?;
    if y.len() == 2 {
        year += 2000;
    }
    (1..=12).contains(&month).then_some((month, year))
}

/// Checks the card fields as Stripe's card element does; errors go to `errors` by field.
pub fn check(
    number: &str,
    expiry: &str,
    cvc: &str,
    errors: &mut HashMap<&'static str, String>,
) -> Option<Card> {
    if number.len() < 12 || number.len() > 19 || !number.bytes().all(|b| b.is_ascii_digit()) {
        errors.insert("card_number", "Your card number is incomplete.".into());
    } else if !luhn(number) {
        errors.insert("card_number", "Your card number is invalid.".into());
    }
    let exp = parse_expiry(expiry);
    let (cy, cm) = year_month(now_secs());
    match exp {
        None => {
            errors.insert(
                "card_expiry",
                "Your card's expiration date is incomplete.".into(),
            );
        }
        Some((m, y)) if (y, m) < (cy, cm) => {
            errors.insert(
                "card_expiry",
                "Your card's expiration date is in the past.".into(),
            );
        }
        Some((_, y)) if y > cy + 50 => {
            errors.insert(
                "card_expiry",
                "Your card's expiration year is invalid.".into(),
            );
        }
        _ => {}
    }
    if !(3..=4).contains(&cvc.len()) || !cvc.bytes().all(|b| b.is_ascii_digit()) {
        errors.insert(
            "card_cvc",
            "Your card's security code is incomplete.".into(),
        );
    }
    let (exp_month, exp_year) = exp?;
    errors.is_empty().then(|| Card {
        number: number.to_string(),
        exp_month,
        exp_year,
    })
}

/// The decline a test number simulates, in the words Stripe's page uses.
pub fn decline(number: &str) -> Option<&'static str> {
    match number {
        "4000000000000002" => Some("Your card was declined."),
        "4000000000009995" => Some("Your card has insufficient funds."),
        "4000000000000069" => Some("Your card has expired."),
        "4000000000000127" => Some("Your card's security code is incorrect."),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_and_dates() {
        assert!(luhn("4242424242424242"));
        assert!(luhn("4000000000000259"));
        assert!(!luhn("4242424242424241"));
        assert_eq!(year_month(0), (1970, 1));
        assert_eq!(year_month(951_782_400), (2000, 2)); // 2000-02-29
        assert_eq!(parse_expiry("12 / 34"), Some((12, 2034)));
        assert_eq!(parse_expiry("13/34"), None);
        assert_eq!(card_brand("4242424242424242"), "visa");
        assert_eq!(card_brand("5555555555554444"), "mastercard");
    }
}
