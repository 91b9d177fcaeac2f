//! Black-box tests of the shop: real HTTP on loopback, the Stripe simulator driven through
//! its hosted page, a real SQLite file and a real SMTP server.

use booth_testkit::app::*;
use booth_testkit::SmtpMode;
use std::time::Duration;

const BOOK: &[u8] = b"%PDF-1.4 pretend this is a lovely e-book\n";

fn body_of(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

#[tokio::test]
async fn full_buyer_story() {
    let app = spawn_app().await;
    app.add_product("book", "9.99", "5", &[("book.pdf", BOOK)])
        .await;

    // The product page has a Buy button that leads to the buy link.
    let page = html_of(app.get("/p/book").await).await;
    assert!(
        page.contains("/buy/book") && page.contains("$9.99"),
        "{page}"
    );

    let hosted = app.buy("book").await;
    let checkout_page = app
        .http
        .get(&hosted)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        checkout_page.contains("name=card_number") && checkout_page.contains("9.99"),
        "{checkout_page}"
    );

    let paid = app.buy_and_pay("book", "ann@example.com").await;
    let token = app.complete(&paid).await;
    assert_eq!(token.len(), 32);

    // The purchase page lists the file and changes nothing when opened (link scanners).
    for _ in 0..3 {
        let res = app.get(&format!("/d/{token}")).await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["cache-control"], "no-store");
        let html = res.text().await.unwrap();
        assert!(html.contains("book.pdf"), "{html}");
    }
    let p = app.shop().purchase(&token).await.unwrap().unwrap();
    assert_eq!(p.items[0].files[0].downloads_used, 0);
    assert_eq!(
        (
            p.amount_minor,
            p.currency.as_str(),
            p.status.as_str(),
            p.test
        ),
        (999, "usd", "paid", true)
    );
    assert_eq!(p.email, "ann@example.com");
    let file_id = p.items[0].files[0].file.id;

    for i in 0..5 {
        let res = app.get(&format!("/d/{token}/{file_id}")).await;
        assert_eq!(res.status(), 200, "download {}", i + 1);
        assert!(res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment; filename=\"book.pdf\""));
        assert_eq!(res.bytes().await.unwrap().as_ref(), BOOK);
    }
    let sixth = app.get(&format!("/d/{token}/{file_id}")).await;
    assert_eq!(sixth.status(), 410);
    assert!(sixth
        .text()
        .await
        .unwrap()
        .contains("Download limit reached"));

    // The receipt arrives over SMTP with the working link.
    let mail = app.smtp.wait_for_messages(1, Duration::from_secs(20)).await;
    assert_eq!(mail.len(), 1);
    let receipt = &mail[0];
    assert_eq!(receipt.to, vec!["ann@example.com".to_string()]);
    assert!(
        receipt.subject.contains("Product book"),
        "{}",
        receipt.subject
    );
    let link = app.url(&format!("/d/{token}"));
    assert!(
        receipt.text.as_deref().unwrap().contains(&link),
        "text part has the link"
    );
    assert!(
        receipt
            .html
            .as_deref()
            .unwrap()
            .replace("&#x2f;", "/")
            .contains(&link),
        "HTML part has the link"
    );
    assert_eq!(app.get(&link.replace(&app.base, "")).await.status(), 200);

    // Exactly one purchase, one receipt, and the download log recorded all six tries' five.
    assert_eq!(app.purchases().await.len(), 1);
    assert_eq!(app.outbox_count("receipt", p.id).await, 1);
    let detail = app.shop().purchase_detail(&token).await.unwrap();
    assert_eq!(detail.downloads.iter().filter(|d| d.counted).count(), 5);
}

#[tokio::test]
async fn declined_cards_keep_the_buyer_on_checkout_and_record_nothing() {
    let app = spawn_app().await;
    app.add_product("book", "5", "5", &[("book.pdf", BOOK)])
        .await;
    let hosted = app.buy("book").await;
    for (card, words) in [
        (CARD_DECLINED, "declined"),
        (CARD_NO_FUNDS, "insufficient funds"),
    ] {
        let res = app.pay_with(&hosted, "bob@example.com", card).await;
        assert_eq!(res.status(), 402);
        let html = res.text().await.unwrap();
        assert!(html.contains(words), "{card}: {html}");
    }
    // The session is still open: a good card then works.
    let paid = app.pay(&hosted, "bob@example.com").await;
    let token = app.complete(&paid).await;
    assert!(app.shop().purchase(&token).await.unwrap().is_some());
    assert_eq!(app.purchases().await.len(), 1);
}

#[tokio::test]
async fn cancel_page_offers_a_retry() {
    let app = spawn_app().await;
    app.add_product("book", "5", "5", &[("book.pdf", BOOK)])
        .await;
    let res = app.get("/checkout/cancel?products=book").await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    let html = html.replace("&#x2f;", "/");
    assert!(
        html.contains("No charge was made") && html.contains("/buy/book"),
        "{html}"
    );
    // Hostile values don't end up in the page.
    let html = app
        .get("/checkout/cancel?products=%3Cscript%3Ealert(1)%3C/script%3E")
        .await
        .text()
        .await
        .unwrap();
    assert!(!html.contains("<script>alert"), "{html}");
}

#[tokio::test]
async fn cart_with_two_products_ignores_tampered_prices() {
    let app = spawn_app().await;
    app.add_product("book", "9.99", "5", &[("book.pdf", BOOK)])
        .await;
    app.add_product("zine", "3.50", "3", &[("zine.zip", b"PK zip")])
        .await;
    let res = app
        .http
        .post(app.url("/cart/checkout"))
        .form(&[
            ("product", "book"),
            ("product", "zine"),
            ("price", "0.01"),
            ("amount", "1"),
            ("unit_amount", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let hosted = location(&res);
    let page = app
        .http
        .get(&hosted)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("13.49"),
        "total from the database, not the form: {page}"
    );
    let paid = app.pay(&hosted, "cat@example.com").await;
    let token = app.complete(&paid).await;
    let p = app.shop().purchase(&token).await.unwrap().unwrap();
    assert_eq!(p.amount_minor, 1349);
    let mut items: Vec<(String, i64, Option<u32>)> = p
        .items
        .iter()
        .map(|i| (i.product_slug.clone(), i.amount_minor, i.download_limit))
        .collect();
    items.sort();
    assert_eq!(
        items,
        vec![("book".into(), 999, Some(5)), ("zine".into(), 350, Some(3))]
    );
    // One purchase, one page, one receipt listing both.
    let mail = app.smtp.wait_for_messages(1, Duration::from_secs(20)).await;
    let text = mail[0].text.clone().unwrap();
    assert!(
        text.contains("Product book") && text.contains("Product zine"),
        "{text}"
    );
    assert_eq!(app.outbox_count("receipt", p.id).await, 1);

    // An empty cart, unknown products and an inactive one get clear pages.
    let res = app
        .http
        .post(app.url("/cart/checkout"))
        .form(&[("price", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let res = app
        .http
        .post(app.url("/cart/checkout"))
        .form(&[("product", "nope")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn webhook_before_success_page() {
    let app = spawn_app().await;
    app.add_product("book", "5", "5", &[("book.pdf", BOOK)])
        .await;
    let paid = app.buy_and_pay("book", "dan@example.com").await;
    // The simulator delivers checkout.session.completed; the purchase appears without the
    // buyer's browser ever coming back.
    let p = app.wait_for_purchase(&paid.session_id).await;
    let token = app.complete(&paid).await;
    assert_eq!(token, p.token);
    assert_eq!(app.purchases().await.len(), 1);
    app.smtp.wait_for_messages(1, Duration::from_secs(20)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(app.smtp.messages().len(), 1, "one receipt");
    // The event that recorded it is kept (with the purchase, in its transaction), so a
    // redelivery or a catch-up does nothing with it again.
    let sid = paid.session_id.clone();
    let events: Vec<(String, String)> = app
        .shop()
        .db()
        .run(move |c| {
            let mut st =
                c.prepare("SELECT type, object_id FROM stripe_events WHERE object_id = ?1")?;
            let rows = st.query_map([sid], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
        .unwrap();
    assert_eq!(
        events,
        vec![(
            "checkout.session.completed".to_string(),
            paid.session_id.clone()
        )]
    );
}

#[tokio::test]
async fn success_page_before_webhook_then_the_webhook_changes_nothing() {
    let app = spawn_app().await;
    app.add_product("book", "5", "5", &[("book.pdf", BOOK)])
        .await;
    app.set_webhooks_enabled(false).await;
    let paid = app.buy_and_pay("book", "eve@example.com").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(app.purchases().await.is_empty(), "no webhook was delivered");
    let token = app.complete(&paid).await;
    // Now the webhook arrives late.
    let event = app.latest_event_json("checkout.session.completed").await;
    let res = app.post_webhook(&event, &app.webhook_secret(), now()).await;
    assert_eq!(res.status(), 200);
    let list = app.purchases().await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].token, token);
    assert_eq!(app.outbox_count("receipt", list[0].id).await, 1);
}

#[tokio::test]
async fn ten_concurrent_webhooks_and_success_pages_make_one_purchase_and_one_receipt() {
    let app = spawn_app().await;
    app.add_product("book", "5", "5", &[("book.pdf", BOOK)])
        .await;
    app.set_webhooks_enabled(false).await;
    let paid = app.buy_and_pay("book", "fay@example.com").await;
    let event = app.latest_event_json("checkout.session.completed").await;
    let secret = app.webhook_secret();
    let hooks = (0..10).map(|_| app.post_webhook(&event, &secret, now()));
    let pages = (0..5).map(|_| app.http.get(&paid.success_url).send());
    let (hooks, pages) = tokio::join!(
        futures_util::future::join_all(hooks),
        futures_util::future::join_all(pages)
    );
    assert!(
        hooks.iter().all(|r| r.status() == 200),
        "{:?}",
        hooks.iter().map(|r| r.status()).collect::<Vec<_>>()
    );
    let tokens: std::collections::HashSet<String> = pages
        .iter()
        .map(|r| location(r.as_ref().unwrap()))
        .collect();
    assert_eq!(
        tokens.len(),
        1,
        "every success page shows the same purchase"
    );
    let list = app.purchases().await;
    assert_eq!(list.len(), 1);
    assert_eq!(app.outbox_count("receipt", list[0].id).await, 1);
    app.smtp.wait_for_messages(1, Duration::from_secs(20)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(app.smtp.messages().len(), 1);
}

#[tokio::test]
async fn webhook_rejects_bad_signatures_stale_timestamps_malformed_and_oversized_bodies() {
    let app = spawn_app().await;
    app.add_product("book", "5", "5", &[("book.pdf", BOOK)])
        .await;
    app.set_webhooks_enabled(false).await;
    app.buy_and_pay("book", "gus@example.com").await;
    let event = app.latest_event_json("checkout.session.completed").await;
    let secret = app.webhook_secret();

    let wrong = app
        .post_webhook(&event, "whsec_not_the_secret", now())
        .await;
    assert_eq!(wrong.status(), 400);
    let stale = app.post_webhook(&event, &secret, now() - 301).await;
    assert_eq!(stale.status(), 400);
    let future = app.post_webhook(&event, &secret, now() + 301).await;
    assert_eq!(future.status(), 400);
    let tampered = event.replace("gus@example.com", "mallory@example.com");
    let res = app
        .http
        .post(app.url("/webhooks/stripe"))
        .header("stripe-signature", sign(&event, &secret, now()))
        .body(tampered)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let res = app
        .http
        .post(app.url("/webhooks/stripe"))
        .body(event.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400, "missing header");
    for garbage in ["t=abc,v1=zz", "", "v1=", "t=1", &"x".repeat(8000)] {
        let res = app
            .http
            .post(app.url("/webhooks/stripe"))
            .header("stripe-signature", garbage)
            .body(event.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400, "{garbage:.20}");
    }
    let malformed = "{\"id\": \"evt_1\", \"type\": ";
    assert_eq!(
        app.post_webhook(malformed, &secret, now()).await.status(),
        400
    );
    let not_json = "\u{0}\u{1}binary";
    assert_eq!(
        app.post_webhook(not_json, &secret, now()).await.status(),
        400
    );
    let huge = format!("{{\"pad\": \"{}\"}}", "a".repeat(300 * 1024));
    assert_eq!(app.post_webhook(&huge, &secret, now()).await.status(), 413);
    assert!(
        app.purchases().await.is_empty(),
        "nothing was recorded from bad webhooks"
    );

    // The genuine one still works afterwards.
    assert_eq!(app.post_webhook(&event, &secret, now()).await.status(), 200);
    assert_eq!(app.purchases().await.len(), 1);
}

#[tokio::test]
async fn a_thousand_concurrent_downloads_with_five_left_serve_exactly_five() {
    let app = spawn_app().await;
    app.add_product("big", "5", "5", &[("big.bin", &body_of(64 * 1024))])
        .await;
    let token = app.grant_token("big").await;
    let file_id = app.shop().purchase(&token).await.unwrap().unwrap().items[0].files[0]
        .file
        .id;
    let url = app.url(&format!("/d/{token}/{file_id}"));
    let reqs = (0..1000).map(|_| app.http.get(&url).send());
    let results = futures_util::future::join_all(reqs).await;
    let mut ok = 0;
    for r in results {
        let r = r.unwrap();
        match r.status().as_u16() {
            200 => {
                assert_eq!(r.bytes().await.unwrap().len(), 64 * 1024);
                ok += 1
            }
            410 => {}
            s => panic!("unexpected status {s}"),
        }
    }
    assert_eq!(ok, 5);
    let p = app.shop().purchase(&token).await.unwrap().unwrap();
    assert_eq!(p.items[0].files[0].downloads_used, 5);
}

#[tokio::test]
async fn range_resume_does_not_count_and_head_does_not_count() {
    let app = spawn_app().await;
    let content = body_of(10_000);
    app.add_product("big", "5", "2", &[("big.bin", &content)])
        .await;
    let token = app.grant_token("big").await;
    let file_id = app.shop().purchase(&token).await.unwrap().unwrap().items[0].files[0]
        .file
        .id;
    let path = format!("/d/{token}/{file_id}");

    let head = app.http.head(app.url(&path)).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["content-length"], "10000");
    assert_eq!(head.headers()["accept-ranges"], "bytes");

    // A first, counted download that "breaks" after 4000 bytes…
    let first = app
        .http
        .get(app.url(&path))
        .header("range", "bytes=0-3999")
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 206);
    assert_eq!(first.headers()["content-range"], "bytes 0-3999/10000");
    assert_eq!(first.bytes().await.unwrap().as_ref(), &content[..4000]);
    // …resumed twice: the rest arrives and nothing more is counted.
    for _ in 0..2 {
        let rest = app
            .http
            .get(app.url(&path))
            .header("range", "bytes=4000-")
            .send()
            .await
            .unwrap();
        assert_eq!(rest.status(), 206);
        assert_eq!(rest.headers()["content-range"], "bytes 4000-9999/10000");
        assert_eq!(rest.bytes().await.unwrap().as_ref(), &content[4000..]);
    }
    let p = app.shop().purchase(&token).await.unwrap().unwrap();
    assert_eq!(p.items[0].files[0].downloads_used, 1);
    let bad = app
        .http
        .get(app.url(&path))
        .header("range", "bytes=20000-")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 416);
    assert_eq!(bad.headers()["content-range"], "bytes */10000");
    let log = app.shop().purchase_detail(&token).await.unwrap().downloads;
    assert_eq!(log.iter().filter(|d| d.counted).count(), 1);
    assert_eq!(log.iter().filter(|d| !d.counted).count(), 2);
}

#[tokio::test]
async fn garbage_tokens_and_path_traversal_get_clear_pages() {
    let app = spawn_app().await;
    app.add_product("book", "5", "5", &[("book.pdf", BOOK)])
        .await;
    let token = app.grant_token("book").await;
    let long = "a".repeat(5000);
    let unknown = uuid::Uuid::new_v4().simple().to_string();
    let cases = [
        "/d/../../etc/passwd".to_string(),
        "/d/..%2F..%2Fetc%2Fpasswd".into(),
        format!("/d/{token}/..%2F..%2Fbooth.db"),
        format!("/d/{token}/../../booth.db"),
        format!("/d/{token}/-1"),
        format!("/d/{token}/99999999999999999999999"),
        format!("/d/{token}/%00"),
        format!("/d/{unknown}"),
        format!("/d/{unknown}/1"),
        format!("/d/{}", token.to_uppercase()),
        format!("/d/{long}"),
        "/d/%E2%80%AE%F0%9F%98%80".into(),
        "/d/' OR 1=1 --".replace(' ', "%20"),
        "/p/..%2F..".into(),
        "/buy/%3Cscript%3E".into(),
        "/no/such/page".into(),
    ];
    for path in cases {
        let res = app.get(&path).await;
        let status = res.status().as_u16();
        let ctype = res
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let body = res.text().await.unwrap();
        assert!([400, 404].contains(&status), "{path}: {status}");
        assert!(ctype.starts_with("text/html"), "{path}: {ctype}");
        assert!(
            !body.contains("SQLite format") && !body.contains("root:x:"),
            "{path} leaked a file"
        );
        assert!(!body.contains("<script>"), "{path}");
    }
    // Nothing was counted against the real purchase.
    let p = app.shop().purchase(&token).await.unwrap().unwrap();
    assert_eq!(p.items[0].files[0].downloads_used, 0);
}

#[tokio::test]
async fn smtp_down_then_up_delivers_the_receipt_late_and_once() {
    let mut app = spawn_app().await;
    app.add_product("book", "5", "5", &[("book.pdf", BOOK)])
        .await;
    app.smtp.stop();
    let paid = app.buy_and_pay("book", "hal@example.com").await;
    let token = app.complete(&paid).await;
    // The purchase is there at once; the receipt waits in the outbox with the reason.
    assert!(app.shop().purchase(&token).await.unwrap().is_some());
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let rows = app.shop().outbox(None, 10).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].status == "queued" || rows[0].status == "sending");
    assert!(rows[0].attempts >= 2, "retried while down: {:?}", rows[0]);
    assert!(rows[0].last_error.is_some());
    app.smtp.restart();
    let mail = app.smtp.wait_for_messages(1, Duration::from_secs(30)).await;
    assert!(mail[0].text.as_deref().unwrap().contains(&token));
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(app.smtp.messages().len(), 1);
    assert_eq!(app.shop().outbox(Some("sent"), 10).await.unwrap().len(), 1);
}

#[tokio::test]
async fn permanent_smtp_rejection_is_not_retried() {
    let app = spawn_app().await;
    app.add_product("book", "5", "5", &[("book.pdf", BOOK)])
        .await;
    app.smtp.set_mode(SmtpMode::PermFail);
    let paid = app.buy_and_pay("book", "ida@example.com").await;
    app.complete(&paid).await;
    let mut failed = Vec::new();
    for _ in 0..100 {
        failed = app.shop().outbox(Some("failed"), 10).await.unwrap();
        if !failed.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].attempts, 1);
    assert!(
        failed[0].last_error.as_deref().unwrap().contains("550"),
        "{:?}",
        failed[0].last_error
    );
}

#[tokio::test]
async fn full_refund_revokes_partial_refund_is_recorded_dispute_revokes() {
    let app = spawn_app().await;
    app.add_product("book", "10", "5", &[("book.pdf", BOOK)])
        .await;
    // Partial refund: recorded, access stays.
    let paid = app.buy_and_pay("book", "jo@example.com").await;
    let token = app.complete(&paid).await;
    let p = app.shop().refund(&token, Some("4.00")).await.unwrap();
    assert_eq!((p.status.as_str(), p.amount_refunded_minor), ("paid", 400));
    assert_eq!(app.get(&format!("/d/{token}")).await.status(), 200);
    assert!(
        app.shop().refund(&token, Some("7.00")).await.is_err(),
        "more than what's left"
    );
    // Downloaded just before (so the shop has just looked this file up)…
    let file_id = app.shop().purchase(&token).await.unwrap().unwrap().items[0].files[0]
        .file
        .id;
    assert_eq!(
        app.get(&format!("/d/{token}/{file_id}")).await.status(),
        200
    );
    // …the rest: refunded, access ends; the simulator's charge.refunded agrees.
    let p = app.shop().refund(&token, None).await.unwrap();
    assert_eq!(
        (p.status.as_str(), p.amount_refunded_minor),
        ("refunded", 1000)
    );
    let res = app.get(&format!("/d/{token}")).await;
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("refunded"));
    assert_eq!(
        app.get(&format!("/d/{token}/{file_id}")).await.status(),
        403
    );

    // A refund made elsewhere (Stripe's dashboard) reaches Booth through the webhook.
    let paid = app.buy_and_pay("book", "kim@example.com").await;
    let token2 = app.complete(&paid).await;
    let pi = app
        .shop()
        .purchase(&token2)
        .await
        .unwrap()
        .unwrap()
        .payment_intent_id
        .unwrap();
    stripe_core::refund::CreateRefund::new()
        .payment_intent(pi)
        .send(&app.stripe)
        .await
        .unwrap();
    wait_until(|| async {
        app.shop().purchase(&token2).await.unwrap().unwrap().status == "refunded"
    })
    .await;

    // A dispute (test card 0259) revokes access.
    let hosted = app.buy("book").await;
    let res = app
        .pay_with(&hosted, "lee@example.com", CARD_DISPUTED)
        .await;
    assert_eq!(res.status(), 303);
    let success = location(&res);
    let token3 = app
        .complete(&Paid {
            session_id: String::new(),
            success_url: success,
        })
        .await;
    wait_until(|| async {
        app.shop().purchase(&token3).await.unwrap().unwrap().status == "revoked"
    })
    .await;
    assert_eq!(app.get(&format!("/d/{token3}")).await.status(), 403);
}

#[tokio::test]
async fn seller_actions_reset_limit_revoke_resend_grant() {
    let app = spawn_app().await;
    app.add_product("book", "5", "1", &[("book.pdf", BOOK)])
        .await;
    app.add_product("zine", "2", "1", &[("zine.pdf", BOOK)])
        .await;
    let token = app.grant_token("book").await;
    let p = app.shop().purchase(&token).await.unwrap().unwrap();
    assert_eq!(
        (p.source.as_str(), p.amount_minor, p.test),
        ("grant", 0, false)
    );
    let path = format!("/d/{token}/{}", p.items[0].files[0].file.id);
    assert_eq!(app.get(&path).await.status(), 200);
    assert_eq!(app.get(&path).await.status(), 410);
    app.shop().reset_downloads(&token).await.unwrap();
    assert_eq!(app.get(&path).await.status(), 200);
    app.shop().set_download_limit(&token, "3").await.unwrap();
    assert_eq!(app.get(&path).await.status(), 200);
    assert!(app.shop().set_download_limit(&token, "0").await.is_err());
    assert!(app.shop().set_download_limit(&token, "lots").await.is_err());
    app.shop().resend_receipt(&token).await.unwrap();
    app.smtp.wait_for_messages(2, Duration::from_secs(20)).await;
    app.shop().revoke(&token, None).await.unwrap();
    assert_eq!(app.get(&path).await.status(), 403);
    assert!(app.shop().revoke("not-a-token", None).await.is_err());
    assert!(app.shop().grant("book", "not an email").await.is_err());
    assert!(app.shop().grant("nope", "a@example.com").await.is_err());
}

/// A change made by another process (a `booth` command beside the running shop writes
/// the same SQLite file) takes effect on the very next download, though the shop had just
/// looked that file up.
#[tokio::test]
async fn a_change_from_another_process_applies_to_the_next_download() {
    let app = spawn_app().await;
    app.add_product("book", "5", "5", &[("book.pdf", BOOK)])
        .await;
    let token = app.grant_token("book").await;
    let p = app.shop().purchase(&token).await.unwrap().unwrap();
    let path = format!("/d/{token}/{}", p.items[0].files[0].file.id);
    assert_eq!(app.get(&path).await.status(), 200);
    assert_eq!(app.get(&path).await.status(), 200);

    let other = rusqlite::Connection::open(app.data_dir.path().join("booth.db")).unwrap();
    other.busy_timeout(Duration::from_secs(10)).unwrap();
    other
        .execute(
            "UPDATE purchase_items SET download_limit = 2 WHERE purchase_id = ?1",
            [p.id],
        )
        .unwrap();
    assert_eq!(app.get(&path).await.status(), 410, "the new limit applies");
    other
        .execute(
            "UPDATE purchases SET status = 'revoked' WHERE id = ?1",
            [p.id],
        )
        .unwrap();
    assert_eq!(app.get(&path).await.status(), 403, "revoked at once");
}

#[tokio::test]
async fn new_version_is_served_from_the_same_link() {
    let app = spawn_app().await;
    app.add_product("book", "5", "5", &[("book.pdf", b"version one")])
        .await;
    let token = app.grant_token("book").await;
    let p = app.shop().purchase(&token).await.unwrap().unwrap();
    let path = format!("/d/{token}/{}", p.items[0].files[0].file.id);
    assert_eq!(
        app.get(&path).await.bytes().await.unwrap().as_ref(),
        b"version one"
    );
    let v2 = app.data_dir.path().join("book-v2.pdf");
    std::fs::write(&v2, b"version two").unwrap();
    assert_eq!(
        app.shop()
            .new_version("book", "book.pdf", v2, None)
            .await
            .unwrap(),
        "2"
    );
    assert_eq!(
        app.get(&path).await.bytes().await.unwrap().as_ref(),
        b"version two"
    );
    let html = app.get(&format!("/d/{token}")).await.text().await.unwrap();
    assert!(html.contains("book.pdf"));
}

#[tokio::test]
async fn checkout_creation_is_rate_limited_per_buyer() {
    let vouching = booth_server::Vouching::default();
    let app = spawn_app_with(AppOptions {
        checkout_limit: 3,
        server: booth_server::ServerConfig {
            vouching: vouching.clone(),
            ..Default::default()
        },
        ..AppOptions::default()
    })
    .await;
    app.add_product("book", "5", "5", &[("book.pdf", BOOK)])
        .await;
    // Behind Cloudflare (its edge writes CF-Connecting-IP), each buyer has their own.
    vouching.set(booth_server::Vouched::Cloudflare);
    let from = |ip: &'static str| {
        app.http
            .get(app.url("/buy/book"))
            .header("cf-connecting-ip", ip)
            .send()
    };
    for _ in 0..3 {
        assert_eq!(from("198.51.100.7").await.unwrap().status(), 303);
    }
    let res = from("198.51.100.7").await.unwrap();
    assert_eq!(res.status(), 429);
    assert_eq!(res.headers()["retry-after"], "60");
    // Another buyer is unaffected.
    assert_eq!(from("203.0.113.9").await.unwrap().status(), 303);
    // ngrok appends the address it saw; hops before it are whatever the client sent, so a
    // made-up first hop doesn't get a limited buyer a fresh allowance.
    vouching.set(booth_server::Vouched::Ngrok);
    let via_ngrok = |xff: &'static str| {
        app.http
            .get(app.url("/buy/book"))
            .header("x-forwarded-for", xff)
            .send()
    };
    for _ in 0..2 {
        assert_eq!(via_ngrok("203.0.113.9").await.unwrap().status(), 303);
    }
    let spoofed = via_ngrok("198.51.100.1, 203.0.113.9").await.unwrap();
    assert_eq!(spoofed.status(), 429);
}

#[tokio::test]
async fn missed_webhooks_are_caught_up_on_restart() {
    let app = spawn_app().await;
    app.add_product("book", "5", "5", &[("book.pdf", BOOK)])
        .await;
    app.set_webhooks_enabled(false).await;
    // The buyer pays and closes the tab: neither the webhook nor the success page reaches Booth.
    let paid = app.buy_and_pay("book", "max@example.com").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(app.purchases().await.is_empty());
    let (dir, smtp) = app.stop().await;
    let app = start_in(dir, smtp, AppOptions::default()).await;
    let p = app.wait_for_purchase(&paid.session_id).await;
    assert_eq!(p.email, "max@example.com");
    app.smtp.wait_for_messages(1, Duration::from_secs(20)).await;
}

#[tokio::test]
async fn failing_webhook_deliveries_are_retried_once_booth_is_reachable_again() {
    let app = spawn_app().await;
    app.add_product("book", "5", "5", &[("book.pdf", BOOK)])
        .await;
    // The tunnel is down: "Stripe" can't reach Booth (nothing listens on that port).
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_url = format!("http://{}/webhooks/stripe", dead.local_addr().unwrap());
    drop(dead);
    let booth_url = app.set_webhook_url(&dead_url).await;
    // The buyer pays and closes the tab, so only a webhook can tell Booth.
    let paid = app.buy_and_pay("book", "ida@example.com").await;
    let mut waited = 0;
    while app.undelivered_events().await.is_empty() {
        waited += 1;
        assert!(waited < 100, "the simulator never tried to deliver");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(app.purchases().await.is_empty());
    // Reachable again: the next retry gets through and the buyer gets their receipt, once.
    app.set_webhook_url(&booth_url).await;
    let p = app.wait_for_purchase(&paid.session_id).await;
    assert_eq!(p.email, "ida@example.com");
    let mail = app.smtp.wait_for_messages(1, Duration::from_secs(20)).await;
    assert!(mail[0].text.as_deref().unwrap().contains(&p.token));
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(app.smtp.messages().len(), 1);
    assert!(app.undelivered_events().await.is_empty());
}

#[tokio::test]
async fn missed_webhooks_are_caught_up_while_running() {
    let app = spawn_app_with(AppOptions {
        catch_up_every: Some(Duration::from_millis(300)),
        ..Default::default()
    })
    .await;
    app.add_product("book", "5", "5", &[("book.pdf", BOOK)])
        .await;
    // Disabled in the dashboard: Stripe sends nothing, and won't retry.
    app.set_webhooks_enabled(false).await;
    let paid = app.buy_and_pay("book", "jo@example.com").await;
    let p = app.wait_for_purchase(&paid.session_id).await;
    assert_eq!(p.email, "jo@example.com");
    app.smtp.wait_for_messages(1, Duration::from_secs(20)).await;
    // Later catch-ups see the same event again and do nothing with it.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(app.smtp.messages().len(), 1);
    assert_eq!(app.purchases().await.len(), 1);
}

#[tokio::test]
async fn storefront_and_product_pages_and_hostile_forms() {
    let app = spawn_app().await;
    assert!(app
        .get("/")
        .await
        .text()
        .await
        .unwrap()
        .contains("Nothing for sale yet"));
    app.add_product("book", "5", "5", &[("book.pdf", BOOK)])
        .await;
    let html = app.get("/").await.text().await.unwrap();
    assert!(html.contains("Product book") && html.contains("$5.00"));
    app.shop()
        .edit_product(
            "book",
            booth_core::catalog::ProductEdit {
                active: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(app.get("/p/book").await.status(), 404);
    assert_eq!(app.get("/buy/book").await.status(), 404);
    // An oversized cart form is refused before it is read.
    let res = app
        .http
        .post(app.url("/cart/checkout"))
        .body(vec![b'a'; 100_000])
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    let res = app
        .http
        .post(app.url("/cart/checkout"))
        .body(vec![0xff, 0xfe, 0x00])
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let slugs: Vec<(&str, String)> = (0..50).map(|i| ("product", format!("p{i}"))).collect();
    let res = app
        .http
        .post(app.url("/cart/checkout"))
        .form(&slugs)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(app.get("/checkout/success").await.status(), 400);
    assert_eq!(
        app.get("/checkout/success?session_id=%27%3B--")
            .await
            .status(),
        400
    );
    // A session Stripe says doesn't exist is an unknown checkout (it answered 502, "we
    // couldn't confirm your payment", as if Stripe were down).
    assert_eq!(
        app.get("/checkout/success?session_id=cs_test_doesnotexist")
            .await
            .status(),
        404
    );
    assert_eq!(app.get("/healthz").await.status(), 200);
}

/// A page's HTML with minijinja's escaped slashes turned back, as a browser reads it.
async fn html_of(res: reqwest::Response) -> String {
    res.text().await.unwrap().replace("&#x2f;", "/")
}

async fn wait_until<F, Fut>(mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..200 {
        if f().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("condition never became true");
}

#[tokio::test]
async fn checkouts_from_other_integrations_on_the_account_are_left_alone() {
    let app = spawn_app().await;
    app.add_product("book", "5", "5", &[("book.pdf", BOOK)])
        .await;
    // Someone else's Checkout Session on the same Stripe account: no Booth metadata.
    let sim = app.running.simulator.as_ref().unwrap();
    let res = app
        .http
        .post(format!("{}v1/checkout/sessions", sim.base_url()))
        .bearer_auth(sim.secret_key())
        .form(&[
            ("mode", "payment"),
            ("success_url", "https://elsewhere.example/thanks"),
            ("line_items[0][price_data][currency]", "usd"),
            ("line_items[0][price_data][unit_amount]", "1500"),
            ("line_items[0][price_data][product_data][name]", "A T-shirt"),
            ("line_items[0][quantity]", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let session: serde_json::Value = res.json().await.unwrap();
    let hosted = session["url"].as_str().unwrap().to_string();
    let res = app.pay_with(&hosted, "shirt@example.com", CARD_OK).await;
    assert_eq!(res.status(), 303);
    // Booth acknowledges the webhook (so Stripe doesn't retry it for days) and records nothing.
    let id = session["id"].as_str().unwrap().to_string();
    wait_until(|| async {
        let id = id.clone();
        app.shop()
            .db()
            .run(move |c| {
                Ok(c.query_row(
                    "SELECT count(*) FROM stripe_events WHERE object_id = ?1",
                    [id],
                    |r| r.get::<_, i64>(0),
                )?)
            })
            .await
            .unwrap()
            == 1
    })
    .await;
    assert!(app.purchases().await.is_empty());
    let res = app.get(&format!("/checkout/success?session_id={id}")).await;
    assert_eq!(res.status(), 404);
}
