//! Booth's webhook endpoint at the payment provider as the tunnel comes and goes: made
//! once and moved in Stripe mode, refused over plain http in live mode, left alone when the
//! seller manages it.

use super::*;
use booth_core::tunnel::TunnelState;
use booth_testkit::app::{pay_at, wait_for_session};
use booth_testkit::bore::BoreServer;

/// Stripe mode (the simulator standing in for api.stripe.com, Booth not knowing it's a
/// simulator): Booth creates its endpoint once, keeps the secret with its other secrets,
/// and after a restart moves the same endpoint instead of making another.
#[tokio::test]
async fn stripe_mode_keeps_one_endpoint_and_its_secret_across_restarts() {
    use booth_runtime::RunConfig;
    let bore = BoreServer::start("127.0.0.15");
    let stripe_api = booth_stripe_sim::Simulator::start(booth_stripe_sim::SimConfig {
        webhook_retry_base: Duration::from_millis(200),
        ..booth_stripe_sim::SimConfig::default()
    })
    .await
    .unwrap();
    let stripe = stripe::ClientBuilder::new(stripe_api.secret_key())
        .url(stripe_api.base_url())
        .build()
        .unwrap();
    let endpoints = || async {
        ListWebhookEndpoint::new()
            .send(&stripe)
            .await
            .unwrap()
            .data
            .into_iter()
            .map(|e| (e.id.to_string(), e.url))
            .collect::<Vec<_>>()
    };
    let data_dir = tempfile::tempdir().unwrap();
    let config = || {
        let mut c = RunConfig::new(
            data_dir.path().to_path_buf(),
            "127.0.0.1:0".parse().unwrap(),
        );
        c.stripe = Some(booth_core::payments::StripeConfig {
            secret_key: stripe_api.secret_key().into(),
            api_base: Some(stripe_api.base_url()),
            webhook_secret: None,
        });
        c
    };
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    // Without a public address Stripe can't reach the shop: no endpoint is made.
    let running = booth_runtime::start(config()).await.unwrap();
    assert!(endpoints().await.is_empty());
    let err = running
        .shop
        .connect_webhook()
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("Stripe can't reach"), "{err}");
    let dir = running.shop.data_dir().to_path_buf();
    std::fs::write(dir.join("book.pdf"), BOOK).unwrap();
    running
        .shop
        .add_product(booth_core::ProductInput {
            licenses: None,
            stamp: None,
            min_price: None,
            tax_code: None,
            name: "Product book".into(),
            slug: Some("book".into()),
            price: "9.99".into(),
            currency: "usd".into(),
            active: true,
            files: vec![dir.join("book.pdf")],
            ..booth_core::ProductInput::default()
        })
        .await
        .unwrap();

    let mut rx = open(&running, bore_spec(&bore.host, None), fast()).await;
    let up = wait_until(&mut rx, "up", |s| s.state == TunnelState::Up).await;
    let public = up.url.unwrap();
    let webhook = up.webhook.unwrap();
    assert!(
        webhook.starts_with("Stripe sends payment events to"),
        "{webhook}"
    );
    let eps = endpoints().await;
    assert_eq!(eps.len(), 1);
    assert_eq!(eps[0].1, format!("{public}/webhooks/stripe"));
    let saved = booth_core::secrets::load(&dir)
        .unwrap()
        .managed_webhook
        .expect("kept");
    assert_eq!(saved.endpoint_id, eps[0].0);
    assert!(saved.secret.expose().starts_with("whsec_") && !saved.livemode);
    // The secret is never in the database (nor its write-ahead log).
    let db = booth_core::DataDir::new(&dir).database();
    for file in [db.clone(), db.with_extension("db-wal")] {
        let bytes = std::fs::read(&file).unwrap_or_default();
        assert!(
            !bytes
                .windows(saved.secret.expose().len())
                .any(|w| w == saved.secret.expose().as_bytes()),
            "{}",
            file.display()
        );
    }

    pay_and_wait_for_webhook(&http, &running.shop, &public, "s@example.com").await;
    running.shutdown().await;

    // Restart with a new tunnel address: the same endpoint moves, with the same secret.
    let running = booth_runtime::start(config()).await.unwrap();
    let mut rx = open(&running, bore_spec(&bore.host, None), fast()).await;
    let up = wait_until(&mut rx, "up again", |s| s.state == TunnelState::Up).await;
    let public2 = up.url.unwrap();
    assert_ne!(public2, public);
    assert!(up.webhook.unwrap().contains("was updated"));
    let eps = endpoints().await;
    assert_eq!(
        eps,
        vec![(
            saved.endpoint_id.clone(),
            format!("{public2}/webhooks/stripe")
        )]
    );
    assert_eq!(
        booth_core::secrets::load(&dir).unwrap().managed_webhook,
        Some(saved.clone())
    );
    // The webhook after the restart verifies with the kept secret.
    pay_and_wait_for_webhook(&http, &running.shop, &public2, "t@example.com").await;

    // The endpoint deleted in the dashboard: Booth makes a new one and keeps its secret.
    stripe_misc::webhook_endpoint::DeleteWebhookEndpoint::new(saved.endpoint_id.clone())
        .send(&stripe)
        .await
        .unwrap();
    let msg = running.shop.connect_webhook().await.unwrap();
    assert!(msg.contains("was created"), "{msg}");
    let eps = endpoints().await;
    assert_eq!(eps.len(), 1);
    let renewed = booth_core::secrets::load(&dir)
        .unwrap()
        .managed_webhook
        .unwrap();
    assert_eq!(renewed.endpoint_id, eps[0].0);
    assert_ne!(renewed.secret, saved.secret);
    running.shutdown().await;
    stripe_api.shutdown().await;
}

/// Buys "book" through `public` and waits until the webhook alone records the purchase
/// (the buyer never comes back to the success page).
async fn pay_and_wait_for_webhook(
    http: &reqwest::Client,
    shop: &booth_core::Shop,
    public: &str,
    email: &str,
) {
    let buy = http.get(format!("{public}/buy/book")).send().await.unwrap();
    assert_eq!(buy.status(), 303);
    let paid = pay_at(http, &location(&buy), email, CARD_OK).await.unwrap();
    let success = location(&paid);
    assert!(success.starts_with(public), "{success}");
    let session = success.split("session_id=").nth(1).unwrap().to_string();
    wait_for_session(shop, &session).await;
}

/// Live mode refuses a plain-http address before asking Stripe (which would refuse it
/// too), and a seller who manages their own endpoint (a saved webhook secret) is left
/// alone.
#[tokio::test]
async fn live_webhooks_need_https_and_a_manual_endpoint_is_left_alone() {
    use booth_core::payments::{Payments, StripeConfig};
    let dir = tempfile::tempdir().unwrap();
    // Nothing listens on port 9: any call to "Stripe" would fail differently.
    let stripe = |key: &str, secret: Option<&str>| StripeConfig {
        secret_key: key.into(),
        api_base: Some("http://127.0.0.1:9/".into()),
        webhook_secret: secret.map(booth_core::secrets::Secret::from),
    };
    let live = booth_core::Shop::builder(dir.path())
        .payments(Payments::new(&stripe("sk_live_abc", None), false).unwrap())
        .open()
        .unwrap();
    live.set_tunnel_url(Some("http://bore.pub:4000".into()));
    let err = live.connect_webhook().await.unwrap_err().to_string();
    assert!(err.contains("only to https"), "{err}");
    drop(live);

    let manual = booth_core::Shop::builder(dir.path())
        .payments(Payments::new(&stripe("sk_test_abc", Some("whsec_mine")), false).unwrap())
        .open()
        .unwrap();
    manual.set_tunnel_url(Some("https://a-b.trycloudflare.com".into()));
    let msg = manual.connect_webhook().await.unwrap();
    assert!(
        msg.contains("You manage the webhook endpoint yourself"),
        "{msg}"
    );
    assert!(
        msg.contains("https://a-b.trycloudflare.com/webhooks/stripe"),
        "{msg}"
    );
    assert_eq!(
        manual
            .payments()
            .unwrap()
            .webhook_secret()
            .as_ref()
            .map(|s| s.expose()),
        Some("whsec_mine")
    );
}
