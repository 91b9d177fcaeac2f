//! `booth product …`: adding, listing, editing, files and versions, with hostile input.

use crate::common::*;
use serde_json::Value;

#[test]
fn product_add_prints_buy_link_and_lists() {
    let shop = Shop::new();
    assert!(shop.ok(&["product", "list"]).contains("No products yet"));
    assert_eq!(shop.products(), serde_json::json!([]));

    let file = shop.file("book.pdf", b"%PDF-1.4 hello");
    let out = shop.ok(&[
        "product",
        "add",
        "--name",
        "My E-book",
        "--price",
        "9.99",
        "--file",
        &file,
        "--description",
        "A good read",
    ]);
    assert!(out.contains("$9.99"), "{out}");
    assert!(
        out.lines()
            .any(|l| l.contains("buy link:") && l.trim_end().ends_with("/buy/my-e-book")),
        "no buy link in {out}"
    );

    let list = shop.ok(&["product", "list"]);
    assert!(
        list.contains("my-e-book") && list.contains("My E-book"),
        "{list}"
    );
    assert!(
        list.contains("$9.99") && list.contains("book.pdf"),
        "{list}"
    );

    let p = shop.product("my-e-book");
    assert_eq!(p["price_minor"], 999);
    assert_eq!(p["currency"], "usd");
    assert_eq!(p["name"], "My E-book");
    assert_eq!(p["description"], "A good read");
    assert_eq!(p["active"], true);
    assert_eq!(p["download_limit"], 5);
    let files = p["files"].as_array().expect("files");
    assert_eq!(files.len(), 1);
    assert_eq!(files[0]["display_name"], "book.pdf");
    assert_eq!(files[0]["version"], "1");
    assert_eq!(files[0]["size"], 14);
    assert!(list.contains("book.pdf v1 14 B"), "{list}");

    // Sizes in the core's words (decimal, whole from 100), as the window and pages say.
    let big = shop.file("big.pdf", &vec![b'x'; 312_000]);
    shop.ok(&[
        "product", "add", "--name", "Big", "--price", "1", "--file", &big,
    ]);
    let list = shop.ok(&["product", "list"]);
    assert!(list.contains("big.pdf v1 312 KB"), "{list}");

    // Other currencies, limits and flags.
    let f2 = shop.file("pack.zip", b"zip");
    shop.ok(&[
        "product",
        "add",
        "--name",
        "Yen pack",
        "--price",
        "500",
        "--currency",
        "JPY",
        "--limit",
        "unlimited",
        "--slug",
        "yen",
        "--inactive",
        "--file",
        &f2,
        "--file",
        &file,
    ]);
    let y = shop.product("yen");
    assert_eq!(y["price_minor"], 500);
    assert_eq!(y["currency"], "jpy");
    assert_eq!(y["download_limit"], Value::Null);
    assert_eq!(y["active"], false);
    assert_eq!(y["files"].as_array().expect("files").len(), 2);
    assert!(shop.ok(&["product", "list"]).contains("(inactive)"));
    let kwd = shop.file("k.pdf", b"k");
    shop.ok(&[
        "product",
        "add",
        "--name",
        "Dinar",
        "--price",
        "1.234",
        "--currency",
        "kwd",
        "--file",
        &kwd,
    ]);
    assert_eq!(shop.product("dinar")["price_minor"], 1234);
    shop.ok(&[
        "product", "add", "--name", "Thousand", "--price", "1,000.50", "--file", &kwd,
    ]);
    assert_eq!(shop.product("thousand")["price_minor"], 100_050);
}

#[test]
fn product_add_rejects_bad_input_and_loses_nothing() {
    let shop = Shop::new();
    let good = shop.add("keep", "3.00");
    let before = shop.products();
    let dir = shop
        .dir
        .path()
        .join("src")
        .to_str()
        .expect("utf-8")
        .to_string();
    let missing = shop.dir.path().join("src/missing.pdf");
    let missing = missing.to_str().expect("utf-8").to_string();
    let long_name = "n".repeat(300);
    let long_price = "9".repeat(5000);
    let long_desc = "d".repeat(10_001);
    let base = |name: &str, price: &str| -> Vec<String> {
        vec![
            "product".into(),
            "add".into(),
            "--name".into(),
            name.into(),
            // `--price=-1` reaches Booth's own check; `--price -1` is clap's business.
            format!("--price={price}"),
        ]
    };
    let mut cases: Vec<(Vec<String>, &str)> = Vec::new();
    for price in [
        "abc",
        "-1",
        "0",
        "0.00",
        "1.999",
        "1e9",
        "99999999999999999999",
        "",
        " ",
        "NaN",
        "1.2.3",
        "$5",
        long_price.as_str(),
    ] {
        cases.push((base("Bad price", price), "price"));
    }
    let mut c = base("Yen", "5.5");
    c.extend(["--currency".into(), "jpy".into()]);
    cases.push((c, "price"));
    for cur in ["xyz", "", "dollars"] {
        let mut c = base("Bad currency", "1");
        c.push(format!("--currency={cur}"));
        cases.push((c, "currency"));
    }
    for name in [long_name.as_str(), "", "   ", "tab\there"] {
        cases.push((base(name, "1"), "name"));
    }
    cases.push((base("!!!", "1"), "slug"));
    for slug in ["../etc", "UPPER", "a--b", "-a", "a/b", "", &"s".repeat(65)] {
        let mut c = base("Slugged", "1");
        c.push(format!("--slug={slug}"));
        cases.push((c, "slug"));
    }
    for limit in ["0", "lots", "-3", "1000001", "99999999999"] {
        let mut c = base("Limited", "1");
        c.push(format!("--limit={limit}"));
        cases.push((c, "limit"));
    }
    let mut c = base("Long description", "1");
    c.extend(["--description".into(), long_desc]);
    cases.push((c, "description"));
    cases.push((base("Missing file", "1"), "missing"));
    cases.push((base("Dir file", "1"), "regular file"));

    for (mut args, expect) in cases {
        match expect {
            "missing" => args.extend(["--file".into(), missing.clone()]),
            "regular file" => args.extend(["--file".into(), dir.clone()]),
            _ => args.extend(["--file".into(), good.clone()]),
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let err = shop.fail(&refs);
        let expect = if expect == "missing" {
            "can't read"
        } else {
            expect
        };
        assert!(
            err.contains(expect),
            "{}: error doesn't mention {expect}: {err}",
            short_args(&refs)
        );
        assert_eq!(
            shop.products(),
            before,
            "{}: product list changed",
            short_args(&refs)
        );
    }
    // clap takes `--price -1` for a flag: a usage error (exit 2), still nothing added.
    let out = shop.run(&[
        "product", "add", "--name", "Neg", "--price", "-1", "--file", &good,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_no_panic(&String::from_utf8_lossy(&out.stderr));
    assert_eq!(shop.products(), before);
    // A product with one good and one missing file is refused whole.
    shop.fail(&[
        "product", "add", "--name", "Half", "--price", "1", "--file", &good, "--file", &missing,
    ]);
    assert_eq!(shop.products(), before);
}

#[test]
fn duplicate_slug_is_a_conflict() {
    let shop = Shop::new();
    let file = shop.add("dup", "1.00");
    let before = shop.products();
    let err = shop.fail(&[
        "product", "add", "--name", "Other", "--price", "2", "--slug", "dup", "--file", &file,
    ]);
    assert!(
        err.contains("already exists") && err.contains("dup"),
        "{err}"
    );
    // The name-derived slug collides too.
    let err = shop.fail(&[
        "product", "add", "--name", "Dup", "--price", "2", "--file", &file,
    ]);
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(shop.products(), before);
}

#[test]
fn product_edit_changes_fields_and_refuses_bad_edits() {
    let shop = Shop::new();
    shop.add("ed", "1.00");
    shop.add("other", "1.00");
    let out = shop.ok(&[
        "product",
        "edit",
        "ed",
        "--name",
        "Edited",
        "--price",
        "12.50",
        "--currency",
        "eur",
        "--limit",
        "3",
        "--active",
        "false",
        "--description",
        "new words",
    ]);
    assert!(out.contains("Edited") && out.contains("€12.50"), "{out}");
    let p = shop.product("ed");
    assert_eq!(p["name"], "Edited");
    assert_eq!(p["price_minor"], 1250);
    assert_eq!(p["currency"], "eur");
    assert_eq!(p["download_limit"], 3);
    assert_eq!(p["active"], false);
    assert_eq!(p["description"], "new words");

    shop.ok(&["product", "edit", "ed", "--price", "7", "--active", "true"]);
    let p = shop.product("ed");
    assert_eq!(p["price_minor"], 700);
    assert_eq!(p["currency"], "eur");
    assert_eq!(p["active"], true);
    shop.ok(&["product", "edit", "ed", "--limit", "unlimited"]);
    assert_eq!(shop.product("ed")["download_limit"], Value::Null);
    shop.ok(&["product", "edit", "ed", "--new-slug", "renamed"]);
    assert_eq!(shop.product("renamed")["name"], "Edited");

    let before = shop.products();
    let long = "n".repeat(300);
    let bad: Vec<(Vec<&str>, &str)> = vec![
        (vec!["nope", "--name", "x"], "nope"),
        (vec!["../etc", "--name", "x"], "slug"),
        (vec!["renamed", "--price", "abc"], "price"),
        (vec!["renamed", "--price=-1"], "price"),
        (vec!["renamed", "--price", "0"], "price"),
        (vec!["renamed", "--price", "1.999"], "price"),
        (vec!["renamed", "--price", "1e9"], "price"),
        (vec!["renamed", "--price", "99999999999999999999"], "price"),
        (vec!["renamed", "--currency", "xyz"], "currency"),
        (vec!["renamed", "--name", &long], "name"),
        (vec!["renamed", "--name", ""], "name"),
        (vec!["renamed", "--limit", "0"], "limit"),
        (vec!["renamed", "--limit", "lots"], "limit"),
        (vec!["renamed", "--new-slug", "UPPER"], "slug"),
        (vec!["renamed", "--new-slug", "../etc"], "slug"),
        (vec!["renamed", "--new-slug", "other"], "slug"),
    ];
    for (rest, expect) in bad {
        let mut args = vec!["product", "edit"];
        args.extend(rest);
        let err = shop.fail(&args);
        assert!(err.contains(expect), "{args:?}: {err}");
        assert_eq!(shop.products(), before, "{args:?} changed the catalog");
    }
    // clap refuses a non-boolean --active (exit 2) and nothing changes.
    let out = shop.run(&["product", "edit", "renamed", "--active", "maybe"]);
    assert_eq!(out.status.code(), Some(2));
    assert_no_panic(&String::from_utf8_lossy(&out.stderr));
    assert_eq!(shop.products(), before);
}

#[test]
fn add_file_and_new_versions() {
    let shop = Shop::new();
    shop.add("vers", "4.00");
    let extra = shop.file("extra.txt", b"bonus material");
    let out = shop.ok(&["product", "add-file", "vers", &extra]);
    assert!(out.contains("2 file(s)"), "{out}");
    let p = shop.product("vers");
    let names: Vec<&str> = p["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f["display_name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["vers.pdf", "extra.txt"]);

    let v2 = shop.file("vers-v2.pdf", b"%PDF second edition");
    let out = shop.ok(&["product", "new-version", "vers", "--file", "vers.pdf", &v2]);
    assert!(out.contains("version 2"), "{out}");
    assert!(!out.contains("Tell its"), "nobody bought it yet: {out}");
    // With buyers (one address twice is one buyer), the nudge and the command to send.
    for email in ["ann@example.com", "bo@example.com", "Bo@example.com"] {
        shop.ok(&["grant", "--product", "vers", "--email", email]);
    }
    let f = shop.product("vers")["files"][0].clone();
    assert_eq!(f["display_name"], "vers.pdf", "the buyer-facing name stays");
    assert_eq!(f["version"], "2");
    assert_eq!(f["versions"], 2);
    assert_eq!(f["size"], 19);

    let v21 = shop.file("v21.pdf", b"%PDF 2.1");
    let out = shop.ok(&[
        "product",
        "new-version",
        "vers",
        "--file",
        "vers.pdf",
        &v21,
        "--label",
        "2.1",
    ]);
    assert!(out.contains("version 2.1"), "{out}");
    assert!(
        out.contains(
            "Version 2.1 of vers.pdf is live. Tell its 2 buyers?  booth send-update --product vers\n"
        ),
        "{out}"
    );
    let f = shop.product("vers")["files"][0].clone();
    assert_eq!(f["version"], "2.1");
    assert_eq!(f["versions"], 3);

    // By file id too.
    let id = shop.product("vers")["files"][1]["id"].to_string();
    shop.ok(&[
        "product",
        "new-version",
        "vers",
        "--file",
        &id,
        &v21,
        "--label",
        "b",
    ]);
    assert_eq!(shop.product("vers")["files"][1]["version"], "b");

    let before = shop.products();
    let dir = shop
        .dir
        .path()
        .join("src")
        .to_str()
        .expect("utf-8")
        .to_string();
    let missing = format!("{dir}/missing.pdf");
    let long_label = "l".repeat(41);
    let bad: Vec<(Vec<&str>, &str)> = vec![
        (vec!["add-file", "nope", &extra], "nope"),
        (vec!["add-file", "vers", &missing], "can't read"),
        (vec!["add-file", "vers", &dir], "regular file"),
        (
            vec!["new-version", "nope", "--file", "vers.pdf", &v2],
            "nope",
        ),
        (
            vec!["new-version", "vers", "--file", "nofile.pdf", &v2],
            "nofile.pdf",
        ),
        (
            vec!["new-version", "vers", "--file", "vers.pdf", &missing],
            "can't read",
        ),
        (
            vec!["new-version", "vers", "--file", "vers.pdf", &dir],
            "regular file",
        ),
        (
            vec![
                "new-version",
                "vers",
                "--file",
                "vers.pdf",
                &v2,
                "--label",
                "2.1",
            ],
            "already exists",
        ),
        (
            vec![
                "new-version",
                "vers",
                "--file",
                "vers.pdf",
                &v2,
                "--label",
                "a b",
            ],
            "version",
        ),
        (
            vec![
                "new-version",
                "vers",
                "--file",
                "vers.pdf",
                &v2,
                "--label",
                &long_label,
            ],
            "version",
        ),
    ];
    for (rest, expect) in bad {
        let mut args = vec!["product"];
        args.extend(rest);
        let err = shop.fail(&args);
        assert!(err.contains(expect), "{args:?}: {err}");
        assert_eq!(shop.products(), before, "{args:?} changed the catalog");
    }
}

#[test]
fn a_decimal_comma_is_not_a_thousands_separator() {
    let shop = Shop::new();
    let file = shop.file("b.pdf", b"b");
    shop.fail(&[
        "product",
        "add",
        "--name",
        "Euro",
        "--price",
        "9,99",
        "--currency",
        "eur",
        "--file",
        &file,
    ]);
    assert_eq!(shop.products(), serde_json::json!([]));
}

#[test]
fn automatic_version_label_never_collides() {
    let shop = Shop::new();
    let file = shop.add("v", "1.00");
    shop.ok(&[
        "product",
        "new-version",
        "v",
        "--file",
        "v.pdf",
        &file,
        "--label",
        "2",
    ]);
    shop.ok(&[
        "product",
        "new-version",
        "v",
        "--file",
        "v.pdf",
        &file,
        "--label",
        "3",
    ]);
    shop.ok(&["product", "new-version", "v", "--file", "v.pdf", &file]);
    let shop2 = Shop::new();
    let file = shop2.add("v", "1.00");
    shop2.ok(&[
        "product",
        "new-version",
        "v",
        "--file",
        "v.pdf",
        &file,
        "--label",
        "3",
    ]);
    // Two versions exist ("1", "3"): the next automatic label must not be "3".
    shop2.ok(&["product", "new-version", "v", "--file", "v.pdf", &file]);
}
