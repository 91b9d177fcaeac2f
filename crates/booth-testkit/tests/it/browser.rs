//! The buyer's story in a real browser (headless Chromium over WebDriver): product page →
//! Buy → the simulator's hosted checkout → declined card → good card → purchase page →
//! download link. Screenshots land in target/screenshots for people to look at.

use booth_testkit::app::*;
use booth_testkit::Browser;
use std::path::PathBuf;
use std::time::Duration;

fn shot(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(format!("{name}.png"))
}

#[tokio::test]
async fn buyer_pays_in_a_real_browser() {
    let app = spawn_app().await;
    app.shop()
        .set_setting("store_name", "Ada's Books")
        .await
        .unwrap();
    app.shop()
        .set_setting("support_email", "help@example.com")
        .await
        .unwrap();
    booth_runtime::seed_demo(app.shop()).await.unwrap();
    let b = Browser::start().await;

    b.goto(&app.url("/")).await;
    assert!(b.text("body").await.contains("The Little Book of Booth"));
    b.screenshot(&shot("storefront")).await;

    b.goto(&app.url("/p/little-book")).await;
    assert!(b.text("body").await.contains("$5.00"));
    b.screenshot(&shot("product")).await;
    b.click(".buy-card form > button[type='submit']").await;
    let sim = app.running.simulator.as_ref().unwrap().base_url();
    b.wait_for_url(
        |u| u.starts_with(&sim) && u.contains("/c/pay/"),
        Duration::from_secs(15),
    )
    .await;
    assert!(b.text("body").await.contains("The Little Book of Booth"));

    // A declined card keeps the buyer on the page with the reason.
    b.fill("input[name=email]", "reader@example.com").await;
    b.fill("input[name=card_number]", CARD_DECLINED).await;
    b.fill("input[name=card_expiry]", "12/34").await;
    b.fill("input[name=card_cvc]", "123").await;
    b.screenshot(&shot("checkout")).await;
    b.click("button[type=submit]").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        b.text("body").await.contains("declined"),
        "{}",
        b.source().await
    );
    b.screenshot(&shot("checkout-declined")).await;
    assert!(app.purchases().await.is_empty());

    b.fill("input[name=card_number]", CARD_OK).await;
    b.fill("input[name=card_expiry]", "12/34").await;
    b.fill("input[name=card_cvc]", "123").await;
    if b.text("input[name=email]").await.is_empty() {
        b.fill("input[name=email]", "reader@example.com").await;
    }
    b.click("button[type=submit]").await;
    let url = b
        .wait_for_url(|u| u.contains("/d/"), Duration::from_secs(15))
        .await;
    let token = url.rsplit("/d/").next().unwrap().to_string();
    let page = b.text("body").await;
    assert!(page.contains("reader@example.com"), "{page}");
    assert!(page.contains("the-little-book-of-booth.pdf"), "{page}");
    assert!(page.contains("Test"), "test purchases are marked: {page}");
    b.screenshot(&shot("purchase")).await;

    let p = app.purchase(&token).await;
    assert!(p.test);
    // The page's download link serves the PDF.
    let path = download_path(&p);
    assert!(b.exists(&format!("a[href='{path}']")).await);
    let pdf = app.get(&path).await.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"));

    // Dead ends are pages too.
    b.goto(&app.url("/d/00000000000000000000000000000000"))
        .await;
    assert!(b.text("body").await.contains("This link doesn't work"));
    b.screenshot(&shot("unknown-link")).await;
    b.goto(&app.url("/checkout/cancel?products=little-book"))
        .await;
    assert!(b.text("body").await.contains("No charge was made"));
    b.screenshot(&shot("canceled")).await;

    let mail = app.smtp.wait_for_messages(1, Duration::from_secs(20)).await;
    std::fs::write(
        shot("receipt").with_extension("html"),
        mail[0].html.clone().unwrap(),
    )
    .unwrap();
    b.goto(&format!(
        "file://{}",
        shot("receipt").with_extension("html").display()
    ))
    .await;
    b.screenshot(&shot("receipt")).await;

    // An update mailing: the email, then its unsubscribe link in the browser.
    let m = app
        .shop()
        .create_mailing(booth_core::shop::MailingRequest {
            product: "little-book".into(),
            subject: None,
            message: "A new chapter on pricing.\n\nThanks for reading!".into(),
            include_test: true,
        })
        .await
        .unwrap();
    let mail = app.smtp.wait_for_messages(2, Duration::from_secs(20)).await;
    let update = mail
        .iter()
        .find(|m| m.header("X-Booth-Kind") == Some("update"))
        .unwrap();
    let html_path = shot("update").with_extension("html");
    std::fs::write(&html_path, update.html.clone().unwrap()).unwrap();
    b.goto(&format!("file://{}", html_path.display())).await;
    assert!(b.text("body").await.contains("A new chapter on pricing."));
    b.screenshot(&shot("update")).await;
    let unsubscribe = update
        .header("List-Unsubscribe")
        .unwrap()
        .trim_matches(['<', '>'])
        .to_string();
    b.goto(&unsubscribe).await;
    assert!(b.text("body").await.contains("reader@example.com"));
    b.screenshot(&shot("unsubscribe")).await;
    b.click("form button[type=submit]").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        b.text("body").await.contains("unsubscribed"),
        "{}",
        b.source().await
    );
    b.screenshot(&shot("unsubscribed")).await;
    assert_eq!(app.shop().mailing(m.id).await.unwrap().unsubscribed, 1);
    b.close().await;
}
