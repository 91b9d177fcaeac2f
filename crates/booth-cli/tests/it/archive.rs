//! `booth product archive`, `unarchive` and `remove-file`: off the shop, never off the
//! buyers; hostile input is refused in one line and changes nothing.

use crate::common::*;

fn file_ids(shop: &Shop, slug: &str) -> Vec<i64> {
    shop.product(slug)["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_i64().unwrap())
        .collect()
}

#[test]
fn archive_unarchive_and_remove_a_file_keep_what_was_sold() {
    let shop = Shop::new();
    let a = shop.file("a.pdf", b"%PDF a");
    let b = shop.file("b.pdf", b"%PDF b");
    shop.ok(&[
        "product", "add", "--name", "Pack", "--price", "5", "--slug", "pack", "--file", &a,
        "--file", &b,
    ]);
    shop.add("zine", "3");
    let token = shop.grant("pack", "ann@example.com");
    let ids = file_ids(&shop, "pack");
    let zine_file = file_ids(&shop, "zine")[0];

    // Hostile input: one clear line each, nothing changed.
    let before = shop.products();
    for (args, says) in [
        (vec!["product", "archive", "nope"], "no product"),
        (vec!["product", "unarchive", "pack"], "isn't archived"),
        (vec!["product", "remove-file", "nope", "1"], "no product"),
        (
            vec!["product", "remove-file", "pack", &zine_file.to_string()],
            "has no file",
        ),
        (
            vec!["product", "remove-file", "pack", "99999999999999999999999"],
            "not a file id",
        ),
        (
            vec!["product", "remove-file", "pack", "9223372036854775807"],
            "has no file",
        ),
        (
            vec!["product", "remove-file", "pack", "b.pdf"],
            "not a file id",
        ),
    ] {
        let err = shop.fail(&args);
        assert!(err.contains(says), "{args:?}: {err}");
    }
    assert_eq!(shop.products(), before, "refused commands changed nothing");

    let out = shop.ok(&["product", "remove-file", "pack", &ids[1].to_string()]);
    assert!(out.contains("earlier buyers keep it"), "{out}");
    assert_eq!(file_ids(&shop, "pack"), vec![ids[0]]);
    let shown = shop.show(&token);
    assert_eq!(
        shown["purchase"]["items"][0]["files"]
            .as_array()
            .unwrap()
            .len(),
        2,
        "{shown}"
    );
    let err = shop.fail(&["product", "remove-file", "pack", &ids[0].to_string()]);
    assert!(err.contains("only file"), "{err}");

    let out = shop.ok(&["product", "archive", "pack"]);
    assert!(out.contains("Archived"), "{out}");
    assert!(shop.product("pack")["archived_at"].is_i64());
    assert!(shop.ok(&["product", "list"]).contains("(archived)"));
    assert!(shop
        .fail(&["product", "archive", "pack"])
        .contains("already archived"));
    // Its buyer's purchase is whole, and a copy can still be given.
    assert_eq!(shop.show(&token)["purchase"]["status"], "paid");
    let out = shop.ok(&["product", "unarchive", "pack"]);
    assert!(out.contains("for sale again"), "{out}");
    assert!(shop.product("pack")["archived_at"].is_null());
}
