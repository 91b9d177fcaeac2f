//! Update mailings, black-box: who gets them, what they say, one-click unsubscribe, fresh
//! downloads for the new version, SMTP failures, and receipts overtaking a big mailing.

use booth_core::shop::MailingRequest;
use booth_testkit::app::*;
use booth_testkit::{ReceivedMail, SmtpMode};
use std::collections::HashMap;
use std::time::Duration;

fn updates(mail: &[ReceivedMail]) -> Vec<&ReceivedMail> {
    mail.iter()
        .filter(|m| m.header("X-Booth-Kind") == Some("update"))
        .collect()
}

fn request(product: &str, message: &str) -> MailingRequest {
    MailingRequest {
        product: product.into(),
        subject: None,
        message: message.into(),
        include_test: false,
    }
}

/// A mail client's one-click unsubscribe (RFC 8058): a form POST to the header's URL.
async fn one_click(app: &TestApp, url: &str) -> reqwest::Response {
    app.http
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap()
}

/// The unsubscribe page's "resubscribe" button.
async fn resubscribe(app: &TestApp, url: &str) -> reqwest::Response {
    app.http
        .post(url)
        .form(&[("action", "resubscribe")])
        .send()
        .await
        .unwrap()
}

async fn wait_finished(app: &TestApp, id: i64) -> booth_core::mailing::MailingSummary {
    for _ in 0..300 {
        let m = app.shop().mailing(id).await.unwrap();
        if m.finished() {
            return m;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "mailing #{id} never finished: {:?}",
        app.shop().mailing(id).await.unwrap()
    );
}

#[tokio::test]
async fn every_eligible_buyer_gets_one_update_with_a_working_link_to_the_new_version() {
    let app = spawn_app().await;
    app.add_product("book", "5", "2", &[("book.pdf", b"version one")])
        .await;
    app.add_product("other", "5", "2", &[("other.pdf", b"x")])
        .await;
    let ann = app.shop().grant("book", "ann@example.com").await.unwrap();
    let _ann_again = app.shop().grant("book", "ANN@example.com").await.unwrap();
    let bob = app.shop().grant("book", "bob@example.com").await.unwrap();
    let refunded = app
        .complete(&app.buy_and_pay("book", "ref@example.com").await)
        .await;
    app.shop().refund(&refunded, None).await.unwrap();
    let revoked = app.shop().grant("book", "rev@example.com").await.unwrap();
    app.shop()
        .revoke(&revoked.token, Some("book"))
        .await
        .unwrap();
    let test_buyer = app
        .complete(&app.buy_and_pay("book", "test@example.com").await)
        .await;
    app.shop().grant("other", "otto@example.com").await.unwrap();
    // Exhaust ann's downloads of version 1.
    let latest_ann = app
        .purchases()
        .await
        .into_iter()
        .find(|p| p.email == "ANN@example.com")
        .unwrap();
    let ann_path = download_path(&latest_ann);
    for _ in 0..2 {
        assert_eq!(app.get(&ann_path).await.status(), 200);
    }
    assert_eq!(app.get(&ann_path).await.status(), 410);
    let receipts = app.smtp.messages().len();

    let v2 = app.data_dir.path().join("book-v2.pdf");
    std::fs::write(&v2, b"version two").unwrap();
    app.shop()
        .new_version("book", "book.pdf", v2, None, "")
        .await
        .unwrap();
    let preview = app
        .shop()
        .preview_mailing(request("book", "Chapter 9 is new.\nTypos fixed."))
        .await
        .unwrap();
    assert_eq!(preview.recipients, 2);
    let m = app
        .shop()
        .create_mailing(request(
            "book",
            "Chapter 9 is new.\nTypos fixed.\n\n<b>Enjoy</b>",
        ))
        .await
        .unwrap();
    assert_eq!(
        m.recipients, 2,
        "ann once (latest purchase), bob; not refunded, revoked, test or other buyers"
    );
    let m = wait_finished(&app, m.id).await;
    assert_eq!((m.sent, m.failed, m.pending), (2, 0, 0));

    let mail = app
        .smtp
        .wait_for_messages(receipts + 2, Duration::from_secs(20))
        .await;
    let ups = updates(&mail);
    let mut to: Vec<String> = ups.iter().map(|m| m.to[0].to_lowercase()).collect();
    to.sort();
    assert_eq!(to, vec!["ann@example.com", "bob@example.com"]);
    for u in &ups {
        assert!(u.subject.contains("a new version is out"), "{}", u.subject);
        let text = u.text.as_deref().unwrap();
        assert!(
            text.contains("Chapter 9 is new.") && text.contains("Typos fixed."),
            "{text}"
        );
        let html = u.html.as_deref().unwrap();
        assert!(
            html.contains("&lt;b&gt;Enjoy&lt;&#x2f;b&gt;") || html.contains("&lt;b&gt;Enjoy"),
            "the seller's text is escaped"
        );
        let unsub = u.header("List-Unsubscribe").unwrap();
        assert!(unsub.starts_with('<') && unsub.contains("/u/"), "{unsub}");
        assert_eq!(
            u.header("List-Unsubscribe-Post"),
            Some("List-Unsubscribe=One-Click")
        );
        // An unnamed shop says so plainly (the first-run checklist asks for a name).
        assert!(u.header("From").unwrap().contains("My shop"));
    }
    // Ann's link serves version two, with fresh downloads.
    let ann_mail = ups
        .iter()
        .find(|m| m.to[0].eq_ignore_ascii_case("ann@example.com"))
        .unwrap();
    let link = app.url(&format!("/d/{}", latest_ann.token));
    assert!(
        ann_mail.text.as_deref().unwrap().contains(&link),
        "newest purchase's link"
    );
    let res = app.get(&ann_path).await;
    assert_eq!(res.status(), 200, "fresh downloads for the new version");
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"version two");
    assert!(!ann.token.is_empty() && !bob.token.is_empty() && !test_buyer.is_empty());

    // A second mailing including test purchases reaches the test buyer too.
    let mut req = request("book", "");
    req.include_test = true;
    let m2 = app.shop().create_mailing(req).await.unwrap();
    assert_eq!(m2.recipients, 3);
    wait_finished(&app, m2.id).await;
}

#[tokio::test]
async fn one_click_unsubscribe_is_honoured_by_later_mailings() {
    let app = spawn_app().await;
    app.add_product("book", "5", "5", &[("book.pdf", b"v1")])
        .await;
    for who in ["a@example.com", "b@example.com"] {
        app.shop().grant("book", who).await.unwrap();
    }
    let m1 = app
        .shop()
        .create_mailing(request("book", "first"))
        .await
        .unwrap();
    wait_finished(&app, m1.id).await;
    let mail = app.smtp.wait_for_messages(4, Duration::from_secs(20)).await;
    let a = updates(&mail)
        .into_iter()
        .find(|m| m.to[0] == "a@example.com")
        .unwrap()
        .clone();
    let url = a
        .header("List-Unsubscribe")
        .unwrap()
        .trim_matches(['<', '>'])
        .to_string();

    // Opening the link (a scanner, or the buyer) only asks; nothing changes.
    let page = app.http.get(&url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("a@example.com") && html.contains("method=\"post\""),
        "{html}"
    );
    assert_eq!(app.shop().mailing(m1.id).await.unwrap().unsubscribed, 0);

    // The mail client's one-click POST (RFC 8058).
    let res = one_click(&app, &url).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("unsubscribed"));
    assert_eq!(app.shop().mailing(m1.id).await.unwrap().unsubscribed, 1);

    let m2 = app
        .shop()
        .create_mailing(request("book", "second"))
        .await
        .unwrap();
    assert_eq!((m2.recipients, m2.skipped_unsubscribed), (1, 1));
    wait_finished(&app, m2.id).await;
    let mail = app.smtp.wait_for_messages(5, Duration::from_secs(20)).await;
    assert!(
        updates(&mail)
            .iter()
            .filter(|m| m.to[0] == "a@example.com")
            .count()
            == 1,
        "no second update for a"
    );

    // Receipts still reach an unsubscribed buyer; resubscribing brings updates back.
    let token = app
        .purchases()
        .await
        .into_iter()
        .find(|p| p.email == "a@example.com")
        .unwrap()
        .token;
    app.shop().resend_receipt(&token).await.unwrap();
    app.smtp.wait_for_messages(6, Duration::from_secs(20)).await;
    let res = resubscribe(&app, &url).await;
    assert_eq!(res.status(), 200);
    let m3 = app
        .shop()
        .create_mailing(request("book", "third"))
        .await
        .unwrap();
    assert_eq!(m3.recipients, 2);

    // Garbage unsubscribe links get the unknown-link page.
    for bad in [
        "/u/nope",
        "/u/00000000000000000000000000000000",
        "/u/..%2F..%2Fbooth.db",
    ] {
        assert_eq!(app.get(bad).await.status(), 404, "{bad}");
        let res = app
            .http
            .post(app.url(bad))
            .body("List-Unsubscribe=One-Click")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "{bad}");
    }
}

/// The unsubscribe link travels in a header that mailbox providers and third-party
/// services read, so it must not open the buyer's downloads: it carries a token of its
/// own, not the purchase's. Links in mail sent before (purchase tokens) keep working.
#[tokio::test]
async fn the_unsubscribe_link_is_no_download_credential() {
    let app = spawn_app().await;
    app.add_product("book", "5", "5", &[("book.pdf", b"v1")])
        .await;
    let purchase = app.shop().grant("book", "a@example.com").await.unwrap();
    let m = app
        .shop()
        .create_mailing(request("book", "news"))
        .await
        .unwrap();
    wait_finished(&app, m.id).await;
    let mail = app.smtp.wait_for_messages(2, Duration::from_secs(20)).await;
    let header = updates(&mail)[0]
        .header("List-Unsubscribe")
        .unwrap()
        .to_string();
    let url = header.trim_matches(['<', '>']).to_string();
    let token = url
        .split("/u/")
        .nth(1)
        .and_then(|t| t.split('?').next())
        .unwrap()
        .to_string();
    assert_eq!(token.len(), 32, "{url}");
    assert!(
        !header.contains(&purchase.token),
        "the purchase token is in List-Unsubscribe: {header}"
    );
    // Whoever reads the header can't download with it, nor see the purchase.
    let file = purchase.items[0].files[0].file.id;
    let res = app.get(&format!("/d/{token}/{file}")).await;
    assert_eq!(res.status(), 404);
    assert_eq!(app.get(&format!("/d/{token}")).await.status(), 404);
    // It does what it is for…
    let res = one_click(&app, &url).await;
    assert_eq!(res.status(), 200);
    assert!(app.shop().is_unsubscribed("a@example.com").await.unwrap());
    // …and an old-style link (a purchase token, from mail sent by an earlier Booth) too.
    let res = resubscribe(&app, &app.url(&format!("/u/{}", purchase.token))).await;
    assert_eq!(res.status(), 200);
    assert!(!app.shop().is_unsubscribed("a@example.com").await.unwrap());
}

#[tokio::test]
async fn mailings_retry_temporary_failures_and_record_permanent_ones() {
    let app = spawn_app().await;
    app.add_product("book", "5", "5", &[("book.pdf", b"v1")])
        .await;
    app.shop().grant("book", "a@example.com").await.unwrap();
    app.shop().grant("book", "b@example.com").await.unwrap();
    app.smtp.wait_for_messages(2, Duration::from_secs(20)).await;

    app.smtp.set_mode(SmtpMode::TempFail);
    let m = app
        .shop()
        .create_mailing(request("book", "v2"))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let waiting = app.shop().mailing_failures(m.id).await.unwrap();
    assert_eq!(waiting.len(), 2, "both waiting to retry");
    assert!(
        waiting
            .iter()
            .all(|f| f.status != "failed" && f.reason.contains("451")),
        "{waiting:?}"
    );
    app.smtp.set_mode(SmtpMode::Accept);
    let done = wait_finished(&app, m.id).await;
    assert_eq!((done.sent, done.failed), (2, 0));

    app.smtp.set_mode(SmtpMode::PermFail);
    let m = app
        .shop()
        .create_mailing(request("book", "v3"))
        .await
        .unwrap();
    let done = wait_finished(&app, m.id).await;
    assert_eq!((done.sent, done.failed), (0, 2));
    let failures = app.shop().mailing_failures(m.id).await.unwrap();
    assert!(
        failures
            .iter()
            .all(|f| f.status == "failed" && f.attempts == 1 && f.reason.contains("550")),
        "{failures:?}"
    );
}

#[tokio::test]
async fn receipts_are_not_stuck_behind_a_big_mailing() {
    let app = spawn_app().await;
    app.add_product("book", "5", "5", &[("book.pdf", b"v1")])
        .await;
    // 300 buyers, recorded without receipts to keep the test quick.
    app.shop()
        .db()
        .write(|tx| {
            for i in 0..300 {
                booth_core::purchases::insert_purchase(
                    tx,
                    &booth_core::purchases::NewPurchase {
                        email: booth_core::domain::Email::parse(&format!("buyer{i}@example.com"))?,
                        email_problem: None,
                        currency: booth_core::domain::Currency::parse("usd")?,
                        checkout_session_id: None,
                        payment_intent_id: None,
                        source: booth_core::purchases::Source::Grant,
                        test: false,
                        items: vec![booth_core::purchases::NewItem {
                            product_id: 1,
                            amount_minor: 0,
                        }],
                        charge: booth_core::purchases::Charge::plain(0),
                        referral: Default::default(),
                        consent: None,
                        invoice_url: None,
                    },
                )?;
            }
            Ok(())
        })
        .await
        .unwrap();
    let m = app
        .shop()
        .create_mailing(request("book", "big news"))
        .await
        .unwrap();
    assert_eq!(m.recipients, 300);
    // A buyer pays while the mailing is going out.
    let token = app
        .complete(&app.buy_and_pay("book", "late@example.com").await)
        .await;
    wait_finished(&app, m.id).await;
    let mail = app
        .smtp
        .wait_for_messages(301, Duration::from_secs(30))
        .await;
    let receipt_at = mail
        .iter()
        .position(|m| m.header("X-Booth-Kind") == Some("receipt"))
        .unwrap();
    assert!(mail[receipt_at].text.as_deref().unwrap().contains(&token));
    assert!(
        receipt_at < 250,
        "the receipt went out at position {receipt_at} of 301, behind the mailing"
    );
    // And every buyer got exactly one update.
    let mut per: HashMap<String, usize> = HashMap::new();
    for u in updates(&mail) {
        *per.entry(u.to[0].clone()).or_default() += 1;
    }
    assert_eq!(per.len(), 300);
    assert!(per.values().all(|n| *n == 1));
}

#[tokio::test]
async fn mailing_input_is_checked_and_a_second_mailing_waits_for_the_first() {
    let app = spawn_app().await;
    app.add_product("book", "5", "5", &[("book.pdf", b"v1")])
        .await;
    app.shop().grant("book", "a@example.com").await.unwrap();
    let bad = [
        MailingRequest {
            subject: Some("two\nlines".into()),
            ..request("book", "")
        },
        MailingRequest {
            subject: Some("x".repeat(500)),
            ..request("book", "")
        },
        request("book", &"x".repeat(30_000)),
        request("book", "bell\u{7}"),
        request("nope", "hi"),
        request("../etc", "hi"),
    ];
    for req in bad {
        assert!(
            app.shop().create_mailing(req.clone()).await.is_err(),
            "{req:?}"
        );
    }
    assert!(
        app.shop().mailings().await.unwrap().is_empty(),
        "nothing was queued"
    );
    app.smtp.set_mode(SmtpMode::TempFail);
    let m = app
        .shop()
        .create_mailing(request("book", "one"))
        .await
        .unwrap();
    let err = app
        .shop()
        .create_mailing(request("book", "two"))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains(&format!("mailing #{}", m.id)),
        "{err}"
    );
    app.shop().cancel_mailing(m.id).await.unwrap();
    // Still failing: a message in flight at the cancel comes back for a retry and is
    // skipped then.
    let m = wait_finished(&app, m.id).await;
    app.smtp.set_mode(SmtpMode::Accept);
    assert!(m.canceled);
    assert_eq!(
        (m.sent, m.skipped),
        (0, 1),
        "a canceled mailing sends nothing more"
    );
    // Now a new one may start.
    app.shop()
        .create_mailing(request("book", "two"))
        .await
        .unwrap();
}
