//! `booth backup` and `booth restore` from the command line, with hostile input.

use crate::common::Shop;

#[test]
fn backup_and_restore_from_the_command_line() {
    let shop = Shop::new();
    shop.add("book", "4.00");
    for i in 0..3 {
        shop.ok(&[
            "grant",
            "--product",
            "book",
            "--email",
            &format!("g{i}@example.com"),
        ]);
    }
    let out = shop.ok(&["backup"]);
    assert!(out.starts_with("Backed up 3 purchase(s) to "), "{out}");
    assert!(out.contains("integrity check ok"), "{out}");
    let list = shop.ok(&["backup", "--list"]);
    assert_eq!(list.lines().count(), 1, "{list}");

    let dest = shop.dir.path().join("copy.db");
    let dest_s = dest.to_str().unwrap();
    shop.ok(&["backup", "--to", dest_s]);
    let err = shop.fail(&["backup", "--to", dest_s]);
    assert!(err.contains("already exists"), "{err}");
    let err = shop.fail(&["backup", "--to", "/no/such/folder/x.db"]);
    assert!(err.contains("no folder"), "{err}");
    let err = shop.fail(&["backup", "--to", "/proc/booth.db"]);
    assert!(err.starts_with("error: "), "{err}");

    // While a shop runs on the data dir (its run.json names a live process), no restore.
    let run_json = shop.data_dir().join("run.json");
    std::fs::write(
        &run_json,
        format!(
            r#"{{"pid": {}, "addr": "127.0.0.1:1", "public_url": "http://127.0.0.1:1", "simulator_url": null}}"#,
            std::process::id()
        ),
    )
    .unwrap();
    let err = shop.fail(&["restore", dest_s]);
    assert!(err.contains("stop `booth serve`"), "{err}");
    std::fs::remove_file(&run_json).unwrap();

    // A fourth purchase, then back to the copy: three again, the newer file kept aside.
    shop.ok(&["grant", "--product", "book", "--email", "late@example.com"]);
    let out = shop.ok(&["restore", dest_s]);
    assert!(out.contains("(3 purchase(s))"), "{out}");
    let aside = out
        .lines()
        .find_map(|l| l.strip_prefix("The database it replaced is kept as "))
        .expect("where the old database went")
        .trim_end_matches('.');
    assert!(std::path::Path::new(aside).exists());
    assert_eq!(
        shop.json(&["purchases", "--json"])
            .as_array()
            .unwrap()
            .len(),
        3
    );

    // Not a database, not a Booth database, missing, a folder: refused, nothing changed.
    let text = shop.file("notes.txt", b"just some notes, not SQLite at all");
    let other = shop.dir.path().join("other.db");
    foreign_sqlite_db(&other);
    for bad in [
        text.as_str(),
        other.to_str().unwrap(),
        "/no/such/backup.db",
        shop.dir.path().to_str().unwrap(),
    ] {
        let err = shop.fail(&["restore", bad]);
        assert!(err.starts_with("error: "), "{bad}: {err}");
        assert_eq!(
            shop.json(&["purchases", "--json"])
                .as_array()
                .unwrap()
                .len(),
            3,
            "{bad} changed the shop"
        );
    }
    for bad in ["0", "366", "lots"] {
        let err = shop.fail(&["settings", "set", "backup_keep", bad]);
        assert!(err.contains("backup_keep"), "{bad}: {err}");
    }
}

/// An SQLite database that isn't Booth's, made with Python's sqlite3 (these tests drive
/// the binary and don't link SQLite themselves).
fn foreign_sqlite_db(path: &std::path::Path) {
    let status = std::process::Command::new("python3")
        .args([
            "-c",
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('CREATE TABLE t (x)'); c.commit()",
            path.to_str().unwrap(),
        ])
        .status()
        .expect("python3");
    assert!(status.success());
}
