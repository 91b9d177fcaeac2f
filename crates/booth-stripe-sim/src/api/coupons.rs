//! Coupons: create, retrieve, update, list, delete, with the `coupon.*` events.
//! Checkout Sessions apply them through `discounts` (see `session_discount`).

use super::*;
use crate::discount::{self, AppliedDiscount};

/// Stripe's limit on a coupon's `name`.
const NAME_MAX: usize = 40;
/// The largest amount Stripe charges in most currencies: 99,999,999 minor units.
const AMOUNT_MAX: i64 = 99_999_999;
/// `redeem_by` can't be set more than 5 years ahead.
const REDEEM_BY_MAX: i64 = 5 * 366 * 24 * 3600;

/// An id from the URL path, percent-decoded: custom coupon ids may hold any character.
pub(super) fn path_id(seg: &str) -> String {
    let b = seg.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match (b[i], b.get(i + 1..i + 3).and_then(|h| hex::decode(h).ok())) {
            (b'%', Some(byte)) => {
                out.extend(byte);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn missing_coupon(id: &str) -> ApiError {
    ApiError::no_such("coupon", id, "coupon", 404)
}

pub(super) fn check_currency(p: &Value, key: &str) -> Result<Option<String>, ApiError> {
    let Some(c) = get_str(p, key) else {
        return Ok(None);
    };
    let c = c.to_ascii_lowercase();
    if c.len() != 3 || !c.bytes().all(|b| b.is_ascii_lowercase()) {
        return Err(ApiError::invalid(format!("Invalid currency: {c}. Stripe currently supports these currencies: usd, eur, gbp, ..."), Some(key)));
    }
    Ok(Some(c))
}

fn coupon_name(p: &Value) -> Result<Option<String>, ApiError> {
    match get_str(p, "name") {
        Some(n) if n.chars().count() > NAME_MAX => Err(too_long(n, NAME_MAX, "name")),
        Some(n) if !n.is_empty() => Ok(Some(n.to_string())),
        _ => Ok(None),
    }
}

fn at_least_one(p: &Value, key: &str) -> Result<Option<i64>, ApiError> {
    match get_int(p, key, key)? {
        Some(n) if n < 1 => Err(ApiError::invalid(
            "This value must be greater than or equal to 1.",
            Some(key),
        )),
        n => Ok(n),
    }
}

/// (amount_off, currency, percent_off).
type Off = (Option<i64>, Option<String>, Option<f64>);

/// How much the coupon takes off: exactly one of `amount_off` (with its `currency`) and
/// `percent_off`.
fn discount_kind(p: &Value) -> Result<Off, ApiError> {
    let amount = get_int(p, "amount_off", "amount_off")?;
    let percent = get_decimal(p, "percent_off")?;
    let currency = check_currency(p, "currency")?;
    match (amount, percent) {
        (Some(_), Some(_)) => Err(ApiError::invalid(
            "You may only specify one of these parameters: amount_off, percent_off.",
            Some("amount_off"),
        )),
        (None, None) => Err(ApiError::invalid(
            "You must specify either `amount_off` or `percent_off`.",
            Some("amount_off"),
        )
        .code("parameter_missing")),
        (Some(a), None) => {
            if a < 1 {
                return Err(ApiError::invalid(
                    "Invalid positive integer",
                    Some("amount_off"),
                ));
            }
            let currency = currency.ok_or_else(|| ApiError::missing("currency"))?;
            if a > AMOUNT_MAX {
                return Err(ApiError::invalid(
                    format!(
                        "Amount must be no more than {}",
                        objects::format_amount(AMOUNT_MAX, &currency)
                    ),
                    Some("amount_off"),
                )
                .code("amount_too_large"));
            }
            Ok((Some(a), Some(currency), None))
        }
        (None, Some(pct)) => {
            if pct <= 0.0 {
                return Err(ApiError::invalid(
                    "This value must be greater than 0.",
                    Some("percent_off"),
                ));
            }
            if pct > 100.0 {
                return Err(ApiError::invalid(
                    "This value must be less than or equal to 100.",
                    Some("percent_off"),
                ));
            }
            // `currency` describes `amount_off` only; a percentage has none.
            Ok((None, None, Some(pct)))
        }
    }
}

pub(super) fn create_coupon(st: &mut State, public: &str, p: &Value, info: &ReqInfo) -> R {
    let (amount_off, currency, percent_off) = discount_kind(p)?;
    let duration = get_str(p, "duration").unwrap_or("once");
    if !matches!(duration, "once" | "repeating" | "forever") {
        return Err(ApiError::invalid(
            "Invalid duration: must be one of forever, once, or repeating",
            Some("duration"),
        ));
    }
    let months = at_least_one(p, "duration_in_months")?;
    match (duration, months) {
        ("repeating", None) => return Err(ApiError::missing("duration_in_months")),
        ("once" | "forever", Some(_)) => {
            return Err(ApiError::invalid(
                "`duration_in_months` can only be set when `duration` is `repeating`.",
                Some("duration_in_months"),
            ))
        }
        _ => {}
    }
    let max_redemptions = at_least_one(p, "max_redemptions")?;
    let now = now_secs();
    let redeem_by = get_int(p, "redeem_by", "redeem_by")?;
    match redeem_by {
        Some(t) if t <= now => {
            return Err(ApiError::invalid(
                "The `redeem_by` timestamp must be in the future.",
                Some("redeem_by"),
            ))
        }
        Some(t) if t > now + REDEEM_BY_MAX => {
            return Err(ApiError::invalid(
                "The `redeem_by` timestamp cannot be more than 5 years in the future.",
                Some("redeem_by"),
            ))
        }
        _ => {}
    }
    let name = coupon_name(p)?;
    let meta = metadata(p, "metadata")?;
    if let Some(at) = p.get("applies_to") {
        // The simulator has no Product objects, so any product named is missing.
        if let Some(prod) = form::list_of_str(at.get("products")).first() {
            return Err(ApiError::no_such(
                "product",
                prod,
                "applies_to[products][0]",
                400,
            ));
        }
    }
    if p.get("currency_options").is_some() {
        return Err(ApiError::invalid(
            "This simulator does not support `currency_options` on coupons.",
            Some("currency_options"),
        ));
    }
    let id = match get_str(p, "id").filter(|s| !s.is_empty()) {
        Some(id) if discount::find(st, id).is_some() => {
            return Err(ApiError::invalid("Coupon already exists.", Some("id"))
                .code("resource_already_exists"))
        }
        Some(id) => id.to_string(),
        None => loop {
            let id = new_id("", 8);
            if discount::find(st, &id).is_none() {
                break id;
            }
        },
    };
    let coupon = json!({
        "id": id,
        "object": "coupon",
        "amount_off": amount_off,
        "created": now,
        "currency": currency,
        "duration": duration,
        "duration_in_months": months,
        "livemode": false,
        "max_redemptions": max_redemptions,
        "metadata": meta,
        "name": name,
        "percent_off": percent_off,
        "redeem_by": redeem_by,
        "times_redeemed": 0,
        "valid": true,
    });
    st.coupons.push(coupon.clone());
    st.emit("coupon.created", coupon.clone(), None, info);
    expand(st, public, coupon, p)
}

/// Only `name` and `metadata` can change (and `currency_options`, which the simulator
/// lacks); Stripe refuses the rest as unknown parameters of this request.
pub(super) fn update_coupon(
    st: &mut State,
    public: &str,
    id: &str,
    p: &Value,
    info: &ReqInfo,
) -> R {
    let fixed = [
        "id",
        "amount_off",
        "currency",
        "percent_off",
        "duration",
        "duration_in_months",
        "max_redemptions",
        "redeem_by",
        "applies_to",
    ];
    if let Some(k) = fixed.iter().find(|k| p.get(**k).is_some()) {
        return Err(ApiError::invalid(
            format!("Received unknown parameter: {k}"),
            Some(k),
        ));
    }
    if p.get("name").is_some() {
        coupon_name(p)?;
    }
    if p.get("metadata").is_some() {
        metadata(p, "metadata")?;
    }
    let i = discount::position(st, id).ok_or_else(|| missing_coupon(id))?;
    let before = st.coupons[i].clone();
    let c = &mut st.coupons[i];
    if p.get("name").is_some() {
        c["name"] = json!(coupon_name(p)?);
    }
    merge_metadata(c, p);
    let after = discount::render(c);
    let mut previous = Map::new();
    for k in ["name", "metadata"] {
        if before[k] != after[k] {
            previous.insert(k.into(), before[k].clone());
        }
    }
    if !previous.is_empty() {
        let event_object = after.clone();
        st.emit(
            "coupon.updated",
            event_object,
            Some(Value::Object(previous)),
            info,
        );
    }
    expand(st, public, after, p)
}

pub(super) fn get_coupon(st: &State, public: &str, id: &str, p: &Value) -> R {
    let c = discount::find(st, id).ok_or_else(|| missing_coupon(id))?;
    expand(st, public, discount::render(c), p)
}

pub(super) fn list_coupons(st: &State, public: &str, p: &Value) -> R {
    let created = created_filter(p)?;
    let items: Vec<Value> = st
        .coupons
        .iter()
        .rev()
        .filter(|c| created(c["created"].as_i64().unwrap_or(0)))
        .map(discount::render)
        .collect();
    let list = paginate(items, p, "/v1/coupons", "coupon")?;
    expand(st, public, list, p)
}

/// Deleting a coupon stops new sessions from using it; the sessions already created
/// with it can't be paid with its discount any more (see `discount::still_available`).
pub(super) fn delete_coupon(st: &mut State, id: &str, info: &ReqInfo) -> R {
    let i = discount::position(st, id).ok_or_else(|| missing_coupon(id))?;
    let c = st.coupons.remove(i);
    st.emit("coupon.deleted", discount::render(&c), None, info);
    Ok(json!({ "id": id, "object": "coupon", "deleted": true }))
}

/// A new session's `discounts`: at most one entry, a coupon (promotion codes don't exist
/// here), valid, and in the session's currency if it takes off an amount.
pub(super) fn session_discount(
    st: &State,
    p: &Value,
    currency: &str,
    subtotal: i64,
) -> Result<Option<AppliedDiscount>, ApiError> {
    let entries = match p.get("discounts") {
        None => return Ok(None),
        Some(Value::String(s)) if s.is_empty() => return Ok(None),
        Some(Value::Array(a)) => a,
        Some(_) => return Err(ApiError::invalid("Invalid array", Some("discounts"))),
    };
    if p.get("allow_promotion_codes").is_some() {
        return Err(ApiError::invalid(
            "You may only specify one of these parameters: allow_promotion_codes, discounts.",
            Some("discounts"),
        ));
    }
    let Some(entry) = entries.first() else {
        return Ok(None);
    };
    if entries.len() > 1 {
        return Err(ApiError::invalid(
            "You may only specify one discount: Checkout Sessions support up to one coupon or promotion code.",
            Some("discounts"),
        ));
    }
    if !entry.is_object() {
        return Err(ApiError::invalid("Invalid object", Some("discounts[0]")));
    }
    let coupon = get_str(entry, "coupon").filter(|s| !s.is_empty());
    let code = get_str(entry, "promotion_code").filter(|s| !s.is_empty());
    let id = match (coupon, code) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "You may only specify one of these parameters: coupon, promotion_code.",
                Some("discounts[0]"),
            ))
        }
        (None, Some(pc)) => {
            return Err(ApiError::no_such(
                "promotion_code",
                pc,
                "discounts[0][promotion_code]",
                400,
            ))
        }
        (None, None) => return Err(ApiError::missing("discounts[0][coupon]")),
        (Some(id), None) => id,
    };
    let param = "discounts[0][coupon]";
    let c = discount::find(st, id).ok_or_else(|| ApiError::no_such("coupon", id, param, 400))?;
    if !discount::is_valid(c, now_secs()) {
        let why = if c["redeem_by"].as_i64().is_some_and(|t| t <= now_secs()) {
            "its redeem_by date has passed"
        } else {
            "it has been redeemed its max_redemptions times"
        };
        return Err(ApiError::invalid(
            format!("The coupon '{id}' is no longer valid: {why}."),
            Some(param),
        )
        .code("coupon_expired"));
    }
    if let Some(cc) = c["currency"].as_str().filter(|_| c["amount_off"].is_i64()) {
        if cc != currency {
            return Err(ApiError::invalid(
                format!("The coupon '{id}' takes off an amount in {cc}, but this Checkout Session is in {currency}."),
                Some(param),
            ));
        }
    }
    Ok(Some(AppliedDiscount {
        coupon: id.to_string(),
        amount: discount::amount_for(c, subtotal),
    }))
}
