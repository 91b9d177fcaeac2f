//! Archiving a product and removing a file take things off sale, never from buyers: the
//! archived product's page and Buy link answer as an unknown product's, while its
//! purchases, downloads, the library and mailings work on; a removed file goes to no new
//! buyer and stays with everyone who bought before.

use booth_core::Error;
use booth_testkit::app::*;

#[tokio::test]
async fn an_archived_product_is_off_the_shop_and_its_buyers_keep_everything() {
    let app = spawn_app().await;
    app.add_product("book", "5", "5", &[("book.pdf", b"%PDF the book")])
        .await;
    let paid = app.buy_and_pay("book", "ann@example.com").await;
    let token = app.complete(&paid).await;
    let path = download_path(&app.purchase(&token).await);

    let p = app.shop().archive_product("book").await.unwrap();
    assert!(
        p.archived_at.is_some() && p.active,
        "archiving leaves `active` alone"
    );
    assert_eq!(app.get("/p/book").await.status(), 404);
    assert_eq!(app.get("/buy/book").await.status(), 404);
    let (_, storefront) = app.get_html("/").await;
    assert!(!storefront.contains("/p/book"), "{storefront}");
    let shop_list = app.shop().list_products(true).await.unwrap();
    assert!(shop_list.is_empty(), "the shop lists no archived product");
    // The buyer's page, their download, the library and a mailing all still work.
    assert_eq!(app.get(&format!("/d/{token}")).await.status(), 200);
    let res = app.get(&path).await;
    assert_eq!(res.status(), 200);
    assert_eq!(&res.bytes().await.unwrap()[..], b"%PDF the book");
    assert!(app.shop().send_library("ann@example.com").await.unwrap());
    let mailing = app
        .shop()
        .create_mailing(booth_core::shop::MailingRequest {
            product: "book".into(),
            message: "A new chapter".into(),
            include_test: true,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(mailing.recipients, 1);

    // Twice is a clear no; unarchived, it is for sale again as it was.
    let err = app.shop().archive_product("book").await.unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err}");
    app.shop().unarchive_product("book").await.unwrap();
    assert_eq!(app.get("/p/book").await.status(), 200);
    for slug in ["nope", "", "../book", &"a".repeat(10_000)] {
        let err = app.shop().archive_product(slug).await.unwrap_err();
        assert!(matches!(err, Error::NotFound(_)), "{slug}: {err}");
        let err = app.shop().unarchive_product(slug).await.unwrap_err();
        assert!(matches!(err, Error::NotFound(_)), "{slug}: {err}");
    }
}

#[tokio::test]
async fn a_removed_file_stays_with_earlier_buyers_and_goes_to_no_new_one() {
    let app = spawn_app().await;
    let pack = app
        .add_product(
            "pack",
            "5",
            "5",
            &[("a.pdf", b"%PDF a"), ("b.pdf", b"%PDF b")],
        )
        .await;
    let other = app
        .add_product("zine", "5", "5", &[("zine.pdf", b"%PDF zine")])
        .await;
    let (a, b) = (pack.files[0].id, pack.files[1].id);
    let before = app.grant_token("pack").await;

    // Hostile input changes nothing: another product's file, unknown ids and slugs.
    for (slug, id) in [
        ("pack", other.files[0].id),
        ("pack", i64::MAX),
        ("pack", -1),
        ("nope", a),
    ] {
        let err = app.shop().remove_file(slug, id).await.unwrap_err();
        assert!(matches!(err, Error::NotFound(_)), "{slug} {id}: {err}");
    }
    assert_eq!(
        app.shop()
            .product("zine")
            .await
            .unwrap()
            .unwrap()
            .files
            .len(),
        1
    );

    let p = app.shop().remove_file("pack", b).await.unwrap();
    assert_eq!(p.files.iter().map(|f| f.id).collect::<Vec<_>>(), vec![a]);
    // The same purchase, before and after: it keeps both files, and b still downloads.
    let earlier = app.purchase(&before).await;
    assert_eq!(earlier.items[0].files.len(), 2);
    let res = app.get(&format!("/d/{before}/{b}")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(&res.bytes().await.unwrap()[..], b"%PDF b");
    // A buyer from now on gets a only, and b isn't theirs to download.
    let after = app.grant_token("pack").await;
    let later = app.purchase(&after).await;
    assert_eq!(later.items[0].files.len(), 1);
    assert_eq!(app.get(&format!("/d/{after}/{b}")).await.status(), 404);
    assert_eq!(app.get(&format!("/d/{after}/{a}")).await.status(), 200);
    // Removed already: unknown now.
    assert!(matches!(
        app.shop().remove_file("pack", b).await.unwrap_err(),
        Error::NotFound(_)
    ));

    // The last file of a product for sale stays, with a reason; inactive, it can go.
    let err = app.shop().remove_file("pack", a).await.unwrap_err();
    assert!(
        matches!(&err, Error::Conflict(m) if m.contains("only file")),
        "{err}"
    );
    assert_eq!(
        app.shop()
            .product("pack")
            .await
            .unwrap()
            .unwrap()
            .files
            .len(),
        1
    );
    app.shop().archive_product("pack").await.unwrap();
    app.shop().remove_file("pack", a).await.unwrap();
    let res = app.get(&format!("/d/{before}/{a}")).await;
    assert_eq!(res.status(), 200, "the first buyer still has every file");
}
