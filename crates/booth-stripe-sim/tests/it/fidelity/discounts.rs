//! Checkout Sessions with a coupon in `discounts`: Stripe's totals on the session and its
//! line items, the discounted payment, redemptions counted on payment, a no-cost order,
//! and what Stripe refuses.

use super::coupons::{get_json, now, percent_coupon, post_form};
use super::*;
use serde_json::json;
use stripe::ApiErrorsCode;
use stripe_checkout::checkout_session::{
    CreateCheckoutSessionDiscounts, ListLineItemsCheckoutSession, RetrieveCheckoutSession,
};
use stripe_core::charge::RetrieveCharge;
use stripe_core::event::ListEvent;
use stripe_core::payment_intent::RetrievePaymentIntent;
use stripe_product::coupon::{CreateCoupon, DeleteCoupon, RetrieveCoupon};
use stripe_shared::{CheckoutSessionPaymentStatus, CheckoutSessionStatus};
use stripe_types::{Currency, Expandable};

fn with_coupon(id: &str) -> CreateCheckoutSession {
    let mut d = CreateCheckoutSessionDiscounts::new();
    d.coupon = Some(id.to_string());
    new_session().discounts(vec![d])
}

async fn session_with(client: &Client, id: &str) -> CheckoutSession {
    with_coupon(id).send(client).await.unwrap()
}

#[tokio::test]
async fn a_session_with_a_coupon_has_stripes_totals_and_pays_the_discounted_amount() {
    let (sim, client) = start().await;
    let coupon = CreateCoupon::new()
        .id("SPRING")
        .percent_off(12.5)
        .name("Spring sale");
    coupon.send(&client).await.unwrap();
    // 12.5% of 19.00 is 2.375: rounded half up to 2.38.
    let s = session_with(&client, "SPRING").await;
    assert_eq!(s.amount_subtotal, Some(1900));
    assert_eq!(s.total_details.as_ref().unwrap().amount_discount, 238);
    assert_eq!(s.amount_total, Some(1662));
    let discounts = s.discounts.as_ref().unwrap();
    assert_eq!(discounts.len(), 1);
    assert_eq!(
        discounts[0].coupon.as_ref().unwrap().id().as_str(),
        "SPRING"
    );
    assert!(discounts[0].promotion_code.is_none());
    assert_eq!(s.allow_promotion_codes, None);

    // Line items share the discount in proportion to their subtotals; the last takes
    // the rest.
    let items = ListLineItemsCheckoutSession::new(s.id.clone())
        .send(&client)
        .await
        .unwrap();
    let shares: Vec<i64> = items.data.iter().map(|i| i.amount_discount).collect();
    assert_eq!(shares, [150, 88]);
    for i in &items.data {
        assert_eq!(i.amount_total, i.amount_subtotal - i.amount_discount);
    }
    let expanded = RetrieveCheckoutSession::new(s.id.clone())
        .expand(vec![
            "line_items".to_string(),
            "discounts.coupon".to_string(),
        ])
        .send(&client)
        .await
        .unwrap();
    let embedded = expanded.line_items.unwrap();
    assert_eq!(
        embedded.data.iter().map(|i| i.amount_discount).sum::<i64>(),
        238
    );
    match expanded.discounts.unwrap()[0].coupon.as_ref().unwrap() {
        Expandable::Object(c) => assert_eq!(c.percent_off, Some(12.5)),
        other => panic!("coupon not expanded: {other:?}"),
    }

    let html = http()
        .get(s.url.clone().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for needle in ["$19.00", "Discount (Spring sale)", "−$2.38", "Pay $16.62"] {
        assert!(html.contains(needle), "page lacks {needle}");
    }
    assert_eq!(pay(&s, "4242424242424242").await.status(), 303);
    let done = RetrieveCheckoutSession::new(s.id.clone())
        .send(&client)
        .await
        .unwrap();
    assert_eq!(done.payment_status, CheckoutSessionPaymentStatus::Paid);
    assert_eq!(done.amount_total, Some(1662));
    let pi_id = done.payment_intent.unwrap().id().clone();
    let pi = RetrievePaymentIntent::new(pi_id)
        .send(&client)
        .await
        .unwrap();
    assert_eq!((pi.amount, pi.amount_received), (1662, 1662));
    let charge_id = pi.latest_charge.unwrap().id().clone();
    let charge = RetrieveCharge::new(charge_id).send(&client).await.unwrap();
    assert_eq!(charge.amount, 1662);
    let used = RetrieveCoupon::new("SPRING").send(&client).await.unwrap();
    assert_eq!((used.times_redeemed, used.valid), (1, true));
    sim.shutdown().await;
}

#[tokio::test]
async fn an_amount_off_coupon_down_to_zero_is_a_no_cost_order() {
    let (sim, client) = start().await;
    let coupon = CreateCoupon::new()
        .id("ALLOFF")
        .amount_off(5000)
        .currency(Currency::USD);
    coupon.send(&client).await.unwrap();
    let s = session_with(&client, "ALLOFF").await;
    // An amount off takes off at most the subtotal.
    assert_eq!(s.amount_subtotal, Some(1900));
    assert_eq!(s.total_details.as_ref().unwrap().amount_discount, 1900);
    assert_eq!(s.amount_total, Some(0));
    let items = ListLineItemsCheckoutSession::new(s.id.clone())
        .send(&client)
        .await
        .unwrap();
    assert!(items.data.iter().all(|i| i.amount_total == 0));

    // Stripe's Checkout collects no payment method for a total of 0.
    let url = s.url.clone().unwrap();
    let html = http().get(&url).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Complete order") && !html.contains("name=card_number"));
    let r = http()
        .post(&url)
        .form(&[("email", "nope")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = http()
        .post(&url)
        .form(&[("email", "buyer@example.com")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], success_for(s.id.as_str()).as_str());
    let done = RetrieveCheckoutSession::new(s.id.clone())
        .send(&client)
        .await
        .unwrap();
    assert_eq!(done.status, Some(CheckoutSessionStatus::Complete));
    assert_eq!(
        done.payment_status,
        CheckoutSessionPaymentStatus::NoPaymentRequired
    );
    assert!(done.payment_intent.is_none());
    let kinds: Vec<String> = ListEvent::new()
        .send(&client)
        .await
        .unwrap()
        .data
        .iter()
        .map(|e| e.type_.to_string())
        .collect();
    assert_eq!(kinds, ["checkout.session.completed", "coupon.created"]);
    sim.shutdown().await;
}

#[tokio::test]
async fn max_redemptions_one_lets_one_of_two_sessions_pay() {
    let (sim, client) = start().await;
    let once = CreateCoupon::new()
        .id("FIRST")
        .percent_off(50.0)
        .max_redemptions(1);
    once.send(&client).await.unwrap();
    let first = session_with(&client, "FIRST").await;
    let second = session_with(&client, "FIRST").await;
    assert_eq!(pay(&first, "4242424242424242").await.status(), 303);
    let used = RetrieveCoupon::new("FIRST").send(&client).await.unwrap();
    assert_eq!((used.times_redeemed, used.valid), (1, false));

    let r = pay(&second, "4242424242424242").await;
    assert_eq!(r.status(), 402);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("This discount is no longer available"),
        "{html}"
    );
    assert!(html.contains("name=card_number"), "the form is shown again");
    let still = RetrieveCheckoutSession::new(second.id.clone())
        .send(&client)
        .await
        .unwrap();
    assert_eq!(still.status, Some(CheckoutSessionStatus::Open));
    assert_eq!(still.payment_status, CheckoutSessionPaymentStatus::Unpaid);
    assert!(still.payment_intent.is_none());
    let pis = ListEvent::new()
        .type_("payment_intent.succeeded")
        .send(&client)
        .await
        .unwrap();
    assert_eq!(pis.data.len(), 1, "only the first session was charged");
    let again = RetrieveCoupon::new("FIRST").send(&client).await.unwrap();
    assert_eq!(again.times_redeemed, 1);

    // A used-up coupon is refused for new sessions.
    let (err, status) = stripe_err(with_coupon("FIRST").send(&client).await.unwrap_err());
    assert_eq!(
        (status, err.code),
        (400, Some(ApiErrorsCode::CouponExpired))
    );
    assert_eq!(err.param.as_deref(), Some("discounts[0][coupon]"));
    sim.shutdown().await;
}

#[tokio::test]
async fn a_coupon_expired_or_deleted_since_the_session_was_created_is_refused_at_payment() {
    let (sim, client) = start().await;
    let soon = now() + 2;
    let brief = CreateCoupon::new()
        .id("BRIEF")
        .percent_off(10.0)
        .redeem_by(soon);
    brief.send(&client).await.unwrap();
    let expiring = session_with(&client, "BRIEF").await;
    percent_coupon(&client, "DOOMED", 10.0).await;
    let orphan = session_with(&client, "DOOMED").await;
    DeleteCoupon::new("DOOMED").send(&client).await.unwrap();
    let (err, _) = stripe_err(with_coupon("DOOMED").send(&client).await.unwrap_err());
    assert_eq!(err.code, Some(ApiErrorsCode::ResourceMissing));

    while now() <= soon {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for s in [&expiring, &orphan] {
        let r = pay(s, "4242424242424242").await;
        assert_eq!(r.status(), 402);
        assert!(r
            .text()
            .await
            .unwrap()
            .contains("This discount is no longer available"));
    }
    let c = RetrieveCoupon::new("BRIEF").send(&client).await.unwrap();
    assert!(
        !c.valid && c.times_redeemed == 0,
        "past redeem_by, the coupon isn't valid"
    );
    let (err, _) = stripe_err(with_coupon("BRIEF").send(&client).await.unwrap_err());
    assert_eq!(err.code, Some(ApiErrorsCode::CouponExpired));
    assert!(ListEvent::new()
        .type_("charge.*")
        .send(&client)
        .await
        .unwrap()
        .data
        .is_empty());
    sim.shutdown().await;
}

/// Extra form fields, and the parameter, code and message of Stripe's error.
type Case<'a> = (
    Vec<(&'a str, &'a str)>,
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
);

#[tokio::test]
async fn hostile_discount_parameters_get_stripes_errors_and_create_no_session() {
    let (sim, client) = start().await;
    percent_coupon(&client, "TENOFF", 10.0).await;
    let euro = CreateCoupon::new()
        .id("EUROFF")
        .amount_off(100)
        .currency(Currency::EUR);
    euro.send(&client).await.unwrap();
    let base = [
        ("mode", "payment"),
        ("success_url", SUCCESS),
        ("line_items[0][price_data][currency]", "usd"),
        ("line_items[0][price_data][unit_amount]", "500"),
        ("line_items[0][price_data][product_data][name]", "Zine"),
        ("line_items[0][quantity]", "1"),
    ];
    let both = "You may only specify one of these parameters: allow_promotion_codes, discounts.";
    let cases: Vec<Case> = vec![
        (
            vec![
                ("discounts[0][coupon]", "TENOFF"),
                ("discounts[1][coupon]", "TENOFF"),
            ],
            "discounts",
            None,
            None,
        ),
        (
            vec![
                ("discounts[0][coupon]", "TENOFF"),
                ("allow_promotion_codes", "true"),
            ],
            "discounts",
            None,
            Some(both),
        ),
        (
            vec![("discounts[0][coupon]", "NOPE")],
            "discounts[0][coupon]",
            Some("resource_missing"),
            Some("No such coupon: 'NOPE'"),
        ),
        (
            vec![("discounts[0][promotion_code]", "promo_1")],
            "discounts[0][promotion_code]",
            Some("resource_missing"),
            Some("No such promotion_code: 'promo_1'"),
        ),
        (
            vec![("discounts[0][coupon]", "EUROFF")],
            "discounts[0][coupon]",
            None,
            None,
        ),
        (
            vec![("discounts[0][coupon]", "")],
            "discounts[0][coupon]",
            Some("parameter_missing"),
            None,
        ),
    ];
    for (extra, param, code, message) in cases {
        let mut form = base.to_vec();
        form.extend(extra.iter().copied());
        let (status, body) = post_form(&sim, "checkout/sessions", &form).await;
        let e = &body["error"];
        assert_eq!(
            (status, &e["type"]),
            (400, &json!("invalid_request_error")),
            "{extra:?}"
        );
        assert_eq!(e["param"], param, "{extra:?}: {body}");
        if let Some(code) = code {
            assert_eq!(e["code"], code, "{extra:?}");
        }
        if let Some(m) = message {
            assert_eq!(e["message"], m, "{extra:?}");
        }
    }
    // Through async-stripe: promotion codes and coupons together with promotion codes.
    let (err, _) = stripe_err(
        with_coupon("TENOFF")
            .allow_promotion_codes(true)
            .send(&client)
            .await
            .unwrap_err(),
    );
    assert_eq!(err.message.as_deref(), Some(both));
    let mut promo = CreateCheckoutSessionDiscounts::new();
    promo.promotion_code = Some("promo_x".into());
    let (err, status) = stripe_err(
        new_session()
            .discounts(vec![promo])
            .send(&client)
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (status, err.code),
        (400, Some(ApiErrorsCode::ResourceMissing))
    );

    let sessions = get_json(&sim, "checkout/sessions").await;
    assert!(
        sessions["data"].as_array().unwrap().is_empty(),
        "{sessions}"
    );
    let unused = RetrieveCoupon::new("TENOFF").send(&client).await.unwrap();
    assert_eq!(unused.times_redeemed, 0);
    sim.shutdown().await;
}
