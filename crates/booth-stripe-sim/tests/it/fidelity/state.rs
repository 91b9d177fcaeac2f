//! The simulator's state file: sessions, events and coupons survive a restart.

use super::*;
use stripe_checkout::checkout_session::RetrieveCheckoutSession;
use stripe_core::event::ListEvent;
use stripe_shared::CheckoutSessionPaymentStatus;

#[tokio::test]
async fn state_survives_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sim.json");
    let cfg = || SimConfig {
        state_path: Some(path.clone()),
        webhook_retry_base: Duration::from_millis(50),
        ..SimConfig::default()
    };
    let (sim, client) = start_with(cfg()).await;
    let s = create(&client).await;
    sim.shutdown().await;
    assert!(path.exists());

    let (sim2, client2) = start_with(cfg()).await;
    let again = RetrieveCheckoutSession::new(s.id.clone())
        .expand(vec!["line_items".to_string()])
        .send(&client2)
        .await
        .unwrap();
    assert_eq!(again.amount_total, Some(1900));
    assert_eq!(again.line_items.as_ref().unwrap().data.len(), 2);
    // The hosted page link follows the new address.
    assert!(again
        .url
        .as_deref()
        .unwrap()
        .starts_with(sim2.base_url().trim_end_matches('/')));
    assert_eq!(pay(&again, "4242424242424242").await.status(), 303);
    sim2.shutdown().await;

    let (sim3, client3) = start_with(cfg()).await;
    let done = RetrieveCheckoutSession::new(s.id.clone())
        .send(&client3)
        .await
        .unwrap();
    assert_eq!(done.payment_status, CheckoutSessionPaymentStatus::Paid);
    assert_eq!(ListEvent::new().send(&client3).await.unwrap().data.len(), 3);
    sim3.shutdown().await;
}

#[tokio::test]
async fn coupons_and_their_redemptions_survive_restart() {
    use stripe_checkout::checkout_session::CreateCheckoutSessionDiscounts;
    use stripe_product::coupon::{CreateCoupon, RetrieveCoupon};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sim.json");
    let cfg = || SimConfig {
        state_path: Some(path.clone()),
        ..SimConfig::default()
    };
    let (sim, client) = start_with(cfg()).await;
    let once = CreateCoupon::new()
        .id("ONCE")
        .percent_off(10.0)
        .max_redemptions(1);
    once.send(&client).await.unwrap();
    let mut d = CreateCheckoutSessionDiscounts::new();
    d.coupon = Some("ONCE".into());
    let s = new_session()
        .discounts(vec![d])
        .send(&client)
        .await
        .unwrap();
    sim.shutdown().await;

    let (sim2, client2) = start_with(cfg()).await;
    let again = RetrieveCheckoutSession::new(s.id.clone())
        .send(&client2)
        .await
        .unwrap();
    assert_eq!(again.amount_total, Some(1710));
    assert_eq!(pay(&again, "4242424242424242").await.status(), 303);
    sim2.shutdown().await;

    let (sim3, client3) = start_with(cfg()).await;
    let c = RetrieveCoupon::new("ONCE").send(&client3).await.unwrap();
    assert_eq!((c.times_redeemed, c.valid), (1, false));
    sim3.shutdown().await;
}
