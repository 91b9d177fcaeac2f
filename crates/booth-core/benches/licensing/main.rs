//! Benchmark (not a test): what apps and buyers of software and e-books cost the shop.
//! - License validations per second through `Shop::validate_license` (the license API's
//!   work without HTTP): of a key alone, and of an activation, which signs a fresh license
//!   file each time; one caller after another, and 64 at once on the shop's runtime.
//! - Activations per second (each a durable write).
//! - Stamping a 300-page PDF for one buyer (`stamp::stamp_pdf`): time, and the process's
//!   peak memory before and after it.
//!
//!     cargo bench -p booth-core --bench licensing      (or ./scripts/bench.sh licensing)
//!
//! Environment: BENCH_VALIDATIONS=N (default 20000), BENCH_PAGES=N (default 300);
//! BENCH_PDF=path stamps that PDF instead of the generated one; BENCH_ONLY=stamp or
//! licenses runs one half (run under `/usr/bin/time -v` for the stamping's own peak).

use booth_core::{ProductInput, Shop};
use std::process::ExitCode;
use std::time::Instant;

mod pdf_maker;

fn main() -> ExitCode {
    let env = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .filter(|n| *n > 0)
            .unwrap_or(default)
    };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let run = async {
        if only != "licenses" {
            stamping(env("BENCH_PAGES", 300))?;
        }
        if only != "stamp" {
            licenses(env("BENCH_VALIDATIONS", 20_000)).await?;
        }
        anyhow::Ok(())
    };
    match rt.block_on(run) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("benchmark FAILED: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The process's peak resident memory so far, in MiB (Linux: VmHWM).
fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

fn stamping(pages: usize) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let src = match std::env::var_os("BENCH_PDF") {
        Some(path) => std::path::PathBuf::from(path),
        None => {
            // Kept, so a second run can stamp it alone: BENCH_PDF=<this> BENCH_ONLY=stamp.
            let src = std::env::temp_dir().join(format!("booth-bench-book-{pages}p.pdf"));
            std::fs::write(&src, pdf_maker::book(pages))?;
            src
        }
    };
    let size = std::fs::metadata(&src)?.len();
    let line = booth_core::stamp::StampLine::parse("Licensed to {email} · {date}")?;
    let before = peak_mib();
    let mut times = Vec::new();
    for run in 0..5 {
        let dest = dir.path().join(format!("stamped-{run}.pdf"));
        let t = Instant::now();
        booth_core::stamp::stamp_pdf(
            &src,
            &dest,
            &line.render("reader@example.com", 1_796_304_000),
        )?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "stamp {} ({:.1} MiB): median {:.1} ms (min {:.1}, max {:.1}); peak memory {:.1} MiB before, {:.1} MiB after",
        src.file_name().unwrap_or_default().to_string_lossy(),
        size as f64 / 1048576.0,
        times[times.len() / 2],
        times[0],
        times[times.len() - 1],
        before,
        peak_mib()
    );
    Ok(())
}

async fn licenses(n: usize) -> anyhow::Result<()> {
    let tmp = tempfile::Builder::new().prefix("booth-bench-").tempdir()?;
    let shop = Shop::open(&tmp.path().join("shop"))?;
    let file = tmp.path().join("app.zip");
    std::fs::write(&file, b"PK app")?;
    shop.add_product(ProductInput {
        name: "App".into(),
        slug: Some("app".into()),
        price: "19".into(),
        currency: "usd".into(),
        limit: Some("5".into()),
        licenses: Some("1000".into()),
        active: true,
        files: vec![file],
        ..Default::default()
    })
    .await?;
    let mut keys = Vec::new();
    for i in 0..100 {
        let p = shop.grant("app", &format!("dev{i}@example.com")).await?;
        keys.push(p.items[0].license.clone().expect("a key").key);
    }
    // Activations: durable writes, one after another.
    let t = Instant::now();
    let mut instances = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        let a = shop.activate_license(key, &format!("Machine {i}")).await?;
        instances.push(a.answer.instance.expect("activated").id);
    }
    let per_s = keys.len() as f64 / t.elapsed().as_secs_f64();
    println!(
        "activate: {per_s:.0}/s one after another ({} keys)",
        keys.len()
    );

    for (label, with_instance) in [("a key", false), ("an activation (signs a file)", true)] {
        let t = Instant::now();
        for i in 0..n {
            let j = i % keys.len();
            let inst = with_instance.then(|| instances[j].as_str());
            let a = shop.validate_license(&keys[j], inst).await?;
            assert!(a.answer.refused.is_none());
        }
        let serial = n as f64 / t.elapsed().as_secs_f64();
        let t = Instant::now();
        let mut tasks = Vec::new();
        for w in 0..64 {
            let (shop, keys, instances) = (shop.clone(), keys.clone(), instances.clone());
            tasks.push(tokio::spawn(async move {
                for i in (w..n).step_by(64) {
                    let j = i % keys.len();
                    let inst = with_instance.then(|| instances[j].as_str());
                    shop.validate_license(&keys[j], inst).await?;
                }
                anyhow::Ok(())
            }));
        }
        for t in tasks {
            t.await??;
        }
        let parallel = n as f64 / t.elapsed().as_secs_f64();
        println!("validate {label}: {serial:.0}/s one after another, {parallel:.0}/s 64 at once");
    }
    Ok(())
}
