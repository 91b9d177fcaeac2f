//! Drives the simulator with the unmodified async-stripe client: every object
//! the simulator returns must deserialize into async-stripe's own types, and
//! every webhook must verify with `stripe_webhook::Webhook::construct_event`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use booth_stripe_sim::{SimConfig, Simulator};
use serde_json::Value;
use stripe::{
    ApiErrorsCode, ApiErrorsType, Client, ClientBuilder, IdempotencyKey, RequestStrategy,
    StripeError, StripeRequest,
};
use stripe_checkout::checkout_session::{
    CreateCheckoutSession, CreateCheckoutSessionLineItems, CreateCheckoutSessionLineItemsPriceData,
    ExpireCheckoutSession, ListLineItemsCheckoutSession, ProductData, RetrieveCheckoutSession,
};
use stripe_core::charge::RetrieveCharge;
use stripe_core::event::{ListEvent, RetrieveEvent};
use stripe_core::payment_intent::RetrievePaymentIntent;
use stripe_core::refund::{CreateRefund, RetrieveRefund};
use stripe_shared::{
    CheckoutSession, CheckoutSessionMode, CheckoutSessionPaymentStatus, CheckoutSessionStatus,
};
use stripe_webhook::{EventObject, Webhook};
use tokio::sync::mpsc;

const SUCCESS: &str = "http://shop.test/success?session_id={CHECKOUT_SESSION_ID}";
const CANCEL: &str = "http://shop.test/cancel";

async fn start_with(cfg: SimConfig) -> (Simulator, Client) {
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

async fn start() -> (Simulator, Client) {
    start_with(SimConfig {
        webhook_retry_base: Duration::from_millis(50),
        ..SimConfig::default()
    })
    .await
}

/// reqwest 0.13 gates `.form()` behind a feature; encode with serde_urlencoded instead.
trait FormExt {
    fn form_pairs<K: serde::Serialize, V: serde::Serialize>(self, pairs: &[(K, V)]) -> Self;
}

impl FormExt for reqwest::RequestBuilder {
    fn form_pairs<K: serde::Serialize, V: serde::Serialize>(self, pairs: &[(K, V)]) -> Self {
        self.header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(pairs).unwrap())
    }
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn line(name: &str, unit: i64, qty: u64) -> CreateCheckoutSessionLineItems {
    let mut pd = CreateCheckoutSessionLineItemsPriceData::new(stripe_types::Currency::USD);
    pd.unit_amount = Some(unit);
    pd.product_data = Some(ProductData::new(name));
    let mut li = CreateCheckoutSessionLineItems::new();
    li.price_data = Some(pd);
    li.quantity = Some(qty);
    li
}

fn new_session() -> CreateCheckoutSession {
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

async fn create(client: &Client) -> CheckoutSession {
    new_session().send(client).await.unwrap()
}

async fn pay(session: &CheckoutSession, card: &str) -> reqwest::Response {
    let url = session.url.clone().expect("open session has a url");
    let form = [
        ("email", "buyer@example.com"),
        ("card_number", card),
        ("card_expiry", "12 / 39"),
        ("card_cvc", "123"),
        ("name", "Ada Buyer"),
    ];
    http().post(url).form_pairs(&form).send().await.unwrap()
}

fn success_for(id: &str) -> String {
    SUCCESS.replace("{CHECKOUT_SESSION_ID}", id)
}

struct Hook {
    url: String,
    rx: mpsc::UnboundedReceiver<(String, String)>,
}

/// A webhook receiver answering `fail_first` times with `fail_status`, then 200.
async fn receiver(fail_first: u32, fail_status: u16) -> Hook {
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
    async fn next(&mut self) -> (String, String) {
        tokio::time::timeout(Duration::from_secs(10), self.rx.recv())
            .await
            .expect("webhook within 10s")
            .unwrap()
    }
    /// Receives `n` deliveries, each verified and parsed by async-stripe.
    async fn verified(&mut self, n: usize, secret: &str) -> Vec<(String, stripe_webhook::Event)> {
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

async fn register(sim: &Simulator, url: &str, events: &[&str]) -> Value {
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
        .form_pairs(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert!(v["secret"].as_str().unwrap().starts_with("whsec_"));
    v
}

fn stripe_err(e: StripeError) -> (Box<stripe::ApiErrors>, u16) {
    match e {
        StripeError::Stripe(err, status) => (err, status),
        other => panic!("expected a Stripe API error, got {other:?}"),
    }
}

#[tokio::test]
async fn checkout_pay_and_webhooks_roundtrip() {
    let (sim, client) = start().await;
    let ep = register(&sim, "http://placeholder.invalid/", &["*"]).await;
    let mut hook = receiver(0, 200).await;
    // Point the endpoint at the real receiver via the update API.
    let r = http()
        .post(format!(
            "{}v1/webhook_endpoints/{}",
            sim.base_url(),
            ep["id"].as_str().unwrap()
        ))
        .bearer_auth(sim.secret_key())
        .form_pairs(&[("url", hook.url.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let secret = ep["secret"].as_str().unwrap().to_string();

    let s = create(&client).await;
    assert!(s.id.as_str().starts_with("cs_test_") && s.id.as_str().len() > 50);
    assert_eq!(s.status, Some(CheckoutSessionStatus::Open));
    assert_eq!(s.payment_status, CheckoutSessionPaymentStatus::Unpaid);
    assert_eq!(s.amount_total, Some(1900));
    assert_eq!(s.customer_email.as_deref(), Some("buyer@example.com"));
    assert_eq!(s.metadata.as_ref().unwrap()["order_id"], "o-1");
    assert!(s.line_items.is_none());
    assert!(s.payment_intent.is_none() && s.customer_details.is_none());
    assert!(s
        .url
        .as_deref()
        .unwrap()
        .starts_with(sim.base_url().trim_end_matches('/')));

    let got = RetrieveCheckoutSession::new(s.id.clone())
        .expand(vec!["line_items".to_string()])
        .send(&client)
        .await
        .unwrap();
    let items = got.line_items.expect("expanded line_items");
    assert_eq!(items.data.len(), 2);
    assert_eq!(items.data[1].amount_total, 700);
    assert_eq!(items.data[1].price.as_ref().unwrap().unit_amount, Some(350));
    let listed = ListLineItemsCheckoutSession::new(s.id.clone())
        .send(&client)
        .await
        .unwrap();
    assert_eq!(
        listed
            .data
            .iter()
            .map(|i| i.description.clone().unwrap())
            .collect::<Vec<_>>(),
        ["Zine: Issue 1", "Sticker pack"]
    );
    let page1 = ListLineItemsCheckoutSession::new(s.id.clone())
        .limit(1)
        .send(&client)
        .await
        .unwrap();
    assert!(page1.has_more && page1.data.len() == 1);

    let page = http().get(s.url.clone().unwrap()).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for needle in [
        "Zine: Issue 1",
        "$19.00",
        "name=card_number",
        "name=card_expiry",
        "name=card_cvc",
        "value=\"buyer@example.com\"",
        "Test mode",
        CANCEL,
    ] {
        assert!(html.contains(needle), "page lacks {needle}");
    }

    let r = pay(&s, "4242 4242 4242 4242").await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], success_for(s.id.as_str()).as_str());

    let done = RetrieveCheckoutSession::new(s.id.clone())
        .send(&client)
        .await
        .unwrap();
    assert_eq!(done.status, Some(CheckoutSessionStatus::Complete));
    assert_eq!(done.payment_status, CheckoutSessionPaymentStatus::Paid);
    assert!(done.url.is_none());
    assert_eq!(
        done.customer_details.as_ref().unwrap().email.as_deref(),
        Some("buyer@example.com")
    );
    let pi_id = done.payment_intent.unwrap().id().clone();
    let pi = RetrievePaymentIntent::new(pi_id.clone())
        .send(&client)
        .await
        .unwrap();
    assert_eq!((pi.amount, pi.amount_received), (1900, 1900));
    assert_eq!(pi.status, stripe_shared::PaymentIntentStatus::Succeeded);
    let charge = RetrieveCharge::new(pi.latest_charge.unwrap().id().clone())
        .send(&client)
        .await
        .unwrap();
    assert!(charge.paid && !charge.refunded && charge.amount_refunded == 0);
    assert_eq!(
        charge.billing_details.email.as_deref(),
        Some("buyer@example.com")
    );
    assert_eq!(
        charge
            .payment_method_details
            .unwrap()
            .card
            .unwrap()
            .last4
            .as_deref(),
        Some("4242")
    );

    let evs = hook.verified(3, &secret).await;
    let kinds: Vec<&str> = evs.iter().map(|(_, e)| e.type_.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "charge.succeeded",
            "payment_intent.succeeded",
            "checkout.session.completed"
        ]
    );
    match &evs[2].1.data.object {
        EventObject::CheckoutSessionCompleted(cs) => {
            assert_eq!(cs.id, s.id);
            assert_eq!(cs.payment_status, CheckoutSessionPaymentStatus::Paid);
            assert!(cs.line_items.is_none());
        }
        other => panic!("unexpected object {other:?}"),
    }

    // The page now says it's paid and the session cannot be paid twice.
    let html = http()
        .get(s.url.clone().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Payment complete"));
    assert_eq!(pay(&s, "4242424242424242").await.status(), 409);

    // Events API: newest first, type filter, retrieve, delivery bookkeeping.
    let completed_id = evs[2].1.id.clone();
    let mut ok = false;
    for _ in 0..50 {
        let list = ListEvent::new()
            .type_("checkout.session.completed")
            .delivery_success(true)
            .send(&client)
            .await
            .unwrap();
        if list.data.len() == 1 && list.data[0].pending_webhooks == 0 {
            assert_eq!(list.data[0].id, completed_id);
            ok = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        ok,
        "delivered event should be listed with delivery_success=true"
    );
    let all = ListEvent::new().send(&client).await.unwrap();
    assert_eq!(all.data.len(), 3);
    assert_eq!(all.data[0].id, completed_id);
    let paged = ListEvent::new()
        .limit(2)
        .starting_after(all.data[0].id.as_str())
        .send(&client)
        .await
        .unwrap();
    assert_eq!(paged.data.len(), 2);
    assert_eq!(paged.data[0].id, all.data[1].id);
    assert!(!paged.has_more);
    let wild = ListEvent::new()
        .type_("charge.*")
        .send(&client)
        .await
        .unwrap();
    assert_eq!(wild.data.len(), 1);
    let multi = ListEvent::new()
        .types(vec![
            "charge.succeeded".to_string(),
            "payment_intent.succeeded".to_string(),
        ])
        .send(&client)
        .await
        .unwrap();
    assert_eq!(multi.data.len(), 2);
    let future = ListEvent::new()
        .created(stripe_types::RangeQueryTs::gt(all.data[0].created + 60))
        .send(&client)
        .await
        .unwrap();
    assert!(future.data.is_empty());
    let one = RetrieveEvent::new(completed_id.clone())
        .send(&client)
        .await
        .unwrap();
    assert_eq!(one.type_.as_str(), "checkout.session.completed");
    assert_eq!(
        one.api_version.as_deref(),
        Some(booth_stripe_sim::API_VERSION)
    );

    // The index page, open to anyone, counts what happened and names no one.
    let idx = http()
        .get(sim.base_url())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(idx.contains("1 complete"), "{idx}");
    assert!(!idx.contains(s.id.as_str()) && !idx.contains("buyer@example.com"));
    sim.shutdown().await;
}

#[tokio::test]
async fn declines_and_validation_keep_the_session_open() {
    let (sim, client) = start().await;
    let s = create(&client).await;
    for (card, msg) in [
        ("4000000000000002", "Your card was declined."),
        ("4000 0000 0000 9995", "Your card has insufficient funds."),
        ("4000000000000069", "Your card has expired."),
        (
            "4000000000000127",
            "Your card&#39;s security code is incorrect.",
        ),
    ] {
        let r = pay(&s, card).await;
        assert_eq!(r.status(), 402, "{card}");
        let html = r.text().await.unwrap();
        assert!(html.contains(msg), "{card}: {msg} missing");
        assert!(html.contains("name=card_number"), "form is re-rendered");
    }
    let url = s.url.clone().unwrap();
    let bad = [
        (
            [
                ("email", "nope"),
                ("card_number", "4242424242424242"),
                ("card_expiry", "12/39"),
                ("card_cvc", "123"),
            ],
            "Your email address is invalid.",
        ),
        (
            [
                ("email", "a@b.co"),
                ("card_number", "4242424242424241"),
                ("card_expiry", "12/39"),
                ("card_cvc", "123"),
            ],
            "Your card number is invalid.",
        ),
        (
            [
                ("email", "a@b.co"),
                ("card_number", "4242424242424242"),
                ("card_expiry", "01/20"),
                ("card_cvc", "123"),
            ],
            "expiration date is in the past.",
        ),
        (
            [
                ("email", "a@b.co"),
                ("card_number", "4242424242424242"),
                ("card_expiry", "12/39"),
                ("card_cvc", "1"),
            ],
            "security code is incomplete.",
        ),
    ];
    for (form, msg) in bad {
        let r = http().post(&url).form_pairs(&form).send().await.unwrap();
        assert_eq!(r.status(), 400);
        assert!(r.text().await.unwrap().contains(msg), "{msg}");
    }
    let still = RetrieveCheckoutSession::new(s.id.clone())
        .send(&client)
        .await
        .unwrap();
    assert_eq!(still.status, Some(CheckoutSessionStatus::Open));
    assert!(
        ListEvent::new()
            .send(&client)
            .await
            .unwrap()
            .data
            .is_empty(),
        "no events for declines"
    );
    // A good card afterwards still works.
    assert_eq!(pay(&s, "4242424242424242").await.status(), 303);

    // User-provided strings are escaped in the page.
    let evil = CreateCheckoutSession::new()
        .mode(CheckoutSessionMode::Payment)
        .success_url(SUCCESS)
        .line_items(vec![line("<script>alert(1)</script>", 100, 1)])
        .send(&client)
        .await
        .unwrap();
    let html = http()
        .get(evil.url.unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !html.contains("<script>alert")
    );
    assert!(!html.contains("← Back"), "no back link without cancel_url");
    let missing = http()
        .get(format!("{}c/pay/cs_test_nope", sim.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    sim.shutdown().await;
}

#[tokio::test]
async fn api_errors_match_stripe() {
    let (sim, client) = start().await;
    for key in ["sk_live_abcdefghijklmnop", "nope", "sk_test_"] {
        let bad = ClientBuilder::new(key).url(sim.base_url()).build().unwrap();
        let (err, status) = stripe_err(
            RetrieveCheckoutSession::new("cs_test_x")
                .send(&bad)
                .await
                .unwrap_err(),
        );
        assert_eq!(status, 401, "{key}");
        assert_eq!(err.type_, ApiErrorsType::InvalidRequestError);
        assert!(err.message.unwrap().contains("Invalid API Key"));
    }
    let r = http()
        .get(format!("{}v1/events", sim.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.json::<Value>().await.unwrap()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("did not provide an API key"));
    // Basic auth with the key as username works, as with Stripe.
    let r = http()
        .get(format!("{}v1/events", sim.base_url()))
        .basic_auth(sim.secret_key(), Some(""))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    let (err, status) = stripe_err(
        RetrieveCheckoutSession::new("cs_test_missing")
            .send(&client)
            .await
            .unwrap_err(),
    );
    assert_eq!(status, 404);
    assert_eq!(err.code, Some(ApiErrorsCode::ResourceMissing));
    assert_eq!(
        err.message.as_deref(),
        Some("No such checkout.session: 'cs_test_missing'")
    );
    let (err, status) = stripe_err(
        RetrievePaymentIntent::new("pi_nope")
            .send(&client)
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (status, err.code),
        (404, Some(ApiErrorsCode::ResourceMissing))
    );

    let (err, status) = stripe_err(
        CreateCheckoutSession::new()
            .mode(CheckoutSessionMode::Payment)
            .success_url(SUCCESS)
            .send(&client)
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (status, err.code, err.param.as_deref()),
        (
            400,
            Some(ApiErrorsCode::ParameterMissing),
            Some("line_items")
        )
    );
    let (err, _) = stripe_err(
        CreateCheckoutSession::new()
            .success_url(SUCCESS)
            .line_items(vec![line("x", 1, 1)])
            .send(&client)
            .await
            .unwrap_err(),
    );
    assert_eq!(err.param.as_deref(), Some("mode"));
    let (err, _) = stripe_err(
        CreateCheckoutSession::new()
            .mode(CheckoutSessionMode::Payment)
            .line_items(vec![line("x", 1, 1)])
            .send(&client)
            .await
            .unwrap_err(),
    );
    assert_eq!(err.param.as_deref(), Some("success_url"));
    let mut by_price = CreateCheckoutSessionLineItems::new();
    by_price.price = Some("price_123".into());
    by_price.quantity = Some(1);
    let (err, status) = stripe_err(
        new_session()
            .line_items(vec![by_price])
            .send(&client)
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (status, err.code, err.param.as_deref()),
        (
            400,
            Some(ApiErrorsCode::ResourceMissing),
            Some("line_items[0][price]")
        )
    );
    let (err, _) = stripe_err(
        new_session()
            .line_items(vec![line("x", 1, 0)])
            .send(&client)
            .await
            .unwrap_err(),
    );
    assert_eq!(err.param.as_deref(), Some("line_items[0][quantity]"));
    let (err, _) = stripe_err(
        new_session()
            .line_items(vec![line("x", -5, 1)])
            .send(&client)
            .await
            .unwrap_err(),
    );
    assert_eq!(
        err.param.as_deref(),
        Some("line_items[0][price_data][unit_amount]")
    );
    let mut eur = line("y", 100, 1);
    eur.price_data.as_mut().unwrap().currency = stripe_types::Currency::EUR;
    let (err, _) = stripe_err(
        new_session()
            .line_items(vec![line("x", 100, 1), eur])
            .send(&client)
            .await
            .unwrap_err(),
    );
    assert!(err.message.unwrap().contains("same currency"));

    // Raw malformed/oversized/unknown requests still get Stripe error bodies.
    let base = sim.base_url();
    let cases: Vec<(reqwest::RequestBuilder, u16)> = vec![
        (
            http()
                .post(format!("{base}v1/checkout/sessions"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body("line_items[0=x&mode=payment"),
            400,
        ),
        (
            http()
                .post(format!("{base}v1/checkout/sessions"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body("mode=payment&mode[x]=1"),
            400,
        ),
        (
            http()
                .post(format!("{base}v1/checkout/sessions"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(vec![b'a'; 70 * 1024]),
            413,
        ),
        (
            http()
                .post(format!("{base}v1/checkout/sessions"))
                .header("content-type", "application/json")
                .body("{\"mode\":\"payment\"}"),
            400,
        ),
        (
            http()
                .post(format!("{base}v1/checkout/sessions"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(vec![0xff, 0xfe, b'=', 0x80]),
            400,
        ),
        (http().get(format!("{base}v1/nonexistent")), 404),
        (http().get(format!("{base}v1/events?limit=1000")), 400),
        (http().get(format!("{base}v1/events?limit=abc")), 400),
    ];
    for (req, want) in cases {
        let r = req.bearer_auth(sim.secret_key()).send().await.unwrap();
        assert_eq!(r.status().as_u16(), want);
        let text = r.text().await.unwrap();
        let parsed: Result<stripe_shared::Error, _> = miniserde_parse(&text);
        assert!(parsed.is_ok(), "not a Stripe error body: {text}");
    }
    sim.shutdown().await;
}

/// async-stripe parses error bodies with miniserde into `stripe_shared::Error`; do the same.
fn miniserde_parse(text: &str) -> Result<stripe_shared::Error, miniserde::Error> {
    miniserde::json::from_str(text)
}

#[tokio::test]
async fn idempotency_replays_and_conflicts() {
    let (sim, client) = start().await;
    let key = || RequestStrategy::Idempotent(IdempotencyKey::new("order-42-attempt-1").unwrap());
    let a = new_session()
        .customize()
        .request_strategy(key())
        .send(&client)
        .await
        .unwrap();
    let b = new_session()
        .customize()
        .request_strategy(key())
        .send(&client)
        .await
        .unwrap();
    assert_eq!(a.id, b.id);
    let listed = http()
        .get(format!("{}v1/checkout/sessions", sim.base_url()))
        .bearer_auth(sim.secret_key())
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(
        listed["data"].as_array().unwrap().len(),
        1,
        "replay must not create a second session"
    );

    let (err, status) = stripe_err(
        new_session()
            .client_reference_id("other")
            .customize()
            .request_strategy(key())
            .send(&client)
            .await
            .unwrap_err(),
    );
    assert_eq!(status, 400);
    assert_eq!(err.type_, ApiErrorsType::IdempotencyError);

    // The raw replay carries the Idempotent-Replayed header.
    let post = || {
        http()
            .post(format!("{}v1/webhook_endpoints", sim.base_url()))
            .bearer_auth(sim.secret_key())
            .header("idempotency-key", "we-1")
            .form_pairs(&[("url", "http://127.0.0.1:9/x"), ("enabled_events[]", "*")])
    };
    let first = post().send().await.unwrap();
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: Value = first.json().await.unwrap();
    let second = post().send().await.unwrap();
    assert_eq!(second.headers()["idempotent-replayed"], "true");
    assert_eq!(second.json::<Value>().await.unwrap()["id"], first["id"]);
    sim.shutdown().await;
}

#[tokio::test]
async fn refunds_partial_then_rest() {
    let (sim, client) = start().await;
    let mut hook = receiver(0, 200).await;
    let ep = register(&sim, &hook.url, &["refund.created", "charge.refunded"]).await;
    let secret = ep["secret"].as_str().unwrap().to_string();
    let s = create(&client).await;
    assert_eq!(pay(&s, "4242424242424242").await.status(), 303);
    let pi = RetrieveCheckoutSession::new(s.id.clone())
        .send(&client)
        .await
        .unwrap()
        .payment_intent
        .unwrap()
        .id()
        .to_string();

    let r1 = CreateRefund::new()
        .payment_intent(pi.clone())
        .amount(500)
        .reason(stripe_core::refund::CreateRefundReason::RequestedByCustomer)
        .send(&client)
        .await
        .unwrap();
    assert_eq!(r1.amount, 500);
    assert_eq!(r1.status.as_deref(), Some("succeeded"));
    let ch_id = r1.charge.as_ref().unwrap().id().clone();
    let ch = RetrieveCharge::new(ch_id.clone())
        .send(&client)
        .await
        .unwrap();
    assert_eq!((ch.amount_refunded, ch.refunded), (500, false));

    let (err, status) = stripe_err(
        CreateRefund::new()
            .payment_intent(pi.clone())
            .amount(5000)
            .send(&client)
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (status, err.code),
        (400, Some(ApiErrorsCode::AmountTooLarge))
    );
    assert!(err.message.unwrap().contains("$14.00"));

    let r2 = CreateRefund::new()
        .charge(ch_id.to_string())
        .send(&client)
        .await
        .unwrap();
    assert_eq!(r2.amount, 1400);
    let ch = RetrieveCharge::new(ch_id.clone())
        .send(&client)
        .await
        .unwrap();
    assert_eq!((ch.amount_refunded, ch.refunded), (1900, true));
    let (err, _) = stripe_err(
        CreateRefund::new()
            .payment_intent(pi.clone())
            .send(&client)
            .await
            .unwrap_err(),
    );
    assert_eq!(err.code, Some(ApiErrorsCode::ChargeAlreadyRefunded));
    let (err, _) = stripe_err(CreateRefund::new().send(&client).await.unwrap_err());
    assert_eq!(err.code, Some(ApiErrorsCode::ParameterMissing));
    let got = RetrieveRefund::new(r2.id.clone())
        .send(&client)
        .await
        .unwrap();
    assert_eq!(got.amount, 1400);

    let evs = hook.verified(4, &secret).await;
    let kinds: Vec<&str> = evs.iter().map(|(_, e)| e.type_.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "refund.created",
            "charge.refunded",
            "refund.created",
            "charge.refunded"
        ]
    );
    match &evs[3].1.data.object {
        EventObject::ChargeRefunded(c) => assert!(c.refunded && c.amount_refunded == 1900),
        other => panic!("unexpected {other:?}"),
    }
    assert!(evs[1].1.data.previous_attributes.is_some());
    let listed = ListEvent::new()
        .type_("charge.refunded")
        .send(&client)
        .await
        .unwrap();
    assert_eq!(listed.data.len(), 2);
    sim.shutdown().await;
}

#[tokio::test]
async fn webhook_retries_give_up_and_no_backfill() {
    // 600 ms base: attempts at ~0 s, 0.6 s, 1.8 s, so the signatures' timestamps must differ.
    let (sim, client) = start_with(SimConfig {
        webhook_retry_base: Duration::from_millis(600),
        webhook_max_attempts: 3,
        ..SimConfig::default()
    })
    .await;
    let mut flaky = receiver(2, 500).await;
    let mut dead = receiver(u32::MAX, 302).await;
    let flaky_ep = register(&sim, &flaky.url, &["checkout.session.completed"]).await;
    let dead_ep = register(&sim, &dead.url, &["checkout.session.*"]).await;
    let s = create(&client).await;
    assert_eq!(pay(&s, "4242424242424242").await.status(), 303);

    let got = flaky
        .verified(3, flaky_ep["secret"].as_str().unwrap())
        .await;
    let ids: Vec<_> = got.iter().map(|(_, e)| e.id.clone()).collect();
    assert!(ids.iter().all(|i| *i == ids[0]), "same event retried");
    assert_ne!(got[0].0, got[2].0, "each attempt is signed anew");
    let dead_got = dead.verified(3, dead_ep["secret"].as_str().unwrap()).await;
    assert!(dead_got.iter().all(|(_, e)| e.id == ids[0]));
    // Max attempts reached: no fourth delivery (3xx counted as failure).
    assert!(
        tokio::time::timeout(Duration::from_millis(2600), dead.rx.recv())
            .await
            .is_err()
    );

    let ev = RetrieveEvent::new(ids[0].clone())
        .send(&client)
        .await
        .unwrap();
    assert_eq!(ev.pending_webhooks, 1, "the dead endpoint is still owed");
    let failed = ListEvent::new()
        .delivery_success(false)
        .send(&client)
        .await
        .unwrap();
    assert_eq!(
        failed.data.iter().map(|e| e.id.clone()).collect::<Vec<_>>(),
        vec![ids[0].clone()]
    );
    let delivered = ListEvent::new()
        .delivery_success(true)
        .send(&client)
        .await
        .unwrap();
    assert_eq!(
        delivered.data.len(),
        2,
        "charge/payment_intent events had no endpoint"
    );

    // An endpoint created after the fact doesn't get old events.
    let mut late = receiver(0, 200).await;
    register(&sim, &late.url, &["*"]).await;
    assert!(
        tokio::time::timeout(Duration::from_millis(500), late.rx.recv())
            .await
            .is_err()
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn expire_and_expired_page() {
    let (sim, client) = start().await;
    let s = create(&client).await;
    let url = s.url.clone().unwrap();
    let e = ExpireCheckoutSession::new(s.id.clone())
        .send(&client)
        .await
        .unwrap();
    assert_eq!(e.status, Some(CheckoutSessionStatus::Expired));
    assert!(e.url.is_none());
    let html = http().get(&url).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("expired") && html.contains(CANCEL));
    assert_eq!(pay(&s, "4242424242424242").await.status(), 409);
    let (_, status) = stripe_err(
        ExpireCheckoutSession::new(s.id.clone())
            .send(&client)
            .await
            .unwrap_err(),
    );
    assert_eq!(status, 400);
    let evs = ListEvent::new()
        .type_("checkout.session.expired")
        .send(&client)
        .await
        .unwrap();
    assert_eq!(evs.data.len(), 1);
    assert!(evs.data[0]
        .request
        .as_ref()
        .unwrap()
        .id
        .as_deref()
        .unwrap()
        .starts_with("req_"));
    sim.shutdown().await;
}

#[tokio::test]
async fn dispute_card_opens_a_dispute() {
    let (sim, client) = start().await;
    let mut hook = receiver(0, 200).await;
    let ep = register(&sim, &hook.url, &["charge.dispute.created"]).await;
    let s = create(&client).await;
    assert_eq!(pay(&s, "4000000000000259").await.status(), 303);
    let evs = hook.verified(1, ep["secret"].as_str().unwrap()).await;
    let EventObject::ChargeDisputeCreated(d) = &evs[0].1.data.object else {
        panic!("not a dispute")
    };
    assert_eq!(d.amount, 1900);
    assert_eq!(d.reason, "fraudulent");
    let ch = RetrieveCharge::new(d.charge.id().clone())
        .send(&client)
        .await
        .unwrap();
    assert!(ch.disputed);
    sim.shutdown().await;
}

#[tokio::test]
async fn webhook_endpoint_crud() {
    let (sim, _client) = start().await;
    let ep = register(
        &sim,
        "http://127.0.0.1:9/hook",
        &["checkout.session.completed"],
    )
    .await;
    let id = ep["id"].as_str().unwrap();
    let base = format!("{}v1/webhook_endpoints", sim.base_url());
    let get = |u: String| http().get(u).bearer_auth(sim.secret_key()).send();
    let list: Value = get(base.clone()).await.unwrap().json().await.unwrap();
    assert_eq!(list["data"][0]["id"], id);
    assert!(
        list["data"][0].get("secret").is_none(),
        "secret only at creation"
    );
    let one: Value = get(format!("{base}/{id}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(one["enabled_events"][0], "checkout.session.completed");
    let upd: Value = http()
        .post(format!("{base}/{id}"))
        .bearer_auth(sim.secret_key())
        .form_pairs(&[("disabled", "true"), ("enabled_events[0]", "*")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (upd["status"].as_str(), upd["enabled_events"][0].as_str()),
        (Some("disabled"), Some("*"))
    );
    let bad = http()
        .post(&base)
        .bearer_auth(sim.secret_key())
        .form_pairs(&[("url", "not a url"), ("enabled_events[]", "*")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let del: Value = http()
        .delete(format!("{base}/{id}"))
        .bearer_auth(sim.secret_key())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(del["deleted"], true);
    assert_eq!(get(format!("{base}/{id}")).await.unwrap().status(), 404);
    sim.shutdown().await;
}

#[tokio::test]
async fn state_survives_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sim.json");
    let cfg = || SimConfig {
        state_path: Some(path.clone()),
        webhook_retry_base: Duration::from_millis(50),
        ..SimConfig::default()
    };
    let (sim, client) = start_with(cfg()).await;
    let s = create(&client).await;
    sim.shutdown().await;
    assert!(path.exists());

    let (sim2, client2) = start_with(cfg()).await;
    let again = RetrieveCheckoutSession::new(s.id.clone())
        .expand(vec!["line_items".to_string()])
        .send(&client2)
        .await
        .unwrap();
    assert_eq!(again.amount_total, Some(1900));
    assert_eq!(again.line_items.as_ref().unwrap().data.len(), 2);
    // The hosted page link follows the new address.
    assert!(again
        .url
        .as_deref()
        .unwrap()
        .starts_with(sim2.base_url().trim_end_matches('/')));
    assert_eq!(pay(&again, "4242424242424242").await.status(), 303);
    sim2.shutdown().await;

    let (sim3, client3) = start_with(cfg()).await;
    let done = RetrieveCheckoutSession::new(s.id.clone())
        .send(&client3)
        .await
        .unwrap();
    assert_eq!(done.payment_status, CheckoutSessionPaymentStatus::Paid);
    assert_eq!(ListEvent::new().send(&client3).await.unwrap().data.len(), 3);
    sim3.shutdown().await;
}
