//! The shop opened to the world through a real tunnel: a `bore server` on a loopback
//! address plays the public relay, Booth runs `bore local` through its tunnel supervisor,
//! and the buyer (and the simulator's webhooks) use only the tunnel's address. Each test
//! has its own 127.0.0.x, since bore's control port is fixed.

mod buyer;
mod recovery;
mod stripe_endpoint;

use booth_core::tunnel::{TunnelInput, TunnelSpec, TunnelStatus};
use booth_runtime::tunnel::{TokioLauncher, TunnelOptions};
use booth_runtime::Running;
use booth_testkit::app::{download_path, location, TestApp, CARD_OK};
use std::sync::Arc;
use std::time::Duration;
use stripe_misc::webhook_endpoint::ListWebhookEndpoint;
use tokio::sync::watch;

pub(crate) const BOOK: &[u8] = b"%PDF-1.4 a book that travels through a tunnel";

pub(crate) fn bore_spec(server: &str, port: Option<u16>) -> TunnelSpec {
    TunnelSpec::parse(&TunnelInput {
        provider: "bore".into(),
        server: server.into(),
        port: port.map(|p| p.to_string()).unwrap_or_default(),
        ..TunnelInput::default()
    })
    .unwrap()
}

pub(crate) fn fast() -> TunnelOptions {
    TunnelOptions {
        health_every: Duration::from_millis(500),
        health_timeout: Duration::from_secs(2),
        recheck_after_failure: Duration::from_millis(300),
        url_timeout: Duration::from_secs(20),
        restart_after_failures: 3,
        stable_after: Duration::from_secs(120),
    }
}

pub(crate) async fn open(
    running: &Running,
    spec: TunnelSpec,
    options: TunnelOptions,
) -> watch::Receiver<TunnelStatus> {
    running
        .start_tunnel(spec, None, Arc::new(TokioLauncher), options)
        .await
}

/// Waits (up to 30 s) for a status the test wants; returns it.
pub(crate) async fn wait_until(
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

pub(crate) async fn endpoint_urls(app: &TestApp) -> Vec<String> {
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
pub(crate) async fn buy_through(app: &TestApp, public: &str, email: &str) -> String {
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
    let dl = http
        .get(format!("{public}{}", download_path(&purchase)))
        .send()
        .await
        .unwrap();
    assert_eq!(dl.status(), 200);
    assert_eq!(dl.bytes().await.unwrap().as_ref(), BOOK);
    token
}

/// Sends `sig` to process `pid`; true if it was sent.
pub(crate) fn signal(pid: u32, sig: i32) -> bool {
    unsafe { libc::kill(pid as libc::pid_t, sig) == 0 }
}
