//! Off-site backups in the seller's bucket (a real S3-compatible server, s3s-fs): the daily
//! backup is copied byte for byte under the prefix, the bucket keeps the same newest few,
//! a copy comes back only under a backup's own name, owner-only, and a bucket that is down
//! leaves the local backup standing.

use booth_testkit::app::*;
use booth_testkit::s3::S3Server;
use std::os::unix::fs::PermissionsExt;

#[tokio::test]
async fn the_daily_backup_goes_to_the_bucket_and_comes_back_from_it() {
    let app = spawn_app().await;
    let s3 = S3Server::start(&["booth-files"]);
    app.on_bucket(&s3).await;
    app.add_product("guide", "9.00", "5", &[("guide.pdf", b"%PDF guide")])
        .await;
    let shop = app.shop();
    // Today's was made when the shop started, before the bucket was set: as tomorrow's.
    std::fs::remove_dir_all(shop.data_dir().join("backups")).unwrap();
    let local = shop.daily_backup().await.unwrap().expect("today's backup");
    let name = local
        .path
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let backups: Vec<String> = s3
        .objects("booth-files")
        .into_iter()
        .filter(|o| !o.starts_with("mine/files/"))
        .collect();
    assert_eq!(backups, [format!("mine/backups/{name}")]);
    let copied =
        std::fs::read(s3.root.path().join("booth-files/mine/backups").join(&name)).unwrap();
    assert_eq!(copied, std::fs::read(&local.path).unwrap(), "byte for byte");

    let bucket = shop.bucket().await.unwrap().unwrap();
    let listed = bucket.backups().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].name.as_str(), listed[0].bytes),
        (name.as_str(), copied.len() as u64)
    );

    let dir = tempfile::tempdir().unwrap();
    let back = bucket.download_backup(&name, dir.path()).await.unwrap();
    assert_eq!(std::fs::read(&back).unwrap(), copied);
    let mode = std::fs::metadata(&back).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "every buyer's address is in it");

    for bad in [
        "../booth.db",
        "booth-x.db",
        "",
        "mine/backups/x",
        &"b".repeat(5000),
    ] {
        let e = bucket.download_backup(bad, dir.path()).await.unwrap_err();
        assert_eq!(e.code(), "invalid_input", "{bad:?}: {e}");
    }
    let e = bucket
        .download_backup("booth-20200101-000000.db", dir.path())
        .await
        .unwrap_err();
    assert_eq!(e.code(), "not_found", "{e}");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no partial left"
    );
}

#[tokio::test]
async fn the_bucket_keeps_the_newest_few_and_a_bucket_that_is_down_leaves_the_local_copy() {
    let app = spawn_app().await;
    let mut s3 = S3Server::start(&["booth-files"]);
    app.on_bucket(&s3).await;
    let shop = app.shop();
    let bucket = shop.bucket().await.unwrap().unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Someone else's object in the folder is left alone.
    std::fs::create_dir_all(s3.root.path().join("booth-files/mine/backups")).unwrap();
    std::fs::write(
        s3.root.path().join("booth-files/mine/backups/notes.txt"),
        b"mine",
    )
    .unwrap();
    for day in ["20261201", "20261202", "20261203"] {
        let path = dir.path().join(format!("booth-{day}-120000.db"));
        std::fs::write(&path, day.repeat(1000)).unwrap();
        bucket.upload_backup(&path, 2).await.unwrap();
    }
    let names: Vec<String> = bucket
        .backups()
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.name)
        .collect();
    assert_eq!(
        names,
        ["booth-20261203-120000.db", "booth-20261202-120000.db"]
    );
    assert!(s3
        .objects("booth-files")
        .contains(&"mine/backups/notes.txt".to_string()));
    let e = bucket
        .upload_backup(&dir.path().join("notes.db"), 2)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "invalid_input");

    s3.stop();
    let (local, offsite) = shop.backup_now().await.unwrap();
    assert!(local.path.exists(), "the local backup stands");
    let e = offsite.expect("a bucket is set").unwrap_err();
    assert!(
        e.to_string().contains("can't reach") || e.to_string().contains("failed"),
        "{e}"
    );
}
