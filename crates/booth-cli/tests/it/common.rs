//! What the `booth` binary's black-box tests share: a shop in a throwaway data dir, checks
//! for clean, one-line errors, and the processes a test starts.

use serde_json::Value;
use std::fs;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// The `booth` binary under test: the one Cargo built for these tests, or the one the
/// `BOOTH_BIN` environment variable names (an absolute path, e.g. target/release/booth).
pub fn booth_bin() -> String {
    std::env::var("BOOTH_BIN")
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_booth").to_string())
}

/// A shop in a throwaway data dir, plus a scratch dir for files to upload.
pub struct Shop {
    pub dir: TempDir,
}

impl Shop {
    pub fn new() -> Shop {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::create_dir(dir.path().join("data")).expect("data dir");
        fs::create_dir(dir.path().join("src")).expect("src dir");
        Shop { dir }
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Writes a file to upload and returns its path as a string.
    pub fn file(&self, name: &str, content: &[u8]) -> String {
        let path = self.dir.path().join("src").join(name);
        fs::write(&path, content).expect("write source file");
        path.to_str().expect("utf-8 path").to_string()
    }

    pub fn cmd(&self) -> Command {
        let mut c = Command::new(booth_bin());
        c.arg("--data-dir")
            .arg(self.data_dir())
            .env("BOOTH_LOG", "warn")
            .env_remove("STRIPE_SECRET_KEY")
            .env_remove("STRIPE_API_BASE")
            .env_remove("STRIPE_WEBHOOK_SECRET")
            .env_remove("BOOTH_SMTP_URL")
            .env_remove("BOOTH_DATA_DIR")
            .stdin(Stdio::null());
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().expect("run booth")
    }

    /// Runs a command that must succeed; returns its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        ok_cmd(self.cmd(), args)
    }

    /// Runs a command that must be refused cleanly; returns its one error line.
    pub fn fail(&self, args: &[&str]) -> String {
        let out = self.run(args);
        clean_error(&out, &format!("booth {}", short_args(args)))
    }

    pub fn json(&self, args: &[&str]) -> Value {
        let out = self.ok(args);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("booth {args:?}: bad JSON {e}: {out}"))
    }

    pub fn products(&self) -> Value {
        self.json(&["product", "list", "--json"])
    }

    pub fn product(&self, slug: &str) -> Value {
        self.products()
            .as_array()
            .expect("array")
            .iter()
            .find(|p| p["slug"] == slug)
            .cloned()
            .unwrap_or_else(|| panic!("no product {slug}"))
    }

    pub fn purchases(&self) -> Value {
        self.json(&["purchases", "--json"])
    }

    pub fn show(&self, token: &str) -> Value {
        self.json(&["purchase", "show", token, "--json"])
    }

    /// Adds a product with one file; returns the file's path.
    pub fn add(&self, slug: &str, price: &str) -> String {
        let file = self.file(&format!("{slug}.pdf"), format!("%PDF {slug}").as_bytes());
        self.ok(&[
            "product",
            "add",
            "--name",
            &format!("Product {slug}"),
            "--price",
            price,
            "--slug",
            slug,
            "--file",
            &file,
        ]);
        file
    }

    /// Grants `slug` to `email`; returns the token from the printed link.
    pub fn grant(&self, slug: &str, email: &str) -> String {
        let out = self.ok(&["grant", "--product", slug, "--email", email]);
        let link = out
            .lines()
            .find(|l| l.contains("/d/"))
            .unwrap_or_else(|| panic!("no link in: {out}"));
        let token = token_of_link(link.trim());
        assert!(
            link.trim().starts_with("http://"),
            "link is not http: {link}"
        );
        token
    }

    /// run.json, once the shop started as `pid` has written it: it answers HTTP a moment
    /// before, and until then the file may still be the one a killed shop left behind.
    pub fn run_json(&self, pid: u32, within: Duration) -> Value {
        let deadline = Instant::now() + within;
        loop {
            let text = fs::read_to_string(self.data_dir().join("run.json")).unwrap_or_default();
            if let Ok(v) = serde_json::from_str::<Value>(&text) {
                if v["pid"] == pid {
                    return v;
                }
            }
            assert!(
                Instant::now() < deadline,
                "no run.json from the running shop (pid {pid})"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn eml_files(&self) -> Vec<PathBuf> {
        let dir = self.data_dir().join("outbox");
        let mut v: Vec<PathBuf> = match fs::read_dir(&dir) {
            Ok(rd) => rd
                .map(|e| e.expect("dir entry").path())
                .filter(|p| p.extension().is_some_and(|e| e == "eml"))
                .collect(),
            Err(_) => Vec::new(),
        };
        v.sort();
        v
    }
}

/// Runs `booth` with `c`'s environment and these arguments; it must succeed. Returns stdout.
pub fn ok_cmd(mut c: Command, args: &[&str]) -> String {
    let out = c.args(args).output().expect("run booth");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "booth {args:?} failed ({:?}):\nstdout: {}\nstderr: {stderr}",
        out.status,
        String::from_utf8_lossy(&out.stdout)
    );
    assert_no_panic(&stderr);
    String::from_utf8(out.stdout).expect("utf-8 stdout")
}

pub fn short_args(args: &[&str]) -> String {
    args.iter()
        .map(|a| {
            if a.len() > 60 {
                format!("<{} chars>", a.len())
            } else {
                format!("{a:?}")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn assert_no_panic(stderr: &str) {
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "panic: {stderr}"
    );
}

/// Exit code 1, no panic, and exactly one line on stderr starting with `error:`.
pub fn clean_error(out: &Output, what: &str) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_no_panic(&stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{what}: expected exit 1, got {:?}\nstdout: {}\nstderr: {stderr}",
        out.status,
        String::from_utf8_lossy(&out.stdout)
    );
    let line = stderr.trim_end();
    assert!(
        line.starts_with("error: "),
        "{what}: stderr doesn't start with 'error:': {stderr}"
    );
    assert_eq!(
        line.lines().count(),
        1,
        "{what}: error is not one line: {stderr:?}"
    );
    assert!(
        line.len() > "error: ".len() + 8,
        "{what}: error says nothing: {line}"
    );
    line.to_string()
}

/// The 32-hex token at the end of a `…/d/<token>` link.
pub fn token_of_link(link: &str) -> String {
    let (_, token) = link
        .rsplit_once("/d/")
        .unwrap_or_else(|| panic!("not a purchase link: {link}"));
    assert!(is_token(token), "not a 32-hex token: {token:?} in {link}");
    token.to_string()
}

pub fn is_token(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A process a test started (`booth serve`, mostly): killed and reaped when the test ends,
/// however it ends. What it printed is in `log`.
pub struct Running {
    pub child: Child,
    pub log: PathBuf,
}

impl Running {
    /// Spawns `cmd` with its stdout and stderr going to `log`.
    pub fn spawn(mut cmd: Command, log: PathBuf) -> Running {
        let out = fs::File::create(&log).expect("log file");
        let err = out.try_clone().expect("clone log");
        let child = cmd.stdout(out).stderr(err).spawn().expect("start booth");
        Running { child, log }
    }

    /// What it printed so far.
    pub fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn alive(&mut self) -> bool {
        self.child.try_wait().expect("try_wait").is_none()
    }

    /// Its exit status once it ends, or None if it is still running after `within`.
    pub fn wait_exit(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
