//! Pay what you want: the buyer names the amount, the server checks it and charges exactly
//! that; 0 is a free purchase that still has a link, a receipt and limits.

use super::{count, make_pwyw};
use booth_testkit::app::*;
use std::time::Duration;

#[tokio::test]
async fn a_buyer_pays_the_amount_they_name() {
    let app = spawn_app().await;
    app.add_product("zine", "10.00", "3", &[("zine.pdf", b"%PDF zine")])
        .await;
    make_pwyw(&app, "zine", "5.00").await;

    let (status, page) = app.get_html("/p/zine").await;
    assert_eq!(status, 200);
    assert!(
        page.contains(r#"name="amount""#) && page.contains(r#"value="10.00""#),
        "{page}"
    );
    assert!(page.contains("$5.00 or more"), "{page}");

    let res = app.get("/buy/zine?amount=7.50").await;
    assert_eq!(res.status(), 303);
    let hosted = location(&res);
    assert!(app.fetch_text(&hosted).await.contains("$7.50"));
    let paid = app.pay(&hosted, "pat@example.com").await;
    let p = app.wait_for_purchase(&paid.session_id).await;
    assert_eq!(p.amount_minor, 750);
    assert_eq!(p.charge.subtotal_minor, 750);
    assert_eq!(p.items[0].amount_minor, 750);
}

#[tokio::test]
async fn hostile_amounts_get_a_clear_error_and_record_nothing() {
    let app = spawn_app().await;
    app.add_product("zine", "10.00", "3", &[("zine.pdf", b"%PDF zine")])
        .await;
    make_pwyw(&app, "zine", "5.00").await;
    for (amount, says) in [
        ("-1", "not a price"),
        ("4.99", "The minimum is $5.00"),
        ("7.505", "at most 2 digits"),
        ("7,50", "use a point for decimals"),
        ("€7.50", "not a price"),
        ("7.50 EUR", "not a price"),
        ("1e3", "not a price"),
        ("1500", "The most you can pay here is $1000.00"),
        ("1000000", "above the most Stripe can charge"),
        ("99999999999999999999", "too large"),
        ("NaN", "not a price"),
    ] {
        let q: String = url::form_urlencoded::byte_serialize(amount.as_bytes()).collect();
        let (status, page) = app.get_html(&format!("/buy/zine?amount={q}")).await;
        assert_eq!(status, 400, "{amount}");
        assert!(page.contains(says), "{amount}: {page}");
        assert!(
            page.contains(r#"aria-invalid="true""#),
            "{amount}: the field is marked"
        );
    }
    // A fixed price can't be named, and a cart doesn't take amounts.
    app.add_product("book", "12.00", "3", &[("book.pdf", b"%PDF book")])
        .await;
    let (status, page) = app.get_html("/buy/book?amount=1.00").await;
    assert_eq!(status, 400);
    assert!(page.contains("has a fixed price"), "{page}");
    let res = app
        .post_form(
            "/cart/checkout",
            &[("product", "book"), ("product", "zine"), ("amount", "0")],
        )
        .await;
    assert_eq!(
        res.status(),
        303,
        "the cart ignores amounts and charges the suggested price"
    );
    assert!(app.fetch_text(&location(&res)).await.contains("$22.00"));
    assert_eq!(count(&app, "purchases").await, 0);
    assert_eq!(count(&app, "checkout_sessions").await, 1, "only the cart's");
}

#[tokio::test]
async fn zero_is_a_free_purchase_with_a_link_a_receipt_and_limits() {
    let app = spawn_app().await;
    app.add_product("zine", "3.00", "2", &[("zine.pdf", b"%PDF zine")])
        .await;
    make_pwyw(&app, "zine", "0").await;
    let (_, page) = app.get_html("/p/zine?ref=mastodon").await;
    assert!(page.contains("Any amount, or 0 for free"), "{page}");

    // Below the smallest card payment but not 0: refused, with the way out named.
    let (status, page) = app.get_html("/buy/zine?amount=0.20").await;
    assert_eq!(status, 400);
    assert!(
        page.contains("The smallest card payment is $0.50; pay that or more, or 0"),
        "{page}"
    );

    // 0: no checkout; the page asks where to send the link.
    let (status, page) = app.get_html("/buy/zine?amount=0&ref=mastodon").await;
    let page = unescape_slashes(&page);
    assert_eq!(status, 200);
    assert!(
        page.contains(r#"action="/claim/zine""#) && page.contains("Get it free"),
        "{page}"
    );
    assert_eq!(count(&app, "checkout_sessions").await, 0);

    // The form can't be talked into a free copy of a paid amount, nor take a bad address.
    let res = app
        .post_form(
            "/claim/zine",
            &[("email", "x@example.com"), ("amount", "3.00")],
        )
        .await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("This costs $3.00"));
    let res = app
        .post_form(
            "/claim/zine",
            &[("email", "not-an-address"), ("amount", "0")],
        )
        .await;
    assert_eq!(res.status(), 400);
    assert_eq!(count(&app, "purchases").await, 0);

    let form = [
        ("email", "fan@example.com"),
        ("amount", "0"),
        ("ref", "mastodon"),
    ];
    let res = app.post_form("/claim/zine", &form).await;
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    assert!(page.contains("Check your inbox"), "{page}");
    let list = app.purchases().await;
    assert_eq!(list.len(), 1);
    let p = &list[0];
    assert_eq!(
        (p.source.as_str(), p.amount_minor, p.email.as_str()),
        ("free", 0, "fan@example.com")
    );
    assert_eq!(p.referral.ref_.as_deref(), Some("mastodon"));
    assert_eq!(p.items[0].download_limit, Some(2));
    assert!(!page.contains(&p.token), "the link goes by email only");

    let mail = app.smtp.wait_for_messages(1, Duration::from_secs(20)).await;
    let text = mail[0].text.as_deref().unwrap();
    assert!(
        text.contains(&format!("/d/{}", p.token)) && text.contains("Total:  Free"),
        "{text}"
    );
    // The link works, within its limit.
    let path = download_path(p);
    for _ in 0..2 {
        assert_eq!(app.get(&path).await.status(), 200);
    }
    assert_eq!(app.get(&path).await.status(), 410);

    // Claiming again sends the links again (the library email), not a second purchase.
    let res = app.post_form("/claim/zine", &form).await;
    assert_eq!(res.status(), 200);
    assert_eq!(app.purchases().await.len(), 1);
    let mail = app.smtp.wait_for_messages(2, Duration::from_secs(20)).await;
    assert_eq!(mail[1].header("X-Booth-Kind"), Some("library"));
}
