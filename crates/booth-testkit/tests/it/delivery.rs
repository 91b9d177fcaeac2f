//! Whether mail is getting out, said where the seller looks, and new mail settings used at
//! once: a mail server that only answers "try again later" is reported with its reason and
//! how many messages wait; switching to a working server sends them without a restart.

use booth_core::secrets::Secret;
use booth_testkit::app::spawn_app;
use booth_testkit::{SmtpMode, SmtpServer};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(20);

#[tokio::test]
async fn a_server_that_wont_take_mail_is_reported_and_new_settings_send_at_once() {
    let app = spawn_app().await;
    app.add_product("book", "5", "5", &[("book.pdf", b"%PDF-1.4 book")])
        .await;
    let shop = app.shop();
    assert_eq!(
        shop.delivery_trouble().await.unwrap(),
        None,
        "nothing tried yet"
    );

    app.smtp.set_mode(SmtpMode::TempFail);
    shop.grant("book", "ana@example.com").await.unwrap();
    shop.grant("book", "bo@example.com").await.unwrap();
    let deadline = Instant::now() + WAIT;
    let trouble = loop {
        if let Some(t) = shop.delivery_trouble().await.unwrap() {
            if t.failures >= 2 {
                break t;
            }
        }
        assert!(Instant::now() < deadline, "the trouble is never reported");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        trouble.error.contains("451"),
        "the server's own words: {trouble:?}"
    );
    assert_eq!(trouble.waiting, 2, "both receipts wait for a retry");

    // Settings that can't be used are refused; the shop keeps the ones it had.
    let before = app.running.mailer().describe();
    assert!(app
        .running
        .use_mail_settings(Some(&Secret::new("ftp://mail.example.com")))
        .await
        .is_err());
    assert_eq!(app.running.mailer().describe(), before);

    // A working server, saved: both go out now (not after their backoff), no restart.
    let good = SmtpServer::start();
    app.running
        .use_mail_settings(Some(&Secret::new(good.url())))
        .await
        .unwrap();
    let mail = good.wait_for_messages(2, WAIT).await;
    let mut to: Vec<_> = mail.iter().map(|m| m.to[0].clone()).collect();
    to.sort();
    assert_eq!(to, ["ana@example.com", "bo@example.com"]);
    let deadline = Instant::now() + WAIT;
    while shop.delivery_trouble().await.unwrap().is_some() {
        assert!(
            Instant::now() < deadline,
            "the trouble stays after mail went out"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
