//! Booth around the running shop, against stand-ins for the desktop's services on private
//! buses (the app's own D-Bus clients, unmocked: keepawake and tauri-plugin-notification):
//! - the sleep inhibitor (logind's Inhibit("idle", "Booth", …, "block") on the system bus) is
//!   held while the shop is open and its tunnel (a real bore relay) is up; pausing sales
//!   releases it (Booth closes its end of the lock), resuming takes it again, and switching
//!   "Keep this computer awake" off in Settings releases it, as Settings then says; a tunnel
//!   program started while it is held keeps no copy of it;
//! - each sale is told with a desktop notification (Notify on the session bus): "Sold: Book",
//!   "$5.00 · test" (the amount, never the buyer's address); with "Tell me of each sale" off,
//!   nothing is.

use super::bus::Bus;
use super::{add_product, shop_on_port, shots_dir, WAIT};
use booth_core::tunnel::TunnelInput;
use booth_core::Shop;
use booth_testkit::app::{location, pay_at, CARD_OK};
use booth_testkit::smtp::free_port;
use serde_json::json;
use std::collections::HashMap;
use std::io::{ErrorKind, Read};
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use zbus::zvariant::OwnedValue;

/// How long a change may take to reach the inhibitor: the app glances every 2 s.
const FOLLOWS: Duration = Duration::from_secs(6);

/// One Inhibit call (what, who, mode), and the end of its lock that Booth was not given.
struct Lock {
    call: (String, String, String),
    kept: UnixStream,
}

impl Lock {
    /// Booth has let go: every copy of the end it was given is closed (EOF on ours).
    fn released(&self) -> bool {
        match (&self.kept).read(&mut [0u8; 1]) {
            Ok(0) => true,
            Err(e) if e.kind() == ErrorKind::WouldBlock => false,
            other => panic!("the lock's socket: {other:?}"),
        }
    }
}

/// logind's Manager, as much of it as an inhibitor needs.
#[derive(Clone, Default)]
struct Logind(Arc<Mutex<Vec<Lock>>>);

#[zbus::interface(name = "org.freedesktop.login1.Manager")]
impl Logind {
    fn inhibit(
        &self,
        what: String,
        who: String,
        _why: String,
        mode: String,
    ) -> zbus::fdo::Result<zbus::zvariant::OwnedFd> {
        let failed = |e: std::io::Error| zbus::fdo::Error::Failed(e.to_string());
        let (kept, given) = UnixStream::pair().map_err(failed)?;
        kept.set_nonblocking(true).map_err(failed)?;
        let call = (what, who, mode);
        self.0.lock().unwrap().push(Lock { call, kept });
        Ok(std::os::fd::OwnedFd::from(given).into())
    }
}

/// A notification server (the Desktop Notifications Specification) that shows nothing and
/// records each notification's summary and body.
#[derive(Clone, Default)]
struct Notifications(Arc<Mutex<Vec<(String, String)>>>);

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Notifications {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        _app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        _actions: Vec<String>,
        _hints: HashMap<String, OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let mut shown = self.0.lock().unwrap();
        shown.push((summary, body));
        shown.len() as u32
    }

    fn get_capabilities(&self) -> Vec<String> {
        vec!["body".into()]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        let s = |s: &str| s.to_string();
        (s("stand-in"), s("booth tests"), s("1"), s("1.2"))
    }

    fn close_notification(&self, _id: u32) {}
}

async fn serve<I: zbus::object_server::Interface>(
    bus: &Bus,
    name: &str,
    path: &str,
    iface: I,
) -> zbus::Connection {
    zbus::connection::Builder::address(bus.address.as_str())
        .unwrap()
        .name(name)
        .unwrap()
        .serve_at(path, iface)
        .unwrap()
        .build()
        .await
        .unwrap_or_else(|e| panic!("serving {name}: {e}"))
}

/// Waits up to `within` for `ok`; whether it came.
async fn until(within: Duration, ok: impl Fn() -> bool) -> bool {
    let deadline = Instant::now() + within;
    while !ok() {
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    true
}

/// A purchase of the book through the simulator, as a buyer pays it; it is recorded.
async fn buy(port: u16, email: &str) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = http
        .get(format!("http://127.0.0.1:{port}/buy/book"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "the shop sells");
    let paid = pay_at(&http, &location(&res), email, CARD_OK)
        .await
        .unwrap();
    assert_eq!(paid.status(), 303);
    let page = http.get(location(&paid)).send().await.unwrap();
    assert!(location(&page).starts_with("/d/"), "recorded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn booth_keeps_the_computer_awake_while_selling_and_tells_of_each_sale() {
    let system = Bus::start();
    let session = Bus::start();
    let logind = Logind::default();
    let notes = Notifications::default();
    let _logind = serve(
        &system,
        "org.freedesktop.login1",
        "/org/freedesktop/login1",
        logind.clone(),
    )
    .await;
    let _notes = serve(
        &session,
        "org.freedesktop.Notifications",
        "/org/freedesktop/Notifications",
        notes.clone(),
    )
    .await;
    let locks = || logind.0.lock().unwrap();
    let shown = || notes.0.lock().unwrap().clone();

    // A shop with a book, whose tunnel (bore, to a relay of the test's own) opens with it.
    let bore = booth_testkit::bore::BoreServer::start("127.0.0.41");
    let port = free_port();
    let (tmp, data_dir) = shop_on_port(port).await;
    let book = tmp.path().join("book.pdf");
    std::fs::write(&book, b"%PDF-1.4 the book".repeat(30)).unwrap();
    let shop = Shop::open(&data_dir).unwrap();
    add_product(&shop, "Book", "book", "5.00", "5", &book).await;
    let tunnel = TunnelInput {
        provider: "bore".into(),
        server: bore.host.clone(),
        ..TunnelInput::default()
    };
    shop.save_tunnel(&tunnel, None).await.unwrap();
    shop.set_tunnel_on(true).await.unwrap();

    let (_display, app) = super::launch_with(
        &data_dir,
        &[
            ("DBUS_SYSTEM_BUS_ADDRESS", system.address.as_str()),
            ("DBUS_SESSION_BUS_ADDRESS", session.address.as_str()),
        ],
    )
    .await;
    app.wait_text(
        "[data-testid=public-url]",
        |t| t.contains("127.0.0.41"),
        WAIT,
    )
    .await;

    // Open with the tunnel up: Booth holds off idle sleep, and keeps holding.
    assert!(
        until(FOLLOWS, || !locks().is_empty()).await,
        "the inhibitor is taken"
    );
    let idle = ("idle".into(), "Booth".into(), "block".into());
    assert_eq!(locks()[0].call, idle);
    tokio::time::sleep(FOLLOWS).await;
    assert!(!locks()[0].released(), "held while the shop sells");
    assert_eq!(locks().len(), 1, "taken once, not on every glance");

    // Paused: released; resumed: taken again.
    app.click("[data-testid=toggle-pause]").await;
    app.wait_text(
        "[data-testid=server-status]",
        |t| t.contains("Sales paused"),
        WAIT,
    )
    .await;
    assert!(
        until(FOLLOWS, || locks()[0].released()).await,
        "paused: released"
    );
    app.click("[data-testid=toggle-pause]").await;
    app.wait_text(
        "[data-testid=server-status]",
        |t| t.contains("Shop running"),
        WAIT,
    )
    .await;
    assert!(
        until(FOLLOWS, || locks().len() == 2).await,
        "resumed: taken again"
    );
    assert!(!locks()[1].released());
    assert_eq!(locks()[1].call, idle);

    // The tunnel restarted while the lock is held (as after failed checks): the new bore is
    // Booth's child, and must not keep a copy of the lock once Booth lets go.
    let restarted = app
        .execute_async(
            "const done = arguments[arguments.length - 1];
             window.__TAURI_INTERNALS__.invoke('start_tunnel', { input: arguments[0], token: null })
               .then(() => done('ok'), (e) => done(String(e)));",
            json!([tunnel]),
        )
        .await;
    assert_eq!(restarted, json!("ok"));
    tokio::time::sleep(FOLLOWS).await;

    // Settings says so; the card, for the docs.
    app.click("[data-nav=settings]").await;
    let awake = "[data-testid=awake-state]";
    app.wait_text(
        awake,
        |t| t.contains("Keeping this computer awake now"),
        WAIT,
    )
    .await;
    app.execute(
        "document.querySelector('[data-section=background]').scrollIntoView({ block: 'start' });",
        json!([]),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    app.screenshot(&shots_dir().join("settings-while-booth-runs.png"))
        .await;

    // "Keep this computer awake" off: released (every lock Booth took), and Settings stops
    // saying it keeps the computer awake.
    app.click("[data-pref=stay_awake] .track").await;
    let all_released = || locks().iter().all(Lock::released);
    assert!(until(FOLLOWS, all_released).await, "switched off: released");
    let taken = locks().len();
    app.wait_gone(awake, FOLLOWS).await;
    tokio::time::sleep(FOLLOWS).await;
    assert_eq!(locks().len(), taken, "not taken again while switched off");

    // A sale is told.
    buy(port, "ann@example.com").await;
    assert!(
        until(FOLLOWS, || !shown().is_empty()).await,
        "a sale is told"
    );
    // No buyer's address: a notification can show on a locked or shared screen.
    let told = vec![("Sold: Book".to_string(), "$5.00 · test".to_string())];
    assert_eq!(shown(), told);

    // "Tell me of each sale" off: the next sale is recorded, and not told.
    app.click("[data-pref=notify_sales] .track").await;
    let deadline = Instant::now() + FOLLOWS;
    while shop.app_prefs().await.unwrap().notify_sales {
        assert!(Instant::now() < deadline, "the switch is saved");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    buy(port, "bob@example.com").await;
    tokio::time::sleep(FOLLOWS).await;
    assert_eq!(shown(), told, "no news of a sale with the switch off");
    app.close().await;
}
