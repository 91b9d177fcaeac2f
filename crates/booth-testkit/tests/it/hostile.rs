//! Hostile input over real HTTP, generated at random for a bounded number of requests
//! (seeded; the seed is printed, BOOTH_FUZZ_SEED replays it): paths, tokens, Range headers,
//! forwarded addresses, webhook bodies and signatures, oversized headers. Nothing may give
//! a 5xx or take the server down, and nothing may create or spend a purchase.

use booth_testkit::app::{now, sign, spawn_app};
use booth_testkit::rng::{self, pick, Rng, StdRng};
use std::time::Duration;

/// Up to `max` pieces of text that paths and headers are made of, hostile ones included.
fn text(rng: &mut StdRng, max: usize) -> String {
    const ALPHABET: &[&str] = &[
        "a", "Z", "0", "9", "-", "_", ".", "..", "/", "%", "%2e", "%2F", "%00", "%0d%0a", "é",
        "😀", "'", "\"", "<", ">", ";", "=", "&", "?", "#", "~", "\\", " ", "+", "*",
    ];
    let n = rng.random_range(0..=max);
    (0..n).map(|_| pick(rng, ALPHABET)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_hostile_requests_get_clear_answers_and_change_nothing() {
    let app = spawn_app().await;
    app.add_product("book", "5.00", "5", &[("book.pdf", b"%PDF-1.4 fuzz")])
        .await;
    // One real purchase, so there is a real signed event to tamper with.
    let paid = app.buy_and_pay("book", "real@example.com").await;
    app.wait_for_purchase(&paid.session_id).await;
    let (granted, _) = app.granted_download("book").await;
    let token = granted.token.clone();
    let file_id = granted.items[0].files[0].file.id.to_string();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let mut rng = rng::seeded("BOOTH_FUZZ_SEED");
    let (mut sent, mut refused_by_client) = (0, 0);
    let mut statuses = std::collections::BTreeMap::new();
    for _ in 0..1500 {
        let prefix = pick(
            &mut rng,
            &[
                "/",
                "/p/",
                "/buy/",
                "/d/",
                "/u/",
                "/checkout/success?session_id=",
                "/checkout/cancel?products=",
                "/webhooks/stripe",
                "/cart/checkout",
                "/healthz/",
                "/static/",
                "/d/TOKEN/",
                "/d/TOKEN/FILE",
                "/u/TOKEN?m=",
            ],
        );
        let path = format!("{prefix}{}", text(&mut rng, 40))
            .replace(
                "TOKEN",
                if rng.random_range(0..2) == 0 {
                    &token
                } else {
                    "0"
                },
            )
            .replace("FILE", &file_id);
        let method = pick(
            &mut rng,
            &[
                "GET", "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH",
            ],
        );
        let Ok(url) = reqwest::Url::parse(&format!("{}{path}", app.base)) else {
            refused_by_client += 1;
            continue;
        };
        let mut req = client.request(method.parse().unwrap(), url);
        if rng.random_range(0..3) == 0 {
            let range = format!(
                "{}{}-{}",
                pick(&mut rng, &["bytes=", "bytes=-", "items=", "", "bytes= "]),
                rng.random_range(0..100u64),
                pick(
                    &mut rng,
                    &["", "5", "99999999999999999999999", "-1", "3,4-5"]
                )
            );
            req = req.header("range", range);
        }
        if rng.random_range(0..4) == 0 {
            req = req.header(
                "x-forwarded-for",
                pick(
                    &mut rng,
                    &["1.2.3.4", "::1", "nope", "1.2.3.4, ::ffff:1.2.3.4", ""],
                ),
            );
        }
        if rng.random_range(0..4) == 0 {
            let t: u64 = rng.random();
            req = req.header(
                "stripe-signature",
                format!("t={t},v1={}", text(&mut rng, 20)),
            );
        }
        if method == "POST" || method == "PUT" {
            req = req.body(rng::bytes(&mut rng, 20_000));
        }
        let res = match req.send().await {
            Ok(r) => r,
            Err(e) if e.is_builder() => {
                refused_by_client += 1;
                continue;
            }
            Err(e) => panic!("{method} {path}: the server dropped the request: {e}"),
        };
        sent += 1;
        let status = res.status().as_u16();
        *statuses.entry(status).or_insert(0) += 1;
        assert!(status < 500, "{method} {path} answered {status}");
    }
    eprintln!("{sent} requests ({refused_by_client} not sendable): {statuses:?}");
    assert!(sent > 1000);

    // Oversized headers are refused without harm.
    let huge = "x".repeat(200 * 1024);
    let res = client
        .get(format!("{}/", app.base))
        .header("x-huge", huge)
        .send()
        .await;
    assert_eq!(res.unwrap().status().as_u16(), 431);

    // Webhooks: random bodies with random signatures, and a real event with one byte
    // changed, are all refused; nothing is fulfilled.
    let secret = app.webhook_secret();
    let event = app.latest_event_json("checkout.session.completed").await;
    for i in 0..300 {
        let body = if i % 3 == 0 {
            let mut b = event.clone().into_bytes();
            if !b.is_empty() {
                let at = rng.random_range(0..b.len());
                b[at] ^= 1 + rng.random_range(0..127u8);
            }
            b
        } else {
            rng::bytes(&mut rng, 5000)
        };
        let signature = if i % 2 == 0 {
            sign(&event, &secret, now())
        } else {
            format!("t={},v1={}", now(), text(&mut rng, 64))
        };
        let res = client
            .post(format!("{}/webhooks/stripe", app.base))
            .header("stripe-signature", signature)
            .body(body)
            .send()
            .await
            .unwrap();
        // 411 for an empty body sent without a length; 400 for everything else.
        assert!(
            matches!(res.status().as_u16(), 400 | 411),
            "webhook {i}: {}",
            res.status()
        );
    }

    // Still serving, nothing bought, nothing spent beyond the limit.
    assert_eq!(app.get("/healthz").await.status(), 200);
    let purchases = app.purchases().await;
    assert_eq!(purchases.len(), 2, "only the real one and the granted one");
    for p in purchases {
        assert!(p.items[0].files[0].downloads_used <= 5);
    }
}
