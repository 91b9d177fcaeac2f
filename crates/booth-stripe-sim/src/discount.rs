//! Coupons on Checkout Sessions: what a coupon takes off a subtotal, how that is shared
//! across the line items, whether a coupon can still be redeemed, and redeeming it when
//! the session is paid.

use serde_json::{json, Value};

use crate::state::{now_secs, State};

/// The coupon applied to a new session and the amount it takes off the subtotal.
pub struct AppliedDiscount {
    pub coupon: String,
    pub amount: i64,
}

/// Whether a coupon can still be applied: not used up (`times_redeemed` below
/// `max_redemptions`) and not past its `redeem_by`.
pub fn is_valid(c: &Value, now: i64) -> bool {
    let redeemed = c["times_redeemed"].as_i64().unwrap_or(0);
    let used_up = c["max_redemptions"]
        .as_i64()
        .is_some_and(|max| redeemed >= max);
    let expired = c["redeem_by"].as_i64().is_some_and(|t| t <= now);
    !used_up && !expired
}

/// The coupon as the API shows it now: `valid` turns false once `redeem_by` passes,
/// with no request in between.
pub fn render(c: &Value) -> Value {
    let mut c = c.clone();
    c["valid"] = json!(is_valid(&c, now_secs()));
    c
}

/// `percent_off` in units of 10⁻¹² percent. Stored as the number Stripe shows (25.5);
/// scaled and rounded so a percentage with up to 12 decimals is exact again.
fn percent_units(p: f64) -> i128 {
    (p * 1e12).round() as i128
}

/// What the coupon takes off `subtotal`: a percentage rounded half up to the minor
/// unit, or a fixed amount, never more than the subtotal.
pub fn amount_for(c: &Value, subtotal: i64) -> i64 {
    let off = if let Some(p) = c["percent_off"].as_f64() {
        let denom: i128 = 100 * 1_000_000_000_000;
        let num = i128::from(subtotal) * percent_units(p);
        i64::try_from((2 * num + denom) / (2 * denom)).unwrap_or(i64::MAX)
    } else {
        c["amount_off"].as_i64().unwrap_or(0)
    };
    off.clamp(0, subtotal.max(0))
}

/// Shares `total` (at most the sum of `subtotals`) across lines in proportion to their
/// subtotals, rounded down; the remainder goes on the last line (or, should the last
/// line be too small to take it, on the ones before it).
pub fn spread(subtotals: &[i64], total: i64) -> Vec<i64> {
    let sum: i64 = subtotals.iter().sum();
    let mut shares = vec![0i64; subtotals.len()];
    if sum <= 0 || total <= 0 {
        return shares;
    }
    let total = total.min(sum);
    let last = subtotals.len() - 1;
    for (share, &sub) in shares.iter_mut().zip(subtotals).take(last) {
        *share = (i128::from(total) * i128::from(sub) / i128::from(sum)) as i64;
    }
    let mut left = total - shares.iter().sum::<i64>();
    for i in (0..=last).rev() {
        let take = left.min(subtotals[i] - shares[i]);
        shares[i] += take;
        left -= take;
        if left == 0 {
            break;
        }
    }
    shares
}

pub fn position(st: &State, id: &str) -> Option<usize> {
    st.coupons.iter().position(|c| c["id"] == id)
}

pub fn find<'a>(st: &'a State, id: &str) -> Option<&'a Value> {
    position(st, id).map(|i| &st.coupons[i])
}

/// The id of the coupon applied to a session, if any.
pub fn session_coupon(s: &Value) -> Option<&str> {
    s["discounts"]
        .as_array()?
        .iter()
        .find_map(|d| d["coupon"].as_str())
}

/// Whether the session's discount can still be honoured at payment: its coupon still
/// exists and is valid (another session may have used its last redemption, or its
/// `redeem_by` may have passed since the session was created).
pub fn still_available(st: &State, s: &Value) -> bool {
    match session_coupon(s) {
        None => true,
        Some(id) => find(st, id).is_some_and(|c| is_valid(c, now_secs())),
    }
}

/// Counts a redemption of the coupon of the session at `idx` (on payment); the coupon
/// stops being valid once it reaches `max_redemptions`.
pub fn redeem(st: &mut State, idx: usize) {
    let Some(id) = session_coupon(&st.sessions[idx]).map(String::from) else {
        return;
    };
    if let Some(i) = position(st, &id) {
        let c = &mut st.coupons[i];
        c["times_redeemed"] = json!(c["times_redeemed"].as_i64().unwrap_or(0) + 1);
        c["valid"] = json!(is_valid(c, now_secs()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_half_up_and_amounts_are_capped() {
        let pct = |p: f64| json!({ "percent_off": p, "amount_off": null });
        assert_eq!(amount_for(&pct(12.5), 1900), 238); // 237.5
        assert_eq!(amount_for(&pct(12.5), 1901), 238); // 237.625
        assert_eq!(amount_for(&pct(33.33), 1000), 333); // 333.3
        assert_eq!(amount_for(&pct(0.5), 100), 1); // 0.5
        assert_eq!(amount_for(&pct(0.49), 100), 0);
        assert_eq!(amount_for(&pct(100.0), 99_999_999), 99_999_999);
        assert_eq!(amount_for(&pct(25.5), 0), 0);
        let fixed = |a: i64| json!({ "percent_off": null, "amount_off": a });
        assert_eq!(amount_for(&fixed(500), 1900), 500);
        assert_eq!(amount_for(&fixed(5000), 1900), 1900);
    }

    #[test]
    fn shares_follow_subtotals_and_the_last_line_takes_the_rest() {
        assert_eq!(spread(&[1200, 700], 475), vec![300, 175]);
        assert_eq!(spread(&[100, 100, 100], 100), vec![33, 33, 34]);
        assert_eq!(spread(&[1200, 700], 1900), vec![1200, 700]);
        assert_eq!(spread(&[1200, 700], 0), vec![0, 0]);
        // A free last line can't take a remainder; the line before it does.
        assert_eq!(spread(&[5, 5, 0], 5), vec![2, 3, 0]);
        assert_eq!(spread(&[0], 0), vec![0]);
        for (subs, total) in [(vec![3, 7, 11, 1], 13), (vec![1, 1, 1, 1, 1], 4)] {
            let s = spread(&subs, total);
            assert_eq!(s.iter().sum::<i64>(), total);
            assert!(s.iter().zip(&subs).all(|(a, b)| a <= b));
        }
    }

    #[test]
    fn validity() {
        let now = 1_000;
        let c = |redeemed: i64, max: Value, by: Value| json!({ "times_redeemed": redeemed, "max_redemptions": max, "redeem_by": by });
        assert!(is_valid(&c(5, Value::Null, Value::Null), now));
        assert!(is_valid(&c(0, json!(1), json!(1_001)), now));
        assert!(!is_valid(&c(1, json!(1), Value::Null), now));
        assert!(!is_valid(&c(0, Value::Null, json!(1_000)), now));
    }
}
