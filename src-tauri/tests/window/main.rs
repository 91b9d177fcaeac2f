//! The seller's window, for real: the desktop app runs under Xvfb and is driven over
//! WebDriver (tauri-driver + Debian's WebKitWebDriver). One module per story; the helpers
//! every story shares are here.

mod archive;
mod autostart;
mod background;
mod bindings;
mod bus;
mod desktop_services;
mod first_minute;
mod first_run;
mod first_week;
mod narrow;
mod port_taken;
mod settings_apply;
mod storage;
mod tray;
mod tunnel;

use booth_core::shop::SettingsInput;
use booth_core::{ProductInput, Shop};
use booth_testkit::desktop::VirtualDisplay;
use booth_testkit::Browser;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const WAIT: Duration = Duration::from_secs(60);

pub fn shots_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).expect("screenshots dir");
    dir
}

/// A new shop (in a temp dir) whose server is to listen on `port`.
pub async fn shop_on_port(port: u16) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let data_dir = tmp.path().join("shop");
    Shop::open(&data_dir)
        .unwrap()
        .save_settings(SettingsInput {
            listen: Some(format!("127.0.0.1:{port}")),
            ..SettingsInput::default()
        })
        .await
        .unwrap();
    (tmp, data_dir)
}

/// A product for sale in `shop`, in USD, with the one file at `file`.
pub async fn add_product(
    shop: &Shop,
    name: &str,
    slug: &str,
    price: &str,
    limit: &str,
    file: &Path,
) {
    shop.add_product(ProductInput {
        licenses: None,
        stamp: None,
        name: name.into(),
        slug: Some(slug.into()),
        price: price.into(),
        currency: "usd".into(),
        limit: Some(limit.into()),
        active: true,
        files: vec![file.to_path_buf()],
        ..ProductInput::default()
    })
    .await
    .unwrap();
}

/// The desktop app on its own virtual display, on the shop in `data_dir`.
pub async fn launch(data_dir: &Path) -> (VirtualDisplay, Browser) {
    launch_with(data_dir, &[]).await
}

/// `launch`, with more of the app's environment (a private bus's address).
pub async fn launch_with(data_dir: &Path, env: &[(&str, &str)]) -> (VirtualDisplay, Browser) {
    let display = VirtualDisplay::start();
    let data_dir = data_dir.display().to_string();
    let mut vars = vec![("BOOTH_DATA_DIR", data_dir.as_str())];
    vars.extend_from_slice(env);
    let app = Browser::tauri_app(
        Path::new(env!("CARGO_BIN_EXE_booth-desktop")),
        &display.display,
        &vars,
    )
    .await;
    (display, app)
}

/// Waits for the app's window to come back after it was closed, and switches to it once
/// it has drawn the shop's status.
pub async fn window_back(app: &Browser) {
    let deadline = std::time::Instant::now() + WAIT;
    let window = loop {
        if let Some(h) = app.window_handles().await.into_iter().next() {
            break h;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the window comes back"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    app.switch_to_window(&window).await;
    app.wait_text(
        "[data-testid=server-status]",
        |t| t.contains("running"),
        WAIT,
    )
    .await;
}

pub async fn wait_new_window(app: &Browser, main: &str) -> String {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        if let Some(h) = app.window_handles().await.into_iter().find(|h| h != main) {
            return h;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the test purchase window didn't open"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Destructive actions may ask first; press the dialog's confirm button when there is one.
pub async fn confirm_if_asked(app: &Browser) {
    tokio::time::sleep(Duration::from_millis(300)).await;
    if app.exists("[data-testid=confirm]").await {
        app.click("[data-testid=confirm]").await;
    }
}
