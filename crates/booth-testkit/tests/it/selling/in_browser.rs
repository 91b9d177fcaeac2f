//! Issue 15's features end to end in a real browser (headless Chromium over WebDriver)
//! against the simulator: a code takes 20% off, a pay-what-you-want buyer pays 7.50, a
//! free product delivers without payment, a sale from `?ref=newsletter` shows under
//! "newsletter", and a lost link is recovered by email; a German buyer sees 19% VAT and a
//! French business with a valid VAT ID is reverse-charged. Screenshots go to
//! target/screenshots.

use super::make_pwyw;
use booth_core::discounts::DiscountInput;
use booth_testkit::app::*;
use booth_testkit::Browser;
use std::path::PathBuf;
use std::time::Duration;

fn shot(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(format!("{name}.png"))
}

/// Fills the simulator's card form and pays; waits for the purchase page.
async fn pay_in_browser(b: &Browser, app: &TestApp, email: &str) -> String {
    let sim = app.running.simulator.as_ref().unwrap().base_url();
    b.wait_for_url(
        |u| u.starts_with(&sim) && u.contains("/c/pay/"),
        Duration::from_secs(15),
    )
    .await;
    b.fill("input[name=email]", email).await;
    b.fill("input[name=card_number]", CARD_OK).await;
    b.fill("input[name=card_expiry]", "12/34").await;
    b.fill("input[name=card_cvc]", "123").await;
    b.click("button[type=submit]").await;
    let url = b
        .wait_for_url(|u| u.contains("/d/"), Duration::from_secs(15))
        .await;
    url.rsplit("/d/").next().unwrap().to_string()
}

#[tokio::test]
async fn codes_amounts_free_products_and_sources_in_a_real_browser() {
    let app = spawn_app().await;
    app.add_product("guide", "25.00", "5", &[("guide.pdf", b"%PDF guide")])
        .await;
    app.add_product("zine", "10.00", "5", &[("zine.pdf", b"%PDF zine")])
        .await;
    app.add_product("poster", "3.00", "5", &[("poster.pdf", b"%PDF poster")])
        .await;
    make_pwyw(&app, "zine", "5.00").await;
    make_pwyw(&app, "poster", "0").await;
    app.shop()
        .add_discount(&DiscountInput {
            code: "LAUNCH".into(),
            percent_off: Some("20".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let b = Browser::start().await;

    // A code typed on the product page, from a newsletter link: 20% off, under "newsletter".
    b.goto(&app.url("/p/guide?ref=newsletter")).await;
    b.click(".code summary").await;
    b.fill("input[name=code]", "launch").await;
    b.click(".code button").await;
    b.wait_text(
        "body",
        |t| t.contains("LAUNCH · 20% off"),
        Duration::from_secs(10),
    )
    .await;
    assert!(b.text(".buy-card .price").await.contains("$20.00"));
    b.screenshot(&shot("product-with-code")).await;
    b.click(".buy-card form > button[type='submit']").await;
    b.wait_text("body", |t| t.contains("$20.00"), Duration::from_secs(15))
        .await;
    b.screenshot(&shot("checkout-with-code")).await;
    let token = pay_in_browser(&b, &app, "early@example.com").await;
    let p = app.purchase(&token).await;
    assert_eq!((p.charge.discount_minor, p.amount_minor), (500, 2000));
    assert_eq!(p.referral.ref_.as_deref(), Some("newsletter"));
    assert!(b.text("body").await.contains("Discount (LAUNCH)"));
    b.screenshot(&shot("purchase-with-code")).await;
    let d = app.shop().dashboard(7).await.unwrap();
    let row = d.sources.iter().find(|r| r.source == "newsletter").unwrap();
    assert_eq!(
        (row.visits, row.sales, row.revenue_minor),
        (2, 1, 2000),
        "{row:?}"
    );

    // Pay what you want: 7.50.
    b.goto(&app.url("/p/zine")).await;
    b.screenshot(&shot("product-pay-what-you-want")).await;
    b.fill("input[name=amount]", "7.50").await;
    b.click(".buy-card form > button[type='submit']").await;
    b.wait_text("body", |t| t.contains("$7.50"), Duration::from_secs(15))
        .await;
    let token = pay_in_browser(&b, &app, "fan@example.com").await;
    assert_eq!(app.purchase(&token).await.amount_minor, 750);

    // A free product: no payment, the link by email.
    b.goto(&app.url("/p/poster")).await;
    b.fill("input[name=amount]", "0").await;
    b.click(".buy-card form > button[type='submit']").await;
    b.wait_for("input[name=email]", Duration::from_secs(10))
        .await;
    b.screenshot(&shot("product-free-claim")).await;
    b.fill("input[name=email]", "free@example.com").await;
    b.click(".buy-card form > button[type='submit']").await;
    b.wait_text(
        "body",
        |t| t.contains("Check your inbox"),
        Duration::from_secs(10),
    )
    .await;
    let free = app
        .purchases()
        .await
        .into_iter()
        .find(|p| p.email == "free@example.com")
        .expect("a free purchase");
    assert_eq!((free.source.as_str(), free.amount_minor), ("free", 0));

    // The free buyer lost the link: /library sends it again.
    b.goto(&app.url("/library")).await;
    b.fill("input[name=email]", "free@example.com").await;
    b.click("form button[type=submit]").await;
    b.wait_text(
        "body",
        |t| t.contains("Check your email"),
        Duration::from_secs(10),
    )
    .await;
    let mail = app.smtp.wait_for_messages(4, Duration::from_secs(20)).await;
    let library = mail
        .iter()
        .find(|m| m.header("X-Booth-Kind") == Some("library"))
        .expect("the library email");
    assert!(library
        .text
        .as_deref()
        .unwrap()
        .contains(&format!("/d/{}", free.token)));
    b.close().await;
}

/// Opens the product page and goes to checkout, ticking the EU consent box first (without
/// it the browser itself keeps the buyer on the page: the box is required).
async fn checkout_with_consent(b: &Browser, app: &TestApp) {
    let sim = app.running.simulator.as_ref().unwrap().base_url();
    b.goto(&app.url("/p/guide")).await;
    b.click(".buy-card form > button[type='submit']").await;
    assert!(b.current_url().await.contains("/p/guide"));
    b.click("input[name=consent]").await;
    b.click(".buy-card form > button[type='submit']").await;
    b.wait_for_url(|u| u.starts_with(&sim), Duration::from_secs(15))
        .await;
}

/// Fills the simulator's page for a buyer in `country`, asks it for the total with tax,
/// and waits until the page shows `expect`.
async fn address(b: &Browser, country: &str, business: Option<(&str, &str)>, expect: &str) {
    b.fill("input[name=email]", "buyer@example.com").await;
    b.fill("input[name=card_number]", CARD_OK).await;
    b.fill("input[name=card_expiry]", "12/34").await;
    b.fill("input[name=card_cvc]", "123").await;
    b.execute(
        "document.querySelector('select[name=country]').value = arguments[0];",
        serde_json::json!([country]),
    )
    .await;
    b.fill("input[name=line1]", "1 Main Street").await;
    b.fill("input[name=city]", "Capital").await;
    b.fill("input[name=postal_code]", "10115").await;
    if let Some((name, vat)) = business {
        b.click("input[name=business]").await;
        b.fill("input[name=business_name]", name).await;
        b.fill("input[name=tax_id]", vat).await;
    }
    b.click("button[value=update]").await;
    b.wait_text("body", |t| t.contains(expect), Duration::from_secs(10))
        .await;
}

#[tokio::test]
async fn a_german_buyer_sees_19_percent_vat_and_a_french_business_is_reverse_charged() {
    let app = spawn_app().await;
    app.add_product("guide", "10.00", "5", &[("guide.pdf", b"%PDF guide")])
        .await;
    for (k, v) in [("tax", "exclusive"), ("tax_ids", "yes"), ("consent", "yes")] {
        app.shop().set_setting(k, v).await.unwrap();
    }
    let b = Browser::start().await;

    checkout_with_consent(&b, &app).await;
    address(&b, "DE", None, "VAT (19%)").await;
    assert!(b.text("body").await.contains("$1.90"));
    b.screenshot(&shot("checkout-german-vat")).await;
    b.click("button[type=submit]:not([value=update])").await;
    let url = b
        .wait_for_url(|u| u.contains("/d/"), Duration::from_secs(15))
        .await;
    let de = app.purchase(url.rsplit("/d/").next().unwrap()).await;
    assert_eq!((de.charge.tax_minor, de.amount_minor), (190, 1190));
    assert!(de.consent.is_some(), "the consent was recorded");
    assert!(b.text("body").await.contains("you agreed"));
    b.screenshot(&shot("purchase-with-tax-and-consent")).await;

    checkout_with_consent(&b, &app).await;
    address(
        &b,
        "FR",
        Some(("Librairie SARL", "FR12345678901")),
        "reverse charge",
    )
    .await;
    b.screenshot(&shot("checkout-reverse-charge")).await;
    b.click("button[type=submit]:not([value=update])").await;
    let url = b
        .wait_for_url(|u| u.contains("/d/"), Duration::from_secs(15))
        .await;
    let fr = app.purchase(url.rsplit("/d/").next().unwrap()).await;
    assert_eq!((fr.charge.tax_minor, fr.amount_minor), (0, 1000));
    assert_eq!(fr.charge.tax_id.as_deref(), Some("FR12345678901"));
    b.close().await;
}
