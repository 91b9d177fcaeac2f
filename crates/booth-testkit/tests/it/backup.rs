//! Backups while the shop sells: each copy is consistent and passes SQLite's integrity
//! check, a restore brings the purchases back, and the daily backup keeps only the newest.

use booth_testkit::app::{spawn_app, TestApp};
use std::time::Duration;

const BOOK: &[u8] = b"%PDF-1.4 backed up";

async fn sell(app: &TestApp, n: usize, tag: &str) {
    for i in 0..n {
        let paid = app
            .buy_and_pay("book", &format!("{tag}{i}@example.com"))
            .await;
        app.complete(&paid).await;
    }
}

#[tokio::test]
async fn backups_taken_while_selling_are_consistent_and_restore() {
    let app = spawn_app().await;
    app.add_product("book", "3.00", "5", &[("book.pdf", BOOK)])
        .await;
    // The runtime made today's backup at start.
    app.first_daily_backup().await;

    // Purchases keep coming while backups are taken.
    let out = tempfile::tempdir().unwrap();
    let selling = sell(&app, 20, "a");
    let backing_up = async {
        let mut counts = Vec::new();
        for i in 0..10 {
            let b = app
                .shop()
                .backup_to(out.path().join(format!("b{i}.db")))
                .await
                .expect("backup while selling");
            counts.push(b.purchases);
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
        counts
    };
    let ((), counts) = tokio::join!(selling, backing_up);
    assert!(counts.windows(2).all(|w| w[0] <= w[1]), "{counts:?}");
    let last = app
        .shop()
        .backup_to(out.path().join("last.db"))
        .await
        .unwrap();
    assert_eq!(last.purchases, 20);
    // An existing file is never overwritten.
    let again = app.shop().backup_to(out.path().join("last.db")).await;
    assert!(again.unwrap_err().to_string().contains("already exists"));
    let missing = app
        .shop()
        .backup_to(out.path().join("no/such/dir/x.db"))
        .await;
    assert!(missing.unwrap_err().to_string().contains("no folder"));
    // No half-written copy is left behind by any of it.
    let names: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains("partial")), "{names:?}");

    // Every copy is a sound SQLite file with purchases and their receipts consistent.
    for name in names {
        let conn = rusqlite::Connection::open(out.path().join(&name)).unwrap();
        let ok: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok", "{name}");
        let orphans: i64 = conn
            .query_row(
                "SELECT count(*) FROM purchases p WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.purchase_id = p.id)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(orphans, 0, "{name}: a purchase without its receipt");
    }

    // Restore into another data dir: the same purchases, the same links.
    let tokens: Vec<String> = app.purchases().await.into_iter().map(|p| p.token).collect();
    let other = tempfile::tempdir().unwrap();
    let aside = booth_core::backup::restore(other.path(), &out.path().join("last.db")).unwrap();
    assert_eq!(aside, None, "nothing to move aside in an empty dir");
    let restored = booth_core::Shop::open(other.path()).unwrap();
    let mut back: Vec<String> = restored
        .list_purchases(None)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.token)
        .collect();
    let mut want = tokens.clone();
    back.sort();
    want.sort();
    assert_eq!(back, want);

    // Restoring over a database keeps the old one beside it, WAL folded in.
    let aside = booth_core::backup::restore(other.path(), &out.path().join("b0.db"))
        .unwrap()
        .expect("moved aside");
    let old = rusqlite::Connection::open(&aside).unwrap();
    let n: i64 = old
        .query_row("SELECT count(*) FROM purchases", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 20);
}

#[tokio::test]
async fn the_daily_backup_keeps_the_newest() {
    let app = spawn_app().await;
    let dir = booth_core::backup::dir(app.shop().data_dir());
    let today = app.first_daily_backup().await;
    // Made less than a day ago: nothing new.
    assert!(app.shop().daily_backup().await.unwrap().is_none());
    assert_eq!(
        booth_core::backup::list(app.shop().data_dir())
            .unwrap()
            .len(),
        1
    );

    // Older backups (as if from earlier days), and a file that isn't one.
    std::fs::remove_file(&today.path).unwrap();
    for day in 1..=9 {
        std::fs::write(
            dir.join(format!("booth-202611{:02}-030000.db", day)),
            b"old",
        )
        .unwrap();
    }
    std::fs::write(dir.join("notes.txt"), b"mine").unwrap();
    app.shop().set_setting("backup_keep", "3").await.unwrap();
    let made = app
        .shop()
        .daily_backup()
        .await
        .unwrap()
        .expect("a day has passed");
    let kept: Vec<String> = booth_core::backup::list(app.shop().data_dir())
        .unwrap()
        .into_iter()
        .map(|b| b.path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(kept.len(), 3, "{kept:?}");
    assert_eq!(kept[0], made.path.file_name().unwrap().to_string_lossy());
    assert_eq!(
        kept[1..],
        ["booth-20261109-030000.db", "booth-20261108-030000.db"]
    );
    assert!(dir.join("notes.txt").exists(), "other files are left alone");
    for bad in ["0", "366", "-1", "seven", ""] {
        let e = app
            .shop()
            .set_setting("backup_keep", bad)
            .await
            .unwrap_err();
        assert!(e.to_string().starts_with("backup_keep:"), "{bad}: {e}");
    }
}
