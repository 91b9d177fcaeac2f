//! The public address: a real bore relay started from Settings.

use super::{launch, shop_on_port, shots_dir, WAIT};
use booth_core::Shop;
use booth_testkit::smtp::free_port;
use serde_json::json;
use std::time::Duration;

/// Settings → Public address: the seller picks bore, presses Start, and the window shows
/// the public address, which answers through a real bore relay (on a loopback address);
/// the tunnel program is started by the app (tauri-plugin-shell), never by the page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seller_opens_the_shop_to_the_world_from_settings() {
    let bore = booth_testkit::bore::BoreServer::start("127.0.0.31");
    let (_tmp, data_dir) = shop_on_port(free_port()).await;
    let (_display, app) = launch(&data_dir).await;
    app.wait_text(
        "[data-testid=server-status]",
        |t| t.contains("running"),
        WAIT,
    )
    .await;

    app.click("[data-nav=settings]").await;
    app.wait_for("[data-testid=tunnel-form]", WAIT).await;
    // A hostile server name is refused beside its field; nothing starts.
    app.click("[data-provider=bore]").await;
    app.fill("[name=tunnel-server]", "-oProxyCommand=touch")
        .await;
    app.click("[data-testid=start-tunnel]").await;
    app.wait_text("#tunnel-server-msg", |t| !t.trim().is_empty(), WAIT)
        .await;
    assert_eq!(
        Shop::open(&data_dir).unwrap().tunnel_spec().await.unwrap(),
        None
    );

    app.fill("[name=tunnel-server]", &bore.host).await;
    let pressed = std::time::Instant::now();
    app.click("[data-testid=start-tunnel]").await;
    let url = app
        .wait_text(
            "[data-testid=tunnel-url]",
            |t| t.contains("http://127.0.0.31:"),
            WAIT,
        )
        .await
        .trim()
        .to_string();
    // A figure for the notes, not a check: the window is driven over WebDriver.
    eprintln!("Start pressed to address shown: {:?}", pressed.elapsed());
    let health = reqwest::get(format!("{url}/healthz")).await.unwrap();
    assert_eq!(health.status(), 200);
    assert!(health.headers().contains_key("x-booth-instance"));
    app.wait_text(
        "[data-testid=tunnel-health]",
        |t| t.contains("Reachable"),
        WAIT,
    )
    .await;
    app.wait_text(
        "[data-testid=public-url]",
        |t| t.contains("127.0.0.31"),
        WAIT,
    )
    .await;
    let shop = Shop::open(&data_dir).unwrap();
    assert!(shop.tunnel_on().await.unwrap(), "it reopens with the shop");
    assert_eq!(
        shop.tunnel_spec().await.unwrap().unwrap().server.as_deref(),
        Some("127.0.0.31")
    );

    // The page itself can't start programs: the shell plugin grants it nothing.
    for cmd in ["plugin:shell|spawn", "plugin:shell|execute"] {
        let r = app
            .execute_async(
                &format!(
                    "const done = arguments[arguments.length - 1];
                     window.__TAURI_INTERNALS__.invoke('{cmd}', {{ program: 'bore', args: ['--version'], options: {{}} }})
                       .then(() => done('allowed'), (e) => done('refused: ' + String(e)));"
                ),
                json!([]),
            )
            .await;
        let r = r.as_str().unwrap_or_default().to_string();
        assert!(r.starts_with("refused"), "{cmd}: {r}");
    }
    app.execute(
        "document.querySelector('[data-testid=tunnel-status]').scrollIntoView({ block: 'start' });",
        json!([]),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(3500)).await;
    app.screenshot(&shots_dir().join("desktop-tunnel.png"))
        .await;

    app.click("[data-testid=stop-tunnel]").await;
    app.wait_for("[data-testid=tunnel-status][data-state=off]", WAIT)
        .await;
    assert!(!booth_testkit::bore::answers(&url).await);
    assert!(!Shop::open(&data_dir).unwrap().tunnel_on().await.unwrap());

    // A relay that isn't there: the status gives bore's reason, not a backtrace's last line.
    app.fill("[name=tunnel-server]", "127.0.0.33").await;
    app.click("[data-testid=start-tunnel]").await;
    let said = app
        .wait_text(
            "[data-testid=tunnel-status]",
            |t| t.contains("could not connect"),
            WAIT,
        )
        .await;
    assert!(!said.contains("_start"), "{said}");
    app.click("[data-testid=stop-tunnel]").await;
    app.wait_for("[data-testid=tunnel-status][data-state=off]", WAIT)
        .await;
    app.close().await;
}
