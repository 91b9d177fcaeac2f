//! Where sales come from: `?ref=` and `utm_` on a product page or Buy link are kept through
//! Checkout onto the purchase, and the dashboard counts visits, checkouts, sales and
//! revenue by source.

use booth_testkit::app::*;

#[tokio::test]
async fn a_sale_from_a_newsletter_link_shows_under_newsletter() {
    let app = spawn_app().await;
    app.add_product("guide", "9.00", "5", &[("guide.pdf", b"%PDF guide")])
        .await;

    let (status, page) = app
        .get_html("/p/guide?ref=Newsletter&utm_medium=email&utm_campaign=dec%20issue")
        .await;
    assert_eq!(status, 200);
    // The Buy form carries the referral on.
    assert!(page.contains(r#"name="ref" value="newsletter""#), "{page}");
    assert!(page.contains(r#"name="utm_campaign" value="dec issue""#));
    app.get_html("/p/guide").await;
    app.get_html("/p/guide?utm_source=mastodon").await;

    let res = app
        .get("/buy/guide?ref=newsletter&utm_medium=email&utm_campaign=dec+issue")
        .await;
    assert_eq!(res.status(), 303);
    let paid = app.pay(&location(&res), "reader@example.com").await;
    let p = app.wait_for_purchase(&paid.session_id).await;
    assert_eq!(p.referral.ref_.as_deref(), Some("newsletter"));
    assert_eq!(p.referral.utm_medium.as_deref(), Some("email"));
    assert_eq!(p.referral.utm_campaign.as_deref(), Some("dec issue"));
    assert_eq!(p.referral.utm_source, None);
    // A sale with no referral.
    let paid = app.buy_and_pay("guide", "direct@example.com").await;
    app.wait_for_purchase(&paid.session_id).await;

    let d = app.shop().dashboard(7).await.unwrap();
    let row = |s: &str| {
        d.sources
            .iter()
            .find(|r| r.source == s)
            .cloned()
            .unwrap_or_default()
    };
    let n = row("newsletter");
    assert_eq!(
        (n.visits, n.checkouts, n.sales, n.revenue_minor),
        (1, 1, 1, 900)
    );
    let direct = row("");
    assert_eq!((direct.visits, direct.checkouts, direct.sales), (1, 1, 1));
    let m = row("mastodon");
    assert_eq!((m.visits, m.sales), (1, 0));
    assert_eq!(d.sources[0].source, "", "busiest first: ties by visits");

    // The CSV carries it.
    let csv = app.shop().export_csv().await.unwrap();
    assert!(csv
        .lines()
        .next()
        .unwrap()
        .ends_with("ref,utm_source,utm_medium,utm_campaign"));
    assert!(csv.contains("newsletter,,email,dec issue"), "{csv}");
}

#[tokio::test]
async fn hostile_referrals_are_dropped_not_stored() {
    let app = spawn_app().await;
    app.add_product("guide", "9.00", "5", &[("guide.pdf", b"%PDF guide")])
        .await;
    let long = "a".repeat(65);
    let res = app
        .get(&format!(
            "/buy/guide?ref=%3Cscript%3E&utm_source={long}&utm_medium=%00&utm_campaign=ok"
        ))
        .await;
    assert_eq!(res.status(), 303, "a mangled link still sells");
    let paid = app.pay(&location(&res), "x@example.com").await;
    let p = app.wait_for_purchase(&paid.session_id).await;
    assert_eq!(p.referral.ref_, None);
    assert_eq!(p.referral.utm_source, None);
    assert_eq!(p.referral.utm_medium, None);
    assert_eq!(p.referral.utm_campaign.as_deref(), Some("ok"));

    // Visits under ever new sources stop adding rows past the day's cap.
    for i in 0..(booth_core::stats::SOURCES_PER_DAY + 20) {
        app.get_html(&format!("/p/guide?ref=s{i}")).await;
    }
    let d = app.shop().dashboard(1).await.unwrap();
    let other = d.sources.iter().find(|r| r.source == "other").unwrap();
    assert!(other.visits >= 20, "{:?}", other);
    assert!(d.sources.len() as i64 <= booth_core::stats::SOURCES_PER_DAY + 2);
}
