//! `booth serve`: it sells through the simulator, a second process refunds through it, a
//! second serve on the same port is refused, and Ctrl-C stops it cleanly.

use crate::common::*;
use booth_testkit::app::{location, pay_at};
use booth_testkit::smtp::free_port;
use serde_json::Value;
use std::fs;
use std::process::Command;
use std::time::{Duration, Instant};

#[tokio::test]
async fn serve_sells_refunds_and_stops_cleanly() {
    let shop = Shop::new();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut cmd = shop.cmd();
    cmd.args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--demo"]);
    let mut server = Running::spawn(cmd, shop.dir.path().join("serve.log"));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");

    // Up within 30 s.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = server.child.try_wait().expect("try_wait") {
            panic!("serve exited early ({status}):\n{}", server.log());
        }
        if let Ok(r) = client.get(format!("{base}/healthz")).send().await {
            if r.status() == 200 {
                break;
            }
        }
        assert!(
            Instant::now() < deadline,
            "no /healthz within 30 s:\n{}",
            server.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // run.json is written just after the server starts answering (booth-runtime's start):
    // under load, /healthz can answer a moment before it is there.
    let run_json = shop.data_dir().join("run.json");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !run_json.exists() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(run_json.exists(), "run.json missing while serving");
    let info: Value =
        serde_json::from_str(&fs::read_to_string(&run_json).expect("run.json")).expect("json");
    assert_eq!(info["pid"], server.child.id());
    let sim_url = info["simulator_url"]
        .as_str()
        .expect("simulator_url")
        .to_string();

    let home = client.get(format!("{base}/")).send().await.expect("GET /");
    assert_eq!(home.status(), 200);
    assert!(home
        .text()
        .await
        .expect("body")
        .contains("The Little Book of Booth"));

    // A second serve on the same port is refused, naming the port.
    let other = Shop::new();
    let out = other
        .cmd()
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .output()
        .expect("second serve");
    let err = clean_error(&out, "second serve");
    assert!(err.contains(&port.to_string()), "{err}");
    assert!(!other.data_dir().join("run.json").exists());
    assert!(run_json.exists(), "the second serve removed our run.json");

    // The buyer flow through the simulator, with a code made by another process and a
    // newsletter's link.
    shop.ok(&["discount", "add", "LAUNCH", "--percent", "20"]);
    let buy = client
        .get(format!("{base}/buy/little-book?code=launch&ref=newsletter"))
        .send()
        .await
        .expect("buy");
    assert_eq!(buy.status(), 303);
    let pay_url = location(&buy);
    assert!(
        pay_url.starts_with(&sim_url),
        "{pay_url} isn't on {sim_url}"
    );
    let paid = pay_at(&client, &pay_url, "a@example.com", "4242424242424242")
        .await
        .expect("pay");
    assert_eq!(paid.status(), 303);
    let success = location(&paid);
    assert!(
        success.contains("/checkout/success?session_id=cs_"),
        "{success}"
    );
    let success = if success.starts_with("http") {
        success
    } else {
        format!("{base}{success}")
    };
    let done = client.get(&success).send().await.expect("success");
    assert_eq!(done.status(), 303);
    let token = token_of_link(&location(&done));

    let d = shop.show(&token);
    assert_eq!(d["purchase"]["status"], "paid");
    assert_eq!(d["purchase"]["source"], "checkout");
    assert_eq!(d["purchase"]["amount_minor"], 400);
    assert_eq!(d["purchase"]["charge"]["discount_minor"], 100);
    let line = shop.ok(&["purchases"]);
    assert!(
        line.contains("$4.00") && line.contains("code LAUNCH") && line.contains("from newsletter"),
        "{line}"
    );
    assert!(shop.ok(&["discount", "list"]).contains("1 used"));

    // Refund input is checked before anything is sent.
    let err = shop.fail(&["purchase", "refund", &token, "--amount", "abc"]);
    assert!(err.contains("amount"), "{err}");
    let err = shop.fail(&["purchase", "refund", &token, "--amount", "6.00"]);
    assert!(err.contains("$4.00"), "{err}");
    assert_eq!(shop.show(&token)["purchase"]["amount_refunded_minor"], 0);

    // A second process refunds through the running simulator.
    let out = shop.ok(&["purchase", "refund", &token]);
    assert!(out.contains("refunded"), "{out}");
    let d = shop.show(&token);
    assert_eq!(d["purchase"]["status"], "refunded");
    assert_eq!(d["purchase"]["amount_refunded_minor"], 400);
    let err = shop.fail(&["purchase", "refund", &token]);
    assert!(err.contains("already fully refunded"), "{err}");

    // Ctrl-C: a clean stop that removes run.json.
    let pid = server.child.id().to_string();
    let killed = Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill");
    assert!(killed.success());
    let status = server
        .wait_exit(Duration::from_secs(10))
        .unwrap_or_else(|| panic!("serve didn't stop within 10 s:\n{}", server.log()));
    assert!(status.success(), "serve exited {status}:\n{}", server.log());
    assert!(!run_json.exists(), "run.json left behind");
    // With serve stopped the simulator is gone too, and the CLI says how to get it back.
    let err = shop.fail(&["purchase", "refund", &token]);
    assert!(err.contains("booth serve"), "{err}");
    let log = server.log();
    assert_no_panic(&log);
    assert!(log.contains("Booth is open at"), "{log}");
}

/// One shop per data dir: a second `booth serve` on it (another port) is refused in one
/// line naming the process that serves it, and changes nothing; once the first stops, it
/// can start.
#[tokio::test]
async fn a_second_serve_on_the_same_data_dir_is_refused_naming_the_first() {
    let shop = Shop::new();
    let port = free_port();
    let mut cmd = shop.cmd();
    cmd.args(["serve", "--listen", &format!("127.0.0.1:{port}")]);
    let mut first = Running::spawn(cmd, shop.dir.path().join("first.log"));
    let info = shop.run_json(first.child.id(), Duration::from_secs(30));
    let other_port = free_port();
    let out = shop
        .cmd()
        .args(["serve", "--listen", &format!("127.0.0.1:{other_port}")])
        .output()
        .expect("second serve");
    let err = clean_error(&out, "second serve");
    assert!(
        err.contains(&format!("booth serve (pid {})", first.child.id()))
            && err.contains("already serving"),
        "{err}"
    );
    // The first is untouched: its run.json, its port.
    let still = shop.run_json(first.child.id(), Duration::from_secs(5));
    assert_eq!(still["addr"], info["addr"]);
    assert!(
        std::net::TcpListener::bind(("127.0.0.1", other_port)).is_ok(),
        "nothing listens on the second port"
    );

    let pid = first.child.id().to_string();
    assert!(Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap()
        .success());
    first
        .wait_exit(Duration::from_secs(10))
        .unwrap_or_else(|| panic!("serve didn't stop:\n{}", first.log()));
    let mut cmd = shop.cmd();
    cmd.args(["serve", "--listen", &format!("127.0.0.1:{other_port}")]);
    let mut second = Running::spawn(cmd, shop.dir.path().join("second.log"));
    shop.run_json(second.child.id(), Duration::from_secs(30));
    let pid = second.child.id().to_string();
    assert!(Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap()
        .success());
    second.wait_exit(Duration::from_secs(10));
}
