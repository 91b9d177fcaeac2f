//! `PurchaseFilter`: each filter finds its purchases and only those, pages give every row
//! once, and hostile input is refused, naming its field, before anything runs.

use crate::db::Db;
use crate::purchase_filter::{find, PurchaseFilter, PurchaseQuery};
use std::collections::HashSet;

const DAY: i64 = 86_400;
/// 2026-01-01 00:00 UTC.
const JAN1: i64 = 1_767_225_600;

/// id, email, product slugs, status, refunded, source, test, created_at.
type Row = (
    i64,
    &'static str,
    &'static [&'static str],
    &'static str,
    i64,
    &'static str,
    bool,
    i64,
);

const ROWS: &[Row] = &[
    (
        1,
        "ada@example.com",
        &["field-guide"],
        "paid",
        0,
        "checkout",
        false,
        JAN1 + 36_000,
    ),
    (
        2,
        "bob_smith@example.org",
        &["golden-hour"],
        "refunded",
        1900,
        "checkout",
        false,
        JAN1 + DAY,
    ),
    (
        3,
        "cy@example.com",
        &["field-guide", "golden-hour"],
        "paid",
        100,
        "checkout",
        true,
        JAN1 + 2 * DAY,
    ),
    (
        4,
        "dee@example.net",
        &["golden-hour"],
        "revoked",
        0,
        "grant",
        false,
        JAN1 + 3 * DAY,
    ),
    (
        5,
        "eve@example.com",
        &["field-guide"],
        "paid",
        0,
        "free",
        false,
        JAN1 + 5 * DAY - 1,
    ),
    (
        6,
        "Ada@Example.com",
        &["golden-hour"],
        "paid",
        0,
        "grant",
        true,
        JAN1 + 5 * DAY,
    ),
];

fn shop(rows: &[Row]) -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&dir.path().join("booth.db")).unwrap();
    db.run_blocking(|c| {
        c.execute_batch(
            "INSERT INTO products (id, slug, name, price_minor, currency, created_at)
               VALUES (1, 'field-guide', 'The Field Guide', 1900, 'usd', 0),
                      (2, 'golden-hour', 'Golden Hour Presets', 1200, 'usd', 0);",
        )?;
        for &(id, email, products, status, refunded, source, test, at) in rows {
            c.execute(
                "INSERT OR IGNORE INTO customers (email, created_at, unsubscribe_token)
                 VALUES (lower(?1), 0, lower(?1))",
                [email],
            )?;
            c.execute(
                "INSERT INTO purchases (id, token, customer_id, email, amount_minor, subtotal_minor,
                                        currency, amount_refunded_minor, status, source, test, created_at)
                 VALUES (?1, printf('%032x', ?1), (SELECT id FROM customers WHERE email = lower(?2)),
                         ?2, 1900, 1900, 'usd', ?3, ?4, ?5, ?6, ?7)",
                rusqlite::params![id, email, refunded, status, source, test, at],
            )?;
            for slug in products {
                c.execute(
                    "INSERT INTO purchase_items (purchase_id, product_id, amount_minor)
                     SELECT ?1, id, 1900 FROM products WHERE slug = ?2",
                    rusqlite::params![id, slug],
                )?;
            }
        }
        Ok(())
    })
    .unwrap();
    (dir, db)
}

fn query(set: impl FnOnce(&mut PurchaseQuery)) -> PurchaseQuery {
    let mut q = PurchaseQuery::default();
    set(&mut q);
    q
}

/// The ids the query finds on its first page, in order, checked against its total.
fn ids(db: &Db, q: PurchaseQuery) -> Vec<i64> {
    let filter = PurchaseFilter::try_from(q).unwrap();
    let page = db.run_blocking(|c| find(c, &filter)).unwrap();
    assert!(page.next.is_none(), "one page");
    assert_eq!(page.total as usize, page.purchases.len());
    page.purchases.iter().map(|p| p.id).collect()
}

#[test]
fn no_filter_is_every_purchase_newest_first_with_its_items() {
    let (_dir, db) = shop(ROWS);
    let filter = PurchaseFilter::try_from(PurchaseQuery::default()).unwrap();
    let page = db.run_blocking(|c| find(c, &filter)).unwrap();
    let ids: Vec<i64> = page.purchases.iter().map(|p| p.id).collect();
    assert_eq!(ids, [6, 5, 4, 3, 2, 1]);
    assert_eq!((page.total, page.next), (6, None));
    assert_eq!(
        page.purchases[3].items.len(),
        2,
        "purchase 3 holds both products"
    );
}

#[test]
fn text_is_part_of_an_email_a_whole_token_or_part_of_a_product() {
    let (_dir, db) = shop(ROWS);
    let text = |t: &str| ids(&db, query(|q| q.text = t.into()));
    assert_eq!(text("ADA@"), [6, 1], "any case");
    assert_eq!(text("  example.org "), [2]);
    assert_eq!(text("b_s"), [2]);
    assert_eq!(text("a_a"), Vec::<i64>::new(), "_ is not a wildcard");
    assert_eq!(text("%"), Vec::<i64>::new(), "% is not a wildcard");
    assert_eq!(text("' OR 1=1 --"), Vec::<i64>::new());
    assert_eq!(text(&format!("{:032x}", 4)), [4], "a whole token");
    assert_eq!(
        text(&format!("{:032x}", 4)[..20]),
        Vec::<i64>::new(),
        "not part of one"
    );
    assert_eq!(text("field gui"), [5, 3, 1], "part of a product's name");
    assert_eq!(text("golden-h"), [6, 4, 3, 2], "part of its slug");
    assert_eq!(text(""), [6, 5, 4, 3, 2, 1]);
}

#[test]
fn status_puts_each_purchase_in_one() {
    let (_dir, db) = shop(ROWS);
    let status = |s: &str| ids(&db, query(|q| q.status = s.into()));
    assert_eq!(status("paid"), [6, 5, 1]);
    assert_eq!(status("partially_refunded"), [3]);
    assert_eq!(status("refunded"), [2]);
    assert_eq!(status("revoked"), [4]);
    // The filter's SQL and `Standing::of` (what each purchase says it is) agree on every row.
    for standing in ["paid", "partially_refunded", "refunded", "revoked"] {
        let q = query(|q| q.status = standing.into());
        let filter = PurchaseFilter::try_from(q).unwrap();
        let page = db.run_blocking(|c| find(c, &filter)).unwrap();
        assert!(page
            .purchases
            .iter()
            .all(|p| p.standing.as_str() == standing));
    }
}

#[test]
fn product_source_and_test() {
    let (_dir, db) = shop(ROWS);
    assert_eq!(
        ids(&db, query(|q| q.product = "golden-hour".into())),
        [6, 4, 3, 2]
    );
    assert_eq!(
        ids(&db, query(|q| q.product = "no-such-book".into())),
        Vec::<i64>::new()
    );
    assert_eq!(ids(&db, query(|q| q.source = "grant".into())), [6, 4]);
    assert_eq!(ids(&db, query(|q| q.source = "free".into())), [5]);
    assert_eq!(ids(&db, query(|q| q.source = "checkout".into())), [3, 2, 1]);
    assert_eq!(ids(&db, query(|q| q.test = "test".into())), [6, 3]);
    assert_eq!(ids(&db, query(|q| q.test = "live".into())), [5, 4, 2, 1]);
}

#[test]
fn days_are_inclusive_in_utc() {
    let (_dir, db) = shop(ROWS);
    let range = |from: &str, to: &str| {
        ids(
            &db,
            query(|q| {
                q.from = from.into();
                q.to = to.into();
            }),
        )
    };
    // Purchase 5 is at 23:59:59 on the 5th, purchase 6 at midnight on the 6th.
    assert_eq!(range("2026-01-02", "2026-01-05"), [5, 4, 3, 2]);
    assert_eq!(range("2026-01-06", ""), [6]);
    assert_eq!(range("", "2026-01-01"), [1]);
    assert_eq!(range("2026-01-03", "2026-01-03"), [3]);
}

#[test]
fn filters_combine() {
    let (_dir, db) = shop(ROWS);
    let q = query(|q| {
        q.text = "ada".into();
        q.test = "live".into();
    });
    assert_eq!(ids(&db, q), [1]);
    let q = query(|q| {
        q.product = "field-guide".into();
        q.status = "paid".into();
        q.from = "2026-01-02".into();
    });
    assert_eq!(ids(&db, q), [5]);
}

/// Walks every page of `q` at `limit` a page; checks each page's total.
fn walk(db: &Db, mut q: PurchaseQuery, limit: u32) -> Vec<i64> {
    q.limit = Some(limit);
    let mut seen = Vec::new();
    loop {
        let filter = PurchaseFilter::try_from(&q).unwrap();
        let page = db.run_blocking(|c| find(c, &filter)).unwrap();
        assert!(page.purchases.len() <= limit as usize);
        seen.extend(page.purchases.iter().map(|p| p.id));
        match page.next {
            Some(next) => q.after = Some(next),
            None => return seen,
        }
    }
}

#[test]
fn pages_give_every_purchase_once_even_when_times_tie() {
    // 40 purchases, four to a second, ids not in time order: the cursor must break ties.
    let rows: Vec<Row> = (1..=40)
        .map(|id| {
            let source = if id % 3 == 0 { "grant" } else { "checkout" };
            let at = JAN1 + (41 - id) / 4 * 60;
            (
                id,
                "buyer@example.com",
                &["field-guide"][..],
                "paid",
                0,
                source,
                false,
                at,
            )
        })
        .collect();
    let (_dir, db) = shop(&rows);
    let all = ids(&db, query(|q| q.limit = Some(500)));
    assert_eq!(all.len(), 40);
    for limit in [1, 3, 4, 7, 40] {
        assert_eq!(
            walk(&db, PurchaseQuery::default(), limit),
            all,
            "{limit} a page"
        );
    }
    let grants = walk(&db, query(|q| q.source = "grant".into()), 5);
    assert_eq!(grants.len(), 13);
    assert_eq!(grants.iter().collect::<HashSet<_>>().len(), 13);
    assert!(grants.iter().all(|id| id % 3 == 0));
}

fn refused(set: impl FnOnce(&mut PurchaseQuery)) -> &'static str {
    match PurchaseFilter::try_from(query(set)) {
        Err(e @ crate::Error::Invalid { .. }) => {
            assert_eq!(e.code(), "invalid_input");
            let crate::Error::Invalid { field, .. } = e else {
                unreachable!()
            };
            field
        }
        other => panic!("accepted: {other:?}"),
    }
}

#[test]
fn hostile_input_is_refused_with_its_field() {
    assert_eq!(refused(|q| q.text = "x".repeat(10_000)), "text");
    assert_eq!(refused(|q| q.text = "é".repeat(321)), "text");
    assert_eq!(refused(|q| q.text = "a\u{0}b".into()), "text");
    assert_eq!(refused(|q| q.text = "line\nbreak".into()), "text");
    assert_eq!(refused(|q| q.status = "lost".into()), "status");
    assert_eq!(refused(|q| q.status = "PAID".into()), "status");
    assert_eq!(refused(|q| q.source = "stolen".into()), "source");
    assert_eq!(refused(|q| q.test = "maybe".into()), "test");
    assert_eq!(refused(|q| q.product = "Not A Slug!".into()), "product");
    assert_eq!(refused(|q| q.product = "a".repeat(10_000)), "product");
    for bad in [
        "2026-13-01",
        "24/12/2026",
        "2026-1-1",
        "2026-02-30",
        "yesterday",
    ] {
        assert_eq!(refused(|q| q.from = bad.into()), "from", "{bad}");
        assert_eq!(refused(|q| q.to = bad.into()), "to", "{bad}");
    }
    let backwards = |q: &mut PurchaseQuery| {
        q.from = "2026-02-01".into();
        q.to = "2026-01-31".into();
    };
    assert_eq!(refused(backwards), "to");
    for bad in [
        "",
        "abc",
        "1",
        "1.0",
        "1.-2",
        "1.2.3",
        "99999999999999999999.1",
    ] {
        assert_eq!(refused(|q| q.after = Some(bad.into())), "after", "{bad:?}");
    }
    assert_eq!(refused(|q| q.limit = Some(0)), "limit");
    assert_eq!(refused(|q| q.limit = Some(501)), "limit");
    // At the edges: accepted.
    assert!(PurchaseFilter::try_from(query(|q| q.text = "é".repeat(320))).is_ok());
    assert!(PurchaseFilter::try_from(query(|q| q.limit = Some(500))).is_ok());
}
