//! Booth's tray, through the protocol a desktop's tray speaks: a stand-in
//! StatusNotifierWatcher (the tray host's registry, as KDE's or GNOME's AppIndicator
//! extension runs) on a private session bus receives Booth's icon; its menu, read and
//! clicked over com.canonical.dbusmenu as a tray host does, shows the shop's state and
//! pauses and resumes sales, opens the window after it was closed, and quits cleanly.
//! With a tray, the close question says once that the shop keeps selling.

use super::background::{alive, app_pid};
use super::bus::Bus;
use super::{shop_on_port, WAIT};
use booth_core::Shop;
use booth_testkit::smtp::free_port;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use zbus::zvariant::{OwnedValue, Value};

/// The tray host's registry: it only records which item registered, and from where.
struct Watcher {
    items: Arc<Mutex<Vec<(String, String)>>>,
}

#[zbus::interface(name = "org.kde.StatusNotifierWatcher")]
impl Watcher {
    fn register_status_notifier_item(
        &self,
        service: &str,
        #[zbus(header)] header: zbus::message::Header<'_>,
    ) {
        let sender = header.sender().map(|s| s.to_string()).unwrap_or_default();
        // An item names either its object path (AppIndicator) or its bus name.
        let (bus, path) = match service.starts_with('/') {
            true => (sender, service.to_string()),
            false => (service.to_string(), "/StatusNotifierItem".to_string()),
        };
        self.items.lock().unwrap().push((bus, path));
    }
    fn register_status_notifier_host(&self, _service: &str) {}
    #[zbus(property)]
    fn registered_status_notifier_items(&self) -> Vec<String> {
        let items = self.items.lock().unwrap();
        items.iter().map(|(b, p)| format!("{b}{p}")).collect()
    }
    #[zbus(property)]
    fn is_status_notifier_host_registered(&self) -> bool {
        true
    }
    #[zbus(property)]
    fn protocol_version(&self) -> i32 {
        0
    }
}

/// A menu line: its dbusmenu id, label and whether it can be clicked.
#[derive(Debug)]
struct Line {
    id: i32,
    label: String,
    enabled: bool,
}

/// A dbusmenu node: (id, properties, children as variants of nodes).
type Node = (i32, HashMap<String, OwnedValue>, Vec<OwnedValue>);

fn lines(node: Node, out: &mut Vec<Line>) {
    let (id, props, children) = node;
    if let Some(label) = props
        .get("label")
        .and_then(|v| String::try_from(v.try_clone().ok()?).ok())
    {
        let enabled = props
            .get("enabled")
            .is_none_or(|v| bool::try_from(v.try_clone().unwrap()).unwrap());
        out.push(Line {
            id,
            label: label.replace('_', ""),
            enabled,
        });
    }
    for child in children {
        if let Ok(node) = Node::try_from(child) {
            lines(node, out);
        }
    }
}

struct TrayMenu {
    proxy: zbus::Proxy<'static>,
}

impl TrayMenu {
    async fn lines(&self) -> Vec<Line> {
        let (_rev, layout): (u32, Node) = self
            .proxy
            .call("GetLayout", &(0i32, -1i32, Vec::<String>::new()))
            .await
            .expect("GetLayout");
        let mut out = Vec::new();
        lines(layout, &mut out);
        out
    }

    /// Waits for a line whose label satisfies `pred`.
    async fn wait_line(&self, pred: impl Fn(&str) -> bool) -> Line {
        let deadline = Instant::now() + WAIT;
        loop {
            let lines = self.lines().await;
            if let Some(l) = lines.into_iter().find(|l| pred(&l.label)) {
                return l;
            }
            assert!(Instant::now() < deadline, "no such line in the tray menu");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    async fn click(&self, label: &str) {
        let line = self.wait_line(|l| l == label).await;
        assert!(line.enabled, "{label} can be clicked");
        let _: () = self
            .proxy
            .call("Event", &(line.id, "clicked", Value::I32(0), 0u32))
            .await
            .expect("Event");
    }
}

/// Ended, and not yet reaped by the driver that started it.
fn zombie(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
        s.rsplit_once(") ")
            .is_some_and(|(_, rest)| rest.starts_with('Z'))
    })
}

async fn paused(shop: &Shop, want: bool) {
    let deadline = Instant::now() + WAIT;
    while shop.sales_paused().await.unwrap() != want {
        assert!(Instant::now() < deadline, "sales paused: {want}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tray_shows_the_shop_pauses_it_opens_the_window_and_quits() {
    let port = free_port();
    let (tmp, data_dir) = shop_on_port(port).await;
    let book = tmp.path().join("book.pdf");
    std::fs::write(&book, b"%PDF-1.4 the book").unwrap();
    let shop = Shop::open(&data_dir).unwrap();
    super::add_product(&shop, "Book", "book", "5.00", "5", &book).await;

    // The tray host is there before Booth starts, as on a desktop.
    let bus = Bus::start();
    let items = Arc::new(Mutex::new(Vec::new()));
    let _host = zbus::connection::Builder::address(bus.address.as_str())
        .unwrap()
        .name("org.kde.StatusNotifierWatcher")
        .unwrap()
        .serve_at(
            "/StatusNotifierWatcher",
            Watcher {
                items: items.clone(),
            },
        )
        .unwrap()
        .build()
        .await
        .expect("the stand-in tray host on the private bus");

    let (_display, app) = super::launch_with(
        &data_dir,
        &[("DBUS_SESSION_BUS_ADDRESS", bus.address.as_str())],
    )
    .await;
    app.wait_text(
        "[data-testid=server-status]",
        |t| t.contains("running"),
        WAIT,
    )
    .await;

    // Booth's icon registers with the host; its menu is read where the item says it is.
    let deadline = Instant::now() + WAIT;
    let (service, path) = loop {
        if let Some(item) = items.lock().unwrap().first().cloned() {
            break item;
        }
        assert!(Instant::now() < deadline, "Booth's tray icon registers");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let conn = zbus::connection::Builder::address(bus.address.as_str())
        .unwrap()
        .build()
        .await
        .unwrap();
    let item = zbus::Proxy::new_owned(
        conn.clone(),
        service.clone(),
        path,
        "org.kde.StatusNotifierItem",
    )
    .await
    .unwrap();
    let menu_path: zbus::zvariant::OwnedObjectPath =
        item.get_property("Menu").await.expect("the item's menu");
    let menu = TrayMenu {
        proxy: zbus::Proxy::new_owned(conn, service, menu_path, "com.canonical.dbusmenu")
            .await
            .unwrap(),
    };
    let status = menu.wait_line(|l| l == "Shop open").await;
    assert!(!status.enabled, "the status line is words, not a button");
    let labels: Vec<String> = menu.lines().await.into_iter().map(|l| l.label).collect();
    for want in ["Open Booth", "Pause sales", "Quit Booth"] {
        assert!(labels.iter().any(|l| l == want), "{want} in {labels:?}");
    }

    // Pause from the tray: the shop says "back soon", the menu says so and offers Resume.
    menu.click("Pause sales").await;
    paused(&shop, true).await;
    let buy = reqwest::get(format!("http://127.0.0.1:{port}/buy/book"))
        .await
        .unwrap();
    assert_eq!(buy.status(), 503);
    menu.wait_line(|l| l == "Sales paused").await;
    menu.click("Resume sales").await;
    paused(&shop, false).await;
    menu.wait_line(|l| l == "Shop open").await;

    // With a tray, closing says once that the shop keeps selling; the seller is then told.
    let pid = app_pid(&data_dir);
    assert!(!shop.app_prefs().await.unwrap().background_told);
    // The close button's event, as window.rs sends it with a tray (WebDriver can't press
    // the window manager's button); the answer goes back through the window's own button.
    let _ = app
        .client()
        .execute_async(
            "const done = arguments[arguments.length - 1];
             window.__TAURI_INTERNALS__.invoke('plugin:event|emit',
               { event: 'close-requested', payload: { tray: true } }).then(done, done);",
            vec![],
        )
        .await;
    app.wait_text(
        "[data-testid=close-question]",
        |t| t.contains("keeps selling"),
        WAIT,
    )
    .await;
    app.screenshot(&super::shots_dir().join("desktop-close-with-tray.png"))
        .await;
    app.click_closing_window("[data-action=keep-selling]").await;
    let deadline = Instant::now() + WAIT;
    while !app.window_handles().await.is_empty() {
        assert!(Instant::now() < deadline, "the window closes");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(shop.app_prefs().await.unwrap().background_told);
    assert!(alive(pid));

    // Open Booth from the tray: a fresh window on the same shop.
    menu.click("Open Booth").await;
    super::window_back(&app).await;

    // Quit from the tray stops the shop and the app.
    menu.click("Quit Booth").await;
    let deadline = Instant::now() + WAIT;
    while alive(pid) && !zombie(pid) {
        assert!(Instant::now() < deadline, "Quit ends Booth");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let gone = reqwest::get(format!("http://127.0.0.1:{port}/")).await;
    assert!(gone.is_err(), "the shop stopped with it");
    drop(app);
}
