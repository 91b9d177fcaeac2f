//! Taxes through Stripe Tax (the simulator's table): a German consumer pays 19% VAT, a
//! French business with a valid VAT ID is reverse-charged, an inclusive price keeps its
//! total; the purchase records what Stripe charged, the invoice is linked, and `booth
//! export taxes` sums it per country.

use booth_testkit::app::*;
use std::time::Duration;

async fn taxed_shop(mode: &str) -> TestApp {
    let app = spawn_app().await;
    app.add_product("guide", "10.00", "5", &[("guide.pdf", b"%PDF guide")])
        .await;
    for (k, v) in [
        ("tax", mode),
        ("tax_ids", "yes"),
        ("invoices", "yes"),
        ("tax_code", "ebook"),
    ] {
        app.shop().set_setting(k, v).await.unwrap();
    }
    app
}

/// Buys the guide and pays it as a buyer in `country`; the purchase it records.
async fn buy_in(
    app: &TestApp,
    email: &str,
    country: &str,
    business: Option<(&str, &str)>,
) -> booth_core::purchases::Purchase {
    let hosted = app.buy("guide").await;
    let res = app.pay_taxed(&hosted, email, country, business).await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let sid = location(&res)
        .split("session_id=")
        .nth(1)
        .unwrap()
        .to_string();
    app.wait_for_purchase(&sid).await
}

#[tokio::test]
async fn a_german_buyer_pays_19_percent_and_a_french_business_is_reverse_charged() {
    let app = taxed_shop("exclusive").await;

    let de = buy_in(&app, "de@example.com", "DE", None).await;
    let c = &de.charge;
    assert_eq!(
        (c.subtotal_minor, c.tax_minor, c.total_minor),
        (1000, 190, 1190)
    );
    assert_eq!(de.amount_minor, 1190);
    assert_eq!(c.country.as_deref(), Some("DE"));
    assert_eq!(c.tax_id, None);
    let invoice = de.invoice_url.clone().expect("an invoice");
    assert_eq!(reqwest::get(&invoice).await.unwrap().status(), 200);

    let business = Some(("Librairie SARL", "FR12345678901"));
    let fr = buy_in(&app, "fr@example.com", "FR", business).await;
    assert_eq!((fr.charge.tax_minor, fr.amount_minor), (0, 1000));
    assert_eq!(fr.charge.country.as_deref(), Some("FR"));
    assert_eq!(fr.charge.tax_id.as_deref(), Some("FR12345678901"));

    // The receipt and the purchase page show the tax and the invoice.
    let mail = app.smtp.wait_for_messages(2, Duration::from_secs(20)).await;
    let de_mail = mail.iter().find(|m| m.to == ["de@example.com"]).unwrap();
    let text = de_mail.text.as_deref().unwrap();
    assert!(
        text.contains("Tax:  $1.90") && text.contains("Total:  $11.90"),
        "{text}"
    );
    assert!(text.contains(&format!("Invoice: {invoice}")), "{text}");
    let (_, page) = app.get_html(&format!("/d/{}", de.token)).await;
    assert!(
        page.contains("$1.90") && page.contains("View or download"),
        "{page}"
    );

    // The VAT return: per country, net and tax; the reverse charge counted.
    let rows = app
        .shop()
        .tax_report(now() - 3600, now() + 3600, true)
        .await
        .unwrap();
    let row = |c: &str| rows.iter().find(|r| r.country == c).cloned().unwrap();
    let (d, f) = (row("DE"), row("FR"));
    assert_eq!(
        (d.purchases, d.net_minor, d.tax_minor, d.reverse_charged),
        (1, 1000, 190, 0)
    );
    assert_eq!(
        (f.purchases, f.net_minor, f.tax_minor, f.reverse_charged),
        (1, 1000, 0, 1)
    );
    // The dashboard's revenue is net of tax; a refund takes its share of the tax back.
    let dash = app.shop().dashboard(1).await.unwrap();
    assert_eq!(dash.total_revenue_minor, 2000);
    app.shop().refund(&de.token, Some("5.95")).await.unwrap();
    let rows = app
        .shop()
        .tax_report(now() - 3600, now() + 3600, true)
        .await
        .unwrap();
    let d = rows.iter().find(|r| r.country == "DE").unwrap();
    assert_eq!((d.net_minor, d.tax_minor), (500, 95));
}

#[tokio::test]
async fn an_inclusive_price_keeps_its_total_and_a_bad_vat_id_pays_nothing() {
    let app = taxed_shop("inclusive").await;
    let p = buy_in(&app, "de@example.com", "DE", None).await;
    // 10.00 including 19%: 8.40 + 1.60.
    assert_eq!((p.amount_minor, p.charge.tax_minor), (1000, 160));
    assert!(
        p.breakdown()
            .contains(&("Tax (included)".to_string(), "$1.60".to_string())),
        "{:?}",
        p.breakdown()
    );

    let hosted = app.buy("guide").await;
    let res = app
        .pay_taxed(&hosted, "x@example.com", "FR", Some(("Fake SARL", "FR123")))
        .await;
    assert_eq!(res.status(), 400);
    assert_eq!(
        app.purchases().await.len(),
        1,
        "nothing paid, nothing recorded"
    );
}
