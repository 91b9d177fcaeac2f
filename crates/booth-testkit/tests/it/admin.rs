//! What the desktop window asks of the shop (through its thin commands): the dashboard and
//! its funnel, purchase search, editing products from form text, settings and secrets,
//! retrying mail, customizing templates. Real SQLite, real HTTP, real SMTP.

use booth_core::shop::{ProductEditInput, SettingsInput};
use booth_core::stats::Tally;
use booth_core::{secrets, settings, Error};
use booth_testkit::app::{download_path, spawn_app};
use std::time::Duration;

const BOOK: &[u8] = b"%PDF-1.4 a small book";

#[tokio::test]
async fn dashboard_counts_visits_checkouts_paid_and_downloaded() {
    let app = spawn_app().await;
    app.add_product("book", "12.50", "5", &[("book.pdf", BOOK)])
        .await;
    for _ in 0..3 {
        assert_eq!(app.get("/p/book").await.status(), 200);
    }
    // A page that isn't for sale isn't a visit.
    assert_eq!(app.get("/p/nothing").await.status(), 404);
    let paid = app.buy_and_pay("book", "a@example.com").await;
    let token = app.complete(&paid).await;
    app.buy("book").await; // started, never paid
    let path = download_path(&app.purchase(&token).await);
    assert_eq!(app.get(&path).await.status(), 200);
    app.shop()
        .grant("book", "friend@example.com")
        .await
        .unwrap();

    let d = app.shop().dashboard(7).await.unwrap();
    assert_eq!(d.series.len(), 7);
    assert_eq!(d.currency, "usd");
    assert_eq!((d.total_purchases, d.total_revenue_minor), (1, 1250));
    assert_eq!(
        d.series.last().unwrap().revenue_minor,
        1250,
        "today is last"
    );
    assert_eq!(
        (
            d.funnel.visits,
            d.funnel.checkouts,
            d.funnel.paid,
            d.funnel.downloaded
        ),
        (3, 2, 1, 1)
    );
    // Recent purchases list every kind, the gift first (newest), each for what it is; the
    // tally counts the gift apart from the (test) sale.
    assert_eq!(
        d.recent
            .iter()
            .map(|r| (r.source.as_str(), r.test))
            .collect::<Vec<_>>(),
        [("grant", false), ("checkout", true)]
    );
    assert_eq!(d.recent[1].token, token);
    assert!(d.test, "a simulated shop's dashboard shows its test sales");
    assert_eq!(
        d.tally,
        Tally {
            sales: 1,
            refunded: 0,
            partially_refunded: 0,
            gifts: 1,
            other_mode: 0,
            average_sale_minor: Some(1250),
        }
    );

    // A partial refund lowers revenue; the sale still counts, as partly refunded.
    app.shop().refund(&token, Some("2.50")).await.unwrap();
    let d = app.shop().dashboard(1).await.unwrap();
    assert_eq!((d.total_purchases, d.total_revenue_minor), (1, 1000));
    assert_eq!(
        (d.tally.partially_refunded, d.tally.average_sale_minor),
        (1, Some(1000))
    );
    assert_eq!(
        app.purchase(&token).await.standing,
        booth_core::purchases::Standing::PartiallyRefunded
    );
    // Refunded in full, it is counted as refunded and no longer averaged as a sale kept.
    app.shop().refund(&token, None).await.unwrap();
    let d = app.shop().dashboard(1).await.unwrap();
    assert_eq!(
        (
            d.tally.sales,
            d.tally.refunded,
            d.tally.partially_refunded,
            d.tally.average_sale_minor
        ),
        (1, 1, 0, None)
    );
    assert_eq!(d.total_revenue_minor, 0);
    // Out-of-range windows are clamped, not refused.
    assert_eq!(app.shop().dashboard(0).await.unwrap().series.len(), 1);
    assert_eq!(
        app.shop().dashboard(100_000).await.unwrap().series.len(),
        366
    );
}

#[tokio::test]
async fn purchase_search_by_email_fragment_or_token_treats_wildcards_literally() {
    let app = spawn_app().await;
    app.add_product("book", "5", "5", &[("book.pdf", BOOK)])
        .await;
    let ada = app
        .shop()
        .grant("book", "Ada.Lovelace@example.com")
        .await
        .unwrap();
    let _bob = app
        .shop()
        .grant("book", "bob_smith@example.org")
        .await
        .unwrap();
    let shop = app.shop();
    let search = move |q: &'static str| async move {
        shop.search_purchases(q)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.email)
            .collect::<Vec<_>>()
    };
    assert_eq!(search("").await.len(), 2);
    assert_eq!(search("lovelace").await, vec!["Ada.Lovelace@example.com"]);
    assert_eq!(search(" EXAMPLE.ORG ").await, vec!["bob_smith@example.org"]);
    assert_eq!(search("b_s").await, vec!["bob_smith@example.org"]);
    assert!(search("a_a").await.is_empty(), "_ is not a wildcard");
    assert!(search("%").await.is_empty(), "% is not a wildcard");
    assert!(search("' OR 1=1 --").await.is_empty());
    let by_token = app.shop().search_purchases(&ada.token).await.unwrap();
    assert_eq!(by_token.len(), 1);
    assert_eq!(by_token[0].token, ada.token);
    for bad in [
        "x".repeat(10_000),
        "a\u{0}b".to_string(),
        "line\nbreak".to_string(),
    ] {
        let e = app.shop().search_purchases(&bad).await.unwrap_err();
        assert_eq!(e.code(), "invalid_input");
    }
}

#[tokio::test]
async fn editing_a_product_from_form_text_parses_once_and_changes_only_what_is_given() {
    let app = spawn_app().await;
    app.add_product("book", "5", "5", &[("book.pdf", BOOK)])
        .await;
    let shop = app.shop();
    let edit = move |e: ProductEditInput| async move { shop.edit_product_input("book", e).await };
    let p = edit(ProductEditInput {
        price: Some("9.99".into()),
        limit: Some("unlimited".into()),
        ..Default::default()
    })
    .await
    .unwrap();
    assert_eq!(
        (p.price_minor, p.download_limit, p.name.as_str()),
        (999, None, "Product book")
    );
    let p = edit(ProductEditInput {
        price: Some("1500".into()),
        currency: Some("jpy".into()),
        active: Some(false),
        ..Default::default()
    })
    .await
    .unwrap();
    assert_eq!(
        (p.price_minor, p.currency.as_str(), p.active),
        (1500, "jpy", false)
    );

    let cases: Vec<(ProductEditInput, &str)> = vec![
        (
            ProductEditInput {
                price: Some("9,99".into()),
                ..Default::default()
            },
            "price",
        ),
        (
            ProductEditInput {
                price: Some("1e9".into()),
                ..Default::default()
            },
            "price",
        ),
        (
            ProductEditInput {
                price: Some("-1".into()),
                ..Default::default()
            },
            "price",
        ),
        (
            ProductEditInput {
                currency: Some("usd".into()),
                ..Default::default()
            },
            "price",
        ),
        (
            ProductEditInput {
                name: Some("".into()),
                ..Default::default()
            },
            "name",
        ),
        (
            ProductEditInput {
                name: Some("x".repeat(5000)),
                ..Default::default()
            },
            "name",
        ),
        (
            ProductEditInput {
                slug: Some("../etc".into()),
                ..Default::default()
            },
            "slug",
        ),
        (
            ProductEditInput {
                limit: Some("0".into()),
                ..Default::default()
            },
            "limit",
        ),
        (
            ProductEditInput {
                limit: Some("-5".into()),
                ..Default::default()
            },
            "limit",
        ),
    ];
    for (input, field) in cases {
        match edit(input.clone()).await {
            Err(Error::Invalid { field: f, .. }) => assert_eq!(f, field, "{input:?}"),
            other => panic!("{input:?} should be refused on {field}, got {other:?}"),
        }
    }
    // Nothing of the refused edits stuck.
    let p = app.shop().product("book").await.unwrap().unwrap();
    assert_eq!((p.price_minor, p.currency.as_str()), (1500, "jpy"));
    assert!(matches!(
        app.shop()
            .edit_product_input("missing", ProductEditInput::default())
            .await,
        Err(Error::NotFound(_))
    ));
}

#[tokio::test]
async fn settings_are_checked_all_or_nothing_and_secrets_stay_out_of_the_database() {
    let app = spawn_app().await;
    let shop = app.shop();
    shop.save_settings(SettingsInput {
        store_name: Some("Ada's Shop".into()),
        listen: Some("127.0.0.1:9999".into()),
        payments: Some("test".into()),
        stripe_test_key: Some(" sk_test_123abc ".into()),
        webhook_secret: Some("whsec_abc".into()),
        smtp_url: Some("smtp://ada@mail.example.com:587".into()),
        smtp_password: Some("correct horse".into()),
        ..Default::default()
    })
    .await
    .unwrap();
    assert_eq!(shop.store_info().await.unwrap().store_name, "Ada's Shop");
    let s = secrets::load(shop.data_dir()).unwrap();
    assert_eq!(
        s.stripe_test_key.as_ref().map(|k| k.expose()),
        Some("sk_test_123abc")
    );
    assert_eq!(
        s.smtp_password.as_ref().map(|p| p.expose()),
        Some("correct horse")
    );
    let db = std::fs::read(shop.dir().database()).unwrap();
    let db = String::from_utf8_lossy(&db);
    assert!(!db.contains("sk_test_123abc") && !db.contains("correct horse"));
    // The runtime's view: Stripe test mode with the saved key, SMTP with the password.
    let config = booth_runtime::RunConfig::from_saved(shop.data_dir().into()).unwrap();
    assert_eq!(config.listen.to_string(), "127.0.0.1:9999");
    assert_eq!(config.stripe.unwrap().secret_key, "sk_test_123abc");
    assert_eq!(
        config.smtp_url.unwrap(),
        "smtp://ada:correct%20horse@mail.example.com:587"
    );

    // Each bad field is refused by name, and nothing of that save is kept.
    let bad: Vec<(SettingsInput, &str)> = vec![
        (
            SettingsInput {
                listen: Some("localhost".into()),
                ..Default::default()
            },
            "listen",
        ),
        (
            SettingsInput {
                listen: Some("127.0.0.1:99999".into()),
                ..Default::default()
            },
            "listen",
        ),
        (
            SettingsInput {
                payments: Some("free".into()),
                ..Default::default()
            },
            "payments",
        ),
        (
            SettingsInput {
                public_url: Some("javascript:alert(1)".into()),
                ..Default::default()
            },
            "public_url",
        ),
        (
            SettingsInput {
                from_address: Some("a@b.c\r\nBcc: x@y.z".into()),
                ..Default::default()
            },
            "email",
        ),
        (
            SettingsInput {
                smtp_url: Some("smtp://u:pw@host".into()),
                ..Default::default()
            },
            "smtp_url",
        ),
        (
            SettingsInput {
                smtp_url: Some("http://host".into()),
                ..Default::default()
            },
            "smtp_url",
        ),
        (
            SettingsInput {
                stripe_test_key: Some("sk_live_oops".into()),
                ..Default::default()
            },
            "stripe_test_key",
        ),
        (
            SettingsInput {
                stripe_live_key: Some("sk_test_oops".into()),
                ..Default::default()
            },
            "stripe_live_key",
        ),
        (
            SettingsInput {
                webhook_secret: Some("whsec_a\nb".into()),
                ..Default::default()
            },
            "webhook_secret",
        ),
        (
            SettingsInput {
                smtp_password: Some("p".repeat(100_000)),
                ..Default::default()
            },
            "smtp_password",
        ),
        (
            SettingsInput {
                store_name: Some(String::new()),
                ..Default::default()
            },
            "store_name",
        ),
    ];
    for (mut input, field) in bad {
        // A valid change alongside must not be applied either.
        input.support_email = Some("help@example.com".into());
        match shop.save_settings(input.clone()).await {
            Err(Error::Invalid { field: f, .. }) => assert_eq!(f, field, "{input:?}"),
            other => panic!("{input:?} should be refused on {field}: {other:?}"),
        }
    }
    assert_eq!(shop.store_info().await.unwrap().support_email, "");
    assert_eq!(secrets::load(shop.data_dir()).unwrap(), s);
    // "" removes a secret; live mode without a live key is a clear error at start.
    shop.save_settings(SettingsInput {
        payments: Some("live".into()),
        smtp_password: Some(String::new()),
        ..Default::default()
    })
    .await
    .unwrap();
    assert_eq!(secrets::load(shop.data_dir()).unwrap().smtp_password, None);
    let e = booth_runtime::RunConfig::from_saved(shop.data_dir().into()).unwrap_err();
    assert!(e.to_string().contains("no live secret key"), "{e}");
    assert_eq!(
        shop.setting(settings::PAYMENTS).await.unwrap().as_deref(),
        Some("live")
    );
}

#[tokio::test]
async fn a_failed_receipt_can_be_retried_and_a_test_mail_goes_through_smtp() {
    let app = spawn_app().await;
    app.add_product("book", "5", "5", &[("book.pdf", BOOK)])
        .await;
    let p = app
        .shop()
        .grant("book", "reader@example.com")
        .await
        .unwrap();
    let id = app.shop().outbox(None, 10).await.unwrap()[0].id;
    // Not failed: nothing to retry.
    app.smtp.wait_for_messages(1, Duration::from_secs(20)).await;
    assert_eq!(
        app.shop().retry_mail(id).await.unwrap_err().code(),
        "conflict"
    );
    app.shop()
        .db()
        .write(move |tx| booth_core::outbox::mark_failed(tx, id, "550 mailbox full"))
        .await
        .unwrap();
    app.shop().retry_mail(id).await.unwrap();
    app.smtp.wait_for_messages(2, Duration::from_secs(20)).await;
    assert!(app.smtp.messages()[1]
        .text
        .as_deref()
        .unwrap()
        .contains(&p.token));
    assert_eq!(
        app.shop().retry_mail(99_999).await.unwrap_err().code(),
        "conflict"
    );

    let said = app
        .shop()
        .send_test_mail(&app.running.mailer(), "seller@example.com")
        .await
        .unwrap();
    assert!(said.contains("seller@example.com"), "{said}");
    let got = app.smtp.wait_for_messages(3, Duration::from_secs(20)).await;
    assert!(got[2].subject.starts_with("Test message from"));
    for bad in ["", "not an address", "a@b.c\r\nBcc: x@y.z"] {
        let e = app
            .shop()
            .send_test_mail(&app.running.mailer(), bad)
            .await
            .unwrap_err();
        assert_eq!(e.code(), "invalid_input", "{bad:?}");
    }
}

#[tokio::test]
async fn a_customized_email_template_is_used_and_unknown_names_are_refused() {
    let app = spawn_app().await;
    app.add_product("book", "5", "5", &[("book.pdf", BOOK)])
        .await;
    assert!(app
        .shop()
        .email_templates()
        .iter()
        .any(|(n, o)| n == "receipt.txt" && !o));
    let path = app.shop().customize_email_template("receipt.txt").unwrap();
    let mut src = std::fs::read_to_string(&path).unwrap();
    src.insert_str(0, "Thank you from the workshop!\n");
    std::fs::write(&path, src).unwrap();
    assert!(app
        .shop()
        .email_templates()
        .iter()
        .any(|(n, o)| n == "receipt.txt" && *o));
    // Customizing again keeps the seller's edits.
    app.shop().customize_email_template("receipt.txt").unwrap();
    app.shop()
        .grant("book", "reader@example.com")
        .await
        .unwrap();
    let got = app.smtp.wait_for_messages(1, Duration::from_secs(20)).await;
    assert!(got[0]
        .text
        .as_deref()
        .unwrap()
        .starts_with("Thank you from the workshop!"));
    for bad in ["../secrets.json", "nope.html", "", "/etc/passwd"] {
        assert!(app.shop().customize_email_template(bad).is_err(), "{bad}");
    }
    assert!(!app
        .shop()
        .data_dir()
        .join("templates/secrets.json")
        .exists());
}
