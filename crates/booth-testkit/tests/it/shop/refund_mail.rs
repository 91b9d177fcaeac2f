//! The buyer hears of a refund: one email per refund, whichever road brings it (the
//! seller's Refund, Stripe's webhook) and however often the webhook is delivered.

use super::BOOK;
use booth_testkit::app::*;
use booth_testkit::smtp::ReceivedMail;
use std::time::Duration;

fn refunds(app: &TestApp) -> Vec<ReceivedMail> {
    app.smtp
        .messages()
        .into_iter()
        .filter(|m| m.header("X-Booth-Kind") == Some("refund"))
        .collect()
}

async fn wait_for_refunds(app: &TestApp, n: usize) -> Vec<ReceivedMail> {
    for _ in 0..200 {
        let got = refunds(app);
        if got.len() >= n {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("expected {n} refund emails, got {:?}", refunds(app));
}

#[tokio::test]
async fn a_partial_refund_by_webhook_mails_once_with_the_link_and_a_full_one_without() {
    let app = spawn_app().await;
    app.add_product("book", "10", "5", &[("book.pdf", BOOK)])
        .await;
    let paid = app.buy_and_pay("book", "jo@example.com").await;
    let token = app.complete(&paid).await;
    let p = app.purchase(&token).await;
    assert!(p.test, "the simulator's purchases are test purchases");

    // Refunded from Stripe's dashboard: only the webhook tells Booth.
    stripe_core::refund::CreateRefund::new()
        .payment_intent(p.payment_intent_id.clone().unwrap())
        .amount(400)
        .send(&app.stripe)
        .await
        .unwrap();
    wait_until(|| async { app.purchase(&token).await.amount_refunded_minor == 400 }).await;
    // Stripe delivers the same event again (it does, at least once): nothing more is sent.
    let event = app.latest_event_json("charge.refunded").await;
    for _ in 0..2 {
        let res = app.post_webhook(&event, &app.webhook_secret(), now()).await;
        assert_eq!(res.status(), 200);
    }
    let mail = wait_for_refunds(&app, 1).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(refunds(&app).len(), 1, "one email for one refund");
    assert_eq!(app.outbox_count("refund", p.id).await, 1);

    let m = &mail[0];
    assert_eq!(m.to, vec!["jo@example.com".to_string()]);
    assert!(
        m.subject.starts_with("[Test] Your refund for Product book"),
        "{}",
        m.subject
    );
    let text = m.text.as_deref().unwrap();
    let html = m.html.as_deref().unwrap();
    for body in [text, html] {
        assert!(body.contains("$4.00") && body.contains("$10.00"), "{body}");
        assert!(
            body.contains(&token),
            "a partial refund repeats the link: {body}"
        );
        assert!(body.to_lowercase().contains("test"), "{body}");
    }
    assert!(text.contains("You keep your files"), "{text}");

    // The rest, by the seller: access ends, and the email says so without a link. The
    // simulator's charge.refunded for it arrives too, and adds nothing.
    app.shop().refund(&token, None).await.unwrap();
    let mail = wait_for_refunds(&app, 2).await;
    let full = mail
        .iter()
        .find(|m| m.text.as_deref().unwrap().contains("$6.00"))
        .expect("the full refund's email");
    for body in [full.text.as_deref().unwrap(), full.html.as_deref().unwrap()] {
        assert!(
            !body.contains(&token),
            "a full refund's email has no link: {body}"
        );
        assert!(!body.contains("/d/"), "{body}");
        assert!(body.contains("no longer works"), "{body}");
    }
    wait_until(|| async { app.undelivered_events().await.is_empty() }).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(refunds(&app).len(), 2);
    assert_eq!(app.outbox_count("refund", p.id).await, 2);
}

#[tokio::test]
async fn a_refund_recorded_before_the_webhook_is_mailed_once() {
    let app = spawn_app().await;
    app.add_product("book", "10", "5", &[("book.pdf", BOOK)])
        .await;
    // The webhook comes late: the seller's Refund records it, then Stripe's event arrives.
    let paid = app.buy_and_pay("book", "kim@example.com").await;
    let token = app.complete(&paid).await;
    app.set_webhooks_enabled(false).await;
    let p = app.shop().refund(&token, Some("2.50")).await.unwrap();
    assert_eq!(p.amount_refunded_minor, 250);
    let event = app.latest_event_json("charge.refunded").await;
    let res = app.post_webhook(&event, &app.webhook_secret(), now()).await;
    assert_eq!(res.status(), 200);
    let mail = wait_for_refunds(&app, 1).await;
    assert!(mail[0].text.as_deref().unwrap().contains("$2.50"));
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(app.outbox_count("refund", p.id).await, 1);
    assert_eq!(refunds(&app).len(), 1);
}
