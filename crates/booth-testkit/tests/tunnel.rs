//! The shop opened to the world through a real tunnel: a `bore server` on a loopback
//! address plays the public relay, Booth runs `bore local` through its tunnel supervisor,
//! and the buyer (and the simulator's webhooks) use only the tunnel's address.

use booth_core::tunnel::{TunnelInput, TunnelSpec, TunnelState, TunnelStatus};
use booth_runtime::tunnel::{TokioLauncher, TunnelOptions};
use booth_runtime::Running;
use booth_testkit::app::{location, spawn_app, TestApp, CARD_OK};
use booth_testkit::bore::BoreServer;
use std::sync::Arc;
use std::time::Duration;
use stripe_misc::webhook_endpoint::ListWebhookEndpoint;
use tokio::sync::watch;

const BOOK: &[u8] = b"%PDF-1.4 a book that travels through a tunnel";

fn bore_spec(server: &str, port: Option<u16>) -> TunnelSpec {
    TunnelSpec::parse(&TunnelInput {
        provider: "bore".into(),
        server: server.into(),
        port: port.map(|p| p.to_string()).unwrap_or_default(),
        ..TunnelInput::default()
    })
    .unwrap()
}

fn fast() -> TunnelOptions {
    TunnelOptions {
        health_every: Duration::from_millis(500),
        health_timeout: Duration::from_secs(2),
        recheck_after_failure: Duration::from_millis(300),
        url_timeout: Duration::from_secs(20),
        restart_after_failures: 3,
        stable_after: Duration::from_secs(120),
    }
}

async fn open(
    running: &Running,
    spec: TunnelSpec,
    options: TunnelOptions,
) -> watch::Receiver<TunnelStatus> {
    running
        .start_tunnel(spec, None, Arc::new(TokioLauncher), options)
        .await
}

/// Waits (up to 30 s) for a status the test wants; returns it.
async fn wait_until(
    rx: &mut watch::Receiver<TunnelStatus>,
    what: &str,
    f: impl Fn(&TunnelStatus) -> bool,
) -> TunnelStatus {
    let got = tokio::time::timeout(Duration::from_secs(30), async {
        rx.wait_for(|s| f(s)).await.map(|s| s.clone())
    })
    .await;
    match got {
        Ok(Ok(s)) => s,
        _ => panic!(
            "tunnel never got to: {what}; last status {:?}",
            *rx.borrow()
        ),
    }
}

async fn endpoint_urls(app: &TestApp) -> Vec<String> {
    ListWebhookEndpoint::new()
        .send(&app.stripe)
        .await
        .unwrap()
        .data
        .into_iter()
        .map(|e| e.url)
        .collect()
}

/// Buys, pays and downloads using only `public` (the tunnel's address); the purchase
/// must be recorded by the webhook, which also comes through the tunnel.
async fn buy_through(app: &TestApp, public: &str, email: &str) -> String {
    let http = &app.http;
    let page = http.get(format!("{public}/p/book")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Product book"));
    let buy = http.get(format!("{public}/buy/book")).send().await.unwrap();
    assert_eq!(buy.status(), 303);
    let hosted = location(&buy);
    // Paying happens at "Stripe" (the simulator), not at the shop.
    assert!(!hosted.starts_with(public), "{hosted}");
    let paid = app.pay_with(&hosted, email, CARD_OK).await;
    assert_eq!(paid.status(), 303);
    let success = location(&paid);
    assert!(
        success.starts_with(&format!("{public}/checkout/success?session_id=")),
        "Checkout returns the buyer through the tunnel: {success}"
    );
    let session_id = success.split("session_id=").nth(1).unwrap().to_string();
    // Recorded by the webhook (the buyer hasn't come back yet).
    let purchase = app.wait_for_purchase(&session_id).await;
    assert_eq!(purchase.email, email);

    let back = http.get(&success).send().await.unwrap();
    assert_eq!(back.status(), 303);
    let token = location(&back).trim_start_matches("/d/").to_string();
    assert_eq!(token, purchase.token);
    let file_id = purchase.items[0].files[0].file.id;
    let dl = http
        .get(format!("{public}/d/{token}/{file_id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(dl.status(), 200);
    assert_eq!(dl.bytes().await.unwrap().as_ref(), BOOK);
    token
}

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

#[tokio::test]
async fn a_killed_tunnel_comes_back_and_the_webhook_follows_it() {
    let bore = BoreServer::start("127.0.0.12");
    let app = spawn_app().await;
    app.add_product("book", "9.99", "5", &[("book.pdf", BOOK)])
        .await;
    let mut rx = open(&app.running, bore_spec(&bore.host, None), fast()).await;
    let first = wait_until(&mut rx, "up", |s| s.state == TunnelState::Up).await;
    let first_url = first.url.clone().unwrap();
    buy_through(&app, &first_url, "one@example.com").await;

    // kill -9 the bore client mid-way.
    let pid = first.pid.expect("pid");
    assert_eq!(unsafe { libc_kill(pid as i32, 9) }, 0);
    let again = wait_until(&mut rx, "up again at a new address", |s| {
        s.state == TunnelState::Up && s.url.as_deref() != Some(&first_url)
    })
    .await;
    assert_eq!(again.restarts, 1);
    assert_ne!(again.pid, Some(pid));
    let second_url = again.url.unwrap();
    assert_eq!(
        endpoint_urls(&app).await,
        vec![format!("{second_url}/webhooks/stripe")],
        "the same endpoint, moved"
    );
    buy_through(&app, &second_url, "two@example.com").await;
    assert_eq!(app.purchases().await.len(), 2);

    let log = app.shop().tunnel_log(50).await.unwrap();
    let kinds: Vec<&str> = log.iter().map(|e| e.kind.as_str()).collect();
    for k in ["exited", "restart", "address"] {
        assert!(kinds.contains(&k), "{k} logged: {kinds:?}");
    }
    let address = log.iter().find(|e| e.kind == "address").unwrap();
    assert!(address.message.contains(&first_url) && address.message.contains(&second_url));
    app.running.stop_tunnel().await;
}

#[tokio::test]
async fn a_fixed_port_survives_the_relay_going_away_with_backoff() {
    let mut bore = BoreServer::start("127.0.0.13");
    let app = spawn_app().await;
    app.add_product("book", "9.99", "5", &[("book.pdf", BOOK)])
        .await;
    let port = booth_testkit::smtp::free_port();
    let mut rx = open(&app.running, bore_spec(&bore.host, Some(port)), fast()).await;
    let up = wait_until(&mut rx, "up", |s| s.state == TunnelState::Up).await;
    let url = format!("http://127.0.0.13:{port}");
    assert_eq!(up.url.as_deref(), Some(url.as_str()));
    assert!(!up.ephemeral, "a fixed port is a stable address");

    // The relay dies: the client ends, and Booth keeps trying, waiting longer each time.
    bore.kill();
    wait_until(&mut rx, "retrying", |s| s.state == TunnelState::Retrying).await;
    wait_until(&mut rx, "a few failed restarts", |s| s.restarts >= 3).await;
    let waits: Vec<String> = app
        .shop()
        .tunnel_log(100)
        .await
        .unwrap()
        .into_iter()
        .rev()
        .filter(|e| e.kind == "restart")
        .map(|e| e.message)
        .collect();
    assert!(waits.len() >= 3, "{waits:?}");
    assert!(
        waits[0].contains("in 1 s") && waits[1].contains("in 2 s") && waits[2].contains("in 4 s"),
        "{waits:?}"
    );

    // The relay returns: the same address works again, nobody's links broke.
    bore.restart();
    let back = wait_until(&mut rx, "up again", |s| s.state == TunnelState::Up).await;
    assert_eq!(back.url.as_deref(), Some(url.as_str()));
    buy_through(&app, &url, "back@example.com").await;
    let address_changes = app
        .shop()
        .tunnel_log(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "address")
        .count();
    assert_eq!(address_changes, 0);
    app.running.stop_tunnel().await;
}

#[tokio::test]
async fn a_hung_tunnel_is_noticed_by_the_health_check_and_restarted() {
    let bore = BoreServer::start("127.0.0.14");
    let app = spawn_app().await;
    // Checks a minute apart, as in production: only "Check now" and the quick re-checks
    // after a failure can notice the hang within the test's 30 s.
    let options = TunnelOptions {
        health_every: Duration::from_secs(60),
        ..fast()
    };
    let mut rx = open(&app.running, bore_spec(&bore.host, None), options).await;
    let up = wait_until(&mut rx, "up", |s| {
        s.state == TunnelState::Up && s.health.as_ref().is_some_and(|h| h.ok)
    })
    .await;
    // SIGSTOP: the process is alive but carries nothing.
    let pid = up.pid.unwrap();
    assert_eq!(unsafe { libc_kill(pid as i32, 19) }, 0);
    app.running.check_tunnel().await;
    let failing = wait_until(&mut rx, "a failed check", |s| {
        s.health.as_ref().is_some_and(|h| !h.ok)
    })
    .await;
    assert!(failing.health.unwrap().error.is_some());
    let back = wait_until(&mut rx, "restarted and healthy", |s| {
        s.state == TunnelState::Up && s.pid != Some(pid) && s.health.as_ref().is_some_and(|h| h.ok)
    })
    .await;
    assert!(back.restarts >= 1);
    let log = app.shop().tunnel_log(100).await.unwrap();
    assert!(
        log.iter()
            .any(|e| e.kind == "restart" && e.message.contains("failed 3 checks")),
        "{log:?}"
    );
    // The hung process was killed and reaped, not left behind.
    assert!(
        !std::path::Path::new(&format!("/proc/{pid}")).exists(),
        "the hung bore client is gone"
    );
    app.running.stop_tunnel().await;
}

#[tokio::test]
async fn a_missing_program_fails_clearly_and_keeps_the_shop_running() {
    let app = spawn_app().await;
    let spec = TunnelSpec::parse(&TunnelInput {
        provider: "custom".into(),
        command: "booth-no-such-tunnel --port {port}".into(),
        pattern: r"https://\S+".into(),
        ..TunnelInput::default()
    })
    .unwrap();
    let mut rx = open(&app.running, spec, fast()).await;
    let failed = wait_until(&mut rx, "failed", |s| s.state == TunnelState::Failed).await;
    let m = failed.message.unwrap();
    assert!(m.contains("booth-no-such-tunnel isn't installed"), "{m}");
    assert_eq!(app.get("/healthz").await.status(), 200);
    assert_eq!(app.shop().public_url(), app.base);

    // A program that exits at once without an address is retried, and what it said is logged.
    let spec = TunnelSpec::parse(&TunnelInput {
        provider: "custom".into(),
        command: "sh -c 'echo cannot reach the relay >&2; exit 3'".into(),
        pattern: r"https://\S+".into(),
        ..TunnelInput::default()
    })
    .unwrap();
    let mut rx = open(&app.running, spec, fast()).await;
    wait_until(&mut rx, "retrying", |s| s.state == TunnelState::Retrying).await;
    let log = app.shop().tunnel_log(20).await.unwrap();
    let exited = log
        .iter()
        .find(|e| e.kind == "exited")
        .expect("exit logged");
    assert!(
        exited.message.contains("exit 3") && exited.message.contains("cannot reach the relay"),
        "{}",
        exited.message
    );
    app.running.stop_tunnel().await;
}

extern "C" {
    #[link_name = "kill"]
    fn libc_kill(pid: i32, sig: i32) -> i32;
}

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
    let paid = http
        .post(location(&buy))
        .form(&[
            ("email", email),
            ("card_number", CARD_OK),
            ("card_expiry", "12/34"),
            ("card_cvc", "123"),
        ])
        .send()
        .await
        .unwrap();
    let success = location(&paid);
    assert!(success.starts_with(public), "{success}");
    let session = success.split("session_id=").nth(1).unwrap().to_string();
    for _ in 0..150 {
        let all = shop.list_purchases(None).await.unwrap();
        if all
            .iter()
            .any(|p| p.checkout_session_id.as_deref() == Some(&session))
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the webhook never recorded {session}");
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
