//! What a hostile buyer, anyone on the internet or a made-up request can't get from the
//! shop (docs/security.md): each test here reproduces an attack that worked once.

use booth_core::payments::CheckoutExtras;
use booth_core::purchases::Purchase;
use booth_core::quote::CheckoutRequest;
use booth_testkit::app::*;

static OPTIONS: booth_core::tax::CheckoutOptions = booth_core::tax::CheckoutOptions {
    tax: None,
    invoices: false,
};

fn extras<'a>(public_url: &'a str, key: &'a str) -> CheckoutExtras<'a> {
    static NONE: booth_core::domain::Referral = booth_core::domain::Referral {
        ref_: None,
        utm_source: None,
        utm_medium: None,
        utm_campaign: None,
    };
    CheckoutExtras {
        public_url,
        idempotency_key: key,
        referral: &NONE,
        expires_at: None,
        options: &OPTIONS,
        consent: None,
    }
}
use std::time::Duration;

/// Item 10: the simulator (like any payment provider) handed back an address Booth's own
/// parser refused; the payment completed but no purchase was recorded. Now whatever comes
/// back for a paid session becomes a purchase, the buyer lands on their page, and the
/// address is flagged to the seller with the receipt waiting, failed, in the outbox.
#[tokio::test]
async fn a_paid_purchase_with_an_unmailable_email_is_recorded_and_flagged() {
    let app = spawn_app().await;
    app.add_product("book", "5.00", "5", &[("book.pdf", b"%PDF-1.4 book")])
        .await;
    let hosted = app.buy("book").await;
    let paid = app.pay(&hosted, "odd\u{1b}[31m@example.com").await;
    let token = app.complete(&paid).await;
    let page = app.get(&format!("/d/{token}")).await;
    assert_eq!(page.status(), 200, "the buyer sees their purchase");

    let p = app.wait_for_purchase(&paid.session_id).await;
    assert_eq!(p.token, token);
    assert!(
        !p.email.chars().any(char::is_control),
        "stored printable: {:?}",
        p.email
    );
    let problem = p.email_problem.as_deref().expect("flagged to the seller");
    assert!(problem.contains("control characters"), "{problem}");
    let failed = app.shop().outbox(Some("failed"), 10).await.unwrap();
    assert_eq!(failed.len(), 1, "the receipt waits, failed, for the seller");
    assert!(failed[0]
        .last_error
        .as_deref()
        .unwrap()
        .contains("can't be mailed"));
    // Nothing was sent to it, now or later.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(app.smtp.received_count(), 0);
    // The webhook for the same session changes nothing (one purchase).
    assert_eq!(app.purchases().await.len(), 1);
}

/// Item 6: `/checkout/success` asked Stripe about any id it was given: 200 made-up ids made
/// 200 lookups with the seller's key in 0.3 s, spending the account's API rate limit that
/// checkout creation needs. Now only sessions this shop created are looked up; the rest
/// share a few lookups a minute (for a session begun before the shop kept its list).
#[tokio::test]
async fn the_success_page_asks_stripe_only_about_this_shops_sessions() {
    let app = spawn_app().await;
    app.add_product("book", "5.00", "5", &[("book.pdf", b"%PDF-1.4 book")])
        .await;
    let quote = app
        .shop()
        .quote(&CheckoutRequest::one("book"))
        .await
        .unwrap();
    // A paid session the shop has no record of creating (made straight through the API,
    // as an older Booth would have).
    let (_, hosted) = app
        .shop()
        .payments()
        .unwrap()
        .create_checkout(&quote, extras(&app.base, "unlisted-1"))
        .await
        .unwrap();
    app.set_webhooks_enabled(false).await;
    let unlisted = app.pay(&hosted, "early@example.com").await;

    for i in 0..200 {
        let res = app
            .get(&format!(
                "/checkout/success?session_id=cs_live_madeup{i:04}"
            ))
            .await;
        assert_eq!(res.status(), 404, "made-up id {i}");
    }
    // The flood used up the few lookups unlisted ids get: the real unlisted session is
    // not looked up now either (so at most that few of the 200 reached Stripe)…
    let res = app.http.get(&unlisted.success_url).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert!(app.purchases().await.is_empty());
    // …while a checkout of this shop's own is answered at once, flood or not.
    let paid = app.buy_and_pay("book", "buyer@example.com").await;
    let token = app.complete(&paid).await;
    assert_eq!(app.get(&format!("/d/{token}")).await.status(), 200);
}

/// Without a flood, a session begun before the shop kept its list still lands its buyer
/// on their purchase.
#[tokio::test]
async fn an_unlisted_paid_session_is_still_fulfilled_from_the_success_page() {
    let app = spawn_app().await;
    app.add_product("book", "5.00", "5", &[("book.pdf", b"%PDF-1.4 book")])
        .await;
    let quote = app
        .shop()
        .quote(&CheckoutRequest::one("book"))
        .await
        .unwrap();
    let (_, hosted) = app
        .shop()
        .payments()
        .unwrap()
        .create_checkout(&quote, extras(&app.base, "unlisted-2"))
        .await
        .unwrap();
    app.set_webhooks_enabled(false).await;
    let paid = app.pay(&hosted, "early@example.com").await;
    let token = app.complete(&paid).await;
    assert_eq!(app.get(&format!("/d/{token}")).await.status(), 200);
}

/// A granted purchase of one file of `content`, with a download limit of `limit`: the
/// purchase and the file's download path.
async fn granted(app: &TestApp, limit: &str, content: &[u8]) -> (Purchase, String) {
    app.add_product("book", "5.00", limit, &[("book.bin", content)])
        .await;
    app.granted_download("book").await
}

async fn get_range(app: &TestApp, path: &str, range: &str) -> (u16, Vec<u8>) {
    let res = app
        .http
        .get(app.url(path))
        .header("range", range)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    // A response cut short (a spent budget) reads as an error: count what arrived.
    let mut body = Vec::new();
    let mut res = res;
    while let Ok(Some(chunk)) = res.chunk().await {
        body.extend_from_slice(&chunk);
    }
    (status, body)
}

fn content(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 % 251) as u8).collect()
}

/// Item 1: with a limit of 1, after the one download and a 410, fifty `Range: bytes=1-`
/// each got 206 and the whole file but its first byte. Now resumes are free only while
/// the bytes they serve stay within one and a half copies of the file.
#[tokio::test]
async fn a_used_up_link_gets_no_more_than_one_more_copy_through_range() {
    let app = spawn_app().await;
    let file = content(10_000);
    let (_, path) = granted(&app, "1", &file).await;
    assert_eq!(app.get(&path).await.status(), 200);
    assert_eq!(app.get(&path).await.status(), 410);
    let mut served = 0;
    let mut partial = 0;
    for _ in 0..50 {
        let (status, body) = get_range(&app, &path, "bytes=1-").await;
        match status {
            206 => {
                assert_eq!(body, file[1..]);
                partial += 1;
                served += body.len();
            }
            410 => {}
            s => panic!("unexpected {s}"),
        }
    }
    assert_eq!(partial, 1, "one free resume of 9,999 bytes fits in 15,000");
    assert!(served <= 15_000, "{served} bytes through Range");
}

/// The same against a big file (streamed in chunks), with the requests all at once: the
/// budget is shared, and bytes are taken as they go out, so together they get no more
/// than one and a half copies.
#[tokio::test]
async fn concurrent_range_requests_share_one_budget() {
    let app = spawn_app().await;
    let size = 2 << 20;
    let file = content(size);
    let (_, path) = granted(&app, "1", &file).await;
    let (status, body) = get_range(&app, &path, "bytes=0-").await;
    assert_eq!((status, body.len()), (206, size), "the counted download");
    let all =
        futures_util::future::join_all((0..20).map(|_| get_range(&app, &path, "bytes=1-"))).await;
    let served: usize = all
        .iter()
        .filter(|(status, _)| *status == 206)
        .map(|(_, b)| b.len())
        .sum();
    assert!(all.iter().all(|(s, _)| [206, 410].contains(s)));
    assert!(
        served <= size + size / 2,
        "{served} bytes through Range for a {size}-byte file"
    );
    assert!(served >= size, "a resume still works: {served}");
}

/// Download managers that fetch one file in parallel segments (aria2, IDM) still work:
/// one counted download, the other segments free, the file whole.
#[tokio::test]
async fn parallel_segment_downloads_still_work() {
    let app = spawn_app().await;
    let size = 4 << 20;
    let file = content(size);
    let (granted, path) = granted(&app, "1", &file).await;
    let seg = size / 4;
    let ranges: Vec<String> = (0..4)
        .map(|i| match i {
            3 => format!("bytes={}-", i * seg),
            _ => format!("bytes={}-{}", i * seg, (i + 1) * seg - 1),
        })
        .collect();
    // The first segment first (it is the counted download), then the rest at once.
    let first = get_range(&app, &path, &ranges[0]).await;
    let rest =
        futures_util::future::join_all(ranges[1..].iter().map(|r| get_range(&app, &path, r))).await;
    let mut whole = first.1;
    for (status, body) in rest {
        assert_eq!(status, 206);
        whole.extend(body);
    }
    assert_eq!(whole, file, "the file arrives whole");
    let p = app.purchase(&granted.token).await;
    assert_eq!(p.items[0].files[0].downloads_used, 1);
    // A re-download of it all by Range gets only what is left of the budget (half a copy
    // here), cut short; after that the link is used up.
    let (status, body) = get_range(&app, &path, "bytes=1-").await;
    assert_eq!(status, 206);
    assert!(body.len() <= size / 2 + seg, "{} bytes", body.len());
    assert_eq!(get_range(&app, &path, "bytes=1-").await.0, 410);
}

/// `bytes=-N` (the last N bytes) is valid HTTP; it answered 416 before.
#[tokio::test]
async fn suffix_ranges_work() {
    let app = spawn_app().await;
    let file = content(10_000);
    let (_, path) = granted(&app, "5", &file).await;
    let res = app.get_with(&path, "range", "bytes=-100").await;
    assert_eq!(res.status(), 206);
    assert_eq!(res.headers()["content-range"], "bytes 9900-9999/10000");
    assert_eq!(res.bytes().await.unwrap().as_ref(), &file[9900..]);
    let (status, body) = get_range(&app, &path, "bytes=-20000").await;
    assert_eq!((status, body), (206, file.clone()));
    assert_eq!(get_range(&app, &path, "bytes=-0").await.0, 416);
}

/// Item 2: behind bore or `ssh -R` every buyer arrives from loopback, and Booth believed
/// X-Forwarded-For, which any client writes: rotating it gave 40 of 40 checkouts. Now only
/// a header the running tunnel's edge writes is believed; where none is, buyers share one
/// larger allowance, and nothing a client writes makes it larger.
#[tokio::test]
async fn forged_forwarded_headers_dont_lift_the_checkout_limit() {
    let vouching = booth_server::Vouching::default();
    let app = spawn_app_with(AppOptions {
        checkout_limit: 10,
        server: booth_server::ServerConfig {
            vouching: vouching.clone(),
            ..Default::default()
        },
        ..AppOptions::default()
    })
    .await;
    app.add_product("book", "5.00", "5", &[("book.pdf", b"%PDF-1.4 book")])
        .await;
    let mut ok = 0;
    for i in 0..80 {
        let res = app
            .http
            .get(app.url("/buy/book"))
            .header(
                "x-forwarded-for",
                format!("10.9.{}.{}", i / 250, i % 250 + 1),
            )
            .header("cf-connecting-ip", format!("10.8.0.{}", i + 1))
            .send()
            .await
            .unwrap();
        match res.status().as_u16() {
            303 => ok += 1,
            429 => {}
            s => panic!("unexpected {s}"),
        }
    }
    let shared = 10 * booth_server::UNKNOWN_SHARE as usize;
    assert_eq!(
        ok, shared,
        "one shared allowance, whatever the headers said"
    );

    // The download log records no address a client made up.
    let (p, path) = app.granted_download("book").await;
    let res = app.get_with(&path, "x-forwarded-for", "6.6.6.6").await;
    assert_eq!(res.status(), 200);
    let log = app
        .shop()
        .purchase_detail(&p.token)
        .await
        .unwrap()
        .downloads;
    assert_eq!(log.len(), 1);
    assert_eq!(
        log[0].ip, "",
        "an address nobody vouched for is not recorded"
    );

    // Behind Cloudflare each buyer has their own allowance: one client using theirs up
    // locks nobody else out.
    vouching.set(booth_server::Vouched::Cloudflare);
    let from = |ip: &'static str| app.get_with("/buy/book", "cf-connecting-ip", ip);
    for _ in 0..30 {
        let _ = from("2001:db8:7:7::1").await;
    }
    assert_eq!(from("2001:db8:7:7::2").await.status(), 429, "same /64");
    assert_eq!(from("2001:db8:7:8::1").await.status(), 303);
    assert_eq!(from("192.0.2.44").await.status(), 303);
}
