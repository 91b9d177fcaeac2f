//! The simulator against someone else on the machine: a program with a made-up key, a
//! web page using DNS rebinding (a Host of its own), and requests built to exhaust the
//! stack. None of them may get in, and none may bring the simulator (and with it the
//! shop it runs inside) down.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use crate::http;
use booth_stripe_sim::{SimConfig, Simulator};
use serde_json::Value;
use stripe::{ApiErrorsType, ClientBuilder, StripeError};
use stripe_core::event::ListEvent;

async fn start() -> Simulator {
    Simulator::start(SimConfig::default()).await.unwrap()
}

/// Sends `request` as written over a fresh connection; returns the status and the body.
async fn raw(addr: SocketAddr, request: String) -> (u16, String) {
    tokio::task::spawn_blocking(move || {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.write_all(request.as_bytes()).unwrap();
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        let text = String::from_utf8_lossy(&out).into_owned();
        let status = text
            .split(' ')
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or_else(|| panic!("no HTTP answer: {text:?}"));
        let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
        (status, body.to_string())
    })
    .await
    .unwrap()
}

/// `a[a][a]…=1`, `levels` levels deep (6,000 is 18 KB).
fn deep_form(levels: usize) -> String {
    format!("a{}=1", "[a]".repeat(levels - 1))
}

/// The body is Stripe's error shape with this type.
fn stripe_error(body: &str, kind: &str) -> String {
    let v: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
    assert_eq!(v["error"]["type"], kind, "{body}");
    v["error"]["message"]
        .as_str()
        .expect("a message")
        .to_string()
}

/// The simulator still answers its own key.
async fn still_answers(sim: &Simulator) {
    let r = http()
        .get(format!("{}v1/events", sim.base_url()))
        .bearer_auth(sim.secret_key())
        .send()
        .await
        .expect("the simulator still answers");
    assert_eq!(r.status(), 200);
}

/// Creates a session with the buyer's email and pays it on the hosted page; returns its id.
async fn paid_session(sim: &Simulator, email: &str) -> String {
    let s: Value = http()
        .post(format!("{}v1/checkout/sessions", sim.base_url()))
        .bearer_auth(sim.secret_key())
        .form(&[
            ("mode", "payment"),
            (
                "success_url",
                "http://shop.test/ok?session_id={CHECKOUT_SESSION_ID}",
            ),
            ("customer_email", email),
            ("line_items[0][price_data][currency]", "usd"),
            ("line_items[0][price_data][unit_amount]", "500"),
            ("line_items[0][price_data][product_data][name]", "Zine"),
            ("line_items[0][quantity]", "1"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paid = http()
        .post(s["url"].as_str().expect("a hosted page"))
        .form(&[
            ("email", email),
            ("card_number", "4242 4242 4242 4242"),
            ("card_expiry", "12 / 39"),
            ("card_cvc", "123"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(paid.status(), 303);
    s["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn six_thousand_levels_of_nesting_get_a_400_and_the_simulator_lives_on() {
    let sim = start().await;
    let deep = deep_form(6000);
    assert!(deep.len() > 17_000);
    let r = http()
        .post(format!("{}v1/customers", sim.base_url()))
        .bearer_auth(sim.secret_key())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(deep.clone())
        .send()
        .await
        .expect("an answer, not a dead simulator");
    assert_eq!(r.status(), 400);
    let msg = stripe_error(&r.text().await.unwrap(), "invalid_request_error");
    assert!(msg.contains("nested too deeply"), "{msg}");
    // The same in a query string.
    let r = http()
        .get(format!("{}v1/events?{deep}", sim.base_url()))
        .bearer_auth(sim.secret_key())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    still_answers(&sim).await;
    // 32 levels, Rack's bound, are fine; 33 are not.
    for (levels, want) in [(32, 200), (33, 400)] {
        let r = http()
            .get(format!("{}v1/events?{}", sim.base_url(), deep_form(levels)))
            .bearer_auth(sim.secret_key())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), want, "{levels} levels");
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn expansions_deeper_than_stripes_four_levels_are_refused() {
    let sim = start().await;
    let id = paid_session(&sim, "ada@example.com").await;
    // Objects name each other (payment intent → charge → payment intent …), so a long
    // path would recurse as deep as it is long.
    let path = |levels: usize| {
        (0..levels)
            .map(|i| {
                if i % 2 == 0 {
                    "payment_intent"
                } else {
                    "latest_charge"
                }
            })
            .collect::<Vec<_>>()
            .join(".")
    };
    for (levels, want) in [(4, 200), (5, 400), (3000, 400)] {
        let r = http()
            .get(format!(
                "{}v1/checkout/sessions/{id}?expand[]={}",
                sim.base_url(),
                path(levels)
            ))
            .bearer_auth(sim.secret_key())
            .send()
            .await
            .expect("an answer, not a dead simulator");
        assert_eq!(r.status().as_u16(), want, "{levels} levels");
        if want == 400 {
            let msg = stripe_error(&r.text().await.unwrap(), "invalid_request_error");
            assert!(msg.contains("more than 4 levels"), "{msg}");
        }
    }
    still_answers(&sim).await;
    sim.shutdown().await;
}

#[tokio::test]
async fn a_made_up_test_key_gets_stripes_401() {
    let sim = start().await;
    assert!(sim.secret_key().starts_with("sk_test_sim_") && sim.secret_key().len() >= 44);
    for key in [
        "sk_test_booth_simulator",
        "sk_test_made_up_by_a_local_program",
    ] {
        let r = http()
            .get(format!("{}v1/checkout/sessions", sim.base_url()))
            .bearer_auth(key)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{key}");
        let msg = stripe_error(&r.text().await.unwrap(), "invalid_request_error");
        assert!(
            msg.starts_with("Invalid API Key provided: sk_test_*"),
            "{msg}"
        );
        assert!(
            !msg.contains(key) && msg.ends_with(&key[key.len() - 4..]),
            "{msg}"
        );
    }
    // A made-up key can't refund either, even knowing the charge.
    let r = http()
        .post(format!("{}v1/refunds", sim.base_url()))
        .bearer_auth("sk_test_made_up_by_a_local_program")
        .form(&[("charge", "ch_anything")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // Nor can a key one character short of the real one.
    let key = sim.secret_key();
    let r = http()
        .get(format!("{}v1/events", sim.base_url()))
        .bearer_auth(&key[..key.len() - 1])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // Each simulator has its own.
    let other = start().await;
    assert_ne!(other.secret_key(), sim.secret_key());
    other.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test]
async fn the_right_key_works_with_async_stripes_own_client() {
    let sim = start().await;
    let client = ClientBuilder::new(sim.secret_key())
        .url(sim.base_url())
        .build()
        .unwrap();
    assert!(ListEvent::new()
        .send(&client)
        .await
        .unwrap()
        .data
        .is_empty());
    let wrong = ClientBuilder::new("sk_test_0123456789abcdefghij")
        .url(sim.base_url())
        .build()
        .unwrap();
    match ListEvent::new().send(&wrong).await.unwrap_err() {
        StripeError::Stripe(e, 401) => assert_eq!(e.type_, ApiErrorsType::InvalidRequestError),
        other => panic!("expected Stripe's 401, got {other:?}"),
    }
    sim.shutdown().await;

    // A key given in the config is the one accepted; a weak one doesn't start.
    let key = "sk_test_chosen_0123456789abcdef";
    let sim = Simulator::start(SimConfig {
        secret_key: Some(key.into()),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    assert_eq!(sim.secret_key(), key);
    let client = ClientBuilder::new(key).url(sim.base_url()).build().unwrap();
    assert!(ListEvent::new().send(&client).await.is_ok());
    sim.shutdown().await;
    for weak in ["sk_test_", "sk_test_short", "sk_live_0123456789abcdef", "x"] {
        let r = Simulator::start(SimConfig {
            secret_key: Some(weak.into()),
            ..SimConfig::default()
        })
        .await;
        assert!(r.is_err(), "{weak}");
    }
}

#[tokio::test]
async fn a_foreign_host_is_refused_before_anything_runs() {
    let sim = start().await;
    let addr = sim.addr();
    let key = sim.secret_key().to_string();
    let get = |path: &str, host: Option<&str>| {
        let host = host.map(|h| format!("Host: {h}\r\n")).unwrap_or_default();
        format!(
            "GET {path} HTTP/1.1\r\n{host}Authorization: Bearer {key}\r\nConnection: close\r\n\r\n"
        )
    };
    // DNS rebinding: the page's own name in Host, even with the right key.
    let (status, body) = raw(addr, get("/v1/checkout/sessions", Some("evil.example"))).await;
    assert_eq!(status, 421);
    let msg = stripe_error(&body, "invalid_request_error");
    assert!(msg.contains("Misdirected"), "{msg}");
    let host = format!("evil.example:{}", addr.port());
    let (status, body) = raw(addr, get("/", Some(&host))).await;
    assert_eq!(status, 421);
    assert!(body.contains("Misdirected request"), "{body}");
    // The hosted payment page too: refused before it looks anything up.
    let (status, _) = raw(addr, get("/c/pay/cs_test_x", Some(&host))).await;
    assert_eq!(status, 421);
    // No Host at all (HTTP/1.1 requires one; HTTP/1.0 may leave it out).
    assert_eq!(raw(addr, get("/v1/events", None)).await.0, 421);
    let http10 = format!("GET /v1/events HTTP/1.0\r\nAuthorization: Bearer {key}\r\n\r\n");
    assert_eq!(raw(addr, http10).await.0, 421);
    // A URI naming another host than its Host header.
    let ours = format!("127.0.0.1:{}", addr.port());
    let absolute = get("http://evil.example/v1/events", Some(&ours));
    assert_eq!(raw(addr, absolute).await.0, 421);
    // A refused POST is not carried out.
    let form = "url=http%3A%2F%2Fevil.example%2F&enabled_events[]=*";
    let post = format!(
        "POST /v1/webhook_endpoints HTTP/1.1\r\nHost: evil.example\r\nAuthorization: Bearer {key}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{form}",
        form.len()
    );
    assert_eq!(raw(addr, post).await.0, 421);

    // Our own names pass.
    for host in [
        ours.clone(),
        format!("localhost:{}", addr.port()),
        format!("[::1]:{}", addr.port()),
    ] {
        assert_eq!(
            raw(addr, get("/v1/events", Some(&host))).await.0,
            200,
            "{host}"
        );
    }
    let list: Value = http()
        .get(format!("{}v1/webhook_endpoints", sim.base_url()))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["data"].as_array().unwrap().len(), 0, "{list}");
    sim.shutdown().await;
}

#[tokio::test]
async fn the_index_page_shows_no_buyer_session_or_secret() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("stripe-sim.json");
    let sim = Simulator::start(SimConfig {
        state_path: Some(state.clone()),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let ep: Value = http()
        .post(format!("{}v1/webhook_endpoints", sim.base_url()))
        .bearer_auth(sim.secret_key())
        .form(&[
            ("url", "http://127.0.0.1:9/hook"),
            ("enabled_events[]", "*"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = paid_session(&sim, "ada.buyer@example.com").await;
    let open: Value = http()
        .post(format!("{}v1/checkout/sessions", sim.base_url()))
        .bearer_auth(sim.secret_key())
        .form(&[
            ("mode", "payment"),
            ("success_url", "http://shop.test/ok"),
            ("customer_email", "grace.buyer@example.com"),
            ("line_items[0][price_data][currency]", "usd"),
            ("line_items[0][price_data][unit_amount]", "500"),
            ("line_items[0][price_data][product_data][name]", "Zine"),
            ("line_items[0][quantity]", "1"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    let page = http()
        .get(sim.base_url())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for secret in [
        "ada.buyer@example.com",
        "grace.buyer@example.com",
        &id,
        open["id"].as_str().unwrap(),
        "/c/pay/",
        ep["id"].as_str().unwrap(),
        ep["secret"].as_str().unwrap(),
        "127.0.0.1:9/hook",
        "evt_",
        sim.secret_key(),
    ] {
        assert!(!page.contains(secret), "the index page shows {secret}");
    }
    // What it does show: what this is, and counts.
    assert!(page.contains("Booth Stripe simulator") && page.contains("1 complete"));

    // The state file, which holds all of that, is the owner's alone.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&state).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "stripe-sim.json is {mode:o}");
    }
    sim.shutdown().await;
}
