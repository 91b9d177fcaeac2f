//! `kill -9` of `booth serve` at random moments while buyers keep paying and a mailing is
//! going out. After each crash the shop starts again on the same data dir. At the end:
//! every session the payment provider says is paid became exactly one purchase, every
//! purchase has one receipt and every buyer got it (at most the one in flight at a crash
//! twice), every mailing recipient got the update, and SQLite's integrity check passes.

use crate::common::*;
use booth_testkit::app::{pay_at, CARD_OK};
use booth_testkit::rng::{self, Rng};
use booth_testkit::{ReceivedMail, SmtpServer};
use std::collections::{HashMap, HashSet};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const KILLS: usize = 4;

fn serve(shop: &Shop, smtp: &SmtpServer, port: u16) -> Child {
    let mut c: Command = shop.cmd();
    c.env("BOOTH_SMTP_URL", smtp.url())
        // A leased message of a killed worker is sent again after a second, not 30.
        .env("BOOTH_MAIL_LEASE_SECS", "1")
        // Slow enough that the mailing is still going when the kills come.
        .env("BOOTH_MAIL_RATE", "25")
        // Every buyer here comes from loopback: one shared allowance, big enough to keep
        // selling until the kill comes.
        .env("BOOTH_CHECKOUT_LIMIT", "100000")
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c.spawn().expect("booth serve")
}

async fn wait_up(http: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !matches!(http.get(format!("{base}/healthz")).send().await, Ok(r) if r.status() == 200) {
        assert!(Instant::now() < deadline, "booth serve didn't come up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Buys and pays until the shop stops answering; returns the sessions whose payment was
/// confirmed to the buyer. Every other one returns through the success page.
async fn buy_until_down(http: reqwest::Client, base: String, round: usize) -> Vec<String> {
    let mut paid = Vec::new();
    for i in 0.. {
        let buy = http.get(format!("{base}/buy/book")).send().await;
        let Ok(buy) = buy else {
            break;
        };
        let Some(hosted) = buy.headers().get("location").and_then(|l| l.to_str().ok()) else {
            break;
        };
        let email = format!("r{round}-{i}@example.com");
        let Ok(res) = pay_at(&http, hosted, &email, CARD_OK).await else {
            break;
        };
        let Some(success) = res.headers().get("location").and_then(|l| l.to_str().ok()) else {
            break;
        };
        let session = success.split("session_id=").nth(1).unwrap_or_default();
        paid.push(session.to_string());
        if i % 2 == 0 && http.get(success).send().await.is_err() {
            break;
        }
    }
    paid
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_while_selling_and_mailing_loses_nothing_and_fulfils_once() {
    let shop = Shop::new();
    let smtp = SmtpServer::start();
    shop.add("book", "5.00");
    for i in 0..60 {
        shop.ok(&[
            "grant",
            "--product",
            "book",
            "--email",
            &format!("fan{i}@example.com"),
        ]);
    }
    let msg = shop.file("changes.txt", b"Version two is out.");
    let port = booth_testkit::smtp::free_port();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    // Kill moments at random, from a printed seed (BOOTH_CRASH_SEED replays a run).
    let mut rng = rng::seeded("BOOTH_CRASH_SEED");

    let mut confirmed: Vec<String> = Vec::new();
    for round in 0..KILLS {
        let mut server = serve(&shop, &smtp, port);
        wait_up(&http, &base).await;
        if round == 0 {
            // Queue the mailing; the running shop sends it (send-update only watches).
            let mut watcher = shop
                .cmd()
                .args(["send-update", "--product", "book", "--message", &msg])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            // Until the mailing is queued (a fixed 500 ms wasn't always enough on a loaded
            // CI machine, and the updates were then never sent).
            let deadline = Instant::now() + Duration::from_secs(30);
            while shop
                .json(&["mailings", "--json"])
                .as_array()
                .is_none_or(|m| m.is_empty())
            {
                assert!(
                    Instant::now() < deadline,
                    "send-update queued no mailing in 30 s"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            let _ = watcher.kill();
            let _ = watcher.wait();
        }
        let buyers = tokio::spawn(buy_until_down(http.clone(), base.clone(), round));
        tokio::time::sleep(Duration::from_millis(300 + rng.random_range(0..1200))).await;
        server.kill().unwrap(); // SIGKILL
        server.wait().unwrap();
        confirmed.extend(buyers.await.unwrap());
    }

    // The last start: catch up, fulfil, send everything.
    let mut server = serve(&shop, &smtp, port);
    wait_up(&http, &base).await;
    let run = shop.run_json(server.id(), Duration::from_secs(10));
    let sim = run["simulator_url"].as_str().unwrap().to_string();
    let key = run["simulator_key"]
        .as_str()
        .expect("run.json names the simulator's key");
    let paid = paid_sessions(&http, &sim, key).await;
    let confirmed: HashSet<String> = confirmed.into_iter().collect();
    assert!(
        confirmed.is_subset(&paid),
        "every payment a buyer saw confirmed is paid at the provider"
    );
    assert!(
        paid.len() >= 5,
        "the test sold too little to mean anything: {}",
        paid.len()
    );

    let deadline = Instant::now() + Duration::from_secs(60);
    let purchases = loop {
        let all = shop.json(&["purchases", "--json"]);
        let sold: Vec<serde_json::Value> = all
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["checkout_session_id"].is_string())
            .cloned()
            .collect();
        if sold.len() >= paid.len() || Instant::now() > deadline {
            break sold;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let sessions: Vec<String> = purchases
        .iter()
        .map(|p| p["checkout_session_id"].as_str().unwrap().to_string())
        .collect();
    let unique: HashSet<String> = sessions.iter().cloned().collect();
    assert_eq!(unique.len(), sessions.len(), "a session fulfilled twice");
    assert_eq!(
        unique, paid,
        "every paid session became a purchase, and nothing else did"
    );

    // Every receipt and every update reaches its buyer; a crash repeats at most the
    // message in flight.
    // (The 60 fans' own receipts went out when `booth grant` ran, before any of this.)
    let mail = wait_for_quiet_mail(&smtp, purchases.len() + 60).await;
    let mut per: HashMap<(String, String), usize> = HashMap::new();
    for m in &mail {
        let kind = m.header("X-Booth-Kind").unwrap_or("?").to_string();
        *per.entry((kind, m.to[0].clone())).or_default() += 1;
    }
    for p in &purchases {
        let email = p["email"].as_str().unwrap().to_string();
        let n = per
            .get(&("receipt".into(), email.clone()))
            .copied()
            .unwrap_or(0);
        assert!(n >= 1, "{email} got no receipt");
    }
    for i in 0..60 {
        let email = format!("fan{i}@example.com");
        let n = per
            .get(&("update".into(), email.clone()))
            .copied()
            .unwrap_or(0);
        assert!(n >= 1, "{email} got no update");
    }
    let repeats: usize = per.values().map(|n| n - 1).sum();
    assert!(
        repeats <= KILLS,
        "{repeats} messages went out twice over {KILLS} crashes"
    );

    server.kill().unwrap();
    server.wait().unwrap();
    let out = Command::new("python3")
        .args([
            "-c",
            "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA integrity_check').fetchone()[0])",
            shop.data_dir().join("booth.db").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "ok");
    eprintln!(
        "{} paid sessions, {} purchases, {} mails, {repeats} repeated, over {KILLS} kill -9s",
        paid.len(),
        purchases.len(),
        mail.len()
    );
}

/// The sessions the payment provider (the simulator, persisted across the crashes) has
/// as paid.
async fn paid_sessions(http: &reqwest::Client, sim: &str, key: &str) -> HashSet<String> {
    booth_testkit::app::list_all(http, sim, key, "v1/checkout/sessions")
        .await
        .into_iter()
        .filter(|s| s["payment_status"] == "paid")
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

/// Waits until at least `n` messages arrived and no more came for two seconds.
async fn wait_for_quiet_mail(smtp: &SmtpServer, n: usize) -> Vec<ReceivedMail> {
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut last = 0;
    let mut still_since = Instant::now();
    loop {
        let count = smtp.received_count();
        if count != last {
            last = count;
            still_since = Instant::now();
        }
        if (count >= n && still_since.elapsed() > Duration::from_secs(2))
            || Instant::now() > deadline
        {
            return smtp.messages();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
