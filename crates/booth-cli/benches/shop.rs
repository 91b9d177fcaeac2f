//! Benchmark (not a test): Booth's buyer side beside nginx, on loopback, in one run, with
//! ratios. Release build of `booth serve`; nginx from Debian (`sendfile on`) serving the
//! same files; wrk (Debian) as the load generator, and an open-loop generator here for
//! latency at a fixed rate. The two download measurements alternate Booth and nginx three
//! times and report the medians and each round's ratio.
//!
//!     cargo bench -p booth-cli --bench shop          (or ./scripts/bench.sh shop)
//!
//! Environment: BENCH_SECS (default 10) per measurement; BENCH_ONLY=small,webhooks (any of
//! big, small, page, memory, webhooks) runs only those.

mod common;

use common::{booth, free_port, grant, product, status_kib, wait_http, Kill, BOOTH, R};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

const BIG: usize = 100 << 20;
const SMALL_BUYERS: usize = 200;
const WEBHOOK_EVENTS: usize = 3000;

fn main() -> ExitCode {
    common::run_bench(run())
}

/// nginx's master asked to stop: a SIGKILL would leave its workers running (holding the
/// port and this program's output pipe).
struct Nginx(Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}

struct Wrk {
    requests_per_sec: f64,
    bytes_per_sec: f64,
}

fn wrk(url: &str, threads: usize, conns: usize, secs: u64, script: Option<&Path>) -> R<Wrk> {
    let mut c = Command::new("wrk");
    c.args([
        "-t",
        &threads.to_string(),
        "-c",
        &conns.to_string(),
        "-d",
        &format!("{secs}s"),
    ]);
    if let Some(s) = script {
        c.arg("-s").arg(s);
    }
    let out = c
        .arg(url)
        .output()
        .map_err(|e| format!("wrk: {e} (install it: apt install wrk)"))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(name))
            .map(|v| v.trim().to_string())
    };
    if text.contains("Non-2xx") {
        return Err(format!("wrk saw errors against {url}:\n{text}"));
    }
    let rps: f64 = field("Requests/sec:")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("no Requests/sec in {text}"))?;
    let transfer = field("Transfer/sec:").ok_or("no Transfer/sec")?;
    let (num, unit) = transfer.split_at(
        transfer
            .find(|c: char| c.is_ascii_alphabetic())
            .unwrap_or(transfer.len()),
    );
    let mult = match unit {
        "B" => 1.0,
        "KB" => 1024.0,
        "MB" => 1024.0 * 1024.0,
        "GB" => 1024.0 * 1024.0 * 1024.0,
        u => return Err(format!("unit {u}")),
    };
    Ok(Wrk {
        requests_per_sec: rps,
        bytes_per_sec: num.parse::<f64>().map_err(|e| e.to_string())? * mult,
    })
}

/// Open loop: requests start on schedule whether or not earlier ones finished, and each
/// latency counts from its scheduled start (no coordinated omission).
async fn fixed_rate(url: &str, rps: u64, secs: u64) -> R<(Duration, Duration, Duration, usize)> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(512)
        .build()
        .map_err(|e| e.to_string())?;
    let start = tokio::time::Instant::now() + Duration::from_millis(100);
    let n = rps * secs;
    let mut tasks = Vec::with_capacity(n as usize);
    for i in 0..n {
        let at = start + Duration::from_nanos(i * 1_000_000_000 / rps);
        tokio::time::sleep_until(at).await;
        let (c, url) = (client.clone(), url.to_string());
        tasks.push(tokio::spawn(async move {
            let ok = match c.get(&url).send().await {
                Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                Err(_) => false,
            };
            (tokio::time::Instant::now() - at, ok)
        }));
    }
    let mut lat = Vec::with_capacity(tasks.len());
    let mut errors = 0;
    for t in tasks {
        let (d, ok) = t.await.map_err(|e| e.to_string())?;
        if !ok {
            errors += 1;
        }
        lat.push(d);
    }
    lat.sort();
    let pct = |p: f64| lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)];
    Ok((pct(0.50), pct(0.99), pct(0.999), errors))
}

fn nginx(root: &Path, port: u16, dir: &Path) -> R<Nginx> {
    let conf = dir.join("nginx.conf");
    std::fs::write(
        &conf,
        format!(
            "worker_processes auto;\nerror_log {err} warn;\npid {pid};\nevents {{ worker_connections 4096; }}\n\
             http {{\n  access_log off;\n  sendfile on;\n  tcp_nopush on;\n  keepalive_requests 100000;\n\
             client_body_temp_path {tmp};\n  proxy_temp_path {tmp};\n  fastcgi_temp_path {tmp};\n  uwsgi_temp_path {tmp};\n  scgi_temp_path {tmp};\n\
             server {{ listen 127.0.0.1:{port}; root {root}; }}\n}}\n",
            err = dir.join("nginx-error.log").display(),
            pid = dir.join("nginx.pid").display(),
            tmp = dir.display(),
            root = root.display(),
        ),
    )
    .map_err(|e| e.to_string())?;
    let child = Command::new("nginx")
        .args(["-c", conf.to_str().unwrap(), "-g", "daemon off;"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("nginx: {e} (install it: apt install nginx)"))?;
    Ok(Nginx(child))
}

/// Medians of Booth's and nginx's figures over `ROUNDS` alternating runs, and each
/// round's ratio: nginx alone varies ±15% from run to run on this shared machine, so one
/// pair of runs can move the ratio by a third.
struct SideBySide {
    booth: f64,
    nginx: f64,
    rounds: Vec<f64>,
}

const ROUNDS: usize = 3;

fn side_by_side(
    mut booth: impl FnMut() -> R<f64>,
    mut nginx: impl FnMut() -> R<f64>,
) -> R<SideBySide> {
    let (mut bs, mut ns) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        bs.push(booth()?);
        ns.push(nginx()?);
    }
    let rounds = bs.iter().zip(&ns).map(|(b, n)| b / n).collect();
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    Ok(SideBySide {
        booth: median(&mut bs),
        nginx: median(&mut ns),
        rounds,
    })
}

impl SideBySide {
    /// "0.95× (rounds 0.91, 0.97, 0.95)": the ratio of the medians, then each round's.
    fn ratios(&self) -> String {
        let each: Vec<String> = self.rounds.iter().map(|r| format!("{r:.2}")).collect();
        format!(
            "{:.2}× (rounds {})",
            self.booth / self.nginx,
            each.join(", ")
        )
    }
}

async fn run() -> R<()> {
    let secs: u64 = std::env::var("BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let dir = tmp.path();
    let data = dir.join("data");
    let www = dir.join("www");
    std::fs::create_dir_all(&www).map_err(|e| e.to_string())?;
    let big: Vec<u8> = (0..BIG).map(|i| (i * 31 % 251) as u8).collect();
    let small: Vec<u8> = (0..1024).map(|i| (i * 7 % 251) as u8).collect();
    for (name, bytes) in [("big.bin", &big), ("small.bin", &small)] {
        std::fs::write(www.join(name), bytes).map_err(|e| e.to_string())?;
    }
    let big_id = product(&data, "Big", &www.join("big.bin"))?;
    let small_id = product(&data, "Small", &www.join("small.bin"))?;
    let big_token = grant(&data, "big", "big@example.com")?;
    let mut small_paths = Vec::new();
    for i in 0..SMALL_BUYERS {
        let t = grant(&data, "small", &format!("b{i}@example.com"))?;
        let path = format!("/d/{t}/{small_id}");
        // nginx gets the very same requests: the file hard-linked at each download path.
        let at = www.join(&path[1..]);
        std::fs::create_dir_all(at.parent().unwrap()).map_err(|e| e.to_string())?;
        std::fs::hard_link(www.join("small.bin"), &at).map_err(|e| e.to_string())?;
        small_paths.push(path);
    }
    let lua = dir.join("rotate.lua");
    let mut f = std::fs::File::create(&lua).map_err(|e| e.to_string())?;
    writeln!(f, "local paths = {{").unwrap();
    for p in &small_paths {
        writeln!(f, "  \"{p}\",").unwrap();
    }
    writeln!(f, "}}\nlocal i = 0\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format(\"GET\", paths[i])\nend").unwrap();
    drop(f);

    let (bport, nport) = (free_port(), free_port());
    let serve = Kill(
        Command::new(BOOTH)
            .arg("--data-dir")
            .arg(&data)
            .args(["serve", "--listen", &format!("127.0.0.1:{bport}")])
            .env("BOOTH_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| e.to_string())?,
    );
    let pid = serve.0.id();
    let _nginx = nginx(&www, nport, dir)?;
    let (b, n) = (
        format!("http://127.0.0.1:{bport}"),
        format!("http://127.0.0.1:{nport}"),
    );
    wait_http(&format!("{b}/healthz")).await?;
    wait_http(&format!("{n}/small.bin")).await?;
    println!("| measurement | Booth | nginx | Booth / nginx | goal |");
    println!("| :--- | ---: | ---: | ---: | :--- |");

    let mib = |x: f64| x / (1024.0 * 1024.0);
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let run = |name: &str| only.is_empty() || only.split(',').any(|o| o.trim() == name);

    // 1. One 100 MiB file, a few connections.
    if run("big") {
        let r = side_by_side(
            || Ok(wrk(&format!("{b}/d/{big_token}/{big_id}"), 2, 4, secs, None)?.bytes_per_sec),
            || Ok(wrk(&format!("{n}/big.bin"), 2, 4, secs, None)?.bytes_per_sec),
        )?;
        println!(
            "| 100 MiB download, 4 connections | {:.0} MiB/s | {:.0} MiB/s | {} | ≥ 0.9× |",
            mib(r.booth),
            mib(r.nginx),
            r.ratios()
        );
    }

    // 2. Small counted downloads across many purchases (the same requests to both).
    if run("small") {
        let r = side_by_side(
            || Ok(wrk(&format!("{b}/"), 2, 64, secs, Some(&lua))?.requests_per_sec),
            || Ok(wrk(&format!("{n}/"), 2, 64, secs, Some(&lua))?.requests_per_sec),
        )?;
        println!(
            "| 1 KiB counted downloads, {SMALL_BUYERS} purchases, 64 connections | {:.0} /s | {:.0} /s | {} | ≥ 0.5× |",
            r.booth,
            r.nginx,
            r.ratios()
        );
    }

    // 3. The purchase page at a fixed 1,000 requests/s.
    if run("page") {
        let (p50, p99, p999, errors) =
            fixed_rate(&format!("{b}/d/{big_token}"), 1000, secs).await?;
        let (np50, np99, _, _) = fixed_rate(&format!("{n}/small.bin"), 1000, secs).await?;
        println!(
        "| purchase page at 1,000 req/s: p50 / p99 (p99.9 {:.2} ms, {errors} errors) | {:.2} / {:.2} ms | {:.2} / {:.2} ms (1 KiB file) | | p99 < 5 ms |",
        p999.as_secs_f64() * 1e3,
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3,
        np50.as_secs_f64() * 1e3,
        np99.as_secs_f64() * 1e3,
    );
    }

    // 4. Memory with 1,000 concurrent downloads of the big file.
    if run("memory") {
        let before = status_kib(pid, "VmRSS:");
        let mem = wrk(&format!("{b}/d/{big_token}/{big_id}"), 2, 1000, secs, None)?;
        let peak = status_kib(pid, "VmHWM:");
        println!(
        "| peak memory of booth serve, 1,000 concurrent 100 MiB downloads ({:.0} MiB/s in all) | {:.1} MiB (idle {:.1} MiB) | | | measured |",
        mib(mem.bytes_per_sec),
        peak as f64 / 1024.0,
        before as f64 / 1024.0
    );
    }
    drop(serve);

    // 5. Webhook fulfilment.
    if run("webhooks") {
        let rate = webhooks(dir).await?;
        println!("| webhook fulfilment: signed checkout.session.completed → purchase + queued receipt | {rate:.0} /s | | | ≥ 2,000/s |");
    }
    Ok(())
}

/// Booth in Stripe mode against the simulator standing alone (as api.stripe.com), with a
/// webhook secret of its own: sessions are paid first, then their events are signed and
/// posted as fast as Booth takes them. Each one means: verify the signature, retrieve the
/// session with its line items from "Stripe", record the purchase and queue its receipt.
async fn webhooks(dir: &Path) -> R<f64> {
    const SECRET: &str = "whsec_bench";
    // The simulator accepts only its own key; this one is given to both sides.
    const SIM_KEY: &str = "sk_test_bench_0123456789abcdef";
    let data: PathBuf = dir.join("data-webhooks");
    let small = dir.join("www/small.bin");
    product(&data, "Small", &small)?;
    let (sport, bport) = (free_port(), free_port());
    let _sim = Kill(
        Command::new(BOOTH)
            .args(["stripe-sim", "--listen", &format!("127.0.0.1:{sport}")])
            .env("BOOTH_SIM_SECRET_KEY", SIM_KEY)
            .env("BOOTH_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| e.to_string())?,
    );
    let sim = format!("http://127.0.0.1:{sport}/");
    // Booth catches up on events at start: "Stripe" must be there first.
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", sport)).is_err() {
        if Instant::now() > deadline {
            return Err("the simulator never listened".into());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _serve = Kill(
        Command::new(BOOTH)
            .arg("--data-dir")
            .arg(&data)
            .args(["serve", "--listen", &format!("127.0.0.1:{bport}")])
            .env("BOOTH_LOG", "warn")
            .env("STRIPE_SECRET_KEY", SIM_KEY)
            .env("STRIPE_API_BASE", &sim)
            .env("STRIPE_WEBHOOK_SECRET", SECRET)
            // Every buyer comes from loopback here: one allowance, as large as the run needs.
            .env("BOOTH_CHECKOUT_LIMIT", "1000000")
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| e.to_string())?,
    );
    let b = format!("http://127.0.0.1:{bport}");
    wait_http(&format!("{b}/healthz")).await?;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())?;

    // Pay WEBHOOK_EVENTS sessions (not timed), 16 buyers at a time.
    let mut jobs = tokio::task::JoinSet::new();
    for w in 0..16usize {
        let (http, b) = (http.clone(), b.clone());
        jobs.spawn(async move {
            for i in (w..WEBHOOK_EVENTS).step_by(16) {
                let buy = http
                    .get(format!("{b}/buy/small"))
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                let hosted = buy.headers()["location"].to_str().unwrap().to_string();
                let email = format!("w{i}@example.com");
                http.post(hosted)
                    .form(&[
                        ("email", email.as_str()),
                        ("card_number", "4242424242424242"),
                        ("card_expiry", "12/34"),
                        ("card_cvc", "123"),
                    ])
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
            }
            Ok::<(), String>(())
        });
    }
    while let Some(r) = jobs.join_next().await {
        r.map_err(|e| e.to_string())??;
    }
    // The events, as Stripe would send them.
    let events: Vec<String> = booth_testkit::app::list_all(
        &http,
        &sim,
        SIM_KEY,
        "v1/events?type=checkout.session.completed",
    )
    .await
    .iter()
    .map(|e| e.to_string())
    .collect();
    if events.len() != WEBHOOK_EVENTS {
        return Err(format!(
            "{} events for {WEBHOOK_EVENTS} payments",
            events.len()
        ));
    }

    // Timed: post them all, 64 at a time.
    eprintln!("posting {WEBHOOK_EVENTS} signed events…");
    let started = Instant::now();
    let events = std::sync::Arc::new(events);
    let mut jobs = tokio::task::JoinSet::new();
    for w in 0..64usize {
        let (http, b, events) = (http.clone(), b.clone(), events.clone());
        jobs.spawn(async move {
            for i in (w..events.len()).step_by(64) {
                let sig = booth_testkit::app::sign(&events[i], SECRET, booth_testkit::app::now());
                let res = http
                    .post(format!("{b}/webhooks/stripe"))
                    .header("stripe-signature", sig)
                    .body(events[i].clone())
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                if !res.status().is_success() {
                    return Err(format!("webhook answered {}", res.status()));
                }
            }
            Ok::<(), String>(())
        });
    }
    while let Some(r) = jobs.join_next().await {
        r.map_err(|e| e.to_string())??;
    }
    let elapsed = started.elapsed();
    let purchases: serde_json::Value =
        serde_json::from_str(&booth(&data, &["purchases", "--json"])?)
            .map_err(|e| e.to_string())?;
    let n = purchases.as_array().map(|a| a.len()).unwrap_or(0);
    if n != WEBHOOK_EVENTS {
        return Err(format!(
            "{n} purchases recorded for {WEBHOOK_EVENTS} events"
        ));
    }
    Ok(WEBHOOK_EVENTS as f64 / elapsed.as_secs_f64())
}
