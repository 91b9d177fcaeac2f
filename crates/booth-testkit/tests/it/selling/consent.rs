//! EU digital-content consent: with `consent` on, no checkout starts until the buyer ticks
//! the current wording (in their language); the purchase keeps the exact wording, its
//! version and the time, and the receipt repeats it.

use super::count;
use booth_testkit::app::*;
use std::time::Duration;

#[tokio::test]
async fn a_buyer_agrees_before_paying_and_the_receipt_repeats_it() {
    let app = spawn_app().await;
    app.add_product("guide", "9.00", "5", &[("guide.pdf", b"%PDF guide")])
        .await;
    app.shop().set_setting("consent", "yes").await.unwrap();
    let wordings = app.shop().consent_wordings().await.unwrap();
    let en = wordings.iter().find(|w| w.lang == "en").unwrap().clone();
    let de = wordings.iter().find(|w| w.lang == "de").unwrap().clone();

    // The box, in the buyer's language.
    let res = app
        .get_with("/p/guide", "accept-language", "de-DE,de;q=0.9,en;q=0.5")
        .await;
    let page = res.text().await.unwrap();
    assert!(
        page.contains(&format!(r#"name="consent" value="{}""#, de.id)),
        "{page}"
    );
    assert!(page.contains("Widerrufsrecht"));
    let (_, page) = app.get_html("/p/guide").await;
    assert!(
        page.contains(&format!(r#"value="{}""#, en.id)) && page.contains("right of withdrawal")
    );

    // Without it, or with a made-up or outdated version: no checkout.
    for consent in [
        "",
        "&consent=",
        "&consent=999",
        "&consent=abc",
        "&consent=-1",
    ] {
        let (status, page) = app.get_html(&format!("/buy/guide?x=1{consent}")).await;
        assert_eq!(status, 400, "{consent}");
        assert!(page.contains(r#"id="consent-error""#), "{consent}: {page}");
    }
    let old = en.id;
    let newer = app
        .shop()
        .set_consent_wording(
            "en",
            "I want it now and give up my 14-day right to withdraw.",
        )
        .await
        .unwrap();
    let (status, _) = app.get_html(&format!("/buy/guide?consent={old}")).await;
    assert_eq!(status, 400, "an old version isn't what the page shows now");
    assert_eq!(count(&app, "checkout_sessions").await, 0);

    let res = app.get(&format!("/buy/guide?consent={}", newer.id)).await;
    assert_eq!(res.status(), 303);
    let paid = app.pay(&location(&res), "eu@example.com").await;
    let p = app.wait_for_purchase(&paid.session_id).await;
    let c = p.consent.clone().expect("consent recorded");
    assert_eq!((c.wording_id, c.lang.as_str()), (newer.id, "en"));
    assert_eq!(c.text, newer.text);
    assert!((now() - c.at).abs() < 60);

    let mail = app.smtp.wait_for_messages(1, Duration::from_secs(20)).await;
    let text = mail[0].text.as_deref().unwrap();
    assert!(
        text.contains("you agreed: \"I want it now and give up my 14-day right to withdraw.\""),
        "{text}"
    );
    // The wording changing later doesn't change what this buyer agreed to.
    app.shop()
        .set_consent_wording("en", "Another text.")
        .await
        .unwrap();
    let p = app.purchase(&p.token).await;
    assert_eq!(p.consent.unwrap().text, newer.text);
    let (_, page) = app.get_html(&format!("/d/{}", p.token)).await;
    assert!(page.contains("give up my 14-day right"), "{page}");
}
