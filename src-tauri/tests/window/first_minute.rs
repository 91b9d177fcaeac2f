//! The seller's first minute: it creates a product with a file, makes a test purchase in
//! the in-app checkout window, finds the purchase, resets its downloads and reads its
//! receipt in the outbox. The receipt goes through a real SMTP server; the purchase is
//! checked in the SQLite file too.

use super::{confirm_if_asked, launch, shots_dir, wait_new_window, WAIT};
use booth_core::shop::SettingsInput;
use booth_core::Shop;
use booth_testkit::smtp::free_port;
use booth_testkit::{Key, SmtpServer};
use serde_json::json;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seller_sells_a_test_copy_from_the_window() {
    let smtp = SmtpServer::start();
    let tmp = tempfile::tempdir().unwrap();
    let data_dir = tmp.path().join("shop");
    let port = free_port();
    Shop::open(&data_dir)
        .unwrap()
        .save_settings(SettingsInput {
            store_name: Some("Ada's Little Shop".into()),
            listen: Some(format!("127.0.0.1:{port}")),
            smtp_url: Some(smtp.url()),
            ..SettingsInput::default()
        })
        .await
        .unwrap();
    let file = tmp.path().join("field-notes.zip");
    std::fs::write(&file, b"PK\x05\x06 field notes, version one".repeat(50)).unwrap();

    let (_display, app) = launch(&data_dir).await;
    let shots = shots_dir();

    // The window opens on the dashboard with the shop running.
    app.wait_text(
        "[data-testid=server-status]",
        |t| t.contains("running"),
        WAIT,
    )
    .await;
    app.screenshot(&shots.join("desktop-dashboard-empty.png"))
        .await;

    // Products: a new product with a file (the path field stands in for the file picker).
    app.click("[data-nav=products]").await;
    app.click("[data-testid=new-product]").await;
    app.fill("[name=name]", "Field Notes").await;
    app.fill("[name=slug]", "field-notes").await;
    app.fill(
        "[name=description]",
        "Sketches and notes from a year outdoors.",
    )
    .await;
    app.fill("[name=price]", "12.50").await;
    app.fill("[name=file-path]", &file.display().to_string())
        .await;
    app.click("[data-testid=add-file-path]").await;
    app.screenshot(&shots.join("desktop-product-form.png"))
        .await;
    app.click("[data-testid=save-product]").await;
    app.wait_for("[data-product=field-notes]", WAIT).await;

    // Test purchase: the checkout opens in a second window; pay there with a test card.
    let main = app.window_handle().await;
    app.click("[data-testid=test-purchase-field-notes]").await;
    let checkout = wait_new_window(&app, &main).await;
    // The seller watches Purchases while paying in the other window.
    app.click("[data-nav=purchases]").await;
    app.wait_text(".content", |t| t.contains("No purchases yet"), WAIT)
        .await;
    app.switch_to_window(&checkout).await;
    app.wait_for("input[name=email]", WAIT).await;
    // A buyer's page: the app's commands refuse it (the capability is the main window's).
    let refused = app
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const ipc = window.__TAURI_INTERNALS__;
             if (!ipc) { done('no ipc'); return; }
             ipc.invoke('list_purchases', { query: '' })
               .then(() => done('allowed'), (e) => done('refused: ' + String(e)));",
            json!([]),
        )
        .await;
    let refused = refused.as_str().unwrap_or_default().to_string();
    assert!(
        refused == "no ipc" || refused.starts_with("refused"),
        "the checkout window must not reach the shop's commands: {refused}"
    );
    app.screenshot(&shots.join("desktop-test-purchase-checkout.png"))
        .await;
    app.fill("input[name=email]", "reader@example.com").await;
    app.fill("input[name=card_number]", "4242 4242 4242 4242")
        .await;
    app.fill("input[name=card_expiry]", "12 / 34").await;
    app.fill("input[name=card_cvc]", "123").await;
    app.click("button[type=submit]").await;
    let purchase_url = app.wait_for_url(|u| u.contains("/d/"), WAIT).await;
    let token = purchase_url
        .rsplit("/d/")
        .next()
        .unwrap()
        .split(['/', '?'])
        .next()
        .unwrap()
        .to_string();
    app.wait_text("body", |t| t.contains("Field Notes"), WAIT)
        .await;
    // One size convention: the buyer's page says what the window says (checked below).
    let size = booth_core::domain::format_size(std::fs::metadata(&file).unwrap().len());
    app.wait_text("body", |t| t.contains(&size), WAIT).await;
    app.screenshot(&shots.join("desktop-test-purchase-page.png"))
        .await;

    // The buyer downloads once (real HTTP to the shop server the app runs).
    let shop = Shop::open(&data_dir).unwrap();
    let purchase = shop
        .purchase(&token)
        .await
        .unwrap()
        .expect("purchase recorded");
    assert!(
        purchase.test,
        "a purchase from the simulator is a test purchase"
    );
    assert_eq!(purchase.amount_minor, 1250);
    let file_id = purchase.items[0].files[0].file.id;
    let body = reqwest::get(format!("http://127.0.0.1:{port}/d/{token}/{file_id}"))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&body[..], &std::fs::read(&file).unwrap()[..]);

    // Purchases: it is listed, marked test; its detail shows the download; reset it.
    app.close_window().await;
    app.switch_to_window(&main).await;
    // It arrives in the list by itself.
    let row = format!("[data-purchase='{token}']");
    app.wait_for(&row, WAIT).await;
    let row_text = app
        .wait_text(&row, |t| t.contains("reader@example.com"), WAIT)
        .await;
    assert!(row_text.to_lowercase().contains("test"), "row: {row_text}");
    app.click(&format!("{row} td")).await;
    let downloads = format!("[data-testid=purchase-detail] [data-testid='downloads-{file_id}']");
    app.wait_text(&downloads, |t| t.contains("1 of 5"), WAIT)
        .await;
    app.click("[data-action=reset-downloads]").await;
    confirm_if_asked(&app).await;
    app.wait_text(&downloads, |t| t.contains("0 of 5"), WAIT)
        .await;
    let after = shop.purchase(&token).await.unwrap().unwrap();
    assert_eq!(after.items[0].files[0].downloads_used, 0);

    // A partial refund: the purchase says so (not just "paid"), and the buyer is told by
    // email, the link kept.
    app.click("[data-action=refund]").await;
    app.wait_for("dialog [name=amount]", WAIT).await;
    app.fill("dialog [name=amount]", "2.50").await;
    app.click("[data-confirm=refund]").await;
    app.wait_text(
        "[data-testid=purchase-status]",
        |t| t.contains("partially refunded"),
        WAIT,
    )
    .await;

    // The panel is modal: Escape closes it before the sidebar can be used.
    app.press(Key::Escape).await;
    app.wait_gone("[data-testid=purchase-detail]", WAIT).await;

    // Mail: the receipt is in the outbox, and it reached the SMTP server with the link.
    app.click("[data-nav=mail]").await;
    app.wait_text(
        "[data-kind=receipt]",
        |t| t.contains("reader@example.com"),
        WAIT,
    )
    .await;
    let mail = smtp.wait_for_messages(2, WAIT).await;
    assert_eq!(mail[0].to, vec!["reader@example.com".to_string()]);
    assert!(mail[0].text.as_deref().unwrap_or("").contains(&token));
    let refund = mail[1].text.as_deref().unwrap_or("");
    assert!(
        refund.contains("$2.50") && refund.contains(&token),
        "the refund email says how much and keeps the link: {refund}"
    );

    // Mailings: tell the (test) buyer about a new version, with the progress shown.
    app.click("[data-nav=mailings]").await;
    app.wait_for("select[name=product] option[value=field-notes]", WAIT)
        .await;
    app.fill("[name=message]", "Version two adds the winter chapter.")
        .await;
    app.click("[name=include-test]").await;
    app.click("[data-action=preview-mailing]").await;
    app.wait_text(
        "[data-testid=preview-recipients]",
        |t| t.contains("1 buyer"),
        WAIT,
    )
    .await;
    app.click("[data-action=send-mailing]").await;
    app.click("[data-confirm=send-mailing]").await;
    let mail = smtp.wait_for_messages(3, WAIT).await;
    assert!(mail[2]
        .text
        .as_deref()
        .unwrap_or("")
        .contains("winter chapter"));
    let mailings = shop.mailings().await.unwrap();
    assert_eq!((mailings.len(), mailings[0].recipients), (1, 1));

    // Settings: a bad listen address is refused next to its field, and nothing changes.
    app.click("[data-nav=settings]").await;
    app.wait_for("[name=listen]", WAIT).await;
    app.fill("[name=listen]", "localhost:http").await;
    app.click("[data-testid=save-server]").await;
    app.wait_text("#listen-msg", |t| !t.trim().is_empty(), WAIT)
        .await;
    assert_eq!(
        shop.setting(booth_core::settings::LISTEN).await.unwrap(),
        Some(format!("127.0.0.1:{port}"))
    );

    // A discount code made in the window is the shop's: a bad percent is refused beside its
    // field first.
    app.click("[data-nav=discounts]").await;
    app.click("[data-testid=new-discount]").await;
    app.wait_for("[name=code]", WAIT).await;
    app.fill("[name=code]", "launch").await;
    app.fill("[name=percent_off]", "120").await;
    app.fill("[name=max_uses]", "100").await;
    app.click("[data-testid=save-discount]").await;
    app.wait_text(
        "#df-percent-msg",
        |t| t.to_lowercase().contains("a percent off is"),
        WAIT,
    )
    .await;
    assert!(shop.discounts().await.unwrap().is_empty());
    app.fill("[name=percent_off]", "20").await;
    app.click("[data-testid=save-discount]").await;
    app.wait_for("[data-discount=LAUNCH]", WAIT).await;
    let codes = shop.discounts().await.unwrap();
    assert_eq!(
        (
            codes[0].code.as_str(),
            codes[0].percent_off,
            codes[0].max_uses
        ),
        ("LAUNCH", Some(20), Some(100))
    );

    // Taxes: prices including tax, saved through the window.
    app.click("[data-nav=taxes]").await;
    app.wait_for("input[name=tax][value=inclusive]", WAIT).await;
    app.click("input[name=tax][value=inclusive]").await;
    app.click("[data-testid=save-tax]").await;
    app.wait_text("body", |t| t.contains("Prices include tax"), WAIT)
        .await;
    let mut saved = String::new();
    for _ in 0..50 {
        saved = shop.tax_settings().await.unwrap().tax;
        if saved == "inclusive" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(saved, "inclusive");

    // Pausing sales from the sidebar: the shop's pages say "back soon" until resumed.
    app.click("[data-testid=toggle-pause]").await;
    app.wait_text(
        "[data-testid=server-status]",
        |t| t.contains("Sales paused"),
        WAIT,
    )
    .await;
    assert!(shop.sales_paused().await.unwrap());
    let page = reqwest::get(format!("http://127.0.0.1:{port}/p/field-notes"))
        .await
        .unwrap();
    assert_eq!(page.status(), 503);
    app.click("[data-testid=toggle-pause]").await;
    app.wait_text(
        "[data-testid=server-status]",
        |t| t.contains("Shop running"),
        WAIT,
    )
    .await;
    assert!(!shop.sales_paused().await.unwrap());

    app.click("[data-nav=products]").await;
    app.wait_text("[data-product=field-notes]", |t| t.contains(&size), WAIT)
        .await;

    // The dashboard counts the sale.
    app.click("[data-nav=dashboard]").await;
    app.wait_text("body", |t| t.contains("$12.50"), WAIT).await;

    // A still picture of each screen for docs/ (after the toasts have gone).
    for (nav, ready, name) in [
        ("dashboard", "[data-nav=dashboard]", "desktop-dashboard.png"),
        (
            "products",
            "[data-product=field-notes]",
            "desktop-products.png",
        ),
        ("purchases", "[data-purchase]", "desktop-purchases.png"),
        ("mailings", "[data-mailing-row]", "desktop-mailings.png"),
        ("mail", "[data-kind=update]", "desktop-mail.png"),
        (
            "discounts",
            "[data-discount=LAUNCH]",
            "desktop-discounts-window.png",
        ),
        (
            "taxes",
            "[data-testid=save-tax]",
            "desktop-taxes-window.png",
        ),
        ("settings", "[name=listen]", "desktop-settings.png"),
    ] {
        app.click(&format!("[data-nav={nav}]")).await;
        app.wait_for(ready, WAIT).await;
        tokio::time::sleep(Duration::from_millis(3500)).await;
        app.screenshot(&shots.join(name)).await;
    }
    app.click("[data-nav=purchases]").await;
    app.wait_for(&row, WAIT).await;
    app.click(&format!("{row} td")).await;
    app.wait_for("[data-testid=purchase-detail]", WAIT).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    app.screenshot(&shots.join("desktop-purchase-detail.png"))
        .await;
    app.close().await;
}
