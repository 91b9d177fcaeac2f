//! `booth outbox` and `booth settings`, with hostile input, and the links settings make.

use crate::common::*;

#[test]
fn outbox_and_settings_refuse_bad_input() {
    let shop = Shop::new();
    assert!(shop.ok(&["outbox"]).contains("empty"));
    for status in ["bogus", "", "SENT", "sent;drop table outbox"] {
        let err = shop.fail(&["outbox", "--status", status]);
        assert!(err.contains("--status"), "{status:?}: {err}");
    }
    let out = shop.run(&["outbox", "--limit", "lots"]);
    assert_eq!(out.status.code(), Some(2), "clap refuses a non-number");
    assert_no_panic(&String::from_utf8_lossy(&out.stderr));

    let defaults = shop.ok(&["settings"]);
    assert!(defaults.contains("store_name") && defaults.contains("public_url"));
    let long = "s".repeat(300);
    let cases: Vec<(&str, &str, &str)> = vec![
        ("nope", "x", "nope"),
        ("", "x", "key"),
        ("public_url", "ftp://x", "public_url"),
        ("public_url", "not a url", "public_url"),
        ("public_url", "http://x.com/?q=1", "public_url"),
        ("from_address", "notanemail", "email"),
        ("from_address", "a@b", "email"),
        ("from_address", "x@y.com\r\nBcc: evil@x.com", "email"),
        ("from_address", "", "email"),
        ("support_email", "nope", "email"),
        ("store_name", "", "store_name"),
        ("store_name", &long, "store_name"),
    ];
    for (key, value, expect) in cases {
        let err = shop.fail(&["settings", "set", key, value]);
        assert!(err.contains(expect), "{key} {value:?}: {err}");
        assert_eq!(shop.ok(&["settings"]), defaults, "{key} {value:?} changed");
    }

    let out = shop.ok(&["settings", "set", "store_name", "Ann's Books"]);
    assert!(out.contains("Ann's Books"), "{out}");
    shop.ok(&["settings", "set", "from_address", "shop@example.com"]);
    shop.ok(&["settings", "set", "public_url", "https://shop.example.com/"]);
    let now = shop.ok(&["settings"]);
    assert!(now.contains("shop@example.com"), "{now}");
    assert!(
        now.lines()
            .any(|l| l.starts_with("public_url")
                && l.trim_end().ends_with("https://shop.example.com")),
        "trailing slash kept: {now}"
    );
    // Links use the public URL.
    shop.add("linked", "1.00");
    let out = shop.ok(&["grant", "--product", "linked", "--email", "a@example.com"]);
    assert!(out.contains("https://shop.example.com/d/"), "{out}");
    // An empty value clears the stable address (links fall back to the tunnel's or the
    // listen address).
    let out = shop.ok(&["settings", "set", "public_url", " "]);
    assert!(out.contains("public_url     (not set"), "{out}");
    let out = shop.ok(&["grant", "--product", "linked", "--email", "b@example.com"]);
    assert!(out.contains("http://127.0.0.1:8080/d/"), "{out}");
}

#[test]
fn public_url_with_trailing_space_makes_clean_links() {
    let shop = Shop::new();
    shop.ok(&["settings", "set", "public_url", "http://x.example.com/ "]);
    shop.add("p", "1.00");
    let out = shop.ok(&["grant", "--product", "p", "--email", "a@example.com"]);
    assert!(out.contains("http://x.example.com/d/"), "{out}");
}
