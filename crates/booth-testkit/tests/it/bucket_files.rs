//! Product files in the seller's bucket (a real S3-compatible server, s3s-fs, checking
//! every signature): a new file goes there before it becomes a version; a download is
//! counted by Booth and then redirected to a presigned URL that names the file, honours a
//! Range and expires; the limit holds under 200 downloads at once; a bucket that is down
//! uses up nothing; a failed upload (wrong keys, a missing bucket, the server gone
//! mid-upload) makes no version; a shop moves there and back.

use booth_testkit::app::*;
use booth_testkit::s3::S3Server;
use sha2::{Digest, Sha256};

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn object(sha: &str) -> String {
    format!("mine/files/{}/{sha}", &sha[..2])
}

async fn used(app: &TestApp, token: &str) -> u32 {
    app.purchase(token).await.items[0].files[0].downloads_used
}

#[tokio::test]
async fn a_download_is_counted_by_booth_and_its_bytes_come_from_the_bucket() {
    let app = spawn_app().await;
    let s3 = S3Server::start(&["booth-files"]);
    app.on_bucket(&s3).await;
    let bytes: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    app.add_product("course", "50.00", "3", &[("Course – part 1.zip", &bytes)])
        .await;
    // Uploaded as the product was added, under its hash.
    let key = object(&sha(&bytes));
    assert!(
        s3.objects("booth-files").contains(&key),
        "{:?}",
        s3.objects("booth-files")
    );

    let (p, path) = app.granted_download("course").await;
    let res = app.get(&path).await;
    assert_eq!(res.status(), 302);
    assert_eq!(res.headers()["cache-control"], "private, no-store");
    let url = location(&res);
    assert!(
        url.starts_with(&format!("{}/booth-files/{key}?", s3.endpoint)),
        "{url}"
    );
    let parsed = url::Url::parse(&url).unwrap();
    let q: std::collections::HashMap<_, _> = parsed.query_pairs().into_owned().collect();
    assert_eq!(
        q["X-Amz-Expires"], "300",
        "the link is good for five minutes"
    );
    let disposition = &q["response-content-disposition"];
    assert!(
        disposition.contains("filename*=UTF-8''Course%20%E2%80%93%20part%201.zip"),
        "{disposition}"
    );
    assert_eq!(q["response-content-type"], "application/zip");
    assert_eq!(used(&app, &p.token).await, 1, "Booth counted it");

    let got = app.http.get(&url).send().await.unwrap();
    assert_eq!(got.status(), 200);
    assert_eq!(got.bytes().await.unwrap().as_ref(), &bytes[..]);
    // A Range goes to the bucket with the buyer's client, as locally.
    let part = app
        .http
        .get(&url)
        .header("range", "bytes=1000-1999")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), 206);
    assert_eq!(part.bytes().await.unwrap().as_ref(), &bytes[1000..2000]);
    // The file's name and type are part of the signature: changed, the bucket refuses.
    let forged = url.replace("Course", "Other");
    assert_eq!(app.http.get(&forged).send().await.unwrap().status(), 403);

    // A resume shortly after is free, charged its whole Range (Booth doesn't see the
    // bytes go): one resume fits, the budget (1.5 copies) doesn't fit a second whole one.
    let resume = app.get_with(&path, "range", "bytes=10-").await;
    assert_eq!(resume.status(), 302);
    assert_eq!(used(&app, &p.token).await, 1, "a resume isn't a download");
    let again = app.get_with(&path, "range", "bytes=10-").await;
    assert_eq!(again.status(), 302);
    assert_eq!(used(&app, &p.token).await, 2, "past the budget it counts");

    // A HEAD is answered by Booth and counts nothing.
    let head = app.http.head(app.url(&path)).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["content-length"], "300000");
    assert_eq!(used(&app, &p.token).await, 2);
}

#[tokio::test]
async fn a_presigned_link_dies_when_it_expires() {
    let app = spawn_app().await;
    let s3 = S3Server::start(&["booth-files"]);
    app.on_bucket(&s3).await;
    app.add_product("guide", "9.00", "3", &[("guide.pdf", b"%PDF the guide")])
        .await;
    let bucket = app.shop().bucket().await.unwrap().unwrap();
    let url = bucket
        .signed_download_url(
            &sha(b"%PDF the guide"),
            "attachment; filename=\"guide.pdf\"",
            "application/pdf",
            std::time::Duration::from_secs(1),
        )
        .await
        .unwrap();
    assert_eq!(app.http.get(&url).send().await.unwrap().status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    // A link copied from the buyer's browser is dead once it expired.
    let stolen = app.http.get(&url).send().await.unwrap();
    assert_eq!(stolen.status(), 403);
    assert!(stolen.text().await.unwrap().contains("AccessDenied"));
}

#[tokio::test]
async fn two_hundred_downloads_at_once_with_five_left_get_exactly_five_links() {
    let app = spawn_app().await;
    let s3 = S3Server::start(&["booth-files"]);
    app.on_bucket(&s3).await;
    app.add_product("zine", "5.00", "5", &[("zine.pdf", b"%PDF zine")])
        .await;
    let (p, path) = app.granted_download("zine").await;
    let url = app.url(&path);
    let tries = (0..200).map(|_| {
        let (http, url) = (app.http.clone(), url.clone());
        tokio::spawn(async move { http.get(&url).send().await.unwrap().status().as_u16() })
    });
    let mut statuses = Vec::new();
    for t in tries {
        statuses.push(t.await.unwrap());
    }
    let redirected = statuses.iter().filter(|s| **s == 302).count();
    let refused = statuses.iter().filter(|s| **s == 410).count();
    assert_eq!((redirected, refused), (5, 195), "{statuses:?}");
    assert_eq!(used(&app, &p.token).await, 5);
}

#[tokio::test]
async fn a_bucket_that_is_down_uses_up_nothing() {
    let app = spawn_app().await;
    let mut s3 = S3Server::start(&["booth-files"]);
    app.on_bucket(&s3).await;
    app.add_product("guide", "9.00", "3", &[("guide.pdf", b"%PDF the guide")])
        .await;
    let (p, path) = app.granted_download("guide").await;

    // While the data dir still has its copy, the shop serves that.
    s3.stop();
    let res = app.get(&path).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"%PDF the guide");
    assert_eq!(used(&app, &p.token).await, 1);

    // Once the copy is freed, a silent bucket is a page to come back to, nothing used.
    s3.start_again();
    let files = app.shop().free_local_copies().await.unwrap().files;
    assert_eq!(files, 1);
    s3.stop();
    let (status, html) = app.get_html(&path).await;
    assert_eq!(status, 503);
    assert!(html.contains("Try again shortly"), "{html}");
    assert!(html.contains("Nothing was used up"), "{html}");
    assert_eq!(used(&app, &p.token).await, 1, "nothing counted");
    // A purchase that no longer gives access says so, bucket or not.
    let (other, other_path) = app.granted_download("guide").await;
    app.shop().revoke(&other.token, None).await.unwrap();
    let (status, html) = app.get_html(&other_path).await;
    assert_eq!(status, 403, "{html}");
    assert!(
        html.contains("Access to this purchase was revoked"),
        "{html}"
    );

    s3.start_again();
    let res = app.get(&path).await;
    assert_eq!(res.status(), 302);
    assert_eq!(used(&app, &p.token).await, 2);
}

#[tokio::test]
async fn an_upload_that_fails_makes_no_version_and_the_shop_serves_what_it_served() {
    let app = spawn_app().await;
    let mut s3 = S3Server::start(&["booth-files"]);
    app.on_bucket(&s3).await;
    app.add_product("guide", "9.00", "9", &[("guide.pdf", b"%PDF one")])
        .await;
    let (_, path) = app.granted_download("guide").await;
    let shop = app.shop();
    let v2 = app.data_dir.path().join("guide-v2.pdf");
    let versions = |shop: &booth_core::Shop| {
        let shop = shop.clone();
        async move {
            shop.product("guide").await.unwrap().unwrap().files[0]
                .version
                .clone()
        }
    };
    let before = versions(shop).await;

    // Wrong keys (the secret changed behind the shop's back).
    let mut secrets = booth_core::secrets::load(shop.data_dir()).unwrap();
    secrets.storage_secret = Some(booth_core::secrets::check("s", "not-the-secret", &[]).unwrap());
    booth_core::secrets::save(shop.data_dir(), &secrets).unwrap();
    std::fs::write(&v2, b"%PDF two").unwrap();
    let e = shop
        .new_version("guide", "guide.pdf", v2.clone(), None, "")
        .await
        .unwrap_err();
    assert_eq!(e.code(), "storage");
    assert!(e.to_string().contains("refused these keys"), "{e}");
    assert_eq!(versions(shop).await, before);
    app.on_bucket(&s3).await;

    // The bucket deleted behind the shop's back (its folder, to s3s-fs).
    let bucket_dir = s3.root.path().join("booth-files");
    let kept = s3.root.path().join("kept");
    std::fs::rename(&bucket_dir, &kept).unwrap();
    let e = shop
        .new_version("guide", "guide.pdf", v2.clone(), None, "")
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("there is no bucket booth-files"),
        "{e}"
    );
    assert_eq!(versions(shop).await, before);
    assert!(!bucket_dir.exists(), "no bucket was made by the upload");
    std::fs::rename(&kept, &bucket_dir).unwrap();

    // The server goes away in the middle of a big upload.
    let big: Vec<u8> = (0..24 * 1024 * 1024u32).map(|i| (i % 253) as u8).collect();
    std::fs::write(&v2, &big).unwrap();
    let mut progress = shop.transfers().subscribe();
    let upload = tokio::spawn({
        let (shop, v2) = (shop.clone(), v2.clone());
        async move { shop.new_version("guide", "guide.pdf", v2, None, "").await }
    });
    loop {
        progress.changed().await.unwrap();
        if progress.borrow().as_ref().is_some_and(|t| t.done > 0) {
            break;
        }
    }
    s3.stop();
    let e = upload.await.unwrap().unwrap_err();
    assert_eq!(e.code(), "storage", "{e}");
    assert_eq!(versions(shop).await, before, "no version was made");
    s3.start_again();
    assert!(
        !s3.objects("booth-files").contains(&object(&sha(&big))),
        "no half object"
    );
    let res = app.get(&path).await;
    assert_eq!(
        res.status(),
        302,
        "the old version still comes from the bucket"
    );
    let got = app.http.get(location(&res)).send().await.unwrap();
    assert_eq!(got.bytes().await.unwrap().as_ref(), b"%PDF one");
}

#[tokio::test]
async fn a_shop_moves_to_the_bucket_and_back_keeping_every_file() {
    let app = spawn_app().await;
    app.add_product("guide", "9.00", "9", &[("guide.pdf", b"%PDF guide")])
        .await;
    app.add_product(
        "pack",
        "5.00",
        "9",
        &[("a.zip", b"PK a"), ("b.zip", b"PK b")],
    )
    .await;
    let (_, path) = app.granted_download("pack").await;
    assert_eq!(app.get(&path).await.status(), 200, "from the data dir");
    let s3 = S3Server::start(&["booth-files"]);
    app.on_bucket(&s3).await;
    let shop = app.shop();
    // Set, but not moved yet: still the data dir.
    assert_eq!(app.get(&path).await.status(), 200);

    let moved = shop.migrate_to_bucket().await.unwrap();
    assert_eq!((moved.files, moved.bytes, moved.already), (3, 18, 0));
    let objects = s3.objects("booth-files");
    for bytes in [&b"%PDF guide"[..], b"PK a", b"PK b"] {
        let key = object(&sha(bytes));
        assert!(objects.contains(&key), "{objects:?}");
        let stored = std::fs::read(s3.root.path().join("booth-files").join(&key)).unwrap();
        assert_eq!(stored, bytes);
    }
    let again = shop.migrate_to_bucket().await.unwrap();
    assert_eq!((again.files, again.already), (0, 3));
    let res = app.get(&path).await;
    assert_eq!(res.status(), 302);
    assert_eq!(
        app.http
            .get(location(&res))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
            .as_ref(),
        b"PK a"
    );

    let freed = shop.free_local_copies().await.unwrap();
    assert_eq!((freed.files, freed.bytes), (3, 18));
    let e = shop.use_local_storage().await.unwrap_err();
    assert_eq!(e.code(), "conflict");
    assert!(
        e.to_string().contains("3 file(s) are only in the bucket"),
        "{e}"
    );
    assert!(
        shop.storage().await.unwrap().is_some(),
        "still on the bucket"
    );

    let back = shop.migrate_to_local().await.unwrap();
    assert_eq!((back.files, back.bytes), (3, 18));
    assert_eq!(shop.storage().await.unwrap(), None);
    let res = app.get(&path).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"PK a");
}
