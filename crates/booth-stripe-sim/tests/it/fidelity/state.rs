//! The simulator's state file: sessions, events, coupons, tax and invoices survive a
//! restart.

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

#[tokio::test]
async fn tax_codes_taxes_and_invoices_survive_restart() {
    use super::tax::{ebook, form, pay_with_tax, retrieve, taxed_session};
    use stripe_checkout::checkout_session::{
        CreateCheckoutSessionInvoiceCreation,
        CreateCheckoutSessionLineItemsPriceDataTaxBehavior as Behavior,
    };
    use stripe_types::Expandable;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sim.json");
    let cfg = || SimConfig {
        state_path: Some(path.clone()),
        ..SimConfig::default()
    };
    let (sim, client) = start_with(cfg()).await;
    // Nontaxable: the tax code given at creation must still count after a restart.
    let free_of_tax = super::tax::taxed_line("Gift", 500, Behavior::Exclusive, "txcd_00000000");
    let s = taxed_session(vec![ebook(842, Behavior::Exclusive), free_of_tax])
        .invoice_creation(CreateCheckoutSessionInvoiceCreation::new(true))
        .send(&client)
        .await
        .unwrap();
    sim.shutdown().await;

    let (sim2, client2) = start_with(cfg()).await;
    let again = retrieve(&client2, s.id.as_str(), &[]).await;
    let (_, status) = pay_with_tax(&again, &form("DE", &[])).await;
    assert_eq!(status, 303);
    sim2.shutdown().await;

    let (sim3, client3) = start_with(cfg()).await;
    let done = retrieve(
        &client3,
        s.id.as_str(),
        &["line_items.data.taxes", "invoice"],
    )
    .await;
    assert_eq!(done.amount_total, Some(842 + 160 + 500));
    let taxes: Vec<i64> = done
        .line_items
        .unwrap()
        .data
        .iter()
        .map(|i| i.taxes.as_ref().unwrap()[0].amount)
        .collect();
    assert_eq!(taxes, [160, 0]);
    let Some(Expandable::Object(inv)) = done.invoice else {
        panic!("invoice not expanded");
    };
    assert_eq!(inv.total, 1502);
    let page = http()
        .get(inv.hosted_invoice_url.unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    sim3.shutdown().await;
}
