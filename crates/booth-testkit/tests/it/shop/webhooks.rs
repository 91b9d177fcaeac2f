//! Fulfilment exactly once, whichever road gets there first: the webhook, the success page,
//! both at once, late, missed (caught up), or forged.

use super::BOOK;
use booth_testkit::app::*;
use std::time::Duration;

/// The `stripe_events` rows kept for an object: (type, object id).
async fn stripe_events_for(app: &TestApp, object_id: &str) -> Vec<(String, String)> {
    let id = object_id.to_string();
    app.shop()
        .db()
        .run(move |c| {
            let mut st =
                c.prepare("SELECT type, object_id FROM stripe_events WHERE object_id = ?1")?;
            let rows = st.query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
        .unwrap()
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
    assert_eq!(
        stripe_events_for(&app, &paid.session_id).await,
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

    // Signed the Stripe way, but wrong: (body, secret, seconds from now, status).
    let huge = format!("{{\"pad\": \"{}\"}}", "a".repeat(300 * 1024));
    let signed: [(&str, &str, &str, i64, u16); 6] = [
        ("wrong secret", &event, "whsec_not_the_secret", 0, 400),
        ("stale", &event, &secret, -301, 400),
        ("future", &event, &secret, 301, 400),
        (
            "malformed",
            "{\"id\": \"evt_1\", \"type\": ",
            &secret,
            0,
            400,
        ),
        ("not JSON", "\u{0}\u{1}binary", &secret, 0, 400),
        ("oversized", &huge, &secret, 0, 413),
    ];
    for (what, body, key, offset, status) in signed {
        let res = app.post_webhook(body, key, now() + offset).await;
        assert_eq!(res.status(), status, "{what}");
    }
    // A body other than the one signed, and a missing or garbage signature header.
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
    assert!(
        app.purchases().await.is_empty(),
        "nothing was recorded from bad webhooks"
    );

    // The genuine one still works afterwards.
    assert_eq!(app.post_webhook(&event, &secret, now()).await.status(), 200);
    assert_eq!(app.purchases().await.len(), 1);
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
    wait_until(|| async { stripe_events_for(&app, &id).await.len() == 1 }).await;
    assert!(app.purchases().await.is_empty());
    let res = app.get(&format!("/checkout/success?session_id={id}")).await;
    assert_eq!(res.status(), 404);
}
