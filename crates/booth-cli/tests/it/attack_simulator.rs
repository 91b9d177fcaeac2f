//! An attacker on the seller's machine against the Stripe simulator inside `booth serve`,
//! using nothing but what any local program has: the simulator's port (from run.json, or
//! a port scan) and raw TCP. One 18 KB request must not take the shop down, a made-up
//! key must not list sessions, and a foreign Host (DNS rebinding from a web page) must be
//! refused. `BOOTH_BIN=/abs/path/to/booth` runs it against another build.

use crate::common::*;
use booth_testkit::raw;
use serde_json::Value;
use std::fs::File;
use std::net::SocketAddr;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// `booth serve` on `port`, killed when the test ends however it ends.
fn serve(shop: &Shop, port: u16) -> Running {
    let log = shop.dir.path().join("serve.log");
    let child = shop
        .cmd()
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(File::create(&log).unwrap())
        .spawn()
        .expect("start booth serve");
    Running { child, log }
}

/// The process is still running, and its shop and simulator still answer.
fn assert_alive(serving: &mut Running, shop: SocketAddr, sim: SocketAddr, after: &str) {
    let health = send(shop, &get(shop, "/healthz", None)).map(|r| r.0);
    let index = send(sim, &get(sim, "/", None)).map(|r| r.0);
    if health != Some(200) || index != Some(200) {
        // A process on its way down (an abort) gets a moment to go, for the message.
        std::thread::sleep(Duration::from_millis(500));
    }
    let exited = serving.child.try_wait().unwrap();
    assert!(
        exited.is_none() && health == Some(200) && index == Some(200),
        "booth serve {after}: exited {exited:?}, the shop's /healthz {health:?}, \
         the simulator's / {index:?}\n{}",
        serving.log()
    );
}

/// One request over a fresh connection, as written; None when the connection ends
/// without an answer (the process went down).
fn send(addr: SocketAddr, request: &str) -> Option<(u16, String)> {
    let res = raw::send(addr, request.as_bytes(), Duration::from_secs(20));
    res.answered().then(|| (res.status, res.text()))
}

fn get(host: SocketAddr, path: &str, key: Option<&str>) -> String {
    get_as(&host.to_string(), path, key)
}

fn get_as(host: &str, path: &str, key: Option<&str>) -> String {
    let auth = key
        .map(|k| format!("Authorization: Bearer {k}\r\n"))
        .unwrap_or_default();
    raw::get(host, path, &auth)
}

fn post(host: SocketAddr, path: &str, key: &str, body: &str) -> String {
    raw::post_form(
        &host.to_string(),
        path,
        &format!("Authorization: Bearer {key}\r\n"),
        body,
    )
}

/// Stripe's error shape: `{"error": {"type": …, "message": …}}`.
fn error_type(body: &str) -> String {
    let v: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
    assert!(v["error"]["message"].is_string(), "{body}");
    v["error"]["type"].as_str().unwrap_or_default().to_string()
}

#[test]
fn a_local_attacker_can_neither_crash_nor_use_the_simulator() {
    let shop = Shop::new();
    shop.add("book", "5.00");
    let port = booth_testkit::smtp::free_port();
    let shop_addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let mut serving = serve(&shop, port);
    let deadline = Instant::now() + Duration::from_secs(60);
    while send(shop_addr, &get(shop_addr, "/healthz", None)).map(|r| r.0) != Some(200) {
        assert!(
            serving.child.try_wait().unwrap().is_none() && Instant::now() < deadline,
            "booth serve didn't come up:\n{}",
            serving.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let run = shop.run_json(serving.child.id(), Duration::from_secs(30));
    let sim: SocketAddr = run["simulator_url"]
        .as_str()
        .expect("simulated payments")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .expect("the simulator's address");
    // A buyer starts a checkout, so there is a session to steal.
    let buy = send(shop_addr, &get(shop_addr, "/buy/book", None)).expect("GET /buy/book");
    assert_eq!(buy.0, 303, "{}", buy.1);

    // 1. 6,000 levels of `a[a][a]…` (18 KB) with a made-up key, the way the old public
    // key worked. It must be turned away, and the shop must live on.
    let deep = format!("a{}=1", "[a]".repeat(5999));
    assert!(deep.len() >= 18_000);
    let made_up = "sk_test_booth_simulator";
    let answer = send(sim, &post(sim, "/v1/customers", made_up, &deep));
    assert_alive(
        &mut serving,
        shop_addr,
        sim,
        "after 6,000 levels of nesting",
    );
    let (status, body) = answer.expect("an answer, not a dropped connection");
    assert_eq!(status, 401, "{body}");
    assert_eq!(error_type(&body), "invalid_request_error");

    // 2. The same from a program that has the real key: Stripe's 400, not a crash.
    let key = run["simulator_key"]
        .as_str()
        .expect("run.json carries the simulator's key");
    let answer = send(sim, &post(sim, "/v1/customers", key, &deep));
    assert_alive(
        &mut serving,
        shop_addr,
        sim,
        "after 6,000 levels of nesting with the key",
    );
    let (status, body) = answer.expect("an answer, not a dropped connection");
    assert_eq!(status, 400, "{body}");
    assert_eq!(error_type(&body), "invalid_request_error");

    // 3. A made-up key lists nothing and refunds nothing.
    for key in [made_up, "sk_test_4eC39HqLyjWDarjtT1zdp7dc"] {
        let (status, body) = send(sim, &get(sim, "/v1/checkout/sessions", Some(key))).unwrap();
        assert_eq!(status, 401, "{key}: {body}");
        assert_eq!(error_type(&body), "invalid_request_error");
        assert!(!body.contains("cs_test_"), "{body}");
        let refund = post(sim, "/v1/refunds", key, "charge=ch_x");
        assert_eq!(send(sim, &refund).map(|r| r.0), Some(401), "{key}");
    }

    // 4. A web page's own name in Host (DNS rebinding) is refused, even with the key.
    for host in [
        "evil.example".to_string(),
        format!("evil.example:{}", sim.port()),
    ] {
        let request = get_as(&host, "/v1/checkout/sessions", Some(key));
        let (status, body) = send(sim, &request).unwrap();
        assert!(status == 421 || status == 400, "{host}: {status} {body}");
        assert_eq!(error_type(&body), "invalid_request_error");
        assert!(!body.contains("cs_test_"), "{body}");
        let (status, body) = send(sim, &get_as(&host, "/", None)).unwrap();
        assert!(status == 421 || status == 400, "{host} /: {status} {body}");
    }

    // 5. The page anyone may open names no session and links no payment page.
    let (_, index) = send(sim, &get(sim, "/", None)).unwrap();
    assert!(
        !index.contains("cs_test_") && !index.contains("/c/pay/"),
        "{index}"
    );

    // The refusals above aren't a broken API: the key, addressed properly, works.
    let (status, body) = send(sim, &get(sim, "/v1/checkout/sessions", Some(key))).unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("cs_test_"), "{body}");
    assert_alive(&mut serving, shop_addr, sim, "at the end");
}
