//! `booth grant`, `booth purchases` and `booth purchase …`, and the CSV export.

use crate::common::*;
use serde_json::Value;
use std::fs;
use std::path::PathBuf;

/// Splits one CSV record (quotes, doubled quotes) into cells.
fn csv_cells(line: &str) -> Vec<String> {
    let mut cells = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                cells.last_mut().expect("cell").push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => cells.push(String::new()),
            (c, _) => cells.last_mut().expect("cell").push(c),
        }
    }
    assert!(!quoted, "unterminated quote in CSV line {line:?}");
    cells
}

#[test]
fn purchases_take_the_window_filter_bar_as_flags() {
    let shop = Shop::new();
    shop.add("gift", "9.99");
    shop.add("second", "1.00");
    let ada = shop.grant("gift", "ada@example.com");
    let bob = shop.grant("second", "bob_smith@example.org");
    shop.ok(&["purchase", "revoke", &bob]);
    let tokens = |flags: &[&str]| -> Vec<String> {
        let args = [&["purchases", "--json"], flags].concat();
        let list = shop.json(&args);
        let list = list.as_array().expect("array");
        list.iter()
            .map(|p| p["token"].as_str().unwrap().to_string())
            .collect()
    };
    let none: Vec<String> = Vec::new();
    assert_eq!(tokens(&[]), [bob.as_str(), ada.as_str()]);
    assert_eq!(tokens(&["--search", "ADA@"]), [ada.as_str()]);
    assert_eq!(tokens(&["--search", "b_s"]), [bob.as_str()]);
    assert_eq!(tokens(&["--search", "%"]), none);
    assert_eq!(tokens(&["--search", &ada]), [ada.as_str()]);
    assert_eq!(tokens(&["--product", "second"]), [bob.as_str()]);
    assert_eq!(tokens(&["--status", "revoked"]), [bob.as_str()]);
    assert_eq!(
        tokens(&["--status", "paid", "--source", "grant"]),
        [ada.as_str()]
    );
    assert_eq!(tokens(&["--source", "checkout"]), none);
    assert_eq!(tokens(&["--live", "--from", "2000-01-01"]).len(), 2);
    assert_eq!(tokens(&["--test"]), none);
    assert_eq!(tokens(&["--to", "2000-01-01"]), none);
    let text = shop.ok(&["purchases", "--status", "refunded"]);
    assert!(text.contains("No purchases match"), "{text}");

    // Refused as the window's bar is, naming the flag; nothing listed.
    let long = "x".repeat(10_000);
    for (args, flag) in [
        (vec!["--status", "lost"], "--status"),
        (vec!["--source", "stolen"], "--source"),
        (vec!["--from", "2026-13-01"], "--from"),
        (vec!["--from", "2026-02-01", "--to", "2026-01-01"], "--to"),
        (vec!["--product", "Not A Slug"], "--product"),
        (vec!["--search", long.as_str()], "--search"),
        (vec!["--search", "line\nbreak"], "--search"),
    ] {
        let err = shop.fail(&[&["purchases"][..], &args].concat());
        assert!(err.contains(flag), "{args:?}: {err}");
    }
    for args in [
        &["purchases", "--email", "a@example.com", "--status", "paid"][..],
        &["purchases", "--test", "--live"],
    ] {
        let out = shop.run(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && err.contains("cannot be used with"),
            "{err}"
        );
    }
}

#[test]
fn grant_and_manage_a_purchase() {
    let shop = Shop::new();
    shop.add("gift", "9.99");
    shop.add("second", "1.00");
    assert!(shop.ok(&["purchases"]).contains("No purchases yet"));

    let token = shop.grant("gift", "Buyer@Example.COM");
    let eml_after_grant = shop.eml_files();
    assert_eq!(eml_after_grant.len(), 1, "the grant's receipt is written");
    let receipt = fs::read_to_string(&eml_after_grant[0]).expect("eml");
    assert!(receipt.contains(&token), "receipt lacks the link");
    let other = shop.grant("second", "someone@example.org");

    let list = shop.ok(&["purchases"]);
    assert!(list.contains(&token) && list.contains(&other), "{list}");
    assert!(list.contains("comp"), "{list}");
    let mine = shop.json(&["purchases", "--json", "--email", "Buyer@example.com"]);
    let mine = mine.as_array().expect("array");
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert_eq!(mine[0]["token"], token.as_str());
    let text = shop.ok(&["purchases", "--email", "Buyer@example.com"]);
    assert!(text.contains(&token) && !text.contains(&other), "{text}");

    let all = shop.purchases();
    let all = all.as_array().expect("array");
    assert_eq!(all.len(), 2);
    let p = all
        .iter()
        .find(|p| p["token"] == token.as_str())
        .expect("granted purchase");
    assert_eq!(p["source"], "grant");
    assert_eq!(p["amount_minor"], 0);
    assert_eq!(p["status"], "paid");
    assert_eq!(p["email"], "Buyer@example.com");
    assert_eq!(p["items"][0]["product_slug"], "gift");

    // show
    let shown = shop.ok(&["purchase", "show", &token]);
    assert!(shown.contains(&format!("/d/{token}")), "{shown}");
    assert!(
        shown.contains("gift.pdf") && shown.contains("5 left"),
        "{shown}"
    );
    let d = shop.show(&token);
    assert_eq!(d["purchase"]["token"], token.as_str());
    assert!(d["url"]
        .as_str()
        .expect("url")
        .ends_with(&format!("/d/{token}")));
    assert_eq!(d["downloads"], serde_json::json!([]));
    assert_eq!(d["purchase"]["items"][0]["download_limit"], 5);

    // reset-downloads, set-limit
    let out = shop.ok(&["purchase", "reset-downloads", &token]);
    assert!(out.contains(&token), "{out}");
    assert_eq!(
        shop.show(&token)["purchase"]["items"][0]["files"][0]["downloads_used"],
        0
    );
    shop.ok(&["purchase", "set-limit", &token, "3"]);
    let d = shop.show(&token);
    assert_eq!(d["purchase"]["items"][0]["download_limit"], 3);
    assert_eq!(d["purchase"]["items"][0]["files"][0]["downloads_left"], 3);
    for bad in ["0", "lots", "-1", "", "1000001"] {
        let err = shop.fail(&["purchase", "set-limit", &token, "--", bad]);
        assert!(err.contains("limit"), "{bad:?}: {err}");
        assert_eq!(
            shop.show(&token)["purchase"]["items"][0]["download_limit"],
            3
        );
    }
    shop.ok(&["purchase", "set-limit", &token, "unlimited"]);
    assert_eq!(
        shop.show(&token)["purchase"]["items"][0]["download_limit"],
        Value::Null
    );

    // resend: with no SMTP, a new .eml in the outbox folder holds the link.
    let before = shop.eml_files();
    let out = shop.ok(&["purchase", "resend", &token]);
    assert!(out.contains("Buyer@example.com"), "{out}");
    let after = shop.eml_files();
    assert_eq!(after.len(), before.len() + 1, "no new .eml: {after:?}");
    let new: Vec<&PathBuf> = after.iter().filter(|p| !before.contains(p)).collect();
    let mail = fs::read_to_string(new[0]).expect("eml");
    assert!(mail.contains(&format!("/d/{token}")), "mail lacks link");
    assert!(mail.contains("Buyer@example.com"), "mail lacks recipient");
    let outbox = shop.json(&["outbox", "--json"]);
    assert_eq!(outbox.as_array().expect("array").len(), 3);
    assert!(shop.ok(&["outbox", "--status", "sent"]).contains("receipt"));
    assert!(shop.ok(&["outbox", "--status", "failed"]).contains("empty"));

    // revoke one product that isn't in it, then the whole purchase
    let err = shop.fail(&["purchase", "revoke", &token, "--product", "second"]);
    assert!(err.contains("second"), "{err}");
    assert_eq!(shop.show(&token)["purchase"]["status"], "paid");
    let out = shop.ok(&["purchase", "revoke", &token]);
    assert!(out.contains("revoked"), "{out}");
    assert_eq!(shop.show(&token)["purchase"]["status"], "revoked");
    // Per product on the other purchase.
    shop.ok(&["purchase", "revoke", &other, "--product", "second"]);
    let o = shop.show(&other);
    assert_eq!(o["purchase"]["items"][0]["revoked"], true);

    // A complimentary copy has nothing to refund; it's an error either way.
    shop.fail(&["purchase", "refund", &other]);

    // export
    let csv = shop.ok(&["export", "purchases", "--csv"]);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "header + 2 rows: {csv}");
    let header = csv_cells(lines[0]);
    assert_eq!(header[0], "created_at");
    assert!(header.contains(&"token".to_string()) && header.contains(&"email".to_string()));
    let email_col = header.iter().position(|h| h == "email").expect("email col");
    let token_col = header.iter().position(|h| h == "token").expect("token col");
    let status_col = header.iter().position(|h| h == "status").expect("status");
    for l in &lines[1..] {
        let cells = csv_cells(l);
        assert_eq!(cells.len(), header.len(), "row {l:?}");
    }
    let row = lines[1..]
        .iter()
        .map(|l| csv_cells(l))
        .find(|c| c[token_col] == token)
        .expect("row for the grant");
    assert_eq!(row[email_col], "Buyer@example.com");
    assert_eq!(row[status_col], "revoked");

    let out_path = shop.dir.path().join("export.csv");
    let printed = shop.ok(&[
        "export",
        "purchases",
        "-o",
        out_path.to_str().expect("utf-8"),
    ]);
    // Not the CSV again: one line saying where it went, in full.
    let full = out_path.canonicalize().expect("export file");
    assert_eq!(
        printed.trim_end(),
        format!("Saved 2 purchases to {}", full.display())
    );
    assert_eq!(fs::read_to_string(&out_path).expect("export file"), csv);
    let bad_out = shop.dir.path().join("no/such/dir/x.csv");
    let err = shop.fail(&[
        "export",
        "purchases",
        "-o",
        bad_out.to_str().expect("utf-8"),
    ]);
    assert!(err.contains("can't write"), "{err}");
}

#[test]
fn grant_refuses_bad_email_and_unknown_product() {
    let shop = Shop::new();
    shop.add("gift", "2.00");
    let long_email = format!("{}@example.com", "a".repeat(300));
    let cases: Vec<(&str, &str, &str)> = vec![
        ("gift", "a@b", "email"),
        ("gift", "x@y.com\r\nBcc: evil@x.com", "email"),
        ("gift", "x@y.com\nBcc: evil@x.com", "email"),
        ("gift", "", "email"),
        ("gift", "no-at-sign", "email"),
        ("gift", "<a@example.com>", "email"),
        ("gift", "a b@example.com", "email"),
        ("gift", &long_email, "email"),
        ("nope", "a@example.com", "nope"),
        ("../etc", "a@example.com", "../etc"),
        ("", "a@example.com", "slug"),
    ];
    for (product, email, expect) in cases {
        let err = shop.fail(&["grant", "--product", product, "--email", email]);
        assert!(err.contains(expect), "{product:?} {email:?}: {err}");
    }
    assert_eq!(shop.purchases(), serde_json::json!([]));
    assert_eq!(shop.json(&["outbox", "--json"]), serde_json::json!([]));
    assert!(shop.eml_files().is_empty());
}

#[test]
fn purchase_commands_refuse_garbage_tokens() {
    let shop = Shop::new();
    shop.add("thing", "1.00");
    let real = shop.grant("thing", "a@example.com");
    let before = shop.purchases();
    let emls = shop.eml_files().len();
    let long = "a".repeat(5000);
    let unknown = "0".repeat(32);
    let upper_nonhex = "G".repeat(32);
    for token in [
        "../../etc/passwd",
        long.as_str(),
        "",
        " ",
        "%00",
        upper_nonhex.as_str(),
        unknown.as_str(),
        &real[..31],
    ] {
        for args in [
            vec!["purchase", "show", token],
            vec!["purchase", "show", token, "--json"],
            vec!["purchase", "reset-downloads", token],
            vec!["purchase", "set-limit", token, "3"],
            vec!["purchase", "resend", token],
            vec!["purchase", "revoke", token],
            vec!["purchase", "refund", token],
        ] {
            let err = shop.fail(&args);
            assert!(err.len() < 300, "{}: error too long", short_args(&args));
            assert!(
                !err.contains(&long),
                "{}: echoes 5000 chars",
                short_args(&args)
            );
        }
        if token == unknown {
            let err = shop.fail(&["purchase", "show", token]);
            assert!(err.contains("no purchase"), "{err}");
        } else {
            let err = shop.fail(&["purchase", "show", token]);
            assert!(err.contains("token"), "{err}");
        }
    }
    assert_eq!(
        shop.purchases(),
        before,
        "a refused command changed purchases"
    );
    assert_eq!(shop.eml_files().len(), emls, "a refused resend sent mail");
}

#[test]
fn refund_of_a_complimentary_copy_explains() {
    let shop = Shop::new();
    shop.add("thing", "1.00");
    let token = shop.grant("thing", "a@example.com");
    let before = shop.purchases();
    let err = shop.fail(&["purchase", "refund", &token]);
    assert!(err.contains("complimentary"), "{err}");
    let err = shop.fail(&["purchase", "refund", &token, "--amount", "0.50"]);
    assert!(err.contains("complimentary"), "{err}");
    assert_eq!(shop.purchases(), before);
}
