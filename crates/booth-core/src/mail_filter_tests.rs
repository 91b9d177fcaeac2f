//! `MailFilter`: text, kind and status find their messages and only those, pages give every
//! message once, and hostile input is refused, naming its field.

use crate::db::Db;
use crate::mail_filter::{find, MailFilter, MailQuery};

/// id, kind, recipient, subject, status.
const ROWS: &[(i64, &str, &str, &str, &str)] = &[
    (
        1,
        "receipt",
        "ada@example.com",
        "Your receipt: The Field Guide",
        "sent",
    ),
    (
        2,
        "receipt",
        "bob_smith@example.org",
        "Your receipt: Golden Hour",
        "failed",
    ),
    (
        3,
        "update",
        "ada@example.com",
        "The Field Guide: a new version is out",
        "queued",
    ),
    (
        4,
        "library",
        "cy@example.com",
        "Your purchases at Ada's Shop",
        "sent",
    ),
    (
        5,
        "update",
        "dee@example.net",
        "Golden Hour: 100% new",
        "skipped",
    ),
];

fn outbox(rows: &[(i64, &str, &str, &str, &str)]) -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&dir.path().join("booth.db")).unwrap();
    db.run_blocking(|c| {
        for (id, kind, to, subject, status) in rows {
            c.execute(
                "INSERT INTO outbox (id, kind, recipient, subject, body_text, body_html, message_id,
                                     status, next_attempt_at, created_at)
                 VALUES (?1, ?2, ?3, ?4, '', '', 'm' || ?1, ?5, 0, ?1)",
                rusqlite::params![id, kind, to, subject, status],
            )?;
        }
        Ok(())
    })
    .unwrap();
    (dir, db)
}

fn ids(db: &Db, q: MailQuery) -> Vec<i64> {
    let filter = MailFilter::try_from(q).unwrap();
    let page = db.run_blocking(|c| find(c, &filter)).unwrap();
    assert!(page.next.is_none());
    assert_eq!(page.total as usize, page.messages.len());
    page.messages.iter().map(|m| m.id).collect()
}

fn text(t: &str) -> MailQuery {
    MailQuery {
        text: t.into(),
        ..MailQuery::default()
    }
}

#[test]
fn text_is_part_of_the_recipient_or_the_subject() {
    let (_dir, db) = outbox(ROWS);
    assert_eq!(ids(&db, MailQuery::default()), [5, 4, 3, 2, 1]);
    assert_eq!(ids(&db, text("ADA@")), [3, 1]);
    assert_eq!(ids(&db, text("field guide")), [3, 1]);
    assert_eq!(ids(&db, text("ada")), [4, 3, 1], "Ada's Shop in a subject");
    assert_eq!(ids(&db, text("b_s")), [2]);
    assert_eq!(ids(&db, text("a_a")), Vec::<i64>::new());
    assert_eq!(ids(&db, text("100%")), [5]);
    assert_eq!(ids(&db, text("0%")), [5], "% is literal");
    assert_eq!(ids(&db, text("%")), [5]);
}

#[test]
fn kind_and_status_alone_and_together() {
    let (_dir, db) = outbox(ROWS);
    let q = |kind: &str, status: &str| MailQuery {
        kind: kind.into(),
        status: status.into(),
        ..MailQuery::default()
    };
    assert_eq!(ids(&db, q("receipt", "")), [2, 1]);
    assert_eq!(ids(&db, q("update", "")), [5, 3]);
    assert_eq!(ids(&db, q("library", "")), [4]);
    assert_eq!(ids(&db, q("", "sent")), [4, 1]);
    assert_eq!(ids(&db, q("", "skipped")), [5]);
    assert_eq!(ids(&db, q("receipt", "failed")), [2]);
    assert_eq!(ids(&db, q("update", "failed")), Vec::<i64>::new());
    let both = MailQuery {
        text: "ada".into(),
        status: "sent".into(),
        ..MailQuery::default()
    };
    assert_eq!(ids(&db, both), [4, 1]);
}

#[test]
fn pages_give_every_message_once() {
    let rows: Vec<_> = (1..=23)
        .map(|id| {
            let kind = if id % 2 == 0 { "update" } else { "receipt" };
            (id, kind, "a@example.com", "s", "sent")
        })
        .collect();
    let (_dir, db) = outbox(&rows);
    for (kind, limit, expected) in [
        ("", 5, 23),
        ("", 1, 23),
        ("update", 4, 11),
        ("receipt", 12, 12),
    ] {
        let mut q = MailQuery {
            kind: kind.into(),
            limit: Some(limit),
            ..MailQuery::default()
        };
        let mut seen = Vec::new();
        loop {
            let filter = MailFilter::try_from(&q).unwrap();
            let page = db.run_blocking(|c| find(c, &filter)).unwrap();
            assert_eq!(page.total, expected);
            seen.extend(page.messages.iter().map(|m| m.id));
            let Some(next) = page.next else { break };
            q.after = Some(next);
        }
        let mut want: Vec<i64> = rows
            .iter()
            .filter(|r| kind.is_empty() || r.1 == kind)
            .map(|r| r.0)
            .collect();
        want.reverse();
        assert_eq!(seen, want, "{kind:?} at {limit} a page");
    }
}

#[test]
fn hostile_input_is_refused_with_its_field() {
    let field = |q: MailQuery| match MailFilter::try_from(q) {
        Err(crate::Error::Invalid { field, .. }) => field,
        other => panic!("accepted: {other:?}"),
    };
    assert_eq!(field(text(&"x".repeat(10_000))), "text");
    assert_eq!(field(text("a\rb")), "text");
    let q = |set: fn(&mut MailQuery)| {
        let mut q = MailQuery::default();
        set(&mut q);
        q
    };
    assert_eq!(field(q(|q| q.kind = "spam".into())), "kind");
    assert_eq!(field(q(|q| q.status = "lost".into())), "status");
    assert_eq!(field(q(|q| q.after = Some("x".into()))), "after");
    assert_eq!(field(q(|q| q.after = Some("0".into()))), "after");
    assert_eq!(field(q(|q| q.after = Some("-5".into()))), "after");
    assert_eq!(field(q(|q| q.limit = Some(0))), "limit");
    assert_eq!(field(q(|q| q.limit = Some(10_000))), "limit");
}
