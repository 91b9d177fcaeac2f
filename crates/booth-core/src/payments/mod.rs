//! Stripe, through the unmodified async-stripe client. The same code talks to
//! api.stripe.com or, in simulated mode, to Booth's own simulator: only the base URL and
//! the keys differ.

mod checkout;
mod endpoint;

pub use checkout::{CheckoutExtras, PaidSession};
pub use endpoint::WebhookWiring;

use crate::error::{Error, Result};
use crate::secrets::Secret;
use serde::Deserialize;

/// Session metadata key listing the product ids, in line-item order.
const PRODUCTS_KEY: &str = "booth_product_ids";

/// The events Booth acts on; the webhook endpoint subscribes to exactly these.
pub const HANDLED_EVENTS: &[&str] = &[
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "charge.refunded",
    "charge.dispute.created",
];

#[derive(Debug, Clone)]
pub struct StripeConfig {
    pub secret_key: Secret,
    /// Anything Stripe-compatible; None is api.stripe.com.
    pub api_base: Option<String>,
    pub webhook_secret: Option<Secret>,
}

pub struct Payments {
    client: stripe::Client,
    test_mode: bool,
    simulated: bool,
    webhook_secret: std::sync::RwLock<Option<Secret>>,
    /// The seller gave the webhook secret (their own endpoint): Booth leaves endpoints alone.
    manual_webhook: bool,
    /// The endpoint Booth manages, once known.
    endpoint_id: std::sync::RwLock<Option<String>>,
}

/// What a Stripe event means to Booth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentEvent {
    SessionCompleted {
        session_id: String,
    },
    ChargeRefunded {
        payment_intent: String,
        amount: i64,
        amount_refunded: i64,
    },
    DisputeCreated {
        payment_intent: String,
    },
    Ignored,
}

impl Payments {
    pub fn new(config: &StripeConfig, simulated: bool) -> Result<Payments> {
        let key = config.secret_key.expose().trim();
        if !(key.starts_with("sk_test_") || key.starts_with("sk_live_") || key.starts_with("rk_")) {
            return Err(Error::invalid(
                "stripe_secret_key",
                "a Stripe secret key starts with sk_test_ or sk_live_",
            ));
        }
        let mut builder = stripe::ClientBuilder::new(key);
        if let Some(base) = &config.api_base {
            builder = builder.url(base.as_str());
        }
        let client = builder
            .build()
            .map_err(|e| Error::Payment(format!("can't build the Stripe client: {e}")))?;
        Ok(Payments {
            client,
            test_mode: !key.starts_with("sk_live_"),
            simulated,
            webhook_secret: std::sync::RwLock::new(config.webhook_secret.clone()),
            manual_webhook: config.webhook_secret.is_some(),
            endpoint_id: std::sync::RwLock::new(None),
        })
    }

    pub fn test_mode(&self) -> bool {
        self.test_mode
    }

    pub fn simulated(&self) -> bool {
        self.simulated
    }

    pub fn webhook_secret(&self) -> Option<Secret> {
        self.webhook_secret.read().expect("lock").clone()
    }

    pub fn set_webhook_secret(&self, secret: Secret) {
        *self.webhook_secret.write().expect("lock") = Some(secret);
    }

    /// Was the webhook secret given by the seller (an endpoint they manage themselves)?
    pub fn manual_webhook(&self) -> bool {
        self.manual_webhook
    }

    pub fn endpoint_id(&self) -> Option<String> {
        self.endpoint_id.read().expect("lock").clone()
    }

    pub fn set_endpoint_id(&self, id: &str) {
        *self.endpoint_id.write().expect("lock") = Some(id.to_string());
    }

    /// Verifies a webhook's Stripe-Signature (300 s tolerance) and returns the event's id,
    /// type, creation time and meaning.
    pub fn verify_webhook(
        &self,
        payload: &str,
        signature: &str,
    ) -> Result<(String, String, i64, PaymentEvent)> {
        let secret = self
            .webhook_secret()
            .ok_or_else(|| Error::Internal("no webhook secret is configured".into()))?;
        match stripe_webhook::Webhook::construct_event(payload, signature, secret.expose()) {
            Ok(_) | Err(stripe_webhook::WebhookError::BadParse(_)) => {}
            Err(e) => {
                return Err(Error::invalid(
                    "signature",
                    format!("webhook rejected: {e}"),
                ))
            }
        }
        // The signature is good. Read what Booth needs from the JSON itself, so an event
        // type async-stripe can't model still gets recorded rather than lost.
        let raw: RawEvent = serde_json::from_str(payload)
            .map_err(|e| Error::invalid("payload", format!("not a Stripe event: {e}")))?;
        let meaning = interpret(&raw.type_, &raw.data.object);
        Ok((raw.id, raw.type_, raw.created, meaning))
    }

    /// Events of the kinds Booth handles created at or after `since`, oldest first.
    pub async fn events_since(
        &self,
        since: i64,
    ) -> Result<Vec<(String, String, i64, PaymentEvent)>> {
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let mut req = stripe_core::event::ListEvent::new()
                .types(
                    HANDLED_EVENTS
                        .iter()
                        .map(|s| s.to_string())
                        .collect::<Vec<_>>(),
                )
                .created(stripe_types::RangeQueryTs::gte(since))
                .limit(100);
            if let Some(a) = &after {
                req = req.starting_after(a.clone());
            }
            let page = req.send(&self.client).await.map_err(stripe_error)?;
            for ev in &page.data {
                let object: serde_json::Value =
                    serde_json::from_str(&miniserde::json::to_string(&ev.data.object))
                        .map_err(|e| Error::Payment(format!("unreadable event {}: {e}", ev.id)))?;
                let type_ = ev.type_.to_string();
                let meaning = interpret(&type_, &object);
                out.push((ev.id.to_string(), type_, ev.created, meaning));
            }
            after = page.data.last().map(|e| e.id.to_string());
            if !page.has_more || after.is_none() {
                break;
            }
        }
        out.reverse();
        Ok(out)
    }

    /// Refunds a payment, fully or in part. Stripe then sends charge.refunded.
    pub async fn refund(&self, payment_intent: &str, amount: Option<i64>) -> Result<()> {
        let mut req = stripe_core::refund::CreateRefund::new().payment_intent(payment_intent);
        if let Some(a) = amount {
            req = req.amount(a);
        }
        req.send(&self.client).await.map_err(stripe_error)?;
        Ok(())
    }

    /// Proves the key works with one cheap authenticated call (list one event).
    pub async fn check(&self) -> Result<()> {
        stripe_core::event::ListEvent::new()
            .limit(1)
            .send(&self.client)
            .await
            .map_err(stripe_error)?;
        Ok(())
    }
}

#[derive(Deserialize)]
struct RawEvent {
    id: String,
    #[serde(rename = "type")]
    type_: String,
    created: i64,
    data: RawData,
}

#[derive(Deserialize)]
struct RawData {
    object: serde_json::Value,
}

/// Reads the parts of an event's object that Booth acts on.
pub fn interpret(type_: &str, object: &serde_json::Value) -> PaymentEvent {
    let str_of = |v: &serde_json::Value| -> Option<String> {
        // Expandable fields are an id string or an object with an id.
        v.as_str()
            .map(String::from)
            .or_else(|| v.get("id").and_then(|i| i.as_str()).map(String::from))
    };
    match type_ {
        "checkout.session.completed" | "checkout.session.async_payment_succeeded" => {
            match object.get("id").and_then(|v| v.as_str()) {
                Some(id) => PaymentEvent::SessionCompleted {
                    session_id: id.to_string(),
                },
                None => PaymentEvent::Ignored,
            }
        }
        "charge.refunded" => {
            let pi = object.get("payment_intent").and_then(str_of);
            let amount = object.get("amount").and_then(|v| v.as_i64());
            let refunded = object.get("amount_refunded").and_then(|v| v.as_i64());
            match (pi, amount, refunded) {
                (Some(payment_intent), Some(amount), Some(amount_refunded)) => {
                    PaymentEvent::ChargeRefunded {
                        payment_intent,
                        amount,
                        amount_refunded,
                    }
                }
                _ => PaymentEvent::Ignored,
            }
        }
        "charge.dispute.created" => match object.get("payment_intent").and_then(str_of) {
            Some(payment_intent) => PaymentEvent::DisputeCreated { payment_intent },
            None => PaymentEvent::Ignored,
        },
        _ => PaymentEvent::Ignored,
    }
}

fn stripe_error(e: stripe::StripeError) -> Error {
    Error::Payment(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn interprets_events() {
        assert_eq!(
            interpret("checkout.session.completed", &json!({"id": "cs_1"})),
            PaymentEvent::SessionCompleted {
                session_id: "cs_1".into()
            }
        );
        assert_eq!(
            interpret(
                "charge.refunded",
                &json!({"payment_intent": {"id": "pi_1"}, "amount": 999, "amount_refunded": 500})
            ),
            PaymentEvent::ChargeRefunded {
                payment_intent: "pi_1".into(),
                amount: 999,
                amount_refunded: 500
            }
        );
        assert_eq!(
            interpret("charge.refunded", &json!({"amount": 1})),
            PaymentEvent::Ignored
        );
        assert_eq!(
            interpret("customer.created", &json!({"id": "cus_1"})),
            PaymentEvent::Ignored
        );
    }

    #[test]
    fn rejects_bad_keys() {
        let cfg = |k: &str| StripeConfig {
            secret_key: Secret::new(k),
            api_base: None,
            webhook_secret: None,
        };
        assert!(Payments::new(&cfg("pk_test_123"), false).is_err());
        assert!(Payments::new(&cfg(""), false).is_err());
        assert!(Payments::new(&cfg("sk_test_123"), false)
            .unwrap()
            .test_mode());
        assert!(!Payments::new(&cfg("sk_live_123"), false)
            .unwrap()
            .test_mode());
    }
}
