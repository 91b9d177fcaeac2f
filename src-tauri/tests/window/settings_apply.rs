//! Settings that take effect as the seller expects (issue 19): mail that can't go out is
//! said in the sidebar, on the Dashboard and on the mailing card with a way to Settings,
//! and new email settings apply on Save with no restart; a restart onto a port another
//! program holds keeps the shop that was working.

use super::{launch, shots_dir, WAIT};
use booth_core::shop::SettingsInput;
use booth_core::Shop;
use booth_testkit::smtp::free_port;
use booth_testkit::{SmtpMode, SmtpServer};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_trouble_is_said_and_settings_apply_without_losing_the_shop() {
    let failing = SmtpServer::start();
    failing.set_mode(SmtpMode::TempFail);
    let tmp = tempfile::tempdir().unwrap();
    let data_dir = tmp.path().join("shop");
    let port = free_port();
    let shop = Shop::open(&data_dir).unwrap();
    shop.save_settings(SettingsInput {
        listen: Some(format!("127.0.0.1:{port}")),
        smtp_url: Some(failing.url()),
        ..SettingsInput::default()
    })
    .await
    .unwrap();
    let book = tmp.path().join("notes.pdf");
    std::fs::write(&book, b"%PDF-1.4 notes".repeat(20)).unwrap();
    super::add_product(&shop, "Notes", "notes", "4.00", "5", &book).await;

    let (_display, app) = launch(&data_dir).await;
    app.wait_text(
        "[data-testid=server-status]",
        |t| t.contains("running"),
        WAIT,
    )
    .await;
    // The running shop's receipt can't go out: the sidebar and the Dashboard say so.
    shop.grant("notes", "ana@example.com").await.unwrap();
    app.wait_for("[data-testid=mail-trouble-line]", WAIT).await;
    app.click("[data-nav=dashboard]").await;
    let banner = app
        .wait_text("[data-testid=mail-trouble]", |t| t.contains("451"), WAIT)
        .await;
    assert!(banner.contains("1 message waits"), "{banner}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    app.screenshot(&shots_dir().join("desktop-mail-trouble.png"))
        .await;

    // Its button leads to the email settings; a working server saved there sends the
    // waiting receipt at once, and nothing asks for a restart.
    let good = SmtpServer::start();
    app.click("[data-action=open-email-settings]").await;
    app.wait_for("[name=smtp_url]", WAIT).await;
    app.fill("[name=smtp_url]", &good.url()).await;
    app.click("[data-testid=save-email]").await;
    let mail = good.wait_for_messages(1, WAIT).await;
    assert_eq!(mail[0].to, ["ana@example.com"]);
    app.wait_gone("[data-testid=mail-trouble-line]", WAIT).await;
    assert!(!app.exists("[data-testid=restart-banner]").await);

    // A listen address another program holds: Restart says so and the shop keeps selling.
    let squatter = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken = squatter.local_addr().unwrap().port();
    app.fill("[name=listen]", &format!("127.0.0.1:{taken}"))
        .await;
    app.click("[data-testid=save-server]").await;
    app.wait_for("[data-testid=restart-shop]", WAIT).await;
    app.click("[data-testid=restart-shop]").await;
    app.wait_text(
        "[data-testid=restart-banner]",
        |t| t.contains(&format!("can't listen on 127.0.0.1:{taken}")),
        WAIT,
    )
    .await;
    let health = reqwest::get(format!("http://127.0.0.1:{port}/healthz"))
        .await
        .unwrap();
    assert_eq!(health.status(), 200, "the working shop still answers");
    assert!(app
        .text("[data-testid=server-status]")
        .await
        .contains("running"));
    app.close().await;
}
