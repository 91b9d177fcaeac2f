//! The seller's choices for Booth around the shop (all on until switched off, refused
//! when malformed) and the sale notices the app shows: sales only, in order, worded once.

use booth_core::app_prefs::AppPref;
use booth_testkit::app::*;

#[tokio::test]
async fn choices_are_on_until_switched_off_and_unknown_ones_are_refused() {
    let app = spawn_app().await;
    let shop = app.shop();
    let prefs = shop.app_prefs().await.unwrap();
    assert!(prefs.stay_awake && prefs.notify_sales && prefs.notify_tunnel);
    assert!(!prefs.background_told, "told only once told");

    shop.set_app_pref(AppPref::NotifySales, false)
        .await
        .unwrap();
    shop.set_app_pref(AppPref::BackgroundTold, true)
        .await
        .unwrap();
    let prefs = shop.app_prefs().await.unwrap();
    assert!(!prefs.notify_sales && prefs.background_told);
    assert!(prefs.stay_awake && prefs.notify_tunnel);

    for bad in ["", "stay-awake", "notify_sales\0", &"x".repeat(5000)] {
        let e = AppPref::parse(bad).unwrap_err();
        assert!(e.to_string().contains("no such choice"), "{bad:?}: {e}");
        assert!(e.to_string().len() < 200, "the input isn't echoed");
    }
    assert_eq!(AppPref::parse("stay_awake").unwrap(), AppPref::StayAwake);
    // The setting itself takes yes or no, nothing else.
    let e = shop
        .set_setting("notify_tunnel", "maybe")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("yes or no"), "{e}");
    assert!(shop.app_prefs().await.unwrap().notify_tunnel);
}

#[tokio::test]
async fn sales_after_a_purchase_are_the_paid_ones_in_order_worded_for_a_notification() {
    let app = spawn_app().await;
    app.add_product("guide", "9.00", "5", &[("guide.pdf", b"%PDF guide")])
        .await;
    let shop = app.shop();
    let before = shop.newest_purchase().await.unwrap();
    // A gift is not a sale.
    app.grant_token("guide").await;
    let hosted = app.buy("guide").await;
    let paid = app.pay(&hosted, "ann@example.com").await;
    let sold = app.wait_for_purchase(&paid.session_id).await;

    let notices = shop.sales_after(before).await.unwrap();
    assert_eq!(notices.len(), 1, "{notices:?}");
    let n = &notices[0];
    assert_eq!(n.purchase_id, sold.id);
    assert!(n.title.starts_with("Sold: "), "{}", n.title);
    assert!(n.body.starts_with("$9.00"), "{}", n.body);
    assert!(
        !n.body.contains("ann@"),
        "no address on a screen others may see"
    );
    assert_eq!(n.body.ends_with(" · test"), sold.test, "{}", n.body);
    assert!(shop.sales_after(sold.id).await.unwrap().is_empty());
    assert!(shop.newest_purchase().await.unwrap() >= sold.id);
}
