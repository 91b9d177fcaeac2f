//! Stripe Tax by the buyer's place: a country without tax, the UK, Switzerland, one where
//! the account collects none; and a discount taken off before the tax.

use super::tax::{ebook, form, pay_with_tax, retrieve, taxed_session};
use super::*;
use stripe_checkout::checkout_session::{
    CreateCheckoutSessionDiscounts, CreateCheckoutSessionLineItemsPriceDataTaxBehavior as Behavior,
};
use stripe_product::coupon::CreateCoupon;
use stripe_shared::{
    LineItemsTaxAmountTaxabilityReason as Reason,
    PaymentPagesCheckoutSessionAutomaticTaxStatus as TaxStatus,
};

#[tokio::test]
async fn hong_kong_pays_no_tax_the_uk_pays_20_percent_and_the_us_isnt_collected_in() {
    let (sim, client) = start().await;
    for (country, tax, reason, row) in [
        (
            "HK",
            0,
            Reason::NotSubjectToTax,
            "<span>Tax</span><span>€0.00</span>",
        ),
        ("GB", 168, Reason::StandardRated, "VAT (20%)"),
        (
            "US",
            0,
            Reason::NotCollecting,
            "<span>Tax</span><span>€0.00</span>",
        ),
        ("CH", 68, Reason::StandardRated, "VAT (8.1%)"),
    ] {
        let s = taxed_session(vec![ebook(842, Behavior::Exclusive)])
            .send(&client)
            .await
            .unwrap();
        let (page, status) = pay_with_tax(&s, &form(country, &[])).await;
        assert!(page.contains(row), "{country}: {row}");
        assert_eq!(status, 303, "{country}");
        let done = retrieve(&client, s.id.as_str(), &["line_items.data.taxes"]).await;
        assert_eq!(done.amount_total, Some(842 + tax), "{country}");
        assert_eq!(done.total_details.as_ref().unwrap().amount_tax, tax);
        assert_eq!(done.automatic_tax.status, Some(TaxStatus::Complete));
        let t = &done.line_items.as_ref().unwrap().data[0]
            .taxes
            .as_ref()
            .unwrap()[0];
        assert_eq!(t.taxability_reason, Some(reason), "{country}");
        let country_seen = done.customer_details.unwrap().address.unwrap().country;
        assert_eq!(country_seen.as_deref(), Some(country));
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn a_discount_is_taken_off_before_the_tax() {
    let (sim, client) = start().await;
    CreateCoupon::new()
        .id("TEN")
        .percent_off(10.0)
        .send(&client)
        .await
        .unwrap();
    let mut d = CreateCheckoutSessionDiscounts::new();
    d.coupon = Some("TEN".into());
    let s = taxed_session(vec![ebook(1000, Behavior::Exclusive)])
        .discounts(vec![d])
        .send(&client)
        .await
        .unwrap();
    assert_eq!(s.amount_total, Some(900));
    let (_, status) = pay_with_tax(&s, &form("DE", &[])).await;
    assert_eq!(status, 303);
    // 19% of 9.00 is 1.71.
    let done = retrieve(&client, s.id.as_str(), &["total_details.breakdown"]).await;
    let totals = done.total_details.as_ref().unwrap();
    assert_eq!((totals.amount_discount, totals.amount_tax), (100, 171));
    assert_eq!(done.amount_total, Some(1071));
    let breakdown = totals.breakdown.as_ref().unwrap();
    assert_eq!(breakdown.discounts[0].amount, 100);
    assert_eq!(breakdown.taxes[0].taxable_amount, Some(900));
    sim.shutdown().await;
}
