//! Refunds (partial, then the rest) and disputes, with their events.

use super::*;
use stripe::ApiErrorsCode;
use stripe_checkout::checkout_session::RetrieveCheckoutSession;
use stripe_core::charge::RetrieveCharge;
use stripe_core::event::ListEvent;
use stripe_core::refund::{CreateRefund, RetrieveRefund};
use stripe_webhook::EventObject;

#[tokio::test]
async fn refunds_partial_then_rest() {
    let (sim, client) = start().await;
    let mut hook = receiver(0, 200).await;
    let ep = register(&sim, &hook.url, &["refund.created", "charge.refunded"]).await;
    let secret = ep["secret"].as_str().unwrap().to_string();
    let s = create(&client).await;
    assert_eq!(pay(&s, "4242424242424242").await.status(), 303);
    let pi = RetrieveCheckoutSession::new(s.id.clone())
        .send(&client)
        .await
        .unwrap()
        .payment_intent
        .unwrap()
        .id()
        .to_string();

    let r1 = CreateRefund::new()
        .payment_intent(pi.clone())
        .amount(500)
        .reason(stripe_core::refund::CreateRefundReason::RequestedByCustomer)
        .send(&client)
        .await
        .unwrap();
    assert_eq!(r1.amount, 500);
    assert_eq!(r1.status.as_deref(), Some("succeeded"));
    let ch_id = r1.charge.as_ref().unwrap().id().clone();
    let ch = RetrieveCharge::new(ch_id.clone())
        .send(&client)
        .await
        .unwrap();
    assert_eq!((ch.amount_refunded, ch.refunded), (500, false));

    let (err, status) = stripe_err(
        CreateRefund::new()
            .payment_intent(pi.clone())
            .amount(5000)
            .send(&client)
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (status, err.code),
        (400, Some(ApiErrorsCode::AmountTooLarge))
    );
    assert!(err.message.unwrap().contains("$14.00"));

    let r2 = CreateRefund::new()
        .charge(ch_id.to_string())
        .send(&client)
        .await
        .unwrap();
    assert_eq!(r2.amount, 1400);
    let ch = RetrieveCharge::new(ch_id.clone())
        .send(&client)
        .await
        .unwrap();
    assert_eq!((ch.amount_refunded, ch.refunded), (1900, true));
    let (err, _) = stripe_err(
        CreateRefund::new()
            .payment_intent(pi.clone())
            .send(&client)
            .await
            .unwrap_err(),
    );
    assert_eq!(err.code, Some(ApiErrorsCode::ChargeAlreadyRefunded));
    let (err, _) = stripe_err(CreateRefund::new().send(&client).await.unwrap_err());
    assert_eq!(err.code, Some(ApiErrorsCode::ParameterMissing));
    let got = RetrieveRefund::new(r2.id.clone())
        .send(&client)
        .await
        .unwrap();
    assert_eq!(got.amount, 1400);

    let evs = hook.verified(4, &secret).await;
    let kinds: Vec<&str> = evs.iter().map(|(_, e)| e.type_.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "refund.created",
            "charge.refunded",
            "refund.created",
            "charge.refunded"
        ]
    );
    match &evs[3].1.data.object {
        EventObject::ChargeRefunded(c) => assert!(c.refunded && c.amount_refunded == 1900),
        other => panic!("unexpected {other:?}"),
    }
    assert!(evs[1].1.data.previous_attributes.is_some());
    let listed = ListEvent::new()
        .type_("charge.refunded")
        .send(&client)
        .await
        .unwrap();
    assert_eq!(listed.data.len(), 2);
    sim.shutdown().await;
}

#[tokio::test]
async fn dispute_card_opens_a_dispute() {
    let (sim, client) = start().await;
    let mut hook = receiver(0, 200).await;
    let ep = register(&sim, &hook.url, &["charge.dispute.created"]).await;
    let s = create(&client).await;
    assert_eq!(pay(&s, "4000000000000259").await.status(), 303);
    let evs = hook.verified(1, ep["secret"].as_str().unwrap()).await;
    let EventObject::ChargeDisputeCreated(d) = &evs[0].1.data.object else {
        panic!("not a dispute")
    };
    assert_eq!(d.amount, 1900);
    assert_eq!(d.reason, "fraudulent");
    let ch = RetrieveCharge::new(d.charge.id().clone())
        .send(&client)
        .await
        .unwrap();
    assert!(ch.disputed);
    sim.shutdown().await;
}
