//! What the benchmarks share: the release `booth` they drive, a shop made through its CLI,
//! and a process's memory as /proc tells it.

#![allow(dead_code)] // each bench uses its own part

use std::future::Future;
use std::path::Path;
use std::process::{Child, Command, ExitCode};
use std::time::{Duration, Instant};

pub const BOOTH: &str = env!("CARGO_BIN_EXE_booth");

pub type R<T> = Result<T, String>;

/// Runs a benchmark on a Tokio runtime: a failure is one line and a failed exit.
pub fn run_bench(bench: impl Future<Output = R<()>>) -> ExitCode {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    match rt.block_on(bench) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("benchmark FAILED: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A child process, killed when dropped.
pub struct Kill(pub Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn free_port() -> u16 {
    booth_testkit::smtp::free_port()
}

pub fn booth(data: &Path, args: &[&str]) -> R<String> {
    let out = Command::new(BOOTH)
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env("BOOTH_LOG", "warn")
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "booth {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Adds a product with one file and no download limit; returns its file id.
pub fn product(data: &Path, name: &str, file: &Path) -> R<i64> {
    let f = file.to_str().unwrap();
    booth(
        data,
        &[
            "product",
            "add",
            "--name",
            name,
            "--price",
            "1",
            "--currency",
            "usd",
            "--file",
            f,
            "--limit",
            "unlimited",
        ],
    )?;
    let list: serde_json::Value =
        serde_json::from_str(&booth(data, &["product", "list", "--json"])?)
            .map_err(|e| e.to_string())?;
    list.as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == name))
        .and_then(|p| p["files"][0]["id"].as_i64())
        .ok_or_else(|| "no file id".into())
}

pub fn grant(data: &Path, slug: &str, email: &str) -> R<String> {
    let out = booth(data, &["grant", "--product", slug, "--email", email])?;
    out.lines()
        .find_map(|l| {
            l.rsplit("/d/")
                .next()
                .filter(|t| t.len() == 32)
                .map(String::from)
        })
        .ok_or_else(|| format!("no token in {out}"))
}

pub async fn wait_http(url: &str) -> R<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(r) = reqwest::get(url).await {
            if r.status().is_success() {
                return Ok(());
            }
        }
        if Instant::now() > deadline {
            return Err(format!("{url} never answered"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub fn status_kib(pid: u32, key: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| {
                    l.strip_prefix(key)
                        .map(|v| v.trim().trim_end_matches(" kB").parse().ok())
                })
                .flatten()
        })
        .unwrap_or(0)
}
