//! Booth's desktop window as a `Browser`: the app under tauri-driver (which drives Debian's
//! WebKitWebDriver) on a virtual X display (Xvfb).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::browser::{Browser, Driver};

const WEBKIT_DRIVER: &str = "/usr/bin/WebKitWebDriver";
const TAURI_HINT: &str =
    "the desktop tests need `tauri-driver` (`cargo install tauri-driver --locked --version ^2`) \
     and Debian's webkit2gtk-driver and xvfb: scripts/install-deps.sh installs them";

impl Browser {
    /// Starts Booth's desktop app under `tauri-driver` on `display` and opens a session on
    /// its main window. `env` reaches the app.
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
        let log_name = "tauri-driver.log";
        let log = std::fs::File::create(tmp.path().join(log_name)).expect("create driver log");
        let port = crate::smtp::free_port();
        let native_port = crate::smtp::free_port();
        let child = Command::new(&tauri_driver)
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .args(["--native-driver", WEBKIT_DRIVER])
            .env("DISPLAY", display)
            .env("TAURI_WEBVIEW_AUTOMATION", "true")
            // Xvfb has no GPU, so WebKit draws with Mesa's software GL, and GTK's overlay
            // scrollbars fade for seconds after every scroll or page change, each frame
            // drawn in software: a window's first 12 s took 6.0 s of the web process's CPU
            // with them and 2.4 s with classic scrollbars. The window tests run on 2 cores
            // beside each other and everything else.
            .env("GTK_OVERLAY_SCROLLING", "0")
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
        let driver = Driver {
            port,
            child,
            tmp,
            log_name,
        };
        // tauri-driver forwards the session to WebKitWebDriver, which it starts at once but
        // which may take a while to listen on a busy machine: wait for both.
        let driver = driver.wait_port(port, TAURI_HINT).await;
        let driver = driver.wait_port(native_port, TAURI_HINT).await;
        let caps = json!({
            "tauri:options": { "application": app.display().to_string() },
        });
        driver.connect(caps, TAURI_HINT).await
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
            if held(n) {
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
            let ours = child.id().to_string();
            while Instant::now() < deadline {
                // Ours once the lock names our server: two tests can pick the same free
                // number at once, and the loser, seeing the winner's socket, used the
                // winner's display until its test ended and took the app down with it.
                let owner = std::fs::read_to_string(format!("/tmp/.X{n}-lock"));
                let owner = owner.as_deref().map(str::trim).unwrap_or("");
                if Path::new(&socket).exists() && owner == ours {
                    return VirtualDisplay {
                        display: format!(":{n}"),
                        child,
                    };
                }
                if child.try_wait().ok().flatten().is_some() || (!owner.is_empty() && owner != ours)
                {
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

/// Is display `n` held? Its lock file names the X server's pid; a lock whose server is
/// gone (killed without the chance to clean up) is stale, and removed, as X servers do.
fn held(n: u32) -> bool {
    let lock = format!("/tmp/.X{n}-lock");
    let Ok(text) = std::fs::read_to_string(&lock) else {
        return Path::new(&lock).exists();
    };
    match text.trim().parse::<u32>() {
        Ok(pid) if !Path::new(&format!("/proc/{pid}")).exists() => {
            let _ = std::fs::remove_file(&lock);
            let _ = std::fs::remove_file(format!("/tmp/.X11-unix/X{n}"));
            false
        }
        _ => true,
    }
}

impl Drop for VirtualDisplay {
    fn drop(&mut self) {
        // SIGTERM first: Xvfb then removes its lock file and socket. A SIGKILL left them
        // behind, one display number per test run, until all hundred were taken.
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if self.child.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let n = self.display.trim_start_matches(':');
        let _ = std::fs::remove_file(format!("/tmp/.X{n}-lock"));
        let _ = std::fs::remove_file(format!("/tmp/.X11-unix/X{n}"));
    }
}
