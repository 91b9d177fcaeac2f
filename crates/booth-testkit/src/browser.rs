//! A real browser for tests, driven over W3C WebDriver with `fantoccini`: headless Chromium
//! through chromedriver, or Booth's desktop window through tauri-driver (see `desktop.rs`).
//!
//! `Browser` starts and ends the driver program and wraps the few commands the tests use in
//! calls that panic with what a person needs to see (the page, the driver's log).

use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::wd::WindowHandle;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub(crate) const INSTALL_HINT: &str = "booth-testkit needs Debian's chromium and chromedriver \
     (/usr/bin/chromium, /usr/bin/chromedriver): `apt-get update && apt-get install -y chromium chromium-driver`";
/// Chromium's first start on a cold 2-core machine can be slow.
pub(crate) const START_TIMEOUT: Duration = Duration::from_secs(30);

/// A WebDriver session and the driver program serving it; drop ends both.
pub struct Browser {
    client: Client,
    /// The driver's port, and the session on it: what drop needs to end the session.
    port: u16,
    session: Option<String>,
    driver: Option<Child>,
    /// Holds the Chromium profile (`--user-data-dir`) and the driver's log.
    tmp: tempfile::TempDir,
    log_name: &'static str,
}

/// A driver program started for a session, not yet connected to.
pub(crate) struct Driver {
    pub port: u16,
    pub child: Child,
    pub tmp: tempfile::TempDir,
    pub log_name: &'static str,
}

impl Driver {
    pub fn log_path(&self) -> PathBuf {
        self.tmp.path().join(self.log_name)
    }

    /// The last lines of the driver's log, for a panic message.
    pub fn log_tail(&self, lines: usize) -> String {
        let log = std::fs::read_to_string(self.log_path()).unwrap_or_default();
        let all: Vec<&str> = log.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    /// Ends the driver and panics with `what`, the driver's log and `hint`.
    pub fn fail(self, what: &str, hint: &str) -> ! {
        let tail = self.log_tail(30);
        stop(self.child);
        panic!("{what}\ndriver log:\n{tail}\n{hint}");
    }

    /// Waits until something listens on `port` (tauri-driver has no /status readiness flag).
    pub async fn wait_port(mut self, port: u16, hint: &str) -> Driver {
        let deadline = Instant::now() + START_TIMEOUT;
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            let exited = self.child.try_wait().ok().flatten();
            if exited.is_some() || Instant::now() >= deadline {
                self.fail(
                    &format!("the WebDriver server didn't start ({exited:?})"),
                    hint,
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self
    }

    /// Opens a session with these capabilities (the contents of `alwaysMatch`).
    pub async fn connect(self, caps: Value, hint: &str) -> Browser {
        let Value::Object(caps) = caps else {
            panic!("capabilities are a JSON object")
        };
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let connected = ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await;
        let client = match connected {
            Ok(client) => client,
            Err(e) => self.fail(&format!("could not open a WebDriver session: {e}"), hint),
        };
        let session = client.session_id().await.ok().flatten();
        Browser {
            client,
            port: self.port,
            session,
            driver: Some(self.child),
            tmp: self.tmp,
            log_name: self.log_name,
        }
    }
}

impl Browser {
    /// Starts chromedriver on a free port and opens a fresh headless Chromium session.
    pub async fn start() -> Browser {
        for bin in [CHROMIUM, CHROMEDRIVER] {
            assert!(Path::new(bin).exists(), "{bin} not found. {INSTALL_HINT}");
        }
        let tmp = tempfile::Builder::new()
            .prefix("booth-browser-")
            .tempdir()
            .expect("create temp dir for the browser");
        let profile = tmp.path().join("profile");
        let log_name = "chromedriver.log";
        let log = std::fs::File::create(tmp.path().join(log_name)).expect("create driver log");
        let port = crate::smtp::free_port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("clone log handle"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("could not run {CHROMEDRIVER} ({e}). {INSTALL_HINT}"));
        let driver = Driver {
            port,
            child,
            tmp,
            log_name,
        };
        let driver = wait_ready(driver).await;
        let caps = json!({
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.display()),
                ],
            },
        });
        driver.connect(caps, INSTALL_HINT).await
    }

    /// The fantoccini client, for what the helpers below don't cover.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The open windows' handles.
    pub async fn window_handles(&self) -> Vec<String> {
        ok(self.client.windows().await, "window handles")
            .into_iter()
            .map(String::from)
            .collect()
    }

    pub async fn window_handle(&self) -> String {
        ok(self.client.window().await, "window handle").into()
    }

    /// Closes the current window; switch to another before the next command.
    pub async fn close_window(&self) {
        ok(self.client.close_window().await, "close window");
    }

    pub async fn switch_to_window(&self, handle: &str) {
        let handle = WindowHandle::try_from(handle).expect("a window handle");
        ok(self.client.switch_to_window(handle).await, "switch window");
    }

    /// Runs `script` (a function body; `arguments` holds `args`, a JSON array) and returns
    /// its value.
    pub async fn execute(&self, script: &str, args: Value) -> Value {
        ok(
            self.client.execute(script, array(args)).await,
            "execute script",
        )
    }

    /// Runs `script` asynchronously: it calls `arguments[arguments.length - 1](value)`
    /// when done, and that value is returned.
    pub async fn execute_async(&self, script: &str, args: Value) -> Value {
        ok(
            self.client.execute_async(script, array(args)).await,
            "execute async script",
        )
    }

    /// Waits until an element matches `css` and its text content satisfies `pred`; returns it.
    pub async fn wait_text(
        &self,
        css: &str,
        pred: impl Fn(&str) -> bool,
        timeout: Duration,
    ) -> String {
        let deadline = Instant::now() + timeout;
        let mut last = None;
        loop {
            // textContent, not WebDriver's rendered text: WebKitWebDriver leaves out the
            // text of cells that clip their overflow.
            // An error is retried until the deadline: WebKitWebDriver now and then answers
            // a script with an empty error on a busy machine (two CI runs in one day).
            let t = self
                .client
                .execute(
                    "const e = document.querySelector(arguments[0]); return e ? e.textContent : null;",
                    vec![json!(css)],
                )
                .await
                .unwrap_or_else(|e| {
                    last = Some(format!("(the driver answered: {e})"));
                    Value::Null
                });
            if let Some(t) = t.as_str() {
                if pred(t) {
                    return t.to_string();
                }
                last = Some(t.to_string());
            }
            if Instant::now() >= deadline {
                let source: String = self.source().await.chars().take(3000).collect();
                panic!("{css:?} did not show the expected text within {timeout:?}; last text: {last:?}; page:\n{source}");
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// Waits until an element matches `css`.
    pub async fn wait_for(&self, css: &str, timeout: Duration) {
        self.wait_text(css, |_| true, timeout).await;
    }

    /// Waits until nothing matches `css` (a panel or dialog has closed).
    pub async fn wait_gone(&self, css: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        // An error counts as "still there" and is asked again, as in `wait_text`.
        while self
            .client
            .find_all(Locator::Css(css))
            .await
            .map_or(true, |found| !found.is_empty())
        {
            assert!(
                Instant::now() < deadline,
                "{css:?} is still there after {timeout:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn goto(&self, url: &str) {
        ok(self.client.goto(url).await, &format!("goto {url}"));
    }

    pub async fn current_url(&self) -> String {
        ok(self.client.current_url().await, "current_url").to_string()
    }

    pub async fn title(&self) -> String {
        ok(self.client.title().await, "title")
    }

    pub async fn source(&self) -> String {
        ok(self.client.source().await, "source")
    }

    /// Visible text of the first element matching `css`; panics (with page source) if none.
    pub async fn text(&self, css: &str) -> String {
        let e = self.element(css).await;
        ok(e.text().await, &format!("text of {css:?}"))
    }

    pub async fn exists(&self, css: &str) -> bool {
        let found = self.client.find_all(Locator::Css(css)).await;
        !ok(found, &format!("find {css:?}")).is_empty()
    }

    /// Clears the field, then types `value` into it.
    pub async fn fill(&self, css: &str, value: &str) {
        let e = self.element(css).await;
        let what = format!("fill {css:?}");
        ok(e.clear().await, &what);
        ok(e.send_keys(value).await, &what);
    }

    /// Presses `key` (e.g. `Key::Tab`, `Key::Escape`) where the focus is, as a person would.
    pub async fn press(&self, key: fantoccini::key::Key) {
        let active = ok(self.client.active_element().await, "active element");
        ok(
            active.send_keys(&char::from(key).to_string()).await,
            "press a key",
        );
    }

    /// Whether the focus is inside the first element matching `css`.
    pub async fn focus_within(&self, css: &str) -> bool {
        self.execute(
            "const e = document.querySelector(arguments[0]); return !!e && e.contains(document.activeElement);",
            json!([css]),
        )
        .await
        .as_bool()
        .unwrap_or(false)
    }

    pub async fn click(&self, css: &str) {
        let e = self.element(css).await;
        // Drivers scroll a target just into view, where a sticky header or footer can
        // cover it; centre it first.
        let me = serde_json::to_value(&e).expect("an element is JSON");
        let _ = self
            .client
            .execute("arguments[0].scrollIntoView({block: 'center'});", vec![me])
            .await;
        ok(e.click().await, &format!("click {css:?}"));
    }

    /// Clicks a button that closes the window. The window can be gone before the driver
    /// answers the click, which then fails with an empty error (1 tray test in ~20 runs),
    /// so the answer is not asked: the caller proves the click by the window going away.
    pub async fn click_closing_window(&self, css: &str) {
        let e = self.element(css).await;
        let _ = e.click().await;
    }

    /// Polls the URL until `pred` holds; returns it, or panics with the last URL seen.
    pub async fn wait_for_url(&self, pred: impl Fn(&str) -> bool, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let url = self.current_url().await;
            if pred(&url) {
                return url;
            }
            if Instant::now() >= deadline {
                panic!(
                    "browser URL did not reach the expected one within {timeout:?}; it is {url}"
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Saves a PNG of the viewport.
    pub async fn screenshot(&self, path: &Path) {
        let png = ok(self.client.screenshot().await, "screenshot");
        std::fs::write(path, png)
            .unwrap_or_else(|e| panic!("write screenshot {}: {e}", path.display()));
    }

    /// Ends the session and the driver, waiting for both (drop does it too, blocking).
    pub async fn close(mut self) {
        if self.session.take().is_some() {
            let _ = self.client.clone().close().await;
        }
        self.kill_driver();
    }

    /// The driver's log, for diagnosing a failed test.
    pub fn driver_log_path(&self) -> PathBuf {
        self.tmp.path().join(self.log_name)
    }

    /// The first element matching `css`, waiting up to 5 s for a page still rendering (a
    /// window that has just come back can answer before its script has drawn it, which
    /// failed a CI run); panics with an excerpt of the page if none.
    async fn element(&self, css: &str) -> Element {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            match self.client.find(Locator::Css(css)).await {
                Ok(e) => return e,
                Err(_) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await
                }
                Err(e) => {
                    let url = self.current_url().await;
                    let source = self.source().await;
                    let excerpt: String = source.chars().take(2000).collect();
                    panic!("no element matches {css:?} on {url} ({e}); page source:\n{excerpt}");
                }
            }
        }
    }

    fn kill_driver(&mut self) {
        if let Some(child) = self.driver.take() {
            stop(child);
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // A test that panicked never reached close(), and its runtime is going away with
        // fantoccini's session task. Ending the session lets the driver close the browser
        // (Chromium, the app), which killing the driver alone would leave running: do it
        // on a thread of its own, which may block.
        if let Some(id) = self.session.take() {
            let url = format!("http://127.0.0.1:{}/session/{id}", self.port);
            let _ = std::thread::spawn(move || delete_session(&url)).join();
        }
        self.kill_driver();
    }
}

/// Ends a driver program: SIGTERM first, on which tauri-driver ends the WebKitWebDriver it
/// started (SIGKILL would leave that running), then SIGKILL if it is still there.
fn stop(mut child: Child) {
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// DELETE /session/{id}, waiting for the answer (it comes once the browser has quit).
fn delete_session(url: &str) {
    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return;
    };
    rt.block_on(async {
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(15))
            .build();
        if let Ok(http) = http {
            let _ = http.delete(url).send().await;
        }
    });
}

/// Waits for chromedriver's /status to say it is ready.
async fn wait_ready(mut driver: Driver) -> Driver {
    let http = reqwest::Client::builder()
        // Loopback only: a CI proxy from the environment must not get in the way.
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("build HTTP client");
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        if let Some(status) = driver.child.try_wait().ok().flatten() {
            driver.fail(&format!("chromedriver exited with {status}."), INSTALL_HINT);
        }
        let status = http
            .get(format!("http://127.0.0.1:{}/status", driver.port))
            .send()
            .await;
        if let Ok(resp) = status {
            if let Ok(body) = resp.json::<Value>().await {
                if body["value"]["ready"].as_bool() == Some(true) {
                    return driver;
                }
            }
        }
        if Instant::now() >= deadline {
            driver.fail(
                &format!("chromedriver did not become ready within {START_TIMEOUT:?}."),
                INSTALL_HINT,
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A command's result, or a panic naming the command.
fn ok<T>(r: Result<T, fantoccini::error::CmdError>, what: &str) -> T {
    r.unwrap_or_else(|e| panic!("WebDriver {what} failed: {e}"))
}

/// Script arguments: a JSON array's items.
fn array(args: Value) -> Vec<Value> {
    match args {
        Value::Array(items) => items,
        Value::Null => Vec::new(),
        other => vec![other],
    }
}
