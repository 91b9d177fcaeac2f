//! A buyer anywhere buys and downloads through the tunnel, and nothing but the buyer's
//! routes answers there.

use super::*;
use booth_core::tunnel::TunnelState;
use booth_testkit::app::spawn_app;
use booth_testkit::bore::BoreServer;

#[tokio::test]
async fn a_buyer_anywhere_buys_and_downloads_through_the_tunnel() {
    let bore = BoreServer::start("127.0.0.11");
    let app = spawn_app().await;
    app.add_product("book", "9.99", "5", &[("book.pdf", BOOK)])
        .await;
    let mut rx = open(&app.running, bore_spec(&bore.host, None), fast()).await;
    let up = wait_until(&mut rx, "up", |s| s.state == TunnelState::Up).await;
    let public = up.url.clone().unwrap();
    assert!(public.starts_with("http://127.0.0.11:"), "{public}");
    assert_ne!(
        public, app.base,
        "the tunnel's address is not the shop's own"
    );
    assert!(up.ephemeral && up.plain_http);
    assert_eq!(up.warnings.len(), 2, "{:?}", up.warnings);
    assert!(
        up.webhook.as_deref().unwrap().contains(&public),
        "{:?}",
        up.webhook
    );

    // Booth now builds links from the tunnel's address, and the simulator sends there.
    assert_eq!(app.shop().public_url(), public);
    assert_eq!(
        endpoint_urls(&app).await,
        vec![format!("{public}/webhooks/stripe")]
    );
    let health = wait_until(&mut rx, "a health check", |s| s.health.is_some()).await;
    let h = health.health.unwrap();
    assert!(h.ok, "{:?}", h.error);

    let token = buy_through(&app, &public, "far@example.com").await;

    // The receipt's link is the tunnel's.
    let mail = app.smtp.wait_for_messages(1, Duration::from_secs(20)).await;
    let text = mail[0].text.clone().unwrap();
    assert!(text.contains(&format!("{public}/d/{token}")), "{text}");

    // Nothing but the buyer's routes answers through the tunnel: not the simulator's
    // API (refunds, endpoints), not any admin path.
    for (method, path) in [
        ("GET", "/v1/checkout/sessions"),
        ("POST", "/v1/refunds"),
        ("GET", "/v1/webhook_endpoints"),
        ("GET", "/admin"),
        ("GET", "/api/purchases"),
        ("POST", "/settings"),
        ("GET", "/purchases.csv"),
        ("GET", "/../secrets.json"),
        ("GET", "/%2e%2e/booth.sqlite"),
    ] {
        let res = app
            .http
            .request(method.parse().unwrap(), format!("{public}{path}"))
            .bearer_auth(app.running.simulator.as_ref().unwrap().secret_key())
            .send()
            .await
            .unwrap();
        assert!(
            res.status() == 404 || res.status() == 405,
            "{method} {path} answered {} through the tunnel",
            res.status()
        );
    }
    let forged = app
        .http
        .post(format!("{public}/webhooks/stripe"))
        .body(r#"{"type":"checkout.session.completed"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 400, "unsigned webhooks are refused");

    // Stop: links go back to the local address, the simulator's endpoint too.
    app.running.stop_tunnel().await;
    assert_eq!(app.running.tunnel_status().await.state, TunnelState::Off);
    assert_eq!(app.shop().public_url(), app.base);
    assert_eq!(
        endpoint_urls(&app).await,
        vec![format!("{}/webhooks/stripe", app.base)]
    );
    assert!(
        !booth_testkit::bore::answers(&public).await,
        "the public address is closed after Stop"
    );
    let log: Vec<String> = app
        .shop()
        .tunnel_log(50)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(log.first().map(String::as_str), Some("stopped"), "{log:?}");
    assert!(
        log.contains(&"started".into()) && log.contains(&"up".into()),
        "{log:?}"
    );
}
