//! A real browser for tests: headless Chromium driven by chromedriver over W3C WebDriver.
//!
//! The client is a few reqwest calls rather than fantoccini/thirtyfour, to keep the build small.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{json, Value};

const CHROMIUM: &str = "/usr/bin/chromium";
const WEBKIT_DRIVER: &str = "/usr/bin/WebKitWebDriver";
const TAURI_HINT: &str =
    "the desktop tests need `tauri-driver` (`cargo install tauri-driver --locked --version ^2`) \
     and Debian's webkit2gtk-driver and xvfb: scripts/install-deps.sh installs them";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const INSTALL_HINT: &str = "booth-testkit needs Debian's chromium and chromedriver \
     (/usr/bin/chromium, /usr/bin/chromedriver): `apt-get update && apt-get install -y chromium chromium-driver`";
/// The W3C key under which an element reference is returned.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
/// Chromium's first start on a cold 2-core machine can be slow.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// A headless Chromium session; drop deletes the session and kills chromedriver.
pub struct Browser {
    http: reqwest::Client,
    /// `http://127.0.0.1:PORT`, chromedriver's endpoint.
    base: String,
    port: u16,
    session: Option<String>,
    driver: Option<Child>,
    /// Holds the Chromium profile (`--user-data-dir`) and chromedriver's log.
    tmp: tempfile::TempDir,
}

/// A WebDriver error reply (`{"value": {"error", "message"}}`) or a transport failure.
#[derive(Debug)]
struct WdError {
    error: String,
    message: String,
}

impl std::fmt::Display for WdError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.error, self.message)
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
        let log_path = tmp.path().join("chromedriver.log");
        let log = std::fs::File::create(&log_path).expect("create chromedriver log");
        let port = crate::smtp::free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("clone log handle"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("could not run {CHROMEDRIVER} ({e}). {INSTALL_HINT}"));
        let http = reqwest::Client::builder()
            // Loopback only: a CI proxy from the environment must not get in the way.
            .no_proxy()
            .timeout(Duration::from_secs(60))
            .build()
            .expect("build HTTP client");
        let mut browser = Browser {
            http,
            base: format!("http://127.0.0.1:{port}"),
            port,
            session: None,
            driver: Some(driver),
            tmp,
        };
        browser.wait_driver_ready(&log_path).await;
        browser.new_session(&profile, &log_path).await;
        browser
    }

    /// Starts Booth's desktop app under `tauri-driver` (which drives Debian's WebKitWebDriver)
    /// on `display` and opens a session on its main window. `env` reaches the app.
    pub async fn tauri_app(app: &Path, display: &str, env: &[(&str, &str)]) -> Browser {
        let tauri_driver = find_tauri_driver();
        assert!(
            Path::new(WEBKIT_DRIVER).exists(),
            "{WEBKIT_DRIVER} not found. {TAURI_HINT}"
        );
        let tmp = tempfile::Builder::new()
            .prefix("booth-window-")
            .tempdir()
            .expect("create temp dir for the driver");
        let log_path = tmp.path().join("tauri-driver.log");
        let log = std::fs::File::create(&log_path).expect("create driver log");
        let port = crate::smtp::free_port();
        let native_port = crate::smtp::free_port();
        let driver = Command::new(&tauri_driver)
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .args(["--native-driver", WEBKIT_DRIVER])
            .env("DISPLAY", display)
            .env("TAURI_WEBVIEW_AUTOMATION", "true")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("clone log handle"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "could not run {} ({e}). {TAURI_HINT}",
                    tauri_driver.display()
                )
            });
        let mut browser = Browser {
            http: reqwest::Client::builder()
                .no_proxy()
                .timeout(Duration::from_secs(60))
                .build()
                .expect("build HTTP client"),
            base: format!("http://127.0.0.1:{port}"),
            port,
            session: None,
            driver: Some(driver),
            tmp,
        };
        // tauri-driver forwards the session to WebKitWebDriver, which it starts at once but
        // which may take a while to listen on a busy machine: wait for both.
        browser.wait_port(port, &log_path).await;
        browser.wait_port(native_port, &log_path).await;
        let caps = json!({
            "capabilities": { "alwaysMatch": {
                "tauri:options": { "application": app.display().to_string() },
            } },
        });
        browser.open_session(caps, &log_path, TAURI_HINT).await;
        browser
    }

    /// The open windows' handles.
    pub async fn window_handles(&self) -> Vec<String> {
        let v = self
            .cmd_ok("GET", "/window/handles", Value::Null, "window handles")
            .await;
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|h| h.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub async fn window_handle(&self) -> String {
        str_value(
            self.cmd_ok("GET", "/window", Value::Null, "window handle")
                .await,
        )
    }

    /// Closes the current window; switch to another before the next command.
    pub async fn close_window(&self) {
        self.cmd_ok("DELETE", "/window", Value::Null, "close window")
            .await;
    }

    pub async fn switch_to_window(&self, handle: &str) {
        self.cmd_ok(
            "POST",
            "/window",
            json!({ "handle": handle }),
            "switch window",
        )
        .await;
    }

    /// Runs `script` (a function body; `arguments` holds `args`) and returns its value.
    pub async fn execute(&self, script: &str, args: Value) -> Value {
        self.cmd_ok(
            "POST",
            "/execute/sync",
            json!({ "script": script, "args": args }),
            "execute script",
        )
        .await
    }

    /// Runs `script` asynchronously: it calls `arguments[arguments.length - 1](value)`
    /// when done, and that value is returned.
    pub async fn execute_async(&self, script: &str, args: Value) -> Value {
        self.cmd_ok(
            "POST",
            "/execute/async",
            json!({ "script": script, "args": args }),
            "execute async script",
        )
        .await
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
            let t = self
                .execute(
                    "const e = document.querySelector(arguments[0]); return e ? e.textContent : null;",
                    json!([css]),
                )
                .await;
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

    pub async fn goto(&self, url: &str) {
        self.cmd_ok(
            "POST",
            "/url",
            json!({ "url": url }),
            &format!("goto {url}"),
        )
        .await;
    }

    pub async fn current_url(&self) -> String {
        str_value(self.cmd_ok("GET", "/url", Value::Null, "current_url").await)
    }

    pub async fn title(&self) -> String {
        str_value(self.cmd_ok("GET", "/title", Value::Null, "title").await)
    }

    pub async fn source(&self) -> String {
        str_value(self.cmd_ok("GET", "/source", Value::Null, "source").await)
    }

    /// Visible text of the first element matching `css`; panics (with page source) if none.
    pub async fn text(&self, css: &str) -> String {
        let id = self.element(css).await;
        str_value(
            self.cmd_ok(
                "GET",
                &format!("/element/{id}/text"),
                Value::Null,
                &format!("text of {css:?}"),
            )
            .await,
        )
    }

    pub async fn exists(&self, css: &str) -> bool {
        let found = self
            .cmd_ok(
                "POST",
                "/elements",
                json!({ "using": "css selector", "value": css }),
                &format!("find {css:?}"),
            )
            .await;
        found.as_array().is_some_and(|a| !a.is_empty())
    }

    /// Clears the field, then types `value` into it.
    pub async fn fill(&self, css: &str, value: &str) {
        let id = self.element(css).await;
        let what = format!("fill {css:?}");
        self.cmd_ok("POST", &format!("/element/{id}/clear"), json!({}), &what)
            .await;
        self.cmd_ok(
            "POST",
            &format!("/element/{id}/value"),
            json!({ "text": value }),
            &what,
        )
        .await;
    }

    pub async fn click(&self, css: &str) {
        let id = self.element(css).await;
        // Drivers scroll a target just into view, where a sticky header or footer can
        // cover it; centre it first.
        let _ = self
            .cmd(
                "POST",
                "/execute/sync",
                json!({
                    "script": "arguments[0].scrollIntoView({block: 'center'});",
                    "args": [{ ELEMENT_KEY: id }],
                }),
            )
            .await;
        self.cmd_ok(
            "POST",
            &format!("/element/{id}/click"),
            json!({}),
            &format!("click {css:?}"),
        )
        .await;
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
        let b64 = str_value(
            self.cmd_ok("GET", "/screenshot", Value::Null, "screenshot")
                .await,
        );
        let png = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .expect("screenshot is base64");
        std::fs::write(path, png)
            .unwrap_or_else(|e| panic!("write screenshot {}: {e}", path.display()));
    }

    /// Ends the session and chromedriver, waiting for both (drop does it too, blocking).
    pub async fn close(mut self) {
        if let Some(id) = self.session.take() {
            let _ = self
                .http
                .delete(format!("{}/session/{id}", self.base))
                .send()
                .await;
        }
        self.kill_driver();
    }

    /// chromedriver's log, for diagnosing a failed test.
    pub fn driver_log_path(&self) -> PathBuf {
        self.tmp.path().join("chromedriver.log")
    }

    async fn wait_driver_ready(&mut self, log_path: &Path) {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Some(status) = self
                .driver
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                self.driver = None;
                let log = std::fs::read_to_string(log_path).unwrap_or_default();
                panic!(
                    "chromedriver exited with {status}.\n{}\n{INSTALL_HINT}",
                    log.trim()
                );
            }
            if let Ok(resp) = self.http.get(format!("{}/status", self.base)).send().await {
                if let Ok(body) = resp.json::<Value>().await {
                    if body["value"]["ready"].as_bool() == Some(true) {
                        return;
                    }
                }
            }
            if Instant::now() >= deadline {
                self.kill_driver();
                let log = std::fs::read_to_string(log_path).unwrap_or_default();
                panic!(
                    "chromedriver did not become ready within {START_TIMEOUT:?}.\n{}\n{INSTALL_HINT}",
                    log.trim()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn new_session(&mut self, profile: &Path, log_path: &Path) {
        let caps = json!({
            "capabilities": {
                "alwaysMatch": {
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
                },
            },
        });
        self.open_session(caps, log_path, INSTALL_HINT).await;
    }

    /// Waits for a WebDriver server that has no /status readiness flag (tauri-driver).
    async fn wait_port(&mut self, port: u16, log_path: &Path) {
        let deadline = Instant::now() + START_TIMEOUT;
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            let exited = self
                .driver
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten());
            if exited.is_some() || Instant::now() >= deadline {
                self.kill_driver();
                let log = std::fs::read_to_string(log_path).unwrap_or_default();
                panic!(
                    "the WebDriver server didn't start ({exited:?}).\n{}\n{TAURI_HINT}",
                    log.trim()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn open_session(&mut self, caps: Value, log_path: &Path, hint: &str) {
        match self
            .raw_cmd("POST", &format!("{}/session", self.base), caps)
            .await
        {
            Ok(v) => {
                let id = v["sessionId"]
                    .as_str()
                    .unwrap_or_else(|| panic!("new session reply has no sessionId: {v}"));
                self.session = Some(id.to_string());
            }
            Err(e) => {
                self.kill_driver();
                let log = std::fs::read_to_string(log_path).unwrap_or_default();
                let lines: Vec<&str> = log.lines().collect();
                let tail = lines[lines.len().saturating_sub(30)..].join("\n");
                panic!("could not open a WebDriver session: {e}\ndriver log:\n{tail}\n{hint}");
            }
        }
    }

    /// The first element matching `css`; panics with an excerpt of the page if none.
    async fn element(&self, css: &str) -> String {
        let found = self
            .cmd(
                "POST",
                "/element",
                json!({ "using": "css selector", "value": css }),
            )
            .await;
        match found {
            Ok(v) => v[ELEMENT_KEY]
                .as_str()
                .unwrap_or_else(|| panic!("element reply without reference: {v}"))
                .to_string(),
            Err(e) => {
                let url = self.current_url().await;
                let source = self.source().await;
                let excerpt: String = source.chars().take(2000).collect();
                panic!("no element matches {css:?} on {url} ({e}); page source:\n{excerpt}");
            }
        }
    }

    async fn cmd_ok(&self, method: &str, path: &str, body: Value, what: &str) -> Value {
        self.cmd(method, path, body)
            .await
            .unwrap_or_else(|e| panic!("WebDriver {what} failed: {e}"))
    }

    /// A command on the current session; `path` is relative to `/session/{id}`.
    async fn cmd(&self, method: &str, path: &str, body: Value) -> Result<Value, WdError> {
        let id = self.session.as_deref().expect("browser session is open");
        self.raw_cmd(method, &format!("{}/session/{id}{path}", self.base), body)
            .await
    }

    async fn raw_cmd(&self, method: &str, url: &str, body: Value) -> Result<Value, WdError> {
        let req = match method {
            "GET" => self.http.get(url),
            "POST" => self.http.post(url).json(&body),
            "DELETE" => self.http.delete(url),
            other => unreachable!("unsupported WebDriver method {other}"),
        };
        let transport = |e: reqwest::Error| WdError {
            error: "transport".into(),
            message: e.to_string(),
        };
        let resp = req.send().await.map_err(transport)?;
        let status = resp.status();
        let reply: Value = resp.json().await.map_err(transport)?;
        let value = reply.get("value").cloned().unwrap_or(Value::Null);
        if status.is_success() {
            Ok(value)
        } else {
            Err(WdError {
                error: value["error"]
                    .as_str()
                    .unwrap_or("unknown error")
                    .to_string(),
                message: value["message"]
                    .as_str()
                    .unwrap_or_default()
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_string(),
            })
        }
    }

    fn kill_driver(&mut self) {
        if let Some(mut child) = self.driver.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Drop can't await; a blocking DELETE over std lets chromedriver close Chromium itself,
        // which killing chromedriver alone would leave running.
        if let Some(id) = self.session.take() {
            delete_session_blocking(self.port, &id);
        }
        self.kill_driver();
    }
}

fn delete_session_blocking(port: u16, session: &str) {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_secs(2)) else {
        return;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(15)));
    let request = format!(
        "DELETE /session/{session} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    if stream.write_all(request.as_bytes()).is_ok() {
        // Wait for the whole reply (it comes once Chromium has quit), without relying on
        // the server closing the connection.
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        while let Ok(n) = stream.read(&mut chunk) {
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
            if http_reply_complete(&buf) {
                break;
            }
        }
    }
}

/// Whether `buf` holds a full HTTP/1.1 reply with a Content-Length body.
fn http_reply_complete(buf: &[u8]) -> bool {
    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
    let len = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    buf.len() >= end + 4 + len
}

fn str_value(v: Value) -> String {
    match v {
        Value::String(s) => s,
        other => panic!("WebDriver returned {other} where a string was expected"),
    }
}

/// `tauri-driver` from PATH, or where `cargo install` puts it.
fn find_tauri_driver() -> PathBuf {
    let in_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("tauri-driver"))
            .find(|p| p.is_file())
    });
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    in_path
        .or_else(|| {
            cargo_home
                .map(|h| h.join("bin/tauri-driver"))
                .filter(|p| p.is_file())
        })
        .unwrap_or_else(|| panic!("tauri-driver not found. {TAURI_HINT}"))
}

/// A virtual X display (Xvfb) for a test window; killed on drop.
pub struct VirtualDisplay {
    pub display: String,
    child: Child,
}

impl VirtualDisplay {
    pub fn start() -> VirtualDisplay {
        // A display number nobody else holds: its lock file is the claim.
        for n in 90..190 {
            if Path::new(&format!("/tmp/.X{n}-lock")).exists() {
                continue;
            }
            let mut child = Command::new("Xvfb")
                .args([
                    &format!(":{n}"),
                    "-screen",
                    "0",
                    "1280x900x24",
                    "-nolisten",
                    "tcp",
                ])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("could not run Xvfb ({e}). {TAURI_HINT}"));
            let socket = format!("/tmp/.X11-unix/X{n}");
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if Path::new(&socket).exists() {
                    return VirtualDisplay {
                        display: format!(":{n}"),
                        child,
                    };
                }
                if child.try_wait().ok().flatten().is_some() {
                    break; // lost a race for this number; try the next
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("couldn't start Xvfb on any display from :90 to :189. {TAURI_HINT}");
    }
}

impl Drop for VirtualDisplay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
