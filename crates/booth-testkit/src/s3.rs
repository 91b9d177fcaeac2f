//! A real S3-compatible server on loopback for tests: s3s-fs (the s3s project's S3 service
//! over a folder), which checks every request's SigV4 signature against its one key pair.
//! scripts/install-deps.sh installs it (`cargo install s3s-fs`).

use crate::smtp::free_port;
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const ACCESS_KEY: &str = "BOOTHTESTACCESSKEY";
pub const SECRET_KEY: &str = "booth-test-secret-key-0123456789abcdef";

pub struct S3Server {
    /// http://127.0.0.1:<port>
    pub endpoint: String,
    pub port: u16,
    /// The folder behind it: each bucket is a folder, each object a file.
    pub root: tempfile::TempDir,
    child: Option<Child>,
}

impl S3Server {
    /// Starts it with the given buckets made.
    pub fn start(buckets: &[&str]) -> S3Server {
        let root = tempfile::Builder::new()
            .prefix("booth-s3-")
            .tempdir()
            .expect("a folder for the S3 server");
        for b in buckets {
            std::fs::create_dir(root.path().join(b)).expect("a bucket folder");
        }
        let port = free_port();
        let mut server = S3Server {
            endpoint: format!("http://127.0.0.1:{port}"),
            port,
            root,
            child: None,
        };
        server.run();
        server
    }

    fn run(&mut self) {
        let program = find_s3s_fs();
        let child = Command::new(&program)
            .args(["--host", "127.0.0.1", "--port", &self.port.to_string()])
            .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
            .arg(self.root.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "could not run {} ({e}): run scripts/install-deps.sh",
                    program.display()
                )
            });
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "s3s-fs didn't listen within 20 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The server's process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Back on the same port and folder, after `stop`.
    pub fn start_again(&mut self) {
        if self.child.is_none() {
            self.run();
        }
    }

    /// The server goes away (as a bucket service that is down).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Every object in a bucket, as paths under it.
    pub fn objects(&self, bucket: &str) -> Vec<String> {
        fn walk(dir: &std::path::Path, base: &std::path::Path, out: &mut Vec<String>) {
            for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, base, out);
                } else {
                    out.push(p.strip_prefix(base).unwrap().display().to_string());
                }
            }
        }
        let mut out = Vec::new();
        let base = self.root.path().join(bucket);
        walk(&base, &base, &mut out);
        out.sort();
        out
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.stop();
    }
}

fn find_s3s_fs() -> PathBuf {
    let in_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("s3s-fs"))
            .find(|p| p.is_file())
    });
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    in_path
        .or_else(|| cargo_home.map(|h| h.join("bin/s3s-fs")))
        .filter(|p| p.is_file())
        .unwrap_or_else(|| panic!("s3s-fs not found: run scripts/install-deps.sh"))
}
