//! Discount codes: made by the seller, used from `?code=` or the product page's field,
//! charged through a coupon Stripe shows, and never used by more paid purchases than
//! allowed, however many buyers try at once.

use super::count;
use booth_core::discounts::DiscountInput;
use booth_testkit::app::*;

fn percent(code: &str, pct: &str) -> DiscountInput {
    DiscountInput {
        code: code.into(),
        percent_off: Some(pct.into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_code_takes_twenty_percent_off() {
    let app = spawn_app().await;
    app.add_product("guide", "25.00", "5", &[("guide.pdf", b"%PDF guide")])
        .await;
    app.shop()
        .add_discount(&percent("LAUNCH", "20"))
        .await
        .unwrap();

    // The page shows the price with the code, whatever its case.
    let (status, page) = app.get_html("/p/guide?code=launch").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("$20.00") && page.contains("LAUNCH · 20% off"),
        "{page}"
    );

    let res = app.get("/buy/guide?code=launch").await;
    assert_eq!(res.status(), 303);
    let hosted = location(&res);
    let checkout = app.fetch_text(&hosted).await;
    assert!(
        checkout.contains("$20.00"),
        "Stripe's page shows the discounted total"
    );
    let paid = app.pay(&hosted, "early@example.com").await;
    let p = app.wait_for_purchase(&paid.session_id).await;
    assert_eq!(p.amount_minor, 2000);
    assert_eq!(p.charge.subtotal_minor, 2500);
    assert_eq!(p.charge.discount_minor, 500);
    assert_eq!(p.charge.discount_code.as_deref(), Some("LAUNCH"));
    let d = app.shop().discount("launch").await.unwrap();
    assert_eq!(d.uses, 1);
    // The receipt and the purchase page say so.
    let (_, page) = app.get_html(&format!("/d/{}", p.token)).await;
    assert!(
        page.contains("Discount (LAUNCH)") && page.contains("−$5.00"),
        "{page}"
    );
}

#[tokio::test]
async fn unusable_codes_are_refused_beside_the_field_and_record_nothing() {
    let app = spawn_app().await;
    app.add_product("guide", "25.00", "5", &[("guide.pdf", b"%PDF guide")])
        .await;
    app.add_product("zine", "5.00", "5", &[("zine.pdf", b"%PDF zine")])
        .await;
    let shop = app.shop();
    let now = now();
    shop.add_discount(&DiscountInput {
        expires_at: Some(now - 10),
        starts_at: Some(now - 100),
        ..percent("OLD", "10")
    })
    .await
    .unwrap();
    shop.add_discount(&DiscountInput {
        starts_at: Some(now + 3600),
        ..percent("SOON", "10")
    })
    .await
    .unwrap();
    shop.add_discount(&DiscountInput {
        products: vec!["zine".into()],
        ..percent("ZINEONLY", "10")
    })
    .await
    .unwrap();
    shop.add_discount(&DiscountInput {
        code: "FIVEEURO".into(),
        amounts_off: vec!["5.00 EUR".into()],
        ..Default::default()
    })
    .await
    .unwrap();
    shop.add_discount(&percent("OFF", "10")).await.unwrap();
    shop.set_discount_disabled("off", true).await.unwrap();
    shop.add_discount(&DiscountInput {
        code: "NEARLYALL".into(),
        amounts_off: vec!["24.80 USD".into()],
        ..Default::default()
    })
    .await
    .unwrap();

    for (code, says) in [
        ("OLD", "OLD has expired"),
        ("SOON", "SOON isn"),
        ("ZINEONLY", "ZINEONLY doesn"),
        ("FIVEEURO", "apply to prices in USD"),
        ("OFF", "OFF is no longer valid"),
        ("NOPE", "NOPE isn"),
        ("%C3%A9T%C3%89", "A code is 3"),
        ("'%3B--", "A code is 3"),
        (&"X".repeat(40), "A code is 3"),
        ("NEARLYALL", "below the smallest card payment"),
    ] {
        let (status, page) = app.get_html(&format!("/buy/guide?code={code}")).await;
        assert_eq!(status, 400, "{code}");
        assert!(page.contains(says), "{code}: {page}");
        assert!(
            page.contains(r#"id="code-error""#),
            "{code}: beside the code field"
        );
    }
    assert_eq!(count(&app, "checkout_sessions").await, 0);
    assert_eq!(count(&app, "discount_holds").await, 0);
    // The code for the zine works on the zine, and in a cart only on the zine.
    let res = app
        .post_form(
            "/cart/checkout",
            &[
                ("product", "guide"),
                ("product", "zine"),
                ("code", "zineonly"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let paid = app.pay(&location(&res), "cart@example.com").await;
    let p = app.wait_for_purchase(&paid.session_id).await;
    assert_eq!(
        (
            p.charge.subtotal_minor,
            p.charge.discount_minor,
            p.amount_minor
        ),
        (3000, 50, 2950)
    );
}

#[tokio::test]
async fn a_code_with_three_uses_never_admits_a_fourth_paid_purchase() {
    let app = spawn_app().await;
    app.add_product("guide", "10.00", "5", &[("guide.pdf", b"%PDF guide")])
        .await;
    app.shop()
        .add_discount(&DiscountInput {
            max_uses: Some("3".into()),
            ..percent("FEW", "50")
        })
        .await
        .unwrap();
    // Twelve buyers at once: three checkouts hold the three uses, the rest are told.
    let tries = (0..12).map(|_| app.get("/buy/guide?code=FEW"));
    let answers = futures_util::future::join_all(tries).await;
    let hosted: Vec<String> = answers
        .iter()
        .filter(|r| r.status() == 303)
        .map(location)
        .collect();
    assert_eq!(hosted.len(), 3, "one checkout per use");
    assert!(answers.iter().filter(|r| r.status() == 400).count() == 9);
    let app = &app;
    let paid = futures_util::future::join_all(
        hosted
            .iter()
            .enumerate()
            .map(|(i, h)| async move { app.pay(h, &format!("b{i}@example.com")).await }),
    )
    .await;
    for p in &paid {
        app.wait_for_purchase(&p.session_id).await;
    }
    let (status, page) = app.get_html("/buy/guide?code=FEW").await;
    assert_eq!(status, 400);
    assert!(page.contains("FEW has been used up"), "{page}");
    let d = app.shop().discount("few").await.unwrap();
    assert_eq!(d.uses, 3);
    assert_eq!(
        count(app, "discount_holds").await,
        0,
        "each hold became its purchase"
    );
}

#[tokio::test]
async fn an_abandoned_checkout_gives_its_use_back_once_stripe_says_it_expired() {
    let app = spawn_app().await;
    app.add_product("guide", "10.00", "5", &[("guide.pdf", b"%PDF guide")])
        .await;
    app.shop()
        .add_discount(&DiscountInput {
            max_uses: Some("1".into()),
            ..percent("ONCE", "10")
        })
        .await
        .unwrap();
    let res = app.get("/buy/guide?code=ONCE").await;
    assert_eq!(res.status(), 303);
    let (status, _) = app.get_html("/buy/guide?code=ONCE").await;
    assert_eq!(
        status, 400,
        "the use is held while the first checkout is open"
    );
    // The hold runs out while Stripe still has the session open: still held.
    app.shop()
        .db()
        .write(|tx| Ok(tx.execute("UPDATE discount_holds SET expires_at = 0", [])?))
        .await
        .unwrap();
    let (status, _) = app.get_html("/buy/guide?code=ONCE").await;
    assert_eq!(status, 400, "Stripe says the session can still be paid");
    // Stripe expires the session: the use is free again.
    let sid: String = app
        .shop()
        .db()
        .run(|c| Ok(c.query_row("SELECT id FROM checkout_sessions", [], |r| r.get(0))?))
        .await
        .unwrap();
    stripe_checkout::checkout_session::ExpireCheckoutSession::new(sid.as_str())
        .send(&app.stripe)
        .await
        .unwrap();
    let res = app.get("/buy/guide?code=ONCE").await;
    assert_eq!(res.status(), 303);
    assert_eq!(count(&app, "discount_holds").await, 1);
}
