//! A fresh shop, as a new seller first sees it (issue 19, item 3): a checklist of what it
//! still needs instead of a demo's name and sender, and every place that hands out a link
//! or sends mail saying when only this computer will ever see it.

use super::{launch, shop_on_port, shots_dir, WAIT};
use booth_core::Shop;
use booth_testkit::smtp::free_port;
use serde_json::json;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_shop_lists_what_it_needs_and_says_what_only_this_computer_sees() {
    let port = free_port();
    let (tmp, data_dir) = shop_on_port(port).await;
    let (_display, app) = launch(&data_dir).await;
    app.wait_text(
        "[data-testid=server-status]",
        |t| t.contains("running"),
        WAIT,
    )
    .await;

    // The checklist, not a demo's name and sender.
    app.wait_text("[data-testid=setup-progress]", |t| t == "0 of 6 done", WAIT)
        .await;
    assert!(!app.text(".brand").await.contains("Demo"));
    assert!(app
        .text("[data-testid=dashboard-empty]")
        .await
        .contains("Add a product first"));
    tokio::time::sleep(Duration::from_millis(500)).await;
    app.screenshot(&shots_dir().join("desktop-first-run.png"))
        .await;

    // Name it from the checklist: Settings opens on the store, with no sender pretended.
    app.click("[data-action=setup-store_name]").await;
    app.wait_for("[name=store_name]", WAIT).await;
    let sender = app
        .execute(
            "return document.querySelector('[name=from_address]').value",
            json!([]),
        )
        .await;
    assert_eq!(sender, "", "no made-up sender shown as the seller's");
    app.fill("[name=store_name]", "Ada's Books").await;
    app.click("[data-testid=save-store]").await;
    app.wait_text(".brand", |t| t.contains("Ada's Books"), WAIT)
        .await;
    app.click("[data-nav=dashboard]").await;
    app.wait_text("[data-testid=setup-progress]", |t| t == "1 of 6 done", WAIT)
        .await;
    assert!(app.exists("[data-step=store_name][data-done=true]").await);

    // A product: its links only open here, and the Products screen says so.
    let shop = Shop::open(&data_dir).unwrap();
    let book = tmp.path().join("book.pdf");
    std::fs::write(&book, b"%PDF-1.4 book".repeat(20)).unwrap();
    super::add_product(&shop, "Book", "book", "5.00", "5", &book).await;
    app.click("[data-nav=products]").await;
    app.wait_for("[data-product=book]", WAIT).await;
    app.wait_for("[data-testid=links-local]", WAIT).await;
    app.click("[data-product=book] [data-action=copy-buy-link]")
        .await;
    app.wait_text(
        ".toasts",
        |t| t.contains("only opens on this computer"),
        WAIT,
    )
    .await;

    // Mail with no server is written to a folder, and labelled so, not "sent".
    let gift = shop.grant("book", "sam@example.com").await.unwrap();
    app.click("[data-nav=mail]").await;
    app.wait_for("[data-testid=mail-to-folder]", WAIT).await;
    app.wait_text(
        "[data-kind=receipt]",
        |t| t.contains("sam@example.com"),
        WAIT,
    )
    .await;
    let row = app
        .wait_text("tr[data-mail]", |t| t.contains("in folder"), WAIT)
        .await;
    assert!(!row.contains("sent"), "{row}");

    // The purchase's own link says so too.
    app.click("[data-nav=purchases]").await;
    let row = format!("[data-purchase='{}'] td", gift.token);
    app.wait_for(&row, WAIT).await;
    app.click(&row).await;
    app.wait_for("[data-testid=link-local]", WAIT).await;
    app.close().await;
}
