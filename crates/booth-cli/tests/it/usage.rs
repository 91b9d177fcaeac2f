//! The command line itself: help, parsing, and errors that stay one line whatever the input.

use crate::common::*;

#[test]
fn help_works_and_unknown_subcommands_fail() {
    let shop = Shop::new();
    let help = shop.ok(&["--help"]);
    for cmd in [
        "serve",
        "product",
        "purchases",
        "grant",
        "export",
        "settings",
    ] {
        assert!(help.contains(cmd), "--help doesn't list {cmd}: {help}");
    }
    let add_help = shop.ok(&["product", "add", "--help"]);
    for flag in ["--name", "--price", "--file", "--limit", "--slug"] {
        assert!(add_help.contains(flag), "product add --help lacks {flag}");
    }
    let out = shop.run(&["frobnicate"]);
    assert!(!out.status.success(), "unknown subcommand succeeded");
    assert_no_panic(&String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("frobnicate"));
    // Nothing was created by a refused command line.
    assert!(!shop.data_dir().join("booth.db").exists());
}

#[test]
fn errors_stay_one_line_when_input_has_newlines() {
    let shop = Shop::new();
    let file = shop.add("p", "1.00");
    let nl = "a\nb";
    for args in [
        vec![
            "product", "add", "--name", "x", "--price", nl, "--file", &file,
        ],
        vec![
            "product",
            "add",
            "--name",
            "x",
            "--price",
            "1",
            "--currency",
            nl,
            "--file",
            &file,
        ],
        vec!["product", "edit", nl, "--name", "y"],
        vec!["grant", "--product", nl, "--email", "a@example.com"],
        vec!["product", "new-version", "p", "--file", nl, &file],
        vec!["settings", "set", nl, "v"],
    ] {
        shop.fail(&args);
    }
}
