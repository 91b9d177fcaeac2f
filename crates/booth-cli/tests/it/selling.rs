//! `booth discount`, `booth consent`, `booth export taxes` and `booth product
//! --min-price/--tax-code`, with hostile input: a clear error and nothing recorded.

use crate::common::*;

#[test]
fn discount_codes_are_added_listed_edited_and_disabled() {
    let shop = Shop::new();
    shop.add("guide", "20.00");
    assert!(shop
        .ok(&["discount", "list"])
        .contains("No discount codes yet"));
    let out = shop.ok(&[
        "discount",
        "add",
        "launch",
        "--percent",
        "20",
        "--max-uses",
        "100",
        "--expires",
        "2030-01-01",
    ]);
    assert!(
        out.contains("Added LAUNCH: 20% off · every product · 0/100 used"),
        "{out}"
    );
    assert!(out.contains("?code=LAUNCH"), "{out}");
    let out = shop.ok(&[
        "discount",
        "add",
        "FIVER",
        "--amount",
        "5.00 EUR",
        "--amount",
        "USD 5",
        "--product",
        "guide",
    ]);
    assert!(out.contains("€5.00 / $5.00 off · guide"), "{out}");

    let list = shop.json(&["discount", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 2);
    let launch = list
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "LAUNCH")
        .unwrap();
    assert_eq!(launch["percent_off"], 20);
    assert_eq!(launch["max_uses"], 100);
    assert_eq!(launch["expires_at"], 1_893_456_000);

    let out = shop.ok(&[
        "discount",
        "edit",
        "Launch",
        "--percent",
        "25",
        "--code",
        "LAUNCH25",
    ]);
    assert!(out.contains("Updated LAUNCH25: 25% off"), "{out}");
    let out = shop.ok(&["discount", "disable", "launch25"]);
    assert!(out.contains("Disabled LAUNCH25"), "{out}");
    assert!(shop.ok(&["discount", "list"]).contains("disabled"));
    assert!(shop
        .ok(&["discount", "enable", "launch25"])
        .contains("Enabled LAUNCH25"));
}

#[test]
fn hostile_discount_input_is_refused_and_records_nothing() {
    let shop = Shop::new();
    shop.add("guide", "20.00");
    shop.ok(&["discount", "add", "TAKEN", "--percent", "10"]);
    for (args, says) in [
        (vec!["TAKEN"], "percent off or amounts off"),
        (vec!["taken", "--percent", "10"], "already exists"),
        (vec!["ÉTÉ", "--percent", "10"], "a code is 3"),
        (vec!["AB", "--percent", "10"], "a code is 3"),
        (vec!["X1", "--percent", "10"], "a code is 3"),
        (vec!["OK1", "--percent", "0"], "1 to 100"),
        (vec!["OK1", "--percent=-5"], "1 to 100"),
        (vec!["OK1", "--percent", "12.5"], "1 to 100"),
        (vec!["OK1", "--amount", "5.00"], "like 5.00 EUR"),
        (vec!["OK1", "--amount=-5 EUR"], "not a price"),
        (vec!["OK1", "--amount", "5.001 EUR"], "at most 2 digits"),
        (vec!["OK1", "--amount", "5 XXX"], "like 5.00 EUR"),
        (
            vec!["OK1", "--amount", "5 EUR", "--amount", "6 eur"],
            "given twice",
        ),
        (
            vec!["OK1", "--percent", "10", "--product", "nope"],
            "no product 'nope'",
        ),
        (
            vec!["OK1", "--percent", "10", "--max-uses", "0"],
            "maximum uses",
        ),
        (
            vec!["OK1", "--percent", "10", "--expires", "tomorrow"],
            "write a date",
        ),
        (
            vec![
                "OK1",
                "--percent",
                "10",
                "--starts",
                "2030-01-02",
                "--expires",
                "2030-01-01",
            ],
            "expire after it starts",
        ),
    ] {
        let mut all = vec!["discount", "add"];
        all.extend(args.iter().copied());
        let err = shop.fail(&all);
        assert!(err.contains(says), "{args:?}: {err}");
    }
    let list = shop.json(&["discount", "list", "--json"]);
    assert_eq!(
        list.as_array().unwrap().len(),
        1,
        "nothing but TAKEN recorded"
    );
    assert!(shop
        .fail(&["discount", "disable", "NOPE"])
        .contains("no discount code NOPE"));
}

#[test]
fn products_take_a_minimum_and_a_tax_code() {
    let shop = Shop::new();
    let file = shop.file("zine.pdf", b"%PDF zine");
    shop.ok(&[
        "product",
        "add",
        "--name",
        "Zine",
        "--price",
        "5",
        "--min-price",
        "0",
        "--tax-code",
        "ebook",
        "--file",
        &file,
    ]);
    let p = shop.product("zine");
    assert_eq!(p["min_price_minor"], 0);
    assert_eq!(p["tax_code"], "txcd_10302000");
    let err = shop.fail(&["product", "edit", "zine", "--min-price", "6"]);
    assert!(err.contains("can't be above the suggested price"), "{err}");
    let err = shop.fail(&["product", "edit", "zine", "--tax-code", "txcd_1"]);
    assert!(err.contains("a Stripe tax code"), "{err}");
    shop.ok(&[
        "product",
        "edit",
        "zine",
        "--min-price",
        "fixed",
        "--tax-code",
        "",
    ]);
    let p = shop.product("zine");
    assert!(
        p["min_price_minor"].is_null() && p["tax_code"].is_null(),
        "{p}"
    );
}

#[test]
fn consent_wording_is_versioned_and_taxes_export_per_country() {
    let shop = Shop::new();
    let list = shop.ok(&["consent", "list"]);
    assert!(
        list.contains("en (version 1)") && list.contains("de (version 2)"),
        "{list}"
    );
    let out = shop.ok(&[
        "consent",
        "set",
        "--lang",
        "en",
        "I agree: deliver now; I lose my withdrawal right.",
    ]);
    assert!(out.contains("en is now version 4"), "{out}");
    assert!(shop
        .fail(&["consent", "set", "--lang", "english!", "x"])
        .contains("a language code"));
    assert!(shop
        .fail(&["consent", "set", "--lang", "en", "  "])
        .contains("1–2000 characters"));
    assert!(shop.ok(&["consent", "list"]).contains("version 4"));

    // Nothing sold yet: the header only. Bad periods are refused.
    let csv = shop.ok(&[
        "export",
        "taxes",
        "--from",
        "2026-01-01",
        "--to",
        "2027-01-01",
    ]);
    assert_eq!(
        csv.trim(),
        "country,currency,purchases,net,tax,gross,reverse_charged"
    );
    let err = shop.fail(&[
        "export",
        "taxes",
        "--from",
        "2027-01-01",
        "--to",
        "2026-01-01",
    ]);
    assert!(err.contains("end after it starts"), "{err}");
    assert!(shop
        .fail(&["export", "taxes", "--from", "Q4", "--to", "2027-01-01"])
        .contains("write a date"));
    for (k, v, says) in [
        ("tax", "sometimes", "off, exclusive"),
        ("tax_ids", "maybe", "yes or no"),
        ("tax_code", "txcd_bad", "a Stripe tax code"),
    ] {
        assert!(shop.fail(&["settings", "set", k, v]).contains(says), "{k}");
    }
    shop.ok(&["settings", "set", "tax", "inclusive"]);
    shop.ok(&["settings", "set", "tax_code", "software"]);
}

#[test]
fn pause_and_resume_say_what_they_did() {
    let shop = Shop::new();
    assert!(shop.ok(&["resume"]).contains("weren't paused"));
    let out = shop.ok(&["pause"]);
    assert!(
        out.contains("Sales paused") && out.contains("booth resume"),
        "{out}"
    );
    assert!(shop.ok(&["pause"]).contains("already paused"));
    assert!(shop.ok(&["resume"]).contains("Sales resumed"));
    assert!(shop
        .fail(&["settings", "set", "sales_paused", "soon"])
        .contains("yes or no"));
}
