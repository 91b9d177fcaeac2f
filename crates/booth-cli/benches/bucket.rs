//! Benchmark (not a test): what serving a launch costs Booth itself when the seller's
//! bucket sends the bytes. 1,000 buyers download a 100 MiB file at once, twice: from the
//! data dir (Booth streams every byte), then from a bucket (Booth counts each download and
//! answers a redirect; the buyer's client fetches the bytes from the bucket). Release build
//! of `booth serve`; the bucket is s3s-fs on loopback (scripts/install-deps.sh installs it).
//! Every download is read to its end and its length checked; one of each is hashed.
//!
//!     cargo bench -p booth-cli --bench bucket          (or ./scripts/bench.sh bucket)
//!
//! Environment: BENCH_DOWNLOADS (default 1000).

mod common;

use booth_testkit::s3::{S3Server, ACCESS_KEY, SECRET_KEY};
use common::{booth, free_port, grant, product, status_kib, wait_http, Kill, BOOTH, R};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

const BIG: usize = 100 << 20;

fn main() -> ExitCode {
    common::run_bench(run())
}

/// User + system CPU seconds a process has used, from /proc/<pid>/stat.
fn cpu_secs(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces), 1-based: utime 14, stime 15.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<u64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    let ticks = f.get(11).unwrap_or(&0) + f.get(12).unwrap_or(&0);
    ticks as f64 / 100.0 // USER_HZ
}

struct Load {
    secs: f64,
    booth_cpu: f64,
    peak_kib: u64,
    bucket_cpu: Option<f64>,
}

/// `n` downloads of `url` at once, each read to its end (redirects followed); the first
/// one's bytes hashed.
async fn download_all(url: &str, n: usize, want_sha: &str) -> R<f64> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .map_err(|e| e.to_string())?;
    let t0 = Instant::now();
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let (http, url) = (http.clone(), url.to_string());
            tokio::spawn(async move {
                let res = http.get(&url).send().await.map_err(|e| e.to_string())?;
                if !res.status().is_success() {
                    return Err(format!("{url}: {}", res.status()));
                }
                let mut body = res.bytes_stream();
                let (mut len, mut hash) = (0usize, (i == 0).then(Sha256::new));
                while let Some(chunk) = body.next().await {
                    let chunk = chunk.map_err(|e| e.to_string())?;
                    len += chunk.len();
                    if let Some(h) = hash.as_mut() {
                        h.update(&chunk);
                    }
                }
                Ok::<_, String>((len, hash.map(|h| hex::encode(h.finalize()))))
            })
        })
        .collect();
    for t in tasks {
        let (len, sha) = t.await.map_err(|e| e.to_string())??;
        if len != BIG {
            return Err(format!("a download had {len} bytes, not {BIG}"));
        }
        if sha.is_some_and(|s| s != want_sha) {
            return Err("a download's bytes differ from the file".into());
        }
    }
    Ok(t0.elapsed().as_secs_f64())
}

/// A fresh `booth serve` on `data`, `n` downloads of `path` through it.
async fn serve_load(
    data: &Path,
    path: &str,
    n: usize,
    sha: &str,
    bucket_pid: Option<u32>,
) -> R<Load> {
    let port = free_port();
    let serve = Kill(
        Command::new(BOOTH)
            .arg("--data-dir")
            .arg(data)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .env("BOOTH_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| e.to_string())?,
    );
    let base = format!("http://127.0.0.1:{port}");
    wait_http(&format!("{base}/healthz")).await?;
    let pid = serve.0.id();
    let (cpu0, bucket0) = (cpu_secs(pid), bucket_pid.map(cpu_secs));
    let secs = download_all(&format!("{base}{path}"), n, sha).await?;
    Ok(Load {
        secs,
        booth_cpu: cpu_secs(pid) - cpu0,
        peak_kib: status_kib(pid, "VmHWM:"),
        bucket_cpu: bucket_pid.zip(bucket0).map(|(p, c)| cpu_secs(p) - c),
    })
}

async fn run() -> R<()> {
    let n: usize = std::env::var("BENCH_DOWNLOADS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let data = tmp.path().join("data");
    let file = tmp.path().join("course.zip");
    let bytes: Vec<u8> = (0..BIG).map(|i| (i * 31 % 251) as u8).collect();
    std::fs::write(&file, &bytes).map_err(|e| e.to_string())?;
    let sha = hex::encode(Sha256::digest(&bytes));
    drop(bytes);
    let file_id = product(&data, "Course", &file)?;
    let path = format!(
        "/d/{}/{file_id}",
        grant(&data, "course", "fan@example.com")?
    );

    let local = serve_load(&data, &path, n, &sha, None).await?;

    let s3 = S3Server::start(&["booth-files"]);
    let set = Command::new(BOOTH)
        .arg("--data-dir")
        .arg(&data)
        .args([
            "storage",
            "set",
            "--endpoint",
            &s3.endpoint,
            "--region",
            "us-east-1",
        ])
        .args(["--bucket", "booth-files", "--access-key-id", ACCESS_KEY])
        .env("BOOTH_STORAGE_SECRET", SECRET_KEY)
        .output()
        .map_err(|e| e.to_string())?;
    if !set.status.success() {
        return Err(String::from_utf8_lossy(&set.stderr).into_owned());
    }
    booth(&data, &["storage", "migrate"])?;
    let s3_pid = s3.pid().ok_or("s3s-fs isn't running")?;
    let bucket = serve_load(&data, &path, n, &sha, Some(s3_pid)).await?;

    let per = |l: &Load| l.booth_cpu * 1000.0 / n as f64;
    println!("| {n} concurrent 100 MiB downloads | data dir | bucket (s3s-fs on loopback) |");
    println!("| :--- | ---: | ---: |");
    println!("| wall time | {:.1} s | {:.1} s |", local.secs, bucket.secs);
    println!(
        "| Booth's CPU (user + system) | {:.2} s | {:.2} s |",
        local.booth_cpu, bucket.booth_cpu
    );
    println!(
        "| Booth's CPU per download | {:.2} ms | {:.3} ms ({:.0}× less; goal ≥ 20×) |",
        per(&local),
        per(&bucket),
        per(&local) / per(&bucket).max(f64::EPSILON)
    );
    println!(
        "| Booth's peak memory (VmHWM) | {:.1} MiB | {:.1} MiB |",
        local.peak_kib as f64 / 1024.0,
        bucket.peak_kib as f64 / 1024.0
    );
    println!(
        "| the bucket's CPU (s3s-fs, same machine) | | {:.2} s |",
        bucket.bucket_cpu.unwrap_or(0.0)
    );
    Ok(())
}
