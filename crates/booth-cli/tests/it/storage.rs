//! `booth storage`: set (the secret from the environment, never an argument in the test),
//! show, check and back to local, against a real S3-compatible server; a refused bucket
//! is one clear line and nothing saved. And a shop coming back from its off-site backup.

use crate::common::{ok_cmd, Shop};
use booth_testkit::s3::{S3Server, ACCESS_KEY, SECRET_KEY};
use std::process::Command;

/// `booth storage set` on the server's booth-files bucket under the prefix "booth", the
/// secret in the environment as a seller should pass it.
fn storage_set(shop: &Shop, s3: &S3Server, secret: &str) -> Command {
    let mut c = shop.cmd();
    c.env("BOOTH_STORAGE_SECRET", secret).args([
        "storage",
        "set",
        "--endpoint",
        &s3.endpoint,
        "--region",
        "us-east-1",
        "--bucket",
        "booth-files",
        "--prefix",
        "booth",
        "--access-key-id",
        ACCESS_KEY,
    ]);
    c
}

#[test]
fn a_seller_puts_the_shop_on_a_bucket_checks_it_and_goes_back() {
    let shop = Shop::new();
    let s3 = S3Server::start(&["booth-files"]);
    assert!(shop
        .ok(&["storage", "show"])
        .contains("live in the data dir"));

    let out = storage_set(&shop, &s3, "wrong-secret").output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("refused these keys"), "{err}");
    assert!(!err.contains("wrong-secret"), "the secret isn't printed");
    assert!(shop
        .ok(&["storage", "show"])
        .contains("live in the data dir"));

    let out = ok_cmd(storage_set(&shop, &s3, SECRET_KEY), &[]);
    assert!(out.contains("Saved: bucket booth-files/booth"), "{out}");
    let show = shop.ok(&["storage", "show"]);
    assert!(
        show.contains("booth-files/booth") && show.contains(&s3.endpoint),
        "{show}"
    );
    assert!(!show.contains(SECRET_KEY));
    assert!(shop.ok(&["storage", "check"]).contains("The bucket works"));
    assert!(s3.objects("booth-files").is_empty());

    assert!(shop.ok(&["storage", "local"]).contains("the data dir"));
    assert!(shop
        .fail(&["storage", "check"])
        .contains("no bucket is set"));
}

#[test]
fn a_shop_comes_back_from_its_backup_in_the_bucket() {
    let shop = Shop::new();
    let s3 = S3Server::start(&["booth-files"]);
    ok_cmd(storage_set(&shop, &s3, SECRET_KEY), &[]);
    shop.add("guide", "9.00");
    shop.grant("guide", "ann@example.com");
    let out = shop.ok(&["backup"]);
    let name = out
        .lines()
        .find_map(|l| l.strip_prefix("Copied to the bucket as "))
        .unwrap_or_else(|| panic!("no off-site copy in: {out}"))
        .trim_end_matches('.')
        .to_string();
    assert!(shop.ok(&["backup", "--list"]).contains(&name));

    // After the backup: another product and buyer, then the laptop's disk is lost.
    shop.add("course", "49.00");
    shop.grant("course", "bob@example.com");
    std::fs::remove_dir_all(shop.data_dir().join("backups")).unwrap();
    let out = shop.ok(&["restore", "--from-bucket", &name]);
    assert!(out.contains("Fetched") && out.contains("Restored"), "{out}");
    assert!(out.contains("1 purchase(s)"), "{out}");
    let slugs: Vec<String> = shop
        .products()
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["slug"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(slugs, ["guide"]);

    for bad in ["../booth.db", "booth-20200101-000000.db"] {
        let err = shop.fail(&["restore", "--from-bucket", bad]);
        assert!(err.contains("backup"), "{err}");
    }
    let none = shop.run(&["restore"]);
    assert!(!none.status.success());
    assert!(String::from_utf8_lossy(&none.stderr).contains("<BACKUP>"));
    assert!(shop.ok(&["restore", "--help"]).contains("--from-bucket"));
}
