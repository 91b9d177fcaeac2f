//! Upgrades from an older schema keep what the shop had. Migration 0008 rebuilds `purchases` (its `source` CHECK gains 'free') and
//! `funnel_counts` (a source column in the key) while other tables refer to them: a shop
//! upgraded from 0007 keeps every purchase, item, download, outbox row and counter, with
//! foreign keys that still hold.

use crate::db::{connect, Db, MIGRATIONS};
use rusqlite::Connection;
use rusqlite_migration::{Migrations, M};
use std::path::PathBuf;

/// A database in a temp dir with the first `n` migrations applied, to fill as an older
/// Booth left it before `Db::open` migrates it the rest of the way.
fn migrated_to(n: usize) -> (tempfile::TempDir, PathBuf, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("booth.db");
    let mut conn = connect(&path).unwrap();
    Migrations::new(MIGRATIONS[..n].iter().map(|sql| M::up(sql)).collect())
        .to_latest(&mut conn)
        .unwrap();
    (dir, path, conn)
}

#[test]
fn upgrading_to_0008_keeps_purchases_their_children_and_the_funnel() {
    let (_dir, path, conn) = migrated_to(7);
    conn.execute_batch(
        "INSERT INTO products (id, slug, name, price_minor, currency, created_at)
           VALUES (1, 'book', 'Book', 500, 'usd', 0);
         INSERT INTO product_files (id, product_id, display_name, created_at) VALUES (1, 1, 'a.pdf', 0);
         INSERT INTO file_versions (id, file_id, version, stored_path, size, sha256, created_at)
           VALUES (1, 1, 'v1', 'x', 1, 'h', 0);
         INSERT INTO customers (id, email, created_at, unsubscribe_token) VALUES (1, 'a@example.com', 0, 'u');
         INSERT INTO purchases (id, token, customer_id, email, amount_minor, currency, amount_refunded_minor,
                                checkout_session_id, status, source, test, created_at)
           VALUES (7, 't7', 1, 'a@example.com', 500, 'usd', 100, 'cs_1', 'paid', 'checkout', 0, 42),
                  (8, 't8', 1, 'a@example.com', 0, 'usd', 0, NULL, 'paid', 'grant', 0, 43);
         INSERT INTO purchase_items (id, purchase_id, product_id, amount_minor) VALUES (1, 7, 1, 500), (2, 8, 1, 0);
         INSERT INTO download_counts (purchase_item_id, file_id, used, file_version_id) VALUES (1, 1, 2, 1);
         INSERT INTO downloads (purchase_id, purchase_item_id, file_id, file_version_id, at, ip, user_agent, bytes, counted)
           VALUES (7, 1, 1, 1, 50, '', '', 1, 1);
         INSERT INTO outbox (kind, purchase_id, recipient, subject, body_text, body_html, message_id, status,
                             next_attempt_at, created_at)
           VALUES ('receipt', 7, 'a@example.com', 's', 't', 'h', 'm1', 'sent', 0, 0);
         INSERT INTO funnel_counts (day, product_id, step, count) VALUES ('2026-12-01', 1, 'visit', 9);",
    )
    .unwrap();
    drop(conn);

    let db = Db::open(&path).unwrap();
    db.run_blocking(|c| {
        let row: (i64, i64, i64, i64, String, Option<String>) = c.query_row(
            "SELECT amount_minor, subtotal_minor, discount_minor, amount_refunded_minor, source, ref
             FROM purchases WHERE id = 7",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )?;
        assert_eq!(row, (500, 500, 0, 100, "checkout".into(), None));
        let counts: (i64, i64, i64, i64) = c.query_row(
            "SELECT (SELECT count(*) FROM purchases), (SELECT count(*) FROM purchase_items),
                    (SELECT count(*) FROM downloads), (SELECT count(*) FROM outbox WHERE purchase_id = 7)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        assert_eq!(counts, (2, 2, 1, 1));
        let visits: (String, i64) = c.query_row(
            "SELECT source, count FROM funnel_counts WHERE step = 'visit'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        assert_eq!(visits, (String::new(), 9));
        // Foreign keys hold, and are on again for everything after the migration.
        let broken: i64 =
            c.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0))?;
        assert_eq!(broken, 0);
        let on: i64 = c.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
        assert_eq!(on, 1);
        // The rebuilt table takes a free purchase, and its CHECKs still refuse nonsense.
        c.execute(
            "INSERT INTO purchases (token, customer_id, email, amount_minor, subtotal_minor, currency, status, source, test, created_at)
             VALUES ('t9', 1, 'a@example.com', 0, 0, 'usd', 'paid', 'free', 0, 44)",
            [],
        )?;
        assert!(c
            .execute(
                "INSERT INTO purchases (token, customer_id, email, amount_minor, subtotal_minor, currency, status, source, test, created_at)
                 VALUES ('t10', 1, 'a@example.com', -1, 0, 'usd', 'paid', 'gift', 0, 44)",
                [],
            )
            .is_err());
        assert!(c
            .execute(
                "INSERT INTO purchase_items (purchase_id, product_id, amount_minor) VALUES (999, 1, 0)",
                [],
            )
            .is_err(), "a child of no purchase is refused: foreign keys are on");
        Ok(())
    })
    .unwrap();
}

/// A shop upgraded from schema 4 keeps its resume windows: `last_counted_at` is taken
/// from the counted downloads of the version now counted, not from uncounted ones
/// (resumes) or from another version's.
#[test]
fn the_download_log_migration_keeps_when_each_file_was_last_counted() {
    let (_dir, path, conn) = migrated_to(4);
    conn.execute_batch(
        "INSERT INTO products (id, slug, name, price_minor, currency, created_at)
           VALUES (1, 'book', 'Book', 500, 'usd', 0);
         INSERT INTO product_files (id, product_id, display_name, created_at) VALUES (1, 1, 'a.pdf', 0);
         INSERT INTO file_versions (id, file_id, version, stored_path, size, sha256, created_at)
           VALUES (1, 1, 'v1', 'x', 1, 'h', 0), (2, 1, 'v2', 'y', 1, 'h', 0);
         INSERT INTO customers (id, email, created_at) VALUES (1, 'a@example.com', 0);
         INSERT INTO purchases (id, token, customer_id, email, amount_minor, currency, status, source, test, created_at)
           VALUES (1, 't1', 1, 'a@example.com', 500, 'usd', 'paid', 'checkout', 0, 0),
                  (2, 't2', 1, 'a@example.com', 500, 'usd', 'paid', 'checkout', 0, 0);
         INSERT INTO purchase_items (id, purchase_id, product_id, amount_minor) VALUES (1, 1, 1, 500), (2, 2, 1, 500);
         INSERT INTO download_counts (purchase_item_id, file_id, used, file_version_id)
           VALUES (1, 1, 2, 2), (2, 1, 1, 1);
         INSERT INTO downloads (purchase_id, purchase_item_id, file_id, file_version_id, at, ip, user_agent, bytes, counted)
           VALUES (1, 1, 1, 1, 900, '', '', 1, 1),
                  (1, 1, 1, 2, 100, '', '', 1, 1),
                  (1, 1, 1, 2, 200, '', '', 1, 1),
                  (1, 1, 1, 2, 300, '', '', 1, 0),
                  (2, 2, 1, 1, 50, '', '', 1, 1);",
    )
    .unwrap();
    drop(conn);

    let db = Db::open(&path).unwrap();
    let (last, indexes): (Vec<(i64, Option<i64>)>, i64) = db
        .run_blocking(|c| {
            let last = c
                .prepare("SELECT purchase_item_id, last_counted_at FROM download_counts ORDER BY 1")?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let indexes = c.query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'downloads'",
                [],
                |r| r.get(0),
            )?;
            Ok((last, indexes))
        })
        .unwrap();
    assert_eq!(last, vec![(1, Some(200)), (2, Some(50))]);
    assert_eq!(indexes, 0, "the download log is written without an index");
    let (rows, fks): (i64, i64) = db
        .run_blocking(|c| {
            Ok((
                c.query_row("SELECT count(*) FROM downloads", [], |r| r.get(0))?,
                c.query_row(
                    "SELECT (SELECT count(*) FROM pragma_foreign_key_list('downloads'))
                          + (SELECT count(*) FROM pragma_foreign_key_list('download_counts'))",
                    [],
                    |r| r.get(0),
                )?,
            ))
        })
        .unwrap();
    assert_eq!(
        (rows, fks),
        (5, 0),
        "the log kept; it and the counts without foreign keys"
    );
}

/// A shop upgraded to 0011 (archiving) has nothing archived and every file where it was.
#[test]
fn upgrading_to_0011_archives_nothing_and_keeps_every_file() {
    let (_dir, path, conn) = migrated_to(10);
    conn.execute_batch(
        "INSERT INTO products (id, slug, name, price_minor, currency, created_at)
           VALUES (1, 'book', 'Book', 500, 'usd', 0);
         INSERT INTO product_files (id, product_id, display_name, created_at) VALUES (1, 1, 'a.pdf', 0);
         INSERT INTO file_versions (id, file_id, version, stored_path, size, sha256, created_at)
           VALUES (1, 1, '1', 'x', 1, 'h', 0);",
    )
    .unwrap();
    drop(conn);

    let db = Db::open(&path).unwrap();
    db.run_blocking(|c| {
        let p = crate::catalog::product_by_slug(c, "book")?.expect("kept");
        assert_eq!(p.archived_at, None);
        assert!(p.for_sale());
        assert_eq!(p.files.len(), 1);
        assert_eq!(crate::catalog::files_sold(c, 1, Some(1))?.len(), 1);
        Ok(())
    })
    .unwrap();
}
