//! Archiving a product and removing a file from the window take them off sale and nothing
//! from anyone who bought: the archived product's page is gone while its buyer's download
//! still answers with the bytes; a removed file still downloads for its earlier buyer.

use super::{launch, shots_dir, WAIT};
use booth_core::shop::SettingsInput;
use booth_core::{ProductInput, Shop};
use booth_testkit::smtp::free_port;
use booth_testkit::{Browser, Key};
use std::path::Path;

async fn add(shop: &Shop, dir: &Path, slug: &str, files: &[(&str, &[u8])]) {
    let paths = files
        .iter()
        .map(|(name, bytes)| {
            let p = dir.join(name);
            std::fs::write(&p, bytes).unwrap();
            p
        })
        .collect();
    shop.add_product(ProductInput {
        licenses: None,
        stamp: None,
        name: format!("Product {slug}"),
        slug: Some(slug.into()),
        price: "8.00".into(),
        currency: "usd".into(),
        limit: Some("10".into()),
        active: true,
        files: paths,
        ..ProductInput::default()
    })
    .await
    .unwrap();
}

async fn get(url: String) -> (u16, Vec<u8>) {
    let r = reqwest::get(url).await.unwrap();
    (r.status().as_u16(), r.bytes().await.unwrap().to_vec())
}

/// Opens a product's panel from its card.
async fn edit(app: &Browser, slug: &str) {
    let button = format!("[data-testid=edit-{slug}]");
    app.wait_for(&button, WAIT).await;
    app.click(&button).await;
    app.wait_for("[data-testid=product-panel]", WAIT).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn archiving_and_removing_a_file_keep_what_was_sold() {
    let tmp = tempfile::tempdir().unwrap();
    let data_dir = tmp.path().join("shop");
    let port = free_port();
    let shop = Shop::open(&data_dir).unwrap();
    shop.save_settings(SettingsInput {
        listen: Some(format!("127.0.0.1:{port}")),
        ..SettingsInput::default()
    })
    .await
    .unwrap();
    add(
        &shop,
        tmp.path(),
        "field-notes",
        &[("notes.pdf", b"%PDF notes")],
    )
    .await;
    add(
        &shop,
        tmp.path(),
        "pack",
        &[("a.pdf", b"%PDF pack a"), ("b.pdf", b"%PDF pack b")],
    )
    .await;
    let notes_buyer = shop.grant("field-notes", "ann@example.com").await.unwrap();
    let pack_buyer = shop.grant("pack", "bob@example.com").await.unwrap();
    let base = format!("http://127.0.0.1:{port}");

    let (_display, app) = launch(&data_dir).await;
    app.wait_text(
        "[data-testid=server-status]",
        |t| t.contains("running"),
        WAIT,
    )
    .await;
    assert_eq!(get(format!("{base}/p/field-notes")).await.0, 200);

    // Archive, from the product's panel, after the dialog asks.
    app.click("[data-nav=products]").await;
    edit(&app, "field-notes").await;
    app.click("[data-testid=archive-product]").await;
    app.wait_text(
        "[data-testid=archive-dialog]",
        |t| t.contains("Everyone who bought it keeps"),
        WAIT,
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    app.screenshot(&shots_dir().join("desktop-archive-dialog.png"))
        .await;
    app.click("[data-confirm=archive]").await;
    app.wait_gone("[data-testid=product-panel]", WAIT).await;
    app.wait_text(
        "[data-testid=archived-toggle]",
        |t| t.contains("Archived (1)"),
        WAIT,
    )
    .await;
    assert!(!app.exists("[data-product=field-notes]").await);
    app.click("[data-testid=archived-toggle]").await;
    app.wait_for("[data-archived=field-notes]", WAIT).await;
    // Off the shop; the earlier buyer's download still answers with the bytes.
    assert_eq!(get(format!("{base}/p/field-notes")).await.0, 404);
    assert_eq!(get(format!("{base}/buy/field-notes")).await.0, 404);
    let file = notes_buyer.items[0].files[0].file.id;
    let (status, bytes) = get(format!("{base}/d/{}/{file}", notes_buyer.token)).await;
    assert_eq!((status, bytes.as_slice()), (200, &b"%PDF notes"[..]));

    // Remove b.pdf from the pack, after the dialog says earlier buyers keep it.
    edit(&app, "pack").await;
    let remove_b = "[data-testid=product-panel] li[data-file='b.pdf'] [data-testid=remove-file]";
    app.click(remove_b).await;
    app.wait_text(
        "[data-testid=remove-file-dialog]",
        |t| t.contains("Everyone who bought it before keeps it"),
        WAIT,
    )
    .await;
    app.click("[data-confirm=remove-file]").await;
    app.wait_gone("[data-testid=remove-file-dialog]", WAIT)
        .await;
    app.wait_gone("li[data-file='b.pdf']", WAIT).await;
    app.screenshot(&shots_dir().join("desktop-file-removed.png"))
        .await;
    // Panels are modal: close it before the sidebar can be clicked.
    app.press(Key::Escape).await;
    app.wait_gone("[data-testid=product-panel]", WAIT).await;
    app.wait_text("[data-product=pack]", |t| t.contains("1 file ·"), WAIT)
        .await;

    let pack = shop.product("pack").await.unwrap().unwrap();
    let names: Vec<_> = pack.files.iter().map(|f| f.display_name.as_str()).collect();
    assert_eq!(names, ["a.pdf"]);
    let b = pack_buyer.items[0].files[1].file.id;
    let (status, bytes) = get(format!("{base}/d/{}/{b}", pack_buyer.token)).await;
    assert_eq!((status, bytes.as_slice()), (200, &b"%PDF pack b"[..]));
    // A buyer from now on gets a.pdf only.
    let later = shop.grant("pack", "cy@example.com").await.unwrap();
    assert_eq!(later.items[0].files.len(), 1);
    assert_eq!(get(format!("{base}/d/{}/{b}", later.token)).await.0, 404);
}
