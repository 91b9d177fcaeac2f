//! `booth storage`: set (the secret from the environment, never an argument in the test),
//! show, check and back to local, against a real S3-compatible server; a refused bucket
//! is one clear line and nothing saved. A shop coming back from its off-site backup, and
//! moving its files there (killed at random moments on the way) and back.

use crate::common::{ok_cmd, Shop};
use booth_testkit::rng::{self, Rng};
use booth_testkit::s3::{S3Server, ACCESS_KEY, SECRET_KEY};
use sha2::{Digest, Sha256};
use std::process::{Command, Stdio};
use std::time::Duration;

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
    // Moving files needs a bucket, and goes to one of two places only.
    for args in [
        &["storage", "migrate"][..],
        &["storage", "migrate", "--to", "local"],
        &["storage", "free-local"],
    ] {
        assert!(shop.fail(args).contains("no bucket is set"), "{args:?}");
    }
    let out = shop.run(&["storage", "migrate", "--to", "../elsewhere"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("[possible values: bucket, local]"));
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

/// The objects under `booth/files/` in the bucket, each checked: its name is its SHA-256.
fn files_in_bucket(s3: &S3Server) -> Vec<String> {
    let root = s3.root.path().join("booth-files");
    s3.objects("booth-files")
        .into_iter()
        .filter(|o| o.starts_with("booth/files/"))
        .inspect(|o| {
            let bytes = std::fs::read(root.join(o)).unwrap();
            let sha = hex::encode(Sha256::digest(&bytes));
            assert!(o.ends_with(&sha), "{o} holds other bytes ({sha})");
        })
        .collect()
}

#[test]
fn migrate_killed_at_random_moments_loses_and_duplicates_nothing() {
    let shop = Shop::new();
    // Two files big enough for multipart uploads (10 MiB parts), six small ones.
    for (i, size) in [21usize << 20, 11 << 20, 3, 5, 7, 11, 13, 17]
        .iter()
        .enumerate()
    {
        let bytes: Vec<u8> = (0..*size).map(|b| (b * 7 + i) as u8).collect();
        let file = shop.file(&format!("part{i}.zip"), &bytes);
        shop.ok(&[
            "product",
            "add",
            "--name",
            &format!("Part {i}"),
            "--price",
            "5.00",
            "--slug",
            &format!("part{i}"),
            "--file",
            &file,
        ]);
    }
    let s3 = S3Server::start(&["booth-files"]);
    ok_cmd(storage_set(&shop, &s3, SECRET_KEY), &[]);
    // Kill moments at random, from a printed seed (BOOTH_MIGRATE_SEED replays a run).
    let mut rng = rng::seeded("BOOTH_MIGRATE_SEED");
    for _ in 0..6 {
        let mut migrate = shop
            .cmd()
            .args(["storage", "migrate"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.random_range(20..700)));
        migrate.kill().unwrap(); // SIGKILL
        migrate.wait().unwrap();
        eprintln!("killed after {} of 8 files", files_in_bucket(&s3).len());
    }
    let out = shop.ok(&["storage", "migrate"]);
    assert!(out.contains("were there already"), "{out}");
    let out = shop.ok(&["storage", "migrate"]);
    assert!(
        out.contains("Copied 0 file(s), 0 B, to the bucket; 8 were there already"),
        "{out}"
    );
    let objects = files_in_bucket(&s3);
    assert_eq!(
        objects.len(),
        8,
        "one object per file, no more: {objects:?}"
    );

    // The data dir keeps its copies until the seller frees them; then going back to the
    // data dir needs them fetched first.
    let local = shop.data_dir().join("files");
    let out = shop.ok(&["storage", "free-local"]);
    assert!(out.contains("8 file(s)"), "{out}");
    assert!(shop
        .fail(&["storage", "local"])
        .contains("only in the bucket"));
    let out = shop.ok(&["storage", "migrate", "--to", "local"]);
    assert!(out.contains("Copied 8 file(s)"), "{out}");
    assert!(shop
        .ok(&["storage", "show"])
        .contains("live in the data dir"));
    let fetched = std::fs::read_dir(&local)
        .unwrap()
        .flatten()
        .flat_map(|d| std::fs::read_dir(d.path()).into_iter().flatten().flatten());
    assert_eq!(
        fetched
            .filter(|f| !f.file_name().to_string_lossy().starts_with('.'))
            .count(),
        8
    );
}
