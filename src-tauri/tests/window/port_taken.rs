//! A port another program holds: said in words, and Try again starts the shop.

use super::{launch, shop_on_port, shots_dir, WAIT};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_taken_port_is_said_in_words_and_try_again_starts_the_shop() {
    // Another program holds the shop's port.
    let squatter = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = squatter.local_addr().unwrap().port();
    let (_tmp, data_dir) = shop_on_port(port).await;

    let (_display, app) = launch(&data_dir).await;
    let banner = app
        .wait_text(
            "[data-testid=status-banner]",
            |t| t.contains("isn't running"),
            WAIT,
        )
        .await;
    assert!(
        banner.contains(&format!("127.0.0.1:{port}")) && banner.contains("another"),
        "the banner says which port and why: {banner}"
    );
    app.wait_text(
        "[data-testid=server-status]",
        |t| t.contains("stopped"),
        WAIT,
    )
    .await;
    // The catalog still opens while the shop is stopped.
    app.click("[data-nav=products]").await;
    app.wait_text(".content", |t| t.contains("No products yet"), WAIT)
        .await;
    app.screenshot(&shots_dir().join("desktop-port-taken.png"))
        .await;

    drop(squatter);
    app.click("[data-testid=restart-shop-banner]").await;
    app.wait_text(
        "[data-testid=server-status]",
        |t| t.contains("running"),
        WAIT,
    )
    .await;
    let health = reqwest::get(format!("http://127.0.0.1:{port}/healthz"))
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    app.close().await;
}
