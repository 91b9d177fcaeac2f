//! After the sale: refunds (partial, full, from Stripe's dashboard), disputes, and what the
//! seller does to a purchase (reset, limit, revoke, resend, grant).

use super::BOOK;
use booth_testkit::app::*;
use std::time::Duration;

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
    let path = download_path(&app.purchase(&token).await);
    assert_eq!(app.get(&path).await.status(), 200);
    // …the rest: refunded, access ends; the simulator's charge.refunded agrees.
    let p = app.shop().refund(&token, None).await.unwrap();
    assert_eq!(
        (p.status.as_str(), p.amount_refunded_minor),
        ("refunded", 1000)
    );
    let (status, html) = app.get_html(&format!("/d/{token}")).await;
    assert_eq!(status, 403);
    assert!(html.contains("refunded"));
    assert_eq!(app.get(&path).await.status(), 403);

    // A refund made elsewhere (Stripe's dashboard) reaches Booth through the webhook.
    let paid = app.buy_and_pay("book", "kim@example.com").await;
    let token2 = app.complete(&paid).await;
    let pi = app.purchase(&token2).await.payment_intent_id.unwrap();
    stripe_core::refund::CreateRefund::new()
        .payment_intent(pi)
        .send(&app.stripe)
        .await
        .unwrap();
    wait_until(|| async { app.purchase(&token2).await.status == "refunded" }).await;

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
    wait_until(|| async { app.purchase(&token3).await.status == "revoked" }).await;
    assert_eq!(app.get(&format!("/d/{token3}")).await.status(), 403);
}

#[tokio::test]
async fn seller_actions_reset_limit_revoke_resend_grant() {
    let app = spawn_app().await;
    app.add_product("book", "5", "1", &[("book.pdf", BOOK)])
        .await;
    app.add_product("zine", "2", "1", &[("zine.pdf", BOOK)])
        .await;
    let (p, path) = app.granted_download("book").await;
    let token = p.token.clone();
    assert_eq!(
        (p.source.as_str(), p.amount_minor, p.test),
        ("grant", 0, false)
    );
    assert_eq!(app.get(&path).await.status(), 200);
    assert_eq!(app.get(&path).await.status(), 410);
    app.shop().reset_downloads(&token).await.unwrap();
    assert_eq!(app.get(&path).await.status(), 200);
    app.shop().set_download_limit(&token, "3").await.unwrap();
    assert_eq!(app.get(&path).await.status(), 200);
    for bad in ["0", "lots"] {
        assert!(
            app.shop().set_download_limit(&token, bad).await.is_err(),
            "{bad}"
        );
    }
    app.shop().resend_receipt(&token).await.unwrap();
    app.smtp.wait_for_messages(2, Duration::from_secs(20)).await;
    app.shop().revoke(&token, None).await.unwrap();
    assert_eq!(app.get(&path).await.status(), 403);
    assert!(app.shop().revoke("not-a-token", None).await.is_err());
    for (slug, email) in [("book", "not an email"), ("nope", "a@example.com")] {
        assert!(
            app.shop().grant(slug, email).await.is_err(),
            "{slug} {email}"
        );
    }
}
