//! Update feeds, read as the updaters read them: a Sparkle appcast by sparkle_check.py
//! (written from Sparkle's documented scheme, the signature checked with Python's
//! `cryptography`), a Tauri updater answer checked with the real `minisign`, and the JSON
//! feed. Downloads through a feed are the purchase's own, counted the same.

use booth_core::catalog::ProductEditInput;
use booth_testkit::app::*;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::process::Stdio;
use tokio::process::Command;

const MAC: &[u8] = b"MAC APP v1";
const WIN: &[u8] = b"WINDOWS APP v1";

/// A product with a Mac and a Windows file, its license keys for 2 computers, bought:
/// the purchase's token and key.
async fn bought(app: &TestApp, email: &str) -> (String, String) {
    if app.shop().product("app").await.unwrap().is_none() {
        app.add_product(
            "app",
            "19.00",
            "3",
            &[
                ("MyApp-darwin-aarch64.tar.gz", MAC),
                ("MyApp-windows-x86_64.msi", WIN),
            ],
        )
        .await;
        let edit = ProductEditInput {
            licenses: Some("2".into()),
            ..Default::default()
        };
        app.shop().edit_product_input("app", edit).await.unwrap();
    }
    let token = app.complete(&app.buy_and_pay("app", email).await).await;
    let key = app.purchase(&token).await.items[0]
        .license
        .clone()
        .unwrap()
        .key;
    (token, key)
}

async fn run(program: &str, args: &[&str]) -> Result<String, String> {
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap_or_else(|e| panic!("{program} runs: {e}"));
    let text = |b: &[u8]| String::from_utf8_lossy(b).trim().to_string();
    if out.status.success() {
        Ok(text(&out.stdout))
    } else {
        Err(format!("{}{}", text(&out.stdout), text(&out.stderr)))
    }
}

async fn json(app: &TestApp, path: &str) -> (u16, Value) {
    let res = app.get(path).await;
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

#[tokio::test]
async fn sparkle_and_tauri_updaters_get_signed_versions_and_downloads_count() {
    let app = spawn_app().await;
    let (token, key) = bought(&app, "mac@example.com").await;
    let v2 = app.data_dir.path().join("MyApp-v2.tar.gz");
    std::fs::write(&v2, b"MAC APP v2, faster").unwrap();
    let notes = "Faster sync.\n\nFixes a crash when <offline> & \"quiet\".";
    app.shop()
        .new_version(
            "app",
            "MyApp-darwin-aarch64.tar.gz",
            v2,
            Some("2.1".into()),
            notes,
        )
        .await
        .unwrap();
    let keys = app.shop().update_keys().await.unwrap();

    // The JSON feed: every version, newest first, notes and hashes; links for the newest.
    let (status, feed) = json(&app, &format!("/feeds/app/versions.json?key={key}")).await;
    assert_eq!(status, 200, "{feed}");
    let versions = feed["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 3);
    assert_eq!(versions[0]["version"], "2.1");
    assert_eq!(versions[0]["notes"], notes);
    assert_eq!(versions[0]["latest"], true);
    assert_eq!(
        versions[0]["sha256"],
        hex::encode(Sha256::digest(b"MAC APP v2, faster"))
    );
    let old = versions
        .iter()
        .find(|v| v["version"] == "1" && v["file"] == "MyApp-darwin-aarch64.tar.gz")
        .unwrap();
    assert_eq!(
        (old["latest"].clone(), old["url"].clone()),
        (false.into(), Value::Null)
    );

    // Sparkle: the appcast's enclosure, downloaded and checked against SUPublicEDKey.
    let appcast = app.url(&format!("/feeds/app/appcast.xml?key={key}&file=darwin"));
    let checked: Value = serde_json::from_str(
        &run(
            "python3",
            &[
                concat!(env!("CARGO_MANIFEST_DIR"), "/sparkle_check.py"),
                &appcast,
                &keys.sparkle,
            ],
        )
        .await
        .unwrap(),
    )
    .unwrap();
    assert_eq!(checked["version"], "2.1");
    assert_eq!(checked["notes"], notes, "notes survive XML escaping");
    assert_eq!(
        checked["sha256"],
        hex::encode(Sha256::digest(b"MAC APP v2, faster"))
    );

    // Tauri: the endpoint with {{target}}-{{arch}} filled in, checked with minisign.
    let (status, tauri) = json(&app, &format!("/feeds/app/tauri/windows-x86_64?key={key}")).await;
    assert_eq!(status, 200, "{tauri}");
    assert_eq!(tauri["version"], "1.0.0");
    let (_, mac) = json(
        &app,
        &format!("/feeds/app/tauri/darwin-aarch64?token={token}"),
    )
    .await;
    assert_eq!(
        (mac["version"].clone(), mac["notes"].clone()),
        ("2.1.0".into(), notes.into())
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("update.tar.gz");
    let url = mac["url"].as_str().unwrap();
    let got = app.http.get(url).send().await.unwrap();
    assert_eq!(got.status(), 200);
    std::fs::write(&file, got.bytes().await.unwrap()).unwrap();
    let sig = dir.path().join("update.tar.gz.minisig");
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    std::fs::write(
        &sig,
        b64.decode(mac["signature"].as_str().unwrap()).unwrap(),
    )
    .unwrap();
    let pubkey = dir.path().join("shop.pub");
    std::fs::write(&pubkey, b64.decode(&keys.tauri).unwrap()).unwrap();
    assert_eq!(std::fs::read_to_string(&pubkey).unwrap(), keys.minisign);
    let (f, p, s) = (
        file.to_str().unwrap(),
        pubkey.to_str().unwrap(),
        sig.to_str().unwrap(),
    );
    let ok = run("minisign", &["-V", "-m", f, "-p", p, "-x", s])
        .await
        .unwrap();
    assert!(
        ok.contains("Signature and comment signature verified"),
        "{ok}"
    );
    assert!(
        ok.contains("version:2.1"),
        "the trusted comment names the version: {ok}"
    );
    std::fs::write(&file, b"MAC APP v2, faster!").unwrap();
    assert!(run("minisign", &["-V", "-m", f, "-p", p, "-x", s])
        .await
        .is_err());

    // Those were downloads of the purchase: two of the Mac file's three, by two updaters.
    let p = app.purchase(&token).await;
    let mac_file = p.items[0]
        .files
        .iter()
        .find(|f| f.file.display_name.contains("darwin"))
        .unwrap();
    assert_eq!(mac_file.downloads_used, 2);
    assert_eq!(app.get(&url.replace(&app.base, "")).await.status(), 200);
    assert_eq!(
        app.get(&url.replace(&app.base, "")).await.status(),
        410,
        "the limit holds"
    );

    // The update mailing quotes the notes.
    let preview = app
        .shop()
        .preview_mailing(booth_core::shop::MailingRequest {
            product: "app".into(),
            message: "Version 2.1 is out.".into(),
            // The simulator's purchases are test purchases.
            include_test: true,
            ..Default::default()
        })
        .await
        .unwrap();
    let (text, html) = preview.sample.unwrap();
    assert!(
        text.contains("Faster sync.") && text.contains("Fixes a crash"),
        "{text}"
    );
    assert!(
        html.contains("Fixes a crash when &lt;offline&gt;"),
        "{html}"
    );
}

#[tokio::test]
async fn feeds_refuse_what_gives_no_access_and_a_refund_ends_them() {
    let app = spawn_app().await;
    let (token, key) = bought(&app, "a@example.com").await;
    app.add_product("other", "5.00", "3", &[("other.zip", b"PK")])
        .await;
    let other_token = app.grant_token("other").await;
    let forged = uuid::Uuid::new_v4().to_string();
    for (path, status, says) in [
        (
            "/feeds/app/versions.json".to_string(),
            400,
            "needs a license key",
        ),
        (
            format!("/feeds/app/versions.json?key={}", &key[..20]),
            400,
            "license_key:",
        ),
        (
            format!("/feeds/app/versions.json?key={forged}"),
            404,
            "No purchase",
        ),
        (
            format!("/feeds/app/versions.json?token={other_token}"),
            404,
            "No purchase",
        ),
        (
            format!("/feeds/other/versions.json?key={key}"),
            404,
            "No purchase",
        ),
        (
            format!("/feeds/nope/versions.json?key={key}"),
            404,
            "No purchase",
        ),
        (
            format!("/feeds/app/versions.json?token={}", "f".repeat(5000)),
            400,
            "token:",
        ),
        (
            format!("/feeds/app/tauri/MyApp?key={key}"),
            404,
            "named like",
        ),
        (
            format!("/feeds/app/tauri/..%2F..%2Fetc?key={key}"),
            404,
            "named like",
        ),
        (
            format!("/feeds/app/appcast.xml?key={key}&file=linux"),
            404,
            "named like",
        ),
        (format!("/feeds/app/download/999?key={key}"), 404, ""),
        (format!("/feeds/app/latest.yml?key={key}"), 404, "A feed is"),
        (
            format!("/feeds/app/download/1?key={forged}"),
            404,
            "No purchase",
        ),
    ] {
        let res = app.get(&path).await;
        assert_eq!(res.status().as_u16(), status, "{path}");
        let body = res.text().await.unwrap();
        assert!(body.contains(says), "{path}: {body}");
    }
    let p = app.purchase(&token).await;
    assert!(
        p.items[0].files.iter().all(|f| f.downloads_used == 0),
        "nothing counted"
    );

    app.shop().set_license_disabled(&key, true).await.unwrap();
    let (status, v) = json(&app, &format!("/feeds/app/versions.json?key={key}")).await;
    assert_eq!(
        (status, v["error"].as_str().unwrap()),
        (403, "This license key has been disabled by the seller.")
    );
    assert_eq!(
        json(&app, &format!("/feeds/app/versions.json?token={token}"))
            .await
            .0,
        200
    );
    app.shop().refund(&token, None).await.unwrap();
    let (status, v) = json(&app, &format!("/feeds/app/versions.json?token={token}")).await;
    assert_eq!(
        (status, v["error"].as_str().unwrap()),
        (403, "This purchase was refunded.")
    );
    assert_eq!(
        app.get(&format!("/feeds/app/download/1?token={token}"))
            .await
            .status(),
        403
    );
}
