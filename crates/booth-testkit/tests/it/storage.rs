//! The storage setting against a real S3-compatible server (s3s-fs on loopback, checking
//! every signature): a bucket is saved only once a probe was written, read back and
//! deleted, leaving nothing behind; wrong keys, a missing bucket, a server that is down and
//! a malformed setting are each a clear error with nothing saved.

use booth_core::secrets;
use booth_core::storage::StorageInput;
use booth_testkit::app::*;
use booth_testkit::s3::{S3Server, ACCESS_KEY, SECRET_KEY};

fn input(s3: &S3Server, bucket: &str) -> StorageInput {
    StorageInput {
        endpoint: s3.endpoint.clone(),
        region: "us-east-1".into(),
        bucket: bucket.into(),
        prefix: "shops/mine".into(),
        access_key_id: ACCESS_KEY.into(),
    }
}

#[tokio::test]
async fn a_bucket_is_saved_once_it_worked_and_the_probe_leaves_nothing() {
    let app = spawn_app().await;
    let shop = app.shop();
    let s3 = S3Server::start(&["booth-files"]);
    assert_eq!(
        shop.storage().await.unwrap(),
        None,
        "the data dir by default"
    );

    let spec = shop
        .set_storage(&input(&s3, "booth-files"), Some(SECRET_KEY))
        .await
        .unwrap();
    assert_eq!(spec.prefix, "shops/mine");
    assert_eq!(shop.storage().await.unwrap(), Some(spec.clone()));
    assert!(
        s3.objects("booth-files").is_empty(),
        "the probe was deleted"
    );
    // The secret is with the other secrets, never in the database.
    let saved = secrets::load(shop.data_dir()).unwrap();
    assert_eq!(saved.storage_secret.unwrap().expose(), SECRET_KEY);
    let settings = shop
        .db()
        .run(|c| {
            Ok(
                c.query_row("SELECT group_concat(value) FROM settings", [], |r| {
                    r.get::<_, String>(0)
                })?,
            )
        })
        .await
        .unwrap();
    assert!(!settings.contains(SECRET_KEY));

    assert_eq!(shop.check_storage().await.unwrap(), spec);
    // Changing the prefix without retyping the secret keeps the saved one.
    let mut other = input(&s3, "booth-files");
    other.prefix = "/elsewhere/".into();
    let spec = shop.set_storage(&other, None).await.unwrap();
    assert_eq!(spec.prefix, "elsewhere");

    shop.use_local_storage().await.unwrap();
    assert_eq!(shop.storage().await.unwrap(), None);
    assert!(secrets::load(shop.data_dir())
        .unwrap()
        .storage_secret
        .is_none());
    let e = shop.check_storage().await.unwrap_err();
    assert_eq!(e.code(), "not_found");
}

#[tokio::test]
async fn wrong_keys_a_missing_bucket_and_a_server_that_is_down_save_nothing() {
    let app = spawn_app().await;
    let shop = app.shop();
    let mut s3 = S3Server::start(&["booth-files"]);

    let e = shop
        .set_storage(&input(&s3, "booth-files"), Some("not-the-secret"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "storage");
    assert!(e.to_string().contains("refused these keys"), "{e}");

    let e = shop
        .set_storage(&input(&s3, "no-such-bucket"), Some(SECRET_KEY))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "storage");
    assert!(e.to_string().contains("there is no bucket"), "{e}");
    assert!(
        !s3.root.path().join("no-such-bucket").exists(),
        "nothing made"
    );
    assert_eq!(shop.storage().await.unwrap(), None);
    assert!(secrets::load(shop.data_dir())
        .unwrap()
        .storage_secret
        .is_none());

    // A bucket that worked stays saved when the service goes away; its check says why.
    let spec = shop
        .set_storage(&input(&s3, "booth-files"), Some(SECRET_KEY))
        .await
        .unwrap();
    s3.stop();
    let e = shop.check_storage().await.unwrap_err();
    assert!(e.to_string().contains("can't reach"), "{e}");
    let mut moved = input(&s3, "booth-files");
    moved.prefix = "moved".into();
    let e = shop
        .set_storage(&moved, Some(SECRET_KEY))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("can't reach"), "{e}");
    assert_eq!(
        shop.storage().await.unwrap(),
        Some(spec),
        "the working one is kept"
    );
}

#[tokio::test]
async fn a_malformed_setting_is_refused_field_by_field_before_anything_is_tried() {
    let app = spawn_app().await;
    let shop = app.shop();
    let long = "x".repeat(5000);
    let base = StorageInput {
        endpoint: "https://s3.us-east-1.amazonaws.com".into(),
        region: "us-east-1".into(),
        bucket: "booth-files".into(),
        prefix: String::new(),
        access_key_id: "AKIAEXAMPLE".into(),
    };
    type Edit = fn(&mut StorageInput, &str);
    let cases: Vec<(&str, Edit, Vec<&str>)> = vec![
        (
            "endpoint",
            |i, v| i.endpoint = v.into(),
            vec![
                "",
                "ftp://s3.example.com",
                "http://s3.example.com",
                "https://user:pw@s3.example.com",
                "https://s3.example.com/?x=1",
                "s3.example.com",
                &long,
            ],
        ),
        (
            "region",
            |i, v| i.region = v.into(),
            vec!["", "us east", "us-east-1\nx", &long],
        ),
        (
            "bucket",
            |i, v| i.bucket = v.into(),
            vec!["", "ab", "Booth", "a..b", "-booth", "booth_files", &long],
        ),
        (
            "prefix",
            |i, v| i.prefix = v.into(),
            vec!["../up", "a//b", "a/./b", "sp ace", "tab\there", &long],
        ),
        (
            "access_key_id",
            |i, v| i.access_key_id = v.into(),
            vec!["", "AKIA EXAMPLE", "AKIA\0", &long],
        ),
    ];
    for (field, edit, values) in cases {
        for v in values {
            let mut i = base.clone();
            edit(&mut i, v);
            let e = shop.set_storage(&i, Some("secret")).await.unwrap_err();
            assert_eq!(e.code(), "invalid_input", "{field} {v:?}: {e}");
            assert!(
                e.to_string().starts_with(&format!("{field}:")),
                "{field} {v:?}: {e}"
            );
            assert!(e.to_string().len() < 300, "the input isn't echoed: {e}");
        }
    }
    for secret in ["", "two\nlines", &long] {
        let e = shop.set_storage(&base, Some(secret)).await.unwrap_err();
        assert!(e.to_string().starts_with("secret_access_key:"), "{e}");
    }
    assert_eq!(shop.storage().await.unwrap(), None);
}
