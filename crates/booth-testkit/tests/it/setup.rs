//! The first-run checklist: each step done exactly when what it asks for is there, and a
//! fresh shop isn't passed off as named or given a sender it never chose.

use booth_core::settings;
use booth_core::setup::SetupKey;
use booth_testkit::app::spawn_app;

#[tokio::test]
async fn each_step_is_done_when_the_seller_has_done_it() {
    let app = spawn_app().await;
    let shop = app.shop();
    let done = || async {
        shop.setup_steps()
            .await
            .unwrap()
            .into_iter()
            .filter(|s| s.done)
            .map(|s| s.key)
            .collect::<Vec<_>>()
    };
    assert!(done().await.is_empty(), "a fresh shop has done nothing yet");
    assert_eq!(shop.store_info().await.unwrap().store_name, "My shop");
    assert!(shop.links_are_local(), "no address but this computer's");

    shop.set_setting(settings::STORE_NAME, "Ada's Books")
        .await
        .unwrap();
    shop.set_setting(settings::FROM_ADDRESS, "ada@example.com")
        .await
        .unwrap();
    assert_eq!(done().await, [SetupKey::StoreName, SetupKey::Sender]);
    app.add_product("book", "5", "5", &[("book.pdf", b"%PDF-1.4 book")])
        .await;
    shop.set_setting(settings::SMTP_URL, "smtp://127.0.0.1:2525")
        .await
        .unwrap();
    shop.set_setting(settings::PAYMENTS, "test").await.unwrap();
    shop.set_public_url("https://shop.example.com")
        .await
        .unwrap();
    assert_eq!(
        done().await,
        [
            SetupKey::StoreName,
            SetupKey::Sender,
            SetupKey::Product,
            SetupKey::Payments,
            SetupKey::Email,
            SetupKey::PublicAddress
        ]
    );
    assert!(!shop.links_are_local());
}
