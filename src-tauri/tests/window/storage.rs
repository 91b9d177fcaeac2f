//! Settings → Storage against a real S3-compatible server (s3s-fs on loopback): a wrong
//! secret is said in words and saves nothing; the right one is tried and saved, the next
//! backup lands in the bucket; Stop using the bucket forgets it. A shop's product files
//! are moved to the bucket, their copies here freed, and moved back.

use super::{add_product, launch, shop_on_port, shots_dir, WAIT};
use booth_core::Shop;
use booth_testkit::s3::{S3Server, ACCESS_KEY, SECRET_KEY};
use booth_testkit::smtp::free_port;
use booth_testkit::Browser;
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

/// Opens Settings on the running shop and saves the bucket `shop-files/booth` of `s3`
/// with `secret` (the answer is the test's to wait for).
async fn save_bucket(app: &Browser, s3: &S3Server, secret: &str) {
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
    app.fill("#secret_access_key", secret).await;
    app.click("[data-testid=save-storage]").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seller_puts_backups_on_a_bucket_from_settings() {
    // Each on its own port: the two tests run side by side.
    let (_tmp, data_dir) = shop_on_port(free_port()).await;
    let shop = Shop::open(&data_dir).unwrap();
    let s3 = S3Server::start(&["shop-files"]);

    let (_display, app) = launch(&data_dir).await;
    save_bucket(&app, &s3, "not-the-secret").await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seller_moves_product_files_to_the_bucket_and_back() {
    // Each on its own port: the two tests run side by side.
    let (tmp, data_dir) = shop_on_port(free_port()).await;
    let shop = Shop::open(&data_dir).unwrap();
    let guide = tmp.path().join("guide.pdf");
    std::fs::write(&guide, "The Field Guide, v1").unwrap();
    add_product(&shop, "Field Guide", "field-guide", "9.00", "5", &guide).await;
    let stored = stored_files(shop.files_dir());
    assert_eq!(stored.len(), 1, "added while the data dir is the storage");
    let s3 = S3Server::start(&["shop-files"]);

    let (_display, app) = launch(&data_dir).await;
    save_bucket(&app, &s3, SECRET_KEY).await;
    app.wait_text(
        "[data-testid=storage-result]",
        |t| t.contains("The bucket works"),
        WAIT,
    )
    .await;
    assert!(s3.objects("shop-files").is_empty(), "nothing moved yet");
    hear_transfers(&app).await;

    app.click("[data-action=storage-to-bucket]").await;
    app.wait_text(
        "[data-testid=storage-result]",
        |t| t == "Copied 1 file (19 B) to the bucket.",
        WAIT,
    )
    .await;
    assert_eq!(
        s3.objects("shop-files"),
        [format!("booth/files/{}", stored[0])]
    );
    // The window heard the upload and its read-back, each to its last byte.
    let heard = heard_until(&app, |t| t.ends_with(&[verify_done()])).await;
    assert!(
        heard.contains(&json!({"kind": "upload", "name": "guide.pdf", "done": 19, "total": 19}))
    );
    app.execute(
        "document.querySelector('[data-section=storage]').scrollIntoView({ block: 'start' });",
        json!([]),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    app.screenshot(&shots_dir().join("settings-storage-moved.png"))
        .await;

    // The copy here goes only once the seller confirms.
    app.click("[data-action=storage-free]").await;
    app.wait_for("[data-confirm=free-local]", WAIT).await;
    app.click("[data-confirm=free-local]").await;
    app.wait_text(
        "[data-testid=storage-result]",
        |t| t.contains("Deleted this computer's copies of 1 file (19 B)"),
        WAIT,
    )
    .await;
    assert!(stored_files(shop.files_dir()).is_empty());

    app.click("[data-action=storage-to-local]").await;
    app.wait_text(
        "[data-testid=storage-result]",
        |t| t.starts_with("Copied 1 file (19 B) back to this computer."),
        WAIT,
    )
    .await;
    app.wait_text(
        "[data-testid=storage-here]",
        |t| t.contains("on this computer only"),
        WAIT,
    )
    .await;
    assert_eq!(stored_files(shop.files_dir()), stored, "fetched back");
    let fetched = json!({"kind": "download", "name": "guide.pdf", "done": 19, "total": 19});
    heard_until(&app, |t| t.last() == Some(&fetched)).await;
    assert_eq!(shop.storage().await.unwrap(), None);
    app.close().await;
}

fn verify_done() -> Value {
    json!({"kind": "verify", "name": "guide.pdf", "done": 19, "total": 19})
}

/// Keeps every `transfer` event the window gets, as the progress bars hear them.
async fn hear_transfers(app: &Browser) {
    app.execute_async(
        "const done = arguments[arguments.length - 1];
         const tauri = window.__TAURI_INTERNALS__;
         window.heard = [];
         tauri.invoke('plugin:event|listen', {
           event: 'transfer', target: { kind: 'Any' },
           handler: tauri.transformCallback((e) => window.heard.push(e.payload)),
         }).then(() => done(true));",
        json!([]),
    )
    .await;
}

/// The transfers heard so far, once they satisfy `pred` (the last state of a transfer
/// may come up to a tenth of a second after the command's answer).
async fn heard_until(app: &Browser, pred: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let heard = app.execute("return window.heard;", json!([])).await;
        let heard = heard.as_array().cloned().unwrap_or_default();
        if pred(&heard) {
            return heard;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "transfer events heard: {heard:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The data dir's product files, as `xx/<sha256>`.
fn stored_files(files_dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for dir in std::fs::read_dir(files_dir).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&dir).unwrap() {
            let f = f.unwrap().path();
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            if f.is_file() && !name.starts_with('.') {
                let folder = dir.file_name().unwrap().to_string_lossy();
                found.push(format!("{folder}/{name}"));
            }
        }
    }
    found.sort();
    found
}
