//! What a buyer pays: the one place a price is decided, for the product page that shows it
//! and the checkout that charges it. Pay-what-you-want amounts and discount codes are
//! checked here, on the server; nothing a page sends is a price.

use crate::catalog::{self, Product};
use crate::discounts::{self, Discount};
use crate::domain::{Currency, DiscountCode, Money, Referral, Slug, MAX_AMOUNT_MINOR};
use crate::error::{Error, Result};
use rusqlite::Connection;
use serde::Serialize;

/// What a buyer asks for: from a Buy link, a product page's form or a cart.
#[derive(Debug, Clone, Default)]
pub struct CheckoutRequest {
    pub slugs: Vec<String>,
    /// A pay-what-you-want amount in the major unit ("7.50"); one product only.
    pub amount: Option<String>,
    pub code: Option<String>,
    pub referral: Referral,
    /// The consent wording's id the buyer ticked, when the shop asks for consent.
    pub consent: Option<String>,
}

impl CheckoutRequest {
    pub fn one(slug: &str) -> CheckoutRequest {
        CheckoutRequest {
            slugs: vec![slug.to_string()],
            ..Default::default()
        }
    }
}

#[derive(Debug, Clone)]
pub struct Quote {
    pub lines: Vec<QuoteLine>,
    pub currency: Currency,
    pub subtotal_minor: i64,
    pub discount: Option<AppliedDiscount>,
    pub total_minor: i64,
}

#[derive(Debug, Clone)]
pub struct QuoteLine {
    pub product: Product,
    pub amount_minor: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct AppliedDiscount {
    pub discount: Discount,
    pub amount_minor: i64,
}

impl Quote {
    pub fn money(&self, minor: i64) -> Money {
        Money::new(minor, self.currency)
    }

    /// Nothing to pay: the purchase is recorded without a checkout.
    pub fn is_free(&self) -> bool {
        self.total_minor == 0
    }
}

/// A product's pay-what-you-want ceiling: 100 times the suggested price (a guard against a
/// slipped key: 750 for 7.50), at least 1,000 in the major unit, never above Stripe's
/// largest charge.
pub fn amount_cap(p: &Product) -> i64 {
    let major = 10i64.pow(p.price().currency.exponent());
    (p.price_minor.saturating_mul(100))
        .max(1_000 * major)
        .min(MAX_AMOUNT_MINOR)
}

/// Prices a request against the catalog and the codes as they are at `at`. Uses still
/// left on a code are checked again, binding, when its checkout is created.
pub fn quote(conn: &Connection, req: &CheckoutRequest, at: i64) -> Result<Quote> {
    if req.slugs.is_empty() || req.slugs.len() > 20 {
        return Err(Error::invalid("cart", "a checkout holds 1 to 20 products"));
    }
    let mut products: Vec<Product> = Vec::new();
    for s in &req.slugs {
        let slug =
            Slug::parse(s).map_err(|_| Error::NotFound("that product doesn't exist".into()))?;
        if products.iter().any(|p| p.slug == slug.as_str()) {
            continue;
        }
        match catalog::product_by_slug(conn, slug.as_str())? {
            Some(p) if p.for_sale() => products.push(p),
            _ => return Err(Error::NotFound(format!("'{slug}' is not for sale"))),
        }
    }
    let currency = products[0].price().currency;
    if products.iter().any(|p| p.price().currency != currency) {
        return Err(Error::invalid(
            "cart",
            "products in one checkout must share a currency",
        ));
    }
    let mut lines: Vec<QuoteLine> = products
        .into_iter()
        .map(|p| QuoteLine {
            amount_minor: p.price_minor,
            product: p,
        })
        .collect();
    if let Some(amount) = req.amount.as_deref().filter(|a| !a.trim().is_empty()) {
        let [line] = lines.as_mut_slice() else {
            return Err(Error::invalid(
                "amount",
                "name a price for one product at a time",
            ));
        };
        line.amount_minor = offer(&line.product, amount)?;
    }
    let subtotal_minor = lines.iter().map(|l| l.amount_minor).sum();
    let code = req.code.as_deref().map(str::trim).filter(|c| !c.is_empty());
    let discount = match code {
        Some(code) => Some(apply(conn, code, &lines, currency, at)?),
        None => None,
    };
    let total_minor = subtotal_minor - discount.as_ref().map_or(0, |d| d.amount_minor);
    if total_minor > 0 && total_minor < currency.minimum_charge() {
        let field = if discount.is_some() { "code" } else { "amount" };
        return Err(Error::invalid(
            field,
            format!(
                "the total would be {}, below the smallest card payment ({})",
                Money::new(total_minor, currency).format(),
                Money::new(currency.minimum_charge(), currency).format()
            ),
        ));
    }
    Ok(Quote {
        lines,
        currency,
        subtotal_minor,
        discount,
        total_minor,
    })
}

/// A pay-what-you-want amount a buyer typed, checked against the product's rules.
fn offer(p: &Product, amount: &str) -> Result<i64> {
    let Some(min) = p.min_price_minor else {
        return Err(Error::invalid(
            "amount",
            format!("{} has a fixed price", p.name),
        ));
    };
    let currency = p.price().currency;
    let m = Money::parse_amount(amount, currency, "amount")?;
    if m.minor < min {
        return Err(Error::invalid(
            "amount",
            format!("the minimum is {}", Money::new(min, currency).format()),
        ));
    }
    let cap = amount_cap(p);
    if m.minor > cap {
        return Err(Error::invalid(
            "amount",
            format!(
                "the most you can pay here is {}",
                Money::new(cap, currency).format()
            ),
        ));
    }
    if m.minor > 0 && m.minor < currency.minimum_charge() {
        return Err(Error::invalid(
            "amount",
            format!(
                "the smallest card payment is {}; pay that or more{}",
                Money::new(currency.minimum_charge(), currency).format(),
                if min == 0 { ", or 0" } else { "" }
            ),
        ));
    }
    Ok(m.minor)
}

/// A code applied to the lines it is for. Pay-what-you-want products are never
/// discounted: their buyer names the price.
fn apply(
    conn: &Connection,
    code: &str,
    lines: &[QuoteLine],
    currency: Currency,
    at: i64,
) -> Result<AppliedDiscount> {
    let parsed = DiscountCode::parse(code)?;
    let unknown = || Error::invalid("code", format!("{parsed} isn't a valid code"));
    let d = discounts::by_code(conn, &parsed)?.ok_or_else(unknown)?;
    if let Some(why) = d.unusable(at) {
        return Err(Error::invalid("code", why));
    }
    let eligible: i64 = lines
        .iter()
        .filter(|l| l.product.min_price_minor.is_none() && d.applies_to(&l.product.slug))
        .map(|l| l.amount_minor)
        .sum();
    if eligible == 0 {
        return Err(Error::invalid(
            "code",
            format!("{} doesn't apply to this purchase", d.code),
        ));
    }
    if d.max_uses.is_some_and(|max| d.uses >= max) {
        return Err(used_up(&d));
    }
    let amount_minor = d.amount_off(Money::new(eligible, currency))?;
    Ok(AppliedDiscount {
        discount: d,
        amount_minor,
    })
}

pub fn used_up(d: &Discount) -> Error {
    Error::invalid("code", format!("{} has been used up", d.code))
}
