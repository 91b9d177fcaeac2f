//! Checkout Sessions: creating one for a quote, and reading a paid one back.

use super::{stripe_error, Payments, PRODUCTS_KEY};
use crate::consent::Agreed;
use crate::domain::{Referral, REFERRAL_PARAMS};
use crate::error::{Error, Result};
use crate::quote::Quote;
use crate::tax::CheckoutOptions;
use std::collections::HashMap;
use std::str::FromStr;
use stripe::{IdempotencyKey, RequestStrategy, StripeRequest};
use stripe_checkout::checkout_session::{
    CreateCheckoutSession, CreateCheckoutSessionAutomaticTax, CreateCheckoutSessionDiscounts,
    CreateCheckoutSessionInvoiceCreation, CreateCheckoutSessionLineItems,
    CreateCheckoutSessionLineItemsPriceData, CreateCheckoutSessionLineItemsPriceDataTaxBehavior,
    CreateCheckoutSessionTaxIdCollection, ListLineItemsCheckoutSession, ProductData,
    RetrieveCheckoutSession,
};
use stripe_shared::{
    CheckoutSessionBillingAddressCollection, CheckoutSessionMode, CheckoutSessionPaymentStatus,
    CheckoutSessionStatus,
};

/// Session metadata keys: the discount code's id and text, and the referral (each
/// `booth_` + its query parameter's name).
const DISCOUNT_KEY: &str = "booth_discount_id";
const CODE_KEY: &str = "booth_discount_code";
/// What the buyer agreed to before paying, and when (`consent::Agreed::encode`).
const CONSENT_KEY: &str = "booth_consent";

/// A Checkout Session as Booth needs it for fulfilment.
#[derive(Debug, Clone)]
pub struct PaidSession {
    pub id: String,
    pub paid: bool,
    /// Still open: it may yet be paid.
    pub open: bool,
    pub email: Option<String>,
    pub currency: Option<String>,
    pub payment_intent: Option<String>,
    pub livemode: bool,
    pub product_ids: Vec<i64>,
    /// amount_total of each line item, in the same order as product_ids.
    pub line_amounts: Vec<i64>,
    pub subtotal: i64,
    pub discount: i64,
    pub tax: i64,
    pub total: i64,
    pub country: Option<String>,
    pub tax_id: Option<String>,
    pub discount_id: Option<i64>,
    pub discount_code: Option<String>,
    pub referral: Referral,
    pub consent: Option<Agreed>,
    /// Stripe's hosted invoice page, when the session made one.
    pub invoice_url: Option<String>,
}

/// What a checkout carries besides its quote.
pub struct CheckoutExtras<'a> {
    pub public_url: &'a str,
    pub idempotency_key: &'a str,
    pub referral: &'a Referral,
    /// A session holding a code's use expires sooner, so an abandoned one frees it soon.
    pub expires_at: Option<i64>,
    pub options: &'a CheckoutOptions,
    pub consent: Option<Agreed>,
}

impl Payments {
    /// Creates a Checkout Session charging exactly `quote` and returns (session id, hosted
    /// page URL). A code's amount off, which Booth computed, goes to Stripe as a coupon made
    /// for this one session (it can be redeemed once), so Stripe's page shows the discount.
    pub async fn create_checkout(
        &self,
        quote: &Quote,
        x: CheckoutExtras<'_>,
    ) -> Result<(String, String)> {
        let currency = stripe_types::Currency::from_str(quote.currency.code()).expect("infallible");
        let line_items: Vec<_> = quote
            .lines
            .iter()
            .map(|l| {
                let mut price = CreateCheckoutSessionLineItemsPriceData::new(currency.clone());
                price.unit_amount = Some(l.amount_minor);
                let mut data = ProductData::new(l.product.name.clone());
                if let Some(tax) = &x.options.tax {
                    price.tax_behavior = Some(if tax.inclusive {
                        CreateCheckoutSessionLineItemsPriceDataTaxBehavior::Inclusive
                    } else {
                        CreateCheckoutSessionLineItemsPriceDataTaxBehavior::Exclusive
                    });
                    data.tax_code = Some(
                        l.product
                            .tax_code
                            .clone()
                            .unwrap_or_else(|| tax.default_code.clone()),
                    );
                }
                data.metadata = Some(HashMap::from([(
                    "booth_product_id".to_string(),
                    l.product.id.to_string(),
                )]));
                price.product_data = Some(data);
                let mut item = CreateCheckoutSessionLineItems::new();
                item.price_data = Some(price);
                item.quantity = Some(1);
                item
            })
            .collect();
        let join = |f: &dyn Fn(&crate::quote::QuoteLine) -> String| {
            quote.lines.iter().map(f).collect::<Vec<_>>().join(",")
        };
        let mut metadata = HashMap::from([(
            PRODUCTS_KEY.to_string(),
            join(&|l| l.product.id.to_string()),
        )]);
        for (k, v) in x.referral.pairs() {
            metadata.insert(format!("booth_{k}"), v.to_string());
        }
        let slugs = join(&|l| l.product.slug.clone());
        let mut req = CreateCheckoutSession::new()
            .mode(CheckoutSessionMode::Payment)
            .line_items(line_items)
            .success_url(format!(
                "{}/checkout/success?session_id={{CHECKOUT_SESSION_ID}}",
                x.public_url
            ))
            .cancel_url(format!("{}/checkout/cancel?products={slugs}", x.public_url));
        if let Some(d) = &quote.discount {
            let coupon = stripe_product::coupon::CreateCoupon::new()
                .amount_off(d.amount_minor)
                .currency(currency.clone())
                .duration(stripe_shared::CouponDuration::Once)
                .max_redemptions(1)
                // Stripe's limit for a coupon's name is 40 characters.
                .name(coupon_name(&d.discount.code, &d.discount.describe()))
                .metadata(HashMap::from([(
                    DISCOUNT_KEY.to_string(),
                    d.discount.id.to_string(),
                )]))
                .customize()
                .request_strategy(RequestStrategy::Idempotent(key(&format!(
                    "{}-coupon",
                    x.idempotency_key
                ))?))
                .send(&self.client)
                .await
                .map_err(stripe_error)?;
            req = req.discounts(vec![CreateCheckoutSessionDiscounts {
                coupon: Some(coupon.id.to_string()),
                promotion_code: None,
            }]);
            metadata.insert(DISCOUNT_KEY.into(), d.discount.id.to_string());
            metadata.insert(CODE_KEY.into(), d.discount.code.clone());
        }
        if let Some(t) = x.expires_at {
            req = req.expires_at(t);
        }
        if let Some(tax) = &x.options.tax {
            // Stripe Tax needs the buyer's address to know which tax applies.
            req = req
                .automatic_tax(CreateCheckoutSessionAutomaticTax::new(true))
                .billing_address_collection(CheckoutSessionBillingAddressCollection::Required);
            if tax.collect_tax_ids {
                req = req.tax_id_collection(CreateCheckoutSessionTaxIdCollection::new(true));
            }
        }
        if x.options.invoices {
            req = req.invoice_creation(CreateCheckoutSessionInvoiceCreation::new(true));
        }
        if let Some(c) = x.consent {
            metadata.insert(CONSENT_KEY.into(), c.encode());
        }
        let session = req
            .metadata(metadata)
            .customize()
            .request_strategy(RequestStrategy::Idempotent(key(x.idempotency_key)?))
            .send(&self.client)
            .await
            .map_err(stripe_error)?;
        let url = session
            .url
            .ok_or_else(|| Error::Payment("Stripe returned a session without a URL".into()))?;
        Ok((session.id.to_string(), url))
    }

    /// Retrieves a session with its line items (Stripe's fulfilment recipe).
    pub async fn retrieve_session(&self, session_id: &str) -> Result<PaidSession> {
        let session = RetrieveCheckoutSession::new(session_id)
            .expand(vec!["line_items".to_string(), "invoice".to_string()])
            .send(&self.client)
            .await
            .map_err(|e| match e {
                stripe::StripeError::Stripe(_, 404) => {
                    Error::NotFound(format!("no Checkout Session {session_id}"))
                }
                e => stripe_error(e),
            })?;
        let mut amounts: Vec<i64> = Vec::new();
        let mut has_more = false;
        if let Some(list) = &session.line_items {
            amounts.extend(list.data.iter().map(|li| li.amount_total));
            has_more = list.has_more;
        }
        if has_more || session.line_items.is_none() {
            // More than the embedded page: list them all.
            amounts.clear();
            let mut after: Option<String> = None;
            loop {
                let mut req = ListLineItemsCheckoutSession::new(session_id).limit(100);
                if let Some(a) = &after {
                    req = req.starting_after(a.clone());
                }
                let page = req.send(&self.client).await.map_err(stripe_error)?;
                amounts.extend(page.data.iter().map(|li| li.amount_total));
                after = page.data.last().map(|li| li.id.to_string());
                if !page.has_more || after.is_none() {
                    break;
                }
            }
        }
        let meta = |k: &str| session.metadata.as_ref().and_then(|m| m.get(k)).cloned();
        let product_ids = meta(PRODUCTS_KEY)
            .map(|s| {
                s.split(',')
                    .filter_map(|id| id.parse().ok())
                    .collect::<Vec<i64>>()
            })
            .unwrap_or_default();
        let referral_meta: Vec<(String, String)> = REFERRAL_PARAMS
            .iter()
            .filter_map(|k| meta(&format!("booth_{k}")).map(|v| (k.to_string(), v)))
            .collect();
        let referral =
            Referral::from_pairs(referral_meta.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let details = session.customer_details.as_ref();
        let totals = session.total_details.as_ref();
        let total = session.amount_total.unwrap_or_else(|| amounts.iter().sum());
        let paid = !matches!(session.payment_status, CheckoutSessionPaymentStatus::Unpaid);
        Ok(PaidSession {
            id: session.id.to_string(),
            paid,
            open: matches!(session.status, Some(CheckoutSessionStatus::Open)),
            email: details
                .and_then(|d| d.email.clone())
                .or_else(|| session.customer_email.clone()),
            currency: session.currency.map(|c| c.to_string()),
            payment_intent: session
                .payment_intent
                .as_ref()
                .map(|pi| pi.id().to_string()),
            livemode: session.livemode,
            product_ids,
            line_amounts: amounts,
            subtotal: session.amount_subtotal.unwrap_or(total),
            discount: totals.map_or(0, |t| t.amount_discount),
            tax: totals.map_or(0, |t| t.amount_tax),
            total,
            country: details
                .and_then(|d| d.address.as_ref())
                .and_then(|a| a.country.clone()),
            tax_id: details
                .and_then(|d| d.tax_ids.as_ref())
                .and_then(|ids| ids.first())
                .and_then(|t| t.value.clone()),
            discount_id: meta(DISCOUNT_KEY).and_then(|s| s.parse().ok()),
            discount_code: meta(CODE_KEY),
            referral,
            consent: meta(CONSENT_KEY).as_deref().and_then(Agreed::decode),
            invoice_url: session
                .invoice
                .as_ref()
                .and_then(|i| i.as_object())
                .and_then(|i| i.hosted_invoice_url.clone()),
        })
    }
}

fn key(k: &str) -> Result<IdempotencyKey> {
    IdempotencyKey::new(k).map_err(|e| Error::Internal(format!("idempotency key: {e}")))
}

/// "LAUNCH (20% off)", or the code alone when that is over Stripe's 40 characters.
fn coupon_name(code: &str, describe: &str) -> String {
    let full = format!("{code} ({describe})");
    if full.chars().count() <= 40 {
        full
    } else {
        code.to_string()
    }
}
