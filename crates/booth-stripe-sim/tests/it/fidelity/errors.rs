//! Errors as Stripe gives them (status, type, code, param, a body async-stripe parses), and
//! idempotent requests.

use super::*;
use stripe::{ApiErrorsCode, ApiErrorsType, IdempotencyKey, RequestStrategy, StripeRequest};
use stripe_checkout::checkout_session::RetrieveCheckoutSession;
use stripe_core::payment_intent::RetrievePaymentIntent;

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

    // A session missing what it needs, or asking for what isn't there: refused, naming the
    // parameter (and for some, Stripe's status and code).
    let mut by_price = CreateCheckoutSessionLineItems::new();
    by_price.price = Some("price_123".into());
    by_price.quantity = Some(1);
    let refused = vec![
        (
            CreateCheckoutSession::new()
                .mode(CheckoutSessionMode::Payment)
                .success_url(SUCCESS),
            "line_items",
            Some((400, ApiErrorsCode::ParameterMissing)),
        ),
        (
            CreateCheckoutSession::new()
                .success_url(SUCCESS)
                .line_items(vec![line("x", 1, 1)]),
            "mode",
            None,
        ),
        (
            CreateCheckoutSession::new()
                .mode(CheckoutSessionMode::Payment)
                .line_items(vec![line("x", 1, 1)]),
            "success_url",
            None,
        ),
        (
            new_session().line_items(vec![by_price]),
            "line_items[0][price]",
            Some((400, ApiErrorsCode::ResourceMissing)),
        ),
        (
            new_session().line_items(vec![line("x", 1, 0)]),
            "line_items[0][quantity]",
            None,
        ),
        (
            new_session().line_items(vec![line("x", -5, 1)]),
            "line_items[0][price_data][unit_amount]",
            None,
        ),
    ];
    for (request, param, status_and_code) in refused {
        let (err, status) = stripe_err(request.send(&client).await.unwrap_err());
        assert_eq!(err.param.as_deref(), Some(param));
        if let Some((want_status, code)) = status_and_code {
            assert_eq!((status, err.code), (want_status, Some(code)), "{param}");
        }
    }
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
            .form(&[("url", "http://127.0.0.1:9/x"), ("enabled_events[]", "*")])
    };
    let first = post().send().await.unwrap();
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: Value = first.json().await.unwrap();
    let second = post().send().await.unwrap();
    assert_eq!(second.headers()["idempotent-replayed"], "true");
    assert_eq!(second.json::<Value>().await.unwrap()["id"], first["id"]);
    sim.shutdown().await;
}
