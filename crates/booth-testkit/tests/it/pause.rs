//! Pausing sales: the pages that sell say "back soon" (503, Retry-After) and no checkout
//! starts, while what was already sold carries on: downloads, a checkout paid before the
//! pause, its receipt.

use booth_testkit::app::*;
use std::time::Duration;

#[tokio::test]
async fn paused_sales_start_no_checkout_but_links_and_payments_carry_on() {
    let app = spawn_app().await;
    app.add_product("guide", "9.00", "5", &[("guide.pdf", b"%PDF guide")])
        .await;
    let (_, granted) = app.granted_download("guide").await;
    // A buyer is on the payment page when the seller pauses.
    let hosted = app.buy("guide").await;
    app.shop().set_sales_paused(true).await.unwrap();

    for path in ["/", "/p/guide", "/buy/guide", "/buy/guide?code=X&amount=1"] {
        let res = app.get(path).await;
        assert_eq!(res.status(), 503, "{path}");
        assert_eq!(res.headers()["retry-after"], "3600", "{path}");
        let page = res.text().await.unwrap();
        assert!(
            page.contains("Back soon") && page.contains("links still work"),
            "{path}: {page}"
        );
    }
    let res = app
        .post_form("/cart/checkout", &[("product", "guide")])
        .await;
    assert_eq!(res.status(), 503);
    let res = app
        .post_form("/claim/guide", &[("email", "x@example.com")])
        .await;
    assert_eq!(res.status(), 503);
    let sessions = app
        .shop()
        .db()
        .run(|c| {
            Ok(
                c.query_row("SELECT count(*) FROM checkout_sessions", [], |r| {
                    r.get::<_, i64>(0)
                })?,
            )
        })
        .await
        .unwrap();
    assert_eq!(sessions, 1, "only the checkout begun before the pause");

    // What was sold carries on: a download, the library, the payment under way.
    assert_eq!(app.get(&granted).await.status(), 200);
    assert_eq!(app.get("/library").await.status(), 200);
    let paid = app.pay(&hosted, "late@example.com").await;
    let p = app.wait_for_purchase(&paid.session_id).await;
    assert_eq!(p.email, "late@example.com");
    app.smtp.wait_for_messages(2, Duration::from_secs(20)).await;

    app.shop().set_sales_paused(false).await.unwrap();
    assert_eq!(app.get("/p/guide").await.status(), 200);
    assert_eq!(app.get("/buy/guide").await.status(), 303);
}
