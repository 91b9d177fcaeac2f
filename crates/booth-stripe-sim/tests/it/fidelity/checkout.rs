//! The hosted checkout: create, pay, decline, expire; the events and webhooks that follow.

use super::*;
use stripe_checkout::checkout_session::{
    ExpireCheckoutSession, ListLineItemsCheckoutSession, RetrieveCheckoutSession,
};
use stripe_core::charge::RetrieveCharge;
use stripe_core::event::{ListEvent, RetrieveEvent};
use stripe_core::payment_intent::RetrievePaymentIntent;
use stripe_shared::{CheckoutSessionPaymentStatus, CheckoutSessionStatus};
use stripe_webhook::EventObject;

#[tokio::test]
async fn checkout_pay_and_webhooks_roundtrip() {
    let (sim, client) = start().await;
    let ep = register(&sim, "http://placeholder.invalid/", &["*"]).await;
    let mut hook = receiver(0, 200).await;
    // Point the endpoint at the real receiver via the update API.
    let r = http()
        .post(format!(
            "{}v1/webhook_endpoints/{}",
            sim.base_url(),
            ep["id"].as_str().unwrap()
        ))
        .bearer_auth(sim.secret_key())
        .form(&[("url", hook.url.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let secret = ep["secret"].as_str().unwrap().to_string();

    let s = create(&client).await;
    assert!(s.id.as_str().starts_with("cs_test_") && s.id.as_str().len() > 50);
    assert_eq!(s.status, Some(CheckoutSessionStatus::Open));
    assert_eq!(s.payment_status, CheckoutSessionPaymentStatus::Unpaid);
    assert_eq!(s.amount_total, Some(1900));
    assert_eq!(s.customer_email.as_deref(), Some("buyer@example.com"));
    assert_eq!(s.metadata.as_ref().unwrap()["order_id"], "o-1");
    assert!(s.line_items.is_none());
    assert!(s.payment_intent.is_none() && s.customer_details.is_none());
    assert!(s
        .url
        .as_deref()
        .unwrap()
        .starts_with(sim.base_url().trim_end_matches('/')));

    let got = RetrieveCheckoutSession::new(s.id.clone())
        .expand(vec!["line_items".to_string()])
        .send(&client)
        .await
        .unwrap();
    let items = got.line_items.expect("expanded line_items");
    assert_eq!(items.data.len(), 2);
    assert_eq!(items.data[1].amount_total, 700);
    assert_eq!(items.data[1].price.as_ref().unwrap().unit_amount, Some(350));
    let listed = ListLineItemsCheckoutSession::new(s.id.clone())
        .send(&client)
        .await
        .unwrap();
    assert_eq!(
        listed
            .data
            .iter()
            .map(|i| i.description.clone().unwrap())
            .collect::<Vec<_>>(),
        ["Zine: Issue 1", "Sticker pack"]
    );
    let page1 = ListLineItemsCheckoutSession::new(s.id.clone())
        .limit(1)
        .send(&client)
        .await
        .unwrap();
    assert!(page1.has_more && page1.data.len() == 1);

    let page = http().get(s.url.clone().unwrap()).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for needle in [
        "Zine: Issue 1",
        "$19.00",
        "name=card_number",
        "name=card_expiry",
        "name=card_cvc",
        "value=\"buyer@example.com\"",
        "Test mode",
        CANCEL,
    ] {
        assert!(html.contains(needle), "page lacks {needle}");
    }

    let r = pay(&s, "4242 4242 4242 4242").await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], success_for(s.id.as_str()).as_str());

    let done = RetrieveCheckoutSession::new(s.id.clone())
        .send(&client)
        .await
        .unwrap();
    assert_eq!(done.status, Some(CheckoutSessionStatus::Complete));
    assert_eq!(done.payment_status, CheckoutSessionPaymentStatus::Paid);
    assert!(done.url.is_none());
    assert_eq!(
        done.customer_details.as_ref().unwrap().email.as_deref(),
        Some("buyer@example.com")
    );
    let pi_id = done.payment_intent.unwrap().id().clone();
    let pi = RetrievePaymentIntent::new(pi_id.clone())
        .send(&client)
        .await
        .unwrap();
    assert_eq!((pi.amount, pi.amount_received), (1900, 1900));
    assert_eq!(pi.status, stripe_shared::PaymentIntentStatus::Succeeded);
    let charge = RetrieveCharge::new(pi.latest_charge.unwrap().id().clone())
        .send(&client)
        .await
        .unwrap();
    assert!(charge.paid && !charge.refunded && charge.amount_refunded == 0);
    assert_eq!(
        charge.billing_details.email.as_deref(),
        Some("buyer@example.com")
    );
    assert_eq!(
        charge
            .payment_method_details
            .unwrap()
            .card
            .unwrap()
            .last4
            .as_deref(),
        Some("4242")
    );

    let evs = hook.verified(3, &secret).await;
    let kinds: Vec<&str> = evs.iter().map(|(_, e)| e.type_.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "charge.succeeded",
            "payment_intent.succeeded",
            "checkout.session.completed"
        ]
    );
    match &evs[2].1.data.object {
        EventObject::CheckoutSessionCompleted(cs) => {
            assert_eq!(cs.id, s.id);
            assert_eq!(cs.payment_status, CheckoutSessionPaymentStatus::Paid);
            assert!(cs.line_items.is_none());
        }
        other => panic!("unexpected object {other:?}"),
    }

    // The page now says it's paid and the session cannot be paid twice.
    let html = http()
        .get(s.url.clone().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Payment complete"));
    assert_eq!(pay(&s, "4242424242424242").await.status(), 409);

    // Events API: newest first, type filter, retrieve, delivery bookkeeping.
    let completed_id = evs[2].1.id.clone();
    let mut ok = false;
    for _ in 0..50 {
        let list = ListEvent::new()
            .type_("checkout.session.completed")
            .delivery_success(true)
            .send(&client)
            .await
            .unwrap();
        if list.data.len() == 1 && list.data[0].pending_webhooks == 0 {
            assert_eq!(list.data[0].id, completed_id);
            ok = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        ok,
        "delivered event should be listed with delivery_success=true"
    );
    let all = ListEvent::new().send(&client).await.unwrap();
    assert_eq!(all.data.len(), 3);
    assert_eq!(all.data[0].id, completed_id);
    let paged = ListEvent::new()
        .limit(2)
        .starting_after(all.data[0].id.as_str())
        .send(&client)
        .await
        .unwrap();
    assert_eq!(paged.data.len(), 2);
    assert_eq!(paged.data[0].id, all.data[1].id);
    assert!(!paged.has_more);
    let wild = ListEvent::new()
        .type_("charge.*")
        .send(&client)
        .await
        .unwrap();
    assert_eq!(wild.data.len(), 1);
    let multi = ListEvent::new()
        .types(vec![
            "charge.succeeded".to_string(),
            "payment_intent.succeeded".to_string(),
        ])
        .send(&client)
        .await
        .unwrap();
    assert_eq!(multi.data.len(), 2);
    let future = ListEvent::new()
        .created(stripe_types::RangeQueryTs::gt(all.data[0].created + 60))
        .send(&client)
        .await
        .unwrap();
    assert!(future.data.is_empty());
    let one = RetrieveEvent::new(completed_id.clone())
        .send(&client)
        .await
        .unwrap();
    assert_eq!(one.type_.as_str(), "checkout.session.completed");
    assert_eq!(
        one.api_version.as_deref(),
        Some(booth_stripe_sim::API_VERSION)
    );

    // The index page, open to anyone, counts what happened and names no one.
    let idx = http()
        .get(sim.base_url())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(idx.contains("1 complete"), "{idx}");
    assert!(!idx.contains(s.id.as_str()) && !idx.contains("buyer@example.com"));
    sim.shutdown().await;
}

#[tokio::test]
async fn declines_and_validation_keep_the_session_open() {
    let (sim, client) = start().await;
    let s = create(&client).await;
    for (card, msg) in [
        ("4000000000000002", "Your card was declined."),
        ("4000 0000 0000 9995", "Your card has insufficient funds."),
        ("4000000000000069", "Your card has expired."),
        (
            "4000000000000127",
            "Your card&#39;s security code is incorrect.",
        ),
    ] {
        let r = pay(&s, card).await;
        assert_eq!(r.status(), 402, "{card}");
        let html = r.text().await.unwrap();
        assert!(html.contains(msg), "{card}: {msg} missing");
        assert!(html.contains("name=card_number"), "form is re-rendered");
    }
    let url = s.url.clone().unwrap();
    let bad = [
        (
            [
                ("email", "nope"),
                ("card_number", "4242424242424242"),
                ("card_expiry", "12/39"),
                ("card_cvc", "123"),
            ],
            "Your email address is invalid.",
        ),
        (
            [
                ("email", "a@b.co"),
                ("card_number", "4242424242424241"),
                ("card_expiry", "12/39"),
                ("card_cvc", "123"),
            ],
            "Your card number is invalid.",
        ),
        (
            [
                ("email", "a@b.co"),
                ("card_number", "4242424242424242"),
                ("card_expiry", "01/20"),
                ("card_cvc", "123"),
            ],
            "expiration date is in the past.",
        ),
        (
            [
                ("email", "a@b.co"),
                ("card_number", "4242424242424242"),
                ("card_expiry", "12/39"),
                ("card_cvc", "1"),
            ],
            "security code is incomplete.",
        ),
    ];
    for (form, msg) in bad {
        let r = http().post(&url).form(&form).send().await.unwrap();
        assert_eq!(r.status(), 400);
        assert!(r.text().await.unwrap().contains(msg), "{msg}");
    }
    let still = RetrieveCheckoutSession::new(s.id.clone())
        .send(&client)
        .await
        .unwrap();
    assert_eq!(still.status, Some(CheckoutSessionStatus::Open));
    assert!(
        ListEvent::new()
            .send(&client)
            .await
            .unwrap()
            .data
            .is_empty(),
        "no events for declines"
    );
    // A good card afterwards still works.
    assert_eq!(pay(&s, "4242424242424242").await.status(), 303);

    // User-provided strings are escaped in the page.
    let evil = CreateCheckoutSession::new()
        .mode(CheckoutSessionMode::Payment)
        .success_url(SUCCESS)
        .line_items(vec![line("<script>alert(1)</script>", 100, 1)])
        .send(&client)
        .await
        .unwrap();
    let html = http()
        .get(evil.url.unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !html.contains("<script>alert")
    );
    assert!(!html.contains("← Back"), "no back link without cancel_url");
    let missing = http()
        .get(format!("{}c/pay/cs_test_nope", sim.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    sim.shutdown().await;
}

#[tokio::test]
async fn expire_and_expired_page() {
    let (sim, client) = start().await;
    let s = create(&client).await;
    let url = s.url.clone().unwrap();
    let e = ExpireCheckoutSession::new(s.id.clone())
        .send(&client)
        .await
        .unwrap();
    assert_eq!(e.status, Some(CheckoutSessionStatus::Expired));
    assert!(e.url.is_none());
    let html = http().get(&url).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("expired") && html.contains(CANCEL));
    assert_eq!(pay(&s, "4242424242424242").await.status(), 409);
    let (_, status) = stripe_err(
        ExpireCheckoutSession::new(s.id.clone())
            .send(&client)
            .await
            .unwrap_err(),
    );
    assert_eq!(status, 400);
    let evs = ListEvent::new()
        .type_("checkout.session.expired")
        .send(&client)
        .await
        .unwrap();
    assert_eq!(evs.data.len(), 1);
    assert!(evs.data[0]
        .request
        .as_ref()
        .unwrap()
        .id
        .as_deref()
        .unwrap()
        .starts_with("req_"));
    sim.shutdown().await;
}
