//! The receipt's road through the outbox when the mail server is down or says no.

use super::BOOK;
use booth_testkit::app::*;
use booth_testkit::SmtpMode;
use std::time::Duration;

#[tokio::test]
async fn smtp_down_then_up_delivers_the_receipt_late_and_once() {
    let mut app = spawn_app().await;
    app.add_product("book", "5", "5", &[("book.pdf", BOOK)])
        .await;
    app.smtp.stop();
    let paid = app.buy_and_pay("book", "hal@example.com").await;
    let token = app.complete(&paid).await;
    // The purchase is there at once; the receipt waits in the outbox with the reason.
    assert!(app.shop().purchase(&token).await.unwrap().is_some());
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let rows = app.shop().outbox(None, 10).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].status == "queued" || rows[0].status == "sending");
    assert!(rows[0].attempts >= 2, "retried while down: {:?}", rows[0]);
    assert!(rows[0].last_error.is_some());
    app.smtp.restart();
    let mail = app.smtp.wait_for_messages(1, Duration::from_secs(30)).await;
    assert!(mail[0].text.as_deref().unwrap().contains(&token));
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(app.smtp.messages().len(), 1);
    assert_eq!(app.shop().outbox(Some("sent"), 10).await.unwrap().len(), 1);
}

#[tokio::test]
async fn permanent_smtp_rejection_is_not_retried() {
    let app = spawn_app().await;
    app.add_product("book", "5", "5", &[("book.pdf", BOOK)])
        .await;
    app.smtp.set_mode(SmtpMode::PermFail);
    let paid = app.buy_and_pay("book", "ida@example.com").await;
    app.complete(&paid).await;
    let mut failed = Vec::new();
    for _ in 0..100 {
        failed = app.shop().outbox(Some("failed"), 10).await.unwrap();
        if !failed.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].attempts, 1);
    assert!(
        failed[0].last_error.as_deref().unwrap().contains("550"),
        "{:?}",
        failed[0].last_error
    );
}
