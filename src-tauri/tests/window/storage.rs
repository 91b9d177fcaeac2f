//! Settings → Storage against a real S3-compatible server (s3s-fs on loopback): a wrong
//! secret is said in words and saves nothing; the right one is tried and saved, the next
//! backup lands in the bucket; Stop using the bucket forgets it.

use super::{launch, shots_dir, WAIT};
use booth_core::Shop;
use booth_testkit::s3::{S3Server, ACCESS_KEY, SECRET_KEY};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seller_puts_backups_on_a_bucket_from_settings() {
    let tmp = tempfile::tempdir().unwrap();
    let data_dir = tmp.path().join("shop");
    let shop = Shop::open(&data_dir).unwrap();
    let s3 = S3Server::start(&["shop-files"]);

    let (_display, app) = launch(&data_dir).await;
    app.wait_text(
        "[data-testid=server-status]",
        |t| t.contains("running"),
        WAIT,
    )
    .await;
    app.click("[data-nav=settings]").await;
    app.wait_for("[data-section=storage] #endpoint", WAIT).await;
    app.fill("#endpoint", &s3.endpoint).await;
    app.fill("#region", "us-east-1").await;
    app.fill("#bucket", "shop-files").await;
    app.fill("#prefix", "booth").await;
    app.fill("#access_key_id", ACCESS_KEY).await;
    app.fill("#secret_access_key", "not-the-secret").await;
    app.click("[data-testid=save-storage]").await;
    app.wait_text(
        "[data-testid=storage-result]",
        |t| t.contains("refused these keys"),
        WAIT,
    )
    .await;
    assert_eq!(shop.storage().await.unwrap(), None, "nothing saved");

    app.fill("#secret_access_key", SECRET_KEY).await;
    app.click("[data-testid=save-storage]").await;
    app.wait_text(
        "[data-testid=storage-result]",
        |t| t.contains("The bucket works"),
        WAIT,
    )
    .await;
    app.wait_text(
        "[data-testid=storage-now]",
        |t| t.contains("shop-files/booth"),
        WAIT,
    )
    .await;
    let spec = shop.storage().await.unwrap().expect("saved");
    assert_eq!(
        (spec.bucket.as_str(), spec.prefix.as_str()),
        ("shop-files", "booth")
    );
    assert!(s3.objects("shop-files").is_empty(), "the probe was deleted");
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.screenshot(&shots_dir().join("desktop-storage.png"))
        .await;

    // The next backup goes off-site too.
    let (local, offsite) = shop.backup_now().await.unwrap();
    let name = offsite.expect("a bucket is set").unwrap().name;
    assert_eq!(local.path.file_name().unwrap().to_str().unwrap(), name);
    assert_eq!(s3.objects("shop-files"), [format!("booth/backups/{name}")]);

    app.click("[data-action=storage-local]").await;
    app.wait_gone("[data-testid=storage-now]", WAIT).await;
    assert_eq!(shop.storage().await.unwrap(), None);
    app.close().await;
}
