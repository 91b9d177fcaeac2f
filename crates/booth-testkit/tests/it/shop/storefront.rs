//! The pages anyone can open, and forms built to hurt: the storefront, product pages, the
//! cancel page, the cart and the success page with bad input.

use super::BOOK;
use booth_testkit::app::*;

#[tokio::test]
async fn cancel_page_offers_a_retry() {
    let app = spawn_app().await;
    app.add_product("book", "5", "5", &[("book.pdf", BOOK)])
        .await;
    let (status, html) = app.get_html("/checkout/cancel?products=book").await;
    assert_eq!(status, 200);
    let html = unescape_slashes(&html);
    assert!(
        html.contains("No charge was made") && html.contains("href=\"/p/book\""),
        "{html}"
    );
    // Hostile values don't end up in the page.
    let (_, html) = app
        .get_html("/checkout/cancel?products=%3Cscript%3Ealert(1)%3C/script%3E")
        .await;
    assert!(!html.contains("<script>alert"), "{html}");
}

#[tokio::test]
async fn storefront_and_product_pages_and_hostile_forms() {
    let app = spawn_app().await;
    assert!(app.get_html("/").await.1.contains("Nothing for sale yet"));
    app.add_product("book", "5", "5", &[("book.pdf", BOOK)])
        .await;
    let (_, html) = app.get_html("/").await;
    assert!(html.contains("Product book") && html.contains("$5.00"));
    app.shop()
        .edit_product(
            "book",
            booth_core::catalog::ProductEdit {
                active: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    for path in ["/p/book", "/buy/book"] {
        assert_eq!(app.get(path).await.status(), 404, "{path}");
    }
    // An oversized cart form is refused before it is read; one that isn't text is refused.
    for (body, status) in [(vec![b'a'; 100_000], 413), (vec![0xff, 0xfe, 0x00], 400)] {
        let res = app.post_form_bytes("/cart/checkout", body).await;
        assert_eq!(res.status(), status);
    }
    let slugs: Vec<(&str, String)> = (0..50).map(|i| ("product", format!("p{i}"))).collect();
    let res = app.post_form("/cart/checkout", &slugs).await;
    assert_eq!(res.status(), 400);
    for (path, status) in [
        ("/checkout/success", 400),
        ("/checkout/success?session_id=%27%3B--", 400),
        // A session Stripe says doesn't exist is an unknown checkout (it answered 502, "we
        // couldn't confirm your payment", as if Stripe were down).
        ("/checkout/success?session_id=cs_test_doesnotexist", 404),
        ("/healthz", 200),
    ] {
        assert_eq!(app.get(path).await.status(), status, "{path}");
    }
}
