//! Drives the simulator with the unmodified async-stripe client: every object
//! the simulator returns must deserialize into async-stripe's own types, and
//! every webhook must verify with `stripe_webhook::Webhook::construct_event`.

mod checkout;
mod coupons;
mod discounts;
mod errors;
mod invoices;
mod refunds;
mod state;
mod tax;
mod tax_errors;
mod tax_places;
mod webhooks;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::http;
use booth_stripe_sim::{SimConfig, Simulator};
use serde_json::Value;
use stripe::{Client, ClientBuilder, StripeError};
use stripe_checkout::checkout_session::{
    CreateCheckoutSession, CreateCheckoutSessionLineItems, CreateCheckoutSessionLineItemsPriceData,
    ProductData,
};
use stripe_shared::{CheckoutSession, CheckoutSessionMode};
use stripe_webhook::Webhook;
use tokio::sync::mpsc;

pub(crate) const SUCCESS: &str = "http://shop.test/success?session_id={CHECKOUT_SESSION_ID}";
pub(crate) const CANCEL: &str = "http://shop.test/cancel";

pub(crate) async fn start_with(cfg: SimConfig) -> (Simulator, Client) {
    let sim = Simulator::start(SimConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..cfg
    })
    .await
    .unwrap();
    let client = ClientBuilder::new(sim.secret_key())
        .url(sim.base_url())
        .build()
        .unwrap();
    (sim, client)
}

pub(crate) async fn start() -> (Simulator, Client) {
    start_with(SimConfig {
        webhook_retry_base: Duration::from_millis(50),
        ..SimConfig::default()
    })
    .await
}

pub(crate) fn line(name: &str, unit: i64, qty: u64) -> CreateCheckoutSessionLineItems {
    let mut pd = CreateCheckoutSessionLineItemsPriceData::new(stripe_types::Currency::USD);
    pd.unit_amount = Some(unit);
    pd.product_data = Some(ProductData::new(name));
    let mut li = CreateCheckoutSessionLineItems::new();
    li.price_data = Some(pd);
    li.quantity = Some(qty);
    li
}

pub(crate) fn new_session() -> CreateCheckoutSession {
    CreateCheckoutSession::new()
        .mode(CheckoutSessionMode::Payment)
        .success_url(SUCCESS)
        .cancel_url(CANCEL)
        .customer_email("buyer@example.com")
        .client_reference_id("order-42")
        .metadata(HashMap::from([("order_id".to_string(), "o-1".to_string())]))
        .line_items(vec![
            line("Zine: Issue 1", 1200, 1),
            line("Sticker pack", 350, 2),
        ])
}

pub(crate) async fn create(client: &Client) -> CheckoutSession {
    new_session().send(client).await.unwrap()
}

pub(crate) async fn pay(session: &CheckoutSession, card: &str) -> reqwest::Response {
    let url = session.url.clone().expect("open session has a url");
    let form = [
        ("email", "buyer@example.com"),
        ("card_number", card),
        ("card_expiry", "12 / 39"),
        ("card_cvc", "123"),
        ("name", "Ada Buyer"),
    ];
    http().post(url).form(&form).send().await.unwrap()
}

pub(crate) fn success_for(id: &str) -> String {
    SUCCESS.replace("{CHECKOUT_SESSION_ID}", id)
}

pub(crate) struct Hook {
    pub(crate) url: String,
    pub(crate) rx: mpsc::UnboundedReceiver<(String, String)>,
}

/// A webhook receiver answering `fail_first` times with `fail_status`, then 200.
pub(crate) async fn receiver(fail_first: u32, fail_status: u16) -> Hook {
    use warp::Filter;
    let (tx, rx) = mpsc::unbounded_channel();
    let left = Arc::new(AtomicU32::new(fail_first));
    let route = warp::post()
        .and(warp::header::<String>("stripe-signature"))
        .and(warp::body::bytes())
        .map(move |sig: String, body: bytes::Bytes| {
            let _ = tx.send((sig, String::from_utf8_lossy(&body).into_owned()));
            let failing = left
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok();
            let status = if failing { fail_status } else { 200 };
            warp::http::Response::builder()
                .status(status)
                .header("location", "http://elsewhere.test/")
                .body(String::from("ok"))
                .unwrap()
        });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(warp::serve(route).incoming(listener).run());
    Hook { url, rx }
}

impl Hook {
    pub(crate) async fn next(&mut self) -> (String, String) {
        tokio::time::timeout(Duration::from_secs(10), self.rx.recv())
            .await
            .expect("webhook within 10s")
            .unwrap()
    }
    /// Receives `n` deliveries, each verified and parsed by async-stripe.
    pub(crate) async fn verified(
        &mut self,
        n: usize,
        secret: &str,
    ) -> Vec<(String, stripe_webhook::Event)> {
        let mut out = Vec::new();
        for _ in 0..n {
            let (sig, body) = self.next().await;
            let ev = Webhook::construct_event(&body, &sig, secret)
                .unwrap_or_else(|e| panic!("webhook did not verify/parse: {e:?}\n{body}"));
            out.push((sig, ev));
        }
        out
    }
}

pub(crate) async fn register(sim: &Simulator, url: &str, events: &[&str]) -> Value {
    let mut form: Vec<(String, String)> = vec![
        ("url".into(), url.into()),
        ("description".into(), "test".into()),
    ];
    for (i, e) in events.iter().enumerate() {
        form.push((format!("enabled_events[{i}]"), e.to_string()));
    }
    let r = http()
        .post(format!("{}v1/webhook_endpoints", sim.base_url()))
        .bearer_auth(sim.secret_key())
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert!(v["secret"].as_str().unwrap().starts_with("whsec_"));
    v
}

pub(crate) fn stripe_err(e: StripeError) -> (Box<stripe::ApiErrors>, u16) {
    match e {
        StripeError::Stripe(err, status) => (err, status),
        other => panic!("expected a Stripe API error, got {other:?}"),
    }
}
