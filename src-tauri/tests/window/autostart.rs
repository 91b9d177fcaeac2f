//! Start at login (Settings → While Booth runs), on Linux, for real:
//! - with HOME (and XDG_CONFIG_HOME under it) in a temp dir, switching "Start Booth when I log
//!   in" on writes ~/.config/autostart/Booth.desktop (tauri-plugin-autostart 2.7 → auto-launch
//!   0.6, which reads HOME only) whose Exec line is exactly this very binary with
//!   `--background`, which its owner reads and writes and no one else may change (auto-launch
//!   writes it 0666 & !umask: 0644, world-readable, under the usual umask); Settings still
//!   reads "on" after the page reloads; switching it off removes the entry;
//! - set_background_pref refuses a choice that isn't one (a shell-looking name, an empty one,
//!   5000 characters) as invalid_input on "pref" and stores nothing, while a real one is kept;
//! - `booth-desktop --background`, as the entry runs it, opens the shop with no window: a
//!   product page answers 200, no WebKit process starts, and SIGTERM ends it cleanly.

use super::bus::Bus;
use super::{add_product, shop_on_port, WAIT};
use booth_core::Shop;
use booth_testkit::desktop::VirtualDisplay;
use booth_testkit::smtp::free_port;
use booth_testkit::Browser;
use serde_json::{json, Value};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

const SWITCH: &str = "[data-pref=start_at_login]";

/// The comm names of `pid`'s child processes that are WebKit's (web, network, GPU…).
fn webkit_children(pid: u32) -> Vec<String> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| std::fs::read_to_string(e.ok()?.path().join("stat")).ok())
        .filter_map(|stat| {
            // "pid (comm) state ppid …"; comm may hold spaces, so split at the last ')'.
            let (head, rest) = stat.rsplit_once(") ")?;
            let comm = head.split_once(" (")?.1;
            let ppid: u32 = rest.split_whitespace().nth(1)?.parse().ok()?;
            (ppid == pid && comm.starts_with("WebKit")).then(|| comm.to_string())
        })
        .collect()
}

/// The switch as the window shows it, once it reads `on` and is no longer busy.
async fn wait_switch(app: &Browser, on: bool) {
    let deadline = Instant::now() + WAIT;
    loop {
        let now = app
            .execute(
                "const i = document.querySelector(arguments[0] + ' input');
                 return i ? [i.checked, i.disabled] : document.querySelector('[data-section=background]')?.textContent;",
                json!([SWITCH]),
            )
            .await;
        if now == json!([on, false]) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the switch never read {on}: {now}"
        );
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

async fn wait_until(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !done() {
        assert!(Instant::now() < deadline, "{what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Every stored setting, in key order.
async fn settings(shop: &Shop) -> Vec<(String, String)> {
    shop.db()
        .run(|c| {
            let mut q = c.prepare("SELECT key, value FROM settings ORDER BY key")?;
            let rows = q.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<Vec<(String, String)>, _>>()?)
        })
        .await
        .unwrap()
}

/// `set_background_pref` called as the window would: `{ok: Background}` or `{err: CmdError}`.
async fn set_pref(app: &Browser, pref: &str, on: bool) -> Value {
    app.execute_async(
        "const done = arguments[arguments.length - 1];
         window.__TAURI_INTERNALS__.invoke('set_background_pref', { pref: arguments[0], on: arguments[1] })
           .then((ok) => done({ ok }), (err) => done({ err }));",
        json!([pref, on]),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_at_login_writes_an_entry_running_this_binary_in_the_background() {
    let (tmp, data_dir) = shop_on_port(free_port()).await;
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let autostart = home.join(".config/autostart");
    let entry = autostart.join("Booth.desktop");
    let bus = Bus::start();
    let display = VirtualDisplay::start();
    let (dir, home_s) = (data_dir.display().to_string(), home.display().to_string());
    let config = format!("{home_s}/.config");
    let app = Browser::tauri_app(
        Path::new(env!("CARGO_BIN_EXE_booth-desktop")),
        &display.display,
        &[
            ("BOOTH_DATA_DIR", dir.as_str()),
            ("HOME", home_s.as_str()),
            ("XDG_CONFIG_HOME", config.as_str()),
            ("DBUS_SESSION_BUS_ADDRESS", bus.address.as_str()),
        ],
    )
    .await;
    let running = |t: &str| t.contains("running");
    app.wait_text("[data-testid=server-status]", running, WAIT)
        .await;
    // The check below for a window-less launch sees a window's WebKit processes.
    let lock = std::fs::read_to_string(data_dir.join("booth.lock")).unwrap();
    let pid: u32 = lock.split_whitespace().next().unwrap().parse().unwrap();
    assert!(
        !webkit_children(pid).is_empty(),
        "the window's webview runs"
    );

    app.click("[data-nav=settings]").await;
    wait_switch(&app, false).await;
    assert!(!entry.exists(), "off to begin with");
    app.click(SWITCH).await;
    wait_until("the autostart entry is written", || entry.exists()).await;
    wait_switch(&app, true).await;
    let text = std::fs::read_to_string(&entry).unwrap();
    let exe = std::fs::canonicalize(env!("CARGO_BIN_EXE_booth-desktop")).unwrap();
    let exec: Vec<&str> = text.lines().filter(|l| l.starts_with("Exec=")).collect();
    assert_eq!(
        exec,
        [format!("Exec={} --background", exe.display())],
        "{text}"
    );
    assert!(text.starts_with("[Desktop Entry]\n"), "{text}");
    assert!(text.lines().any(|l| l == "Type=Application"), "{text}");
    assert!(!text.contains("Hidden=true"), "{text}");
    let mode = std::fs::metadata(&entry).unwrap().permissions().mode() & 0o777;
    eprintln!("autostart entry mode: {mode:o}");
    // Owner: read and write; nobody else may change what runs at login.
    assert_eq!(mode & 0o602, 0o600, "{mode:o}");

    // Read back from the file after a reload, not from the page's memory.
    app.client().refresh().await.unwrap();
    app.wait_text("[data-testid=server-status]", running, WAIT)
        .await;
    app.click("[data-nav=settings]").await;
    wait_switch(&app, true).await;

    app.click(SWITCH).await;
    wait_until("the autostart entry is removed", || !entry.exists()).await;
    wait_switch(&app, false).await;
    assert_eq!(std::fs::read_dir(&autostart).unwrap().count(), 0);

    // A choice that isn't one is refused before anything is stored; a real one is kept.
    let shop = Shop::open(&data_dir).unwrap();
    let before = settings(&shop).await;
    let long = "x".repeat(5000);
    for pref in [
        "rm -rf",
        "",
        long.as_str(),
        "stay_awake'; DROP TABLE settings; --",
    ] {
        let got = set_pref(&app, pref, false).await;
        let short: String = pref.chars().take(30).collect();
        assert_eq!(got["err"]["code"], "invalid_input", "{short:?}: {got}");
        assert_eq!(got["err"]["field"], "pref", "{short:?}: {got}");
        assert!(got["err"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
    assert_eq!(settings(&shop).await, before, "nothing stored");
    let got = set_pref(&app, "notify_sales", false).await;
    assert_eq!(got["ok"]["prefs"]["notify_sales"], false, "{got}");
    let after = settings(&shop).await;
    assert!(
        after.contains(&("notify_sales".into(), "no".into())),
        "{after:?}"
    );
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn launched_in_the_background_the_shop_sells_with_no_window_until_sigterm() {
    let port = free_port();
    let (tmp, data_dir) = shop_on_port(port).await;
    let book = tmp.path().join("book.pdf");
    std::fs::write(&book, b"%PDF-1.4 the book".repeat(30)).unwrap();
    let shop = Shop::open(&data_dir).unwrap();
    add_product(&shop, "Book", "book", "5.00", "5", &book).await;
    let bus = Bus::start();
    let display = VirtualDisplay::start();
    let mut app = tokio::process::Command::new(env!("CARGO_BIN_EXE_booth-desktop"))
        .arg("--background")
        .env("BOOTH_DATA_DIR", &data_dir)
        .env("DISPLAY", &display.display)
        .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
        .env("HOME", tmp.path())
        .kill_on_drop(true)
        .spawn()
        .expect("booth-desktop --background");
    let pid = app.id().unwrap();

    let page = format!("http://127.0.0.1:{port}/p/book");
    let deadline = Instant::now() + WAIT;
    let body = loop {
        if let Ok(res) = reqwest::get(&page).await {
            if res.status() == 200 {
                break res.text().await.unwrap();
            }
        }
        assert!(app.try_wait().unwrap().is_none(), "the app ended");
        assert!(Instant::now() < deadline, "the shop never answered");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(body.contains("Book"), "{body}");
    // A window would have started WebKit's processes within a second or two.
    let watch = Instant::now() + Duration::from_secs(5);
    while Instant::now() < watch {
        assert_eq!(webkit_children(pid), Vec::<String>::new(), "no webview");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    let sent = Instant::now();
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let exit = tokio::time::timeout(Duration::from_secs(5), app.wait())
        .await
        .expect("SIGTERM ends Booth within 5 s")
        .unwrap();
    eprintln!("SIGTERM to exit: {:?}", sent.elapsed());
    assert!(exit.success(), "a clean exit: {exit}");
    assert!(reqwest::get(&page).await.is_err(), "the shop has stopped");
}
