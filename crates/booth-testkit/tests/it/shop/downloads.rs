//! Downloads: the limit under a thousand requests at once, Range and HEAD, hostile paths,
//! changes made by another process, and a new version behind the same link.

use super::{body_of, BOOK};
use booth_testkit::app::*;
use std::time::Duration;

#[tokio::test]
async fn a_thousand_concurrent_downloads_with_five_left_serve_exactly_five() {
    let app = spawn_app().await;
    app.add_product("big", "5", "5", &[("big.bin", &body_of(64 * 1024))])
        .await;
    let (p, path) = app.granted_download("big").await;
    let url = app.url(&path);
    let reqs = (0..1000).map(|_| app.http.get(&url).send());
    let results = futures_util::future::join_all(reqs).await;
    let mut ok = 0;
    for r in results {
        let r = r.unwrap();
        match r.status().as_u16() {
            200 => {
                assert_eq!(r.bytes().await.unwrap().len(), 64 * 1024);
                ok += 1
            }
            410 => {}
            s => panic!("unexpected status {s}"),
        }
    }
    assert_eq!(ok, 5);
    let p = app.purchase(&p.token).await;
    assert_eq!(p.items[0].files[0].downloads_used, 5);
}

#[tokio::test]
async fn range_resume_does_not_count_and_head_does_not_count() {
    let app = spawn_app().await;
    let content = body_of(10_000);
    app.add_product("big", "5", "2", &[("big.bin", &content)])
        .await;
    let (p, path) = app.granted_download("big").await;

    let head = app.http.head(app.url(&path)).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["content-length"], "10000");
    assert_eq!(head.headers()["accept-ranges"], "bytes");

    // A first, counted download that "breaks" after 4000 bytes…
    let first = app.get_with(&path, "range", "bytes=0-3999").await;
    assert_eq!(first.status(), 206);
    assert_eq!(first.headers()["content-range"], "bytes 0-3999/10000");
    assert_eq!(first.bytes().await.unwrap().as_ref(), &content[..4000]);
    // …resumed twice: the rest arrives and nothing more is counted.
    for _ in 0..2 {
        let rest = app.get_with(&path, "range", "bytes=4000-").await;
        assert_eq!(rest.status(), 206);
        assert_eq!(rest.headers()["content-range"], "bytes 4000-9999/10000");
        assert_eq!(rest.bytes().await.unwrap().as_ref(), &content[4000..]);
    }
    let p = app.purchase(&p.token).await;
    assert_eq!(p.items[0].files[0].downloads_used, 1);
    let bad = app.get_with(&path, "range", "bytes=20000-").await;
    assert_eq!(bad.status(), 416);
    assert_eq!(bad.headers()["content-range"], "bytes */10000");
    let log = app
        .shop()
        .purchase_detail(&p.token)
        .await
        .unwrap()
        .downloads;
    assert_eq!(log.iter().filter(|d| d.counted).count(), 1);
    assert_eq!(log.iter().filter(|d| !d.counted).count(), 2);
}

#[tokio::test]
async fn garbage_tokens_and_path_traversal_get_clear_pages() {
    let app = spawn_app().await;
    app.add_product("book", "5", "5", &[("book.pdf", BOOK)])
        .await;
    let token = app.grant_token("book").await;
    let long = "a".repeat(5000);
    let unknown = uuid::Uuid::new_v4().simple().to_string();
    let cases = [
        "/d/../../etc/passwd".to_string(),
        "/d/..%2F..%2Fetc%2Fpasswd".into(),
        format!("/d/{token}/..%2F..%2Fbooth.db"),
        format!("/d/{token}/../../booth.db"),
        format!("/d/{token}/-1"),
        format!("/d/{token}/99999999999999999999999"),
        format!("/d/{token}/%00"),
        format!("/d/{unknown}"),
        format!("/d/{unknown}/1"),
        format!("/d/{}", token.to_uppercase()),
        format!("/d/{long}"),
        "/d/%E2%80%AE%F0%9F%98%80".into(),
        "/d/' OR 1=1 --".replace(' ', "%20"),
        "/p/..%2F..".into(),
        "/buy/%3Cscript%3E".into(),
        "/no/such/page".into(),
    ];
    for path in cases {
        let res = app.get(&path).await;
        let status = res.status().as_u16();
        let ctype = res
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let body = res.text().await.unwrap();
        assert!([400, 404].contains(&status), "{path}: {status}");
        assert!(ctype.starts_with("text/html"), "{path}: {ctype}");
        assert!(
            !body.contains("SQLite format") && !body.contains("root:x:"),
            "{path} leaked a file"
        );
        assert!(!body.contains("<script>"), "{path}");
    }
    // Nothing was counted against the real purchase.
    let p = app.purchase(&token).await;
    assert_eq!(p.items[0].files[0].downloads_used, 0);
}

/// A change made by another process (a `booth` command beside the running shop writes
/// the same SQLite file) takes effect on the very next download, though the shop had just
/// looked that file up.
#[tokio::test]
async fn a_change_from_another_process_applies_to_the_next_download() {
    let app = spawn_app().await;
    app.add_product("book", "5", "5", &[("book.pdf", BOOK)])
        .await;
    let (p, path) = app.granted_download("book").await;
    assert_eq!(app.get(&path).await.status(), 200);
    assert_eq!(app.get(&path).await.status(), 200);

    let other = rusqlite::Connection::open(app.data_dir.path().join("booth.db")).unwrap();
    other.busy_timeout(Duration::from_secs(10)).unwrap();
    other
        .execute(
            "UPDATE purchase_items SET download_limit = 2 WHERE purchase_id = ?1",
            [p.id],
        )
        .unwrap();
    assert_eq!(app.get(&path).await.status(), 410, "the new limit applies");
    other
        .execute(
            "UPDATE purchases SET status = 'revoked' WHERE id = ?1",
            [p.id],
        )
        .unwrap();
    assert_eq!(app.get(&path).await.status(), 403, "revoked at once");
}

#[tokio::test]
async fn new_version_is_served_from_the_same_link() {
    let app = spawn_app().await;
    app.add_product("book", "5", "5", &[("book.pdf", b"version one")])
        .await;
    let (p, path) = app.granted_download("book").await;
    assert_eq!(
        app.get(&path).await.bytes().await.unwrap().as_ref(),
        b"version one"
    );
    let v2 = app.data_dir.path().join("book-v2.pdf");
    std::fs::write(&v2, b"version two").unwrap();
    assert_eq!(
        app.shop()
            .new_version("book", "book.pdf", v2, None, "")
            .await
            .unwrap(),
        "2"
    );
    assert_eq!(
        app.get(&path).await.bytes().await.unwrap().as_ref(),
        b"version two"
    );
    let (_, html) = app.get_html(&format!("/d/{}", p.token)).await;
    assert!(html.contains("book.pdf"));
}

/// Sizes read the same everywhere (the core's `ByteSize`, decimal units): 312,000 bytes
/// is "312 KB" on the product page and the purchase page, as in the window and the CLI.
#[tokio::test]
async fn the_buyer_sees_sizes_in_decimal_units() {
    let app = spawn_app().await;
    app.add_product("big", "5", "5", &[("big.bin", &body_of(312_000))])
        .await;
    let (_, page) = app.get_html("/p/big").await;
    assert!(page.contains("312 KB"), "{page}");
    let (p, _) = app.granted_download("big").await;
    let (_, page) = app.get_html(&format!("/d/{}", p.token)).await;
    assert!(page.contains("312 KB") && !page.contains("312.0"), "{page}");
}
