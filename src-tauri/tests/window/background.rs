//! Always open (issue 16): closing the window keeps the shop selling with the webview gone,
//! and launching Booth again brings a fresh window onto the same running shop.

use super::bus::Bus;
use super::{shop_on_port, WAIT};
use booth_core::Shop;
use booth_testkit::app::{location, pay_at, CARD_OK};
use booth_testkit::smtp::free_port;
use std::time::{Duration, Instant};

/// The app's pid, from the lock it holds on its data dir ("<pid> <program>").
pub(crate) fn app_pid(data_dir: &std::path::Path) -> u32 {
    let lock = std::fs::read_to_string(data_dir.join("booth.lock")).expect("booth.lock");
    lock.split_whitespace().next().unwrap().parse().unwrap()
}

/// The webview's renderer processes (WebKitWebProcess) the app has started. WebKit's one
/// network process is shared by every webview the app may open and outlives them.
pub(crate) fn webview_processes(pid: u32) -> usize {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0;
    };
    dir.filter_map(|e| e.ok())
        .filter_map(|e| std::fs::read_to_string(e.path().join("stat")).ok())
        .filter(|stat| {
            // "pid (comm) state ppid …"; comm may hold spaces, so read after the last ')'.
            let Some((head, rest)) = stat.rsplit_once(") ") else {
                return false;
            };
            let ppid = rest.split_whitespace().nth(1).and_then(|p| p.parse().ok());
            head.contains("(WebKitWebProces") && ppid == Some(pid)
        })
        .count()
}

pub(crate) fn alive(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_the_window_keeps_selling_and_booth_comes_back_to_the_same_shop() {
    let port = free_port();
    let (tmp, data_dir) = shop_on_port(port).await;
    let book = tmp.path().join("book.pdf");
    std::fs::write(&book, b"%PDF-1.4 the book".repeat(30)).unwrap();
    super::add_product(
        &Shop::open(&data_dir).unwrap(),
        "Book",
        "book",
        "5.00",
        "5",
        &book,
    )
    .await;
    // A session bus of the test's own: a second launch finds the first through it
    // (tauri-plugin-single-instance on Linux), as on a desktop.
    let bus = Bus::start();
    let (display, app) = super::launch_with(
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
    let pid = app_pid(&data_dir);
    assert!(webview_processes(pid) > 0, "the window's webview runs");

    // The seller closes the window and keeps selling (the answer the close question sends).
    let _ = app
        .client()
        .execute_async(
            "const done = arguments[arguments.length - 1];
             window.__TAURI_INTERNALS__.invoke('close_window', { keepSelling: true });
             setTimeout(done, 100);",
            vec![],
        )
        .await;
    let deadline = Instant::now() + WAIT;
    while webview_processes(pid) > 0 {
        assert!(
            Instant::now() < deadline,
            "the webview is destroyed, not hidden"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(alive(pid), "the app (and its shop) runs on");

    // The shop still sells: a purchase through the simulator, then a download.
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let res = http.get(format!("{base}/buy/book")).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let paid = pay_at(&http, &location(&res), "late@example.com", CARD_OK)
        .await
        .unwrap();
    assert_eq!(paid.status(), 303);
    let page = http.get(location(&paid)).send().await.unwrap();
    let purchase = location(&page);
    let token = purchase.trim_start_matches("/d/").to_string();
    let shop = Shop::open(&data_dir).unwrap();
    let bought = shop.purchase(&token).await.unwrap().expect("recorded");
    let file = bought.items[0].files[0].file.id;
    let body = http
        .get(format!("{base}/d/{token}/{file}"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&body[..], &std::fs::read(&book).unwrap()[..]);

    // Booth launched again: the second launch hands over and exits; the first makes a fresh
    // window on the same running shop, with the new purchase in it.
    let mut second = tokio::process::Command::new(env!("CARGO_BIN_EXE_booth-desktop"))
        .env("DISPLAY", &display.display)
        .env("BOOTH_DATA_DIR", &data_dir)
        .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
        .kill_on_drop(true)
        .spawn()
        .expect("second launch");
    let second = tokio::time::timeout(WAIT, second.wait())
        .await
        .expect("the second launch exits instead of opening a second shop")
        .unwrap();
    assert!(
        second.success(),
        "the second launch hands over and exits: {second}"
    );
    assert_eq!(app_pid(&data_dir), pid, "still the one shop process");
    super::window_back(&app).await;
    app.click("[data-nav=purchases]").await;
    app.wait_text("tbody", |t| t.contains("late@example.com"), WAIT)
        .await;
    assert!(webview_processes(pid) > 0);
    app.close().await;
}
