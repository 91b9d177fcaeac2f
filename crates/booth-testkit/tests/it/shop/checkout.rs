//! Buying: the whole story, declined cards, a cart of two, the checkout allowance.

use super::BOOK;
use booth_testkit::app::*;
use std::time::Duration;

#[tokio::test]
async fn full_buyer_story() {
    let app = spawn_app().await;
    app.add_product("book", "9.99", "5", &[("book.pdf", BOOK)])
        .await;

    // The product page has a Buy button that leads to the buy link.
    let page = unescape_slashes(&app.get_html("/p/book").await.1);
    assert!(
        page.contains("/buy/book") && page.contains("$9.99"),
        "{page}"
    );

    let hosted = app.buy("book").await;
    let checkout_page = app.fetch_text(&hosted).await;
    assert!(
        checkout_page.contains("name=card_number") && checkout_page.contains("9.99"),
        "{checkout_page}"
    );

    let paid = app.buy_and_pay("book", "ann@example.com").await;
    let token = app.complete(&paid).await;
    assert_eq!(token.len(), 32);

    // The purchase page lists the file and changes nothing when opened (link scanners).
    for _ in 0..3 {
        let res = app.get(&format!("/d/{token}")).await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["cache-control"], "no-store");
        let html = res.text().await.unwrap();
        assert!(html.contains("book.pdf"), "{html}");
    }
    let p = app.purchase(&token).await;
    assert_eq!(p.items[0].files[0].downloads_used, 0);
    assert_eq!(
        (
            p.amount_minor,
            p.currency.as_str(),
            p.status.as_str(),
            p.test
        ),
        (999, "usd", "paid", true)
    );
    assert_eq!(p.email, "ann@example.com");
    let path = download_path(&p);

    for i in 0..5 {
        let res = app.get(&path).await;
        assert_eq!(res.status(), 200, "download {}", i + 1);
        assert!(res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment; filename=\"book.pdf\""));
        assert_eq!(res.bytes().await.unwrap().as_ref(), BOOK);
    }
    let (status, sixth) = app.get_html(&path).await;
    assert_eq!(status, 410);
    assert!(sixth.contains("Download limit reached"));

    // The receipt arrives over SMTP with the working link.
    let mail = app.smtp.wait_for_messages(1, Duration::from_secs(20)).await;
    assert_eq!(mail.len(), 1);
    let receipt = &mail[0];
    assert_eq!(receipt.to, vec!["ann@example.com".to_string()]);
    assert!(
        receipt.subject.contains("Product book"),
        "{}",
        receipt.subject
    );
    let link = app.url(&format!("/d/{token}"));
    assert!(
        receipt.text.as_deref().unwrap().contains(&link),
        "text part has the link"
    );
    assert!(
        unescape_slashes(receipt.html.as_deref().unwrap()).contains(&link),
        "HTML part has the link"
    );
    assert_eq!(app.get(&link.replace(&app.base, "")).await.status(), 200);

    // Exactly one purchase, one receipt, and the download log recorded all six tries' five.
    assert_eq!(app.purchases().await.len(), 1);
    assert_eq!(app.outbox_count("receipt", p.id).await, 1);
    let detail = app.shop().purchase_detail(&token).await.unwrap();
    assert_eq!(detail.downloads.iter().filter(|d| d.counted).count(), 5);
}

#[tokio::test]
async fn declined_cards_keep_the_buyer_on_checkout_and_record_nothing() {
    let app = spawn_app().await;
    app.add_product("book", "5", "5", &[("book.pdf", BOOK)])
        .await;
    let hosted = app.buy("book").await;
    for (card, words) in [
        (CARD_DECLINED, "declined"),
        (CARD_NO_FUNDS, "insufficient funds"),
    ] {
        let res = app.pay_with(&hosted, "bob@example.com", card).await;
        assert_eq!(res.status(), 402);
        let html = res.text().await.unwrap();
        assert!(html.contains(words), "{card}: {html}");
    }
    // The session is still open: a good card then works.
    let paid = app.pay(&hosted, "bob@example.com").await;
    let token = app.complete(&paid).await;
    assert!(app.shop().purchase(&token).await.unwrap().is_some());
    assert_eq!(app.purchases().await.len(), 1);
}

#[tokio::test]
async fn cart_with_two_products_ignores_tampered_prices() {
    let app = spawn_app().await;
    app.add_product("book", "9.99", "5", &[("book.pdf", BOOK)])
        .await;
    app.add_product("zine", "3.50", "3", &[("zine.zip", b"PK zip")])
        .await;
    let res = app
        .post_form(
            "/cart/checkout",
            &[
                ("product", "book"),
                ("product", "zine"),
                ("price", "0.01"),
                ("amount", "1"),
                ("unit_amount", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let hosted = location(&res);
    let page = app.fetch_text(&hosted).await;
    assert!(
        page.contains("13.49"),
        "total from the database, not the form: {page}"
    );
    let paid = app.pay(&hosted, "cat@example.com").await;
    let token = app.complete(&paid).await;
    let p = app.purchase(&token).await;
    assert_eq!(p.amount_minor, 1349);
    let mut items: Vec<(String, i64, Option<u32>)> = p
        .items
        .iter()
        .map(|i| (i.product_slug.clone(), i.amount_minor, i.download_limit))
        .collect();
    items.sort();
    assert_eq!(
        items,
        vec![("book".into(), 999, Some(5)), ("zine".into(), 350, Some(3))]
    );
    // One purchase, one page, one receipt listing both.
    let mail = app.smtp.wait_for_messages(1, Duration::from_secs(20)).await;
    let text = mail[0].text.clone().unwrap();
    assert!(
        text.contains("Product book") && text.contains("Product zine"),
        "{text}"
    );
    assert_eq!(app.outbox_count("receipt", p.id).await, 1);

    // An empty cart, unknown products and an inactive one get clear pages.
    for (form, status) in [(("price", "1"), 400), (("product", "nope"), 404)] {
        let res = app.post_form("/cart/checkout", &[form]).await;
        assert_eq!(res.status(), status, "{form:?}");
    }
}

#[tokio::test]
async fn checkout_creation_is_rate_limited_per_buyer() {
    let vouching = booth_server::Vouching::default();
    let app = spawn_app_with(AppOptions {
        checkout_limit: 3,
        server: booth_server::ServerConfig {
            vouching: vouching.clone(),
            ..Default::default()
        },
        ..AppOptions::default()
    })
    .await;
    app.add_product("book", "5", "5", &[("book.pdf", BOOK)])
        .await;
    // Behind Cloudflare (its edge writes CF-Connecting-IP), each buyer has their own.
    vouching.set(booth_server::Vouched::Cloudflare);
    let from = |ip: &'static str| app.get_with("/buy/book", "cf-connecting-ip", ip);
    for _ in 0..3 {
        assert_eq!(from("198.51.100.7").await.status(), 303);
    }
    let res = from("198.51.100.7").await;
    assert_eq!(res.status(), 429);
    assert_eq!(res.headers()["retry-after"], "60");
    // Another buyer is unaffected.
    assert_eq!(from("203.0.113.9").await.status(), 303);
    // ngrok appends the address it saw; hops before it are whatever the client sent, so a
    // made-up first hop doesn't get a limited buyer a fresh allowance.
    vouching.set(booth_server::Vouched::Ngrok);
    let via_ngrok = |xff: &'static str| app.get_with("/buy/book", "x-forwarded-for", xff);
    for _ in 0..2 {
        assert_eq!(via_ngrok("203.0.113.9").await.status(), 303);
    }
    let spoofed = via_ngrok("198.51.100.1, 203.0.113.9").await;
    assert_eq!(spoofed.status(), 429);
}
