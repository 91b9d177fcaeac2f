//! `booth license` and `--licenses`: keys come with purchases of a product that gives
//! them, the seller lists, limits, disables and enables them, and bad input is refused
//! with one clean line and nothing recorded.

use crate::common::Shop;

#[test]
fn keys_come_with_purchases_and_the_seller_manages_them() {
    let shop = Shop::new();
    let file = shop.file("app.zip", b"PK app");
    for (flag, says) in [
        ("0", "1 to 1000 activations"),
        ("1001", "1 to 1000 activations"),
        ("two", "1 to 1000 activations"),
    ] {
        let err = shop.fail(&[
            "product",
            "add",
            "--name",
            "App",
            "--price",
            "29",
            "--file",
            &file,
            "--licenses",
            flag,
        ]);
        assert!(err.contains(says), "{flag}: {err}");
    }
    assert_eq!(
        shop.products().as_array().unwrap().len(),
        0,
        "nothing added"
    );
    shop.ok(&[
        "product",
        "add",
        "--name",
        "App",
        "--slug",
        "app",
        "--price",
        "29",
        "--file",
        &file,
        "--licenses",
        "2",
    ]);
    assert_eq!(shop.products()[0]["license_activations"], 2);
    assert!(shop
        .fail(&["product", "edit", "app", "--licenses=-1"])
        .contains("1 to 1000 activations"));
    assert_eq!(shop.products()[0]["license_activations"], 2, "unchanged");

    shop.ok(&["grant", "--product", "app", "--email", "dev@example.com"]);
    let list = shop.json(&["license", "list", "--json"]);
    let key = list[0]["key"].as_str().unwrap().to_string();
    assert_eq!(list[0]["activation_limit"], 2);
    assert_eq!(list[0]["email"], "dev@example.com");
    let purchases = shop.json(&["purchases", "--json"]);
    let token = purchases[0]["token"].as_str().unwrap();
    let shown = shop.ok(&["purchase", "show", token]);
    assert!(
        shown.contains(&format!("key {key}: 0 of 2 activations")),
        "{shown}"
    );

    // Keys are read in any case; the limit and the switch.
    let lower = key.to_lowercase();
    assert!(shop
        .ok(&["license", "limit", &lower, "3"])
        .contains("0 of 3 activations"));
    assert!(shop
        .ok(&["license", "disable", &key])
        .contains("fails validation"));
    let l = shop.json(&["license", "show", &key, "--json"]);
    assert_eq!(
        (l["disabled"].clone(), l["refusal"].clone()),
        (true.into(), "disabled".into())
    );
    shop.ok(&["license", "enable", &key]);
    assert_eq!(
        shop.json(&["license", "show", &key, "--json"])["refusal"],
        serde_json::Value::Null
    );

    // A product stops giving keys for new purchases; the old key stays.
    shop.ok(&["product", "edit", "app", "--licenses", "off"]);
    shop.ok(&["grant", "--product", "app", "--email", "late@example.com"]);
    assert_eq!(
        shop.json(&["license", "list", "--json"])
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let pk = shop.ok(&["license", "public-key"]);
    assert_eq!(pk.trim().len(), 44, "32 bytes in base64: {pk}");
    assert_eq!(shop.ok(&["license", "public-key"]), pk, "one key per shop");
}

#[test]
fn hostile_license_commands_are_refused_cleanly() {
    let shop = Shop::new();
    shop.add("book", "9");
    let stranger = "5bad9d2e-9a11-4e71-93e5-f71663b81065";
    let huge = "A".repeat(100_000);
    for (args, says) in [
        (vec!["show", "not-a-key"], "a license key is 36 characters"),
        (vec!["show", &huge], "a license key is 36 characters"),
        (vec!["show", stranger], "no license key"),
        (vec!["disable", stranger], "no license key"),
        (vec!["limit", stranger, "0"], "1 to 1000"),
        (vec!["limit", stranger, "2"], "no license key"),
        (vec!["free", "../../etc/passwd"], "instance id"),
        (vec!["free", stranger], "no activation"),
        (
            vec!["list", "--product", "nope"],
            "no product with the slug 'nope'",
        ),
        (vec!["verify", "/nonexistent/license.json"], "can't open"),
    ] {
        let mut all = vec!["license"];
        all.extend(args.iter().copied());
        let err = shop.fail(&all);
        assert!(err.contains(says), "{args:.60?}: {err}");
    }
    // Files that aren't license files: garbage, a forged signature, something huge.
    let garbage = shop.file("garbage.json", b"{\"payload\": 1}");
    let forged = shop.file(
        "forged.json",
        br#"{"payload": "eyJmb3JtYXQiOiJib290aC1saWNlbnNlLTEifQ==", "signature": "AAAA", "key_id": "x"}"#,
    );
    let big = shop.file("big.json", &vec![b' '; 1 << 20]);
    for (path, says) in [
        (&garbage, "not a Booth license file"),
        (&forged, "signature is not 64 bytes"),
        (&big, "far too big"),
    ] {
        let err = shop.fail(&["license", "verify", path]);
        assert!(err.contains(says), "{path}: {err}");
    }
    assert_eq!(
        shop.json(&["license", "list", "--json"])
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

#[test]
fn new_versions_take_release_notes_and_the_feed_keys_are_printed() {
    let shop = Shop::new();
    shop.add("app", "9");
    let v2 = shop.file("app-v2.pdf", b"%PDF v2");
    let notes = shop.file("notes.txt", "Faster.\n\nFixes the crash.".as_bytes());
    let long = shop.file("long.txt", "x".repeat(10_001).as_bytes());
    let args = |extra: &[&str]| {
        let mut a = vec!["product", "new-version", "app", "--file", "app.pdf", &v2];
        a.extend_from_slice(extra);
        a.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    for (extra, says) in [
        (
            vec!["--notes-file", long.as_str()],
            "at most 10,000 characters",
        ),
        (vec!["--notes", "bell\u{7}"], "at most 10,000 characters"),
        (vec!["--notes-file", "/nonexistent/notes"], "can't open"),
    ] {
        let a = args(&extra);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        assert!(shop.fail(&a).contains(says), "{extra:?}");
    }
    assert_eq!(
        shop.products()[0]["files"][0]["versions"],
        1,
        "no version made"
    );
    let a = args(&["--notes-file", notes.as_str()]);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    shop.ok(&a);
    assert_eq!(
        shop.products()[0]["files"][0]["notes"],
        "Faster.\n\nFixes the crash."
    );

    let keys = shop.json(&["feed", "keys", "--json"]);
    assert_eq!(keys["sparkle"].as_str().unwrap().len(), 44);
    assert!(keys["minisign"]
        .as_str()
        .unwrap()
        .starts_with("untrusted comment: minisign public key "));
    assert_ne!(
        keys["sparkle"],
        shop.ok(&["license", "public-key"]).trim(),
        "updates and licenses have keys of their own"
    );
    assert!(shop
        .ok(&["feed", "urls", "app"])
        .contains("/feeds/app/appcast.xml?key="));
    assert!(shop
        .fail(&["feed", "urls", "nope"])
        .contains("no product with the slug 'nope'"));
}
