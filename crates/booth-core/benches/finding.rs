//! Benchmark (not a test): the seller's searches at volume. Fills a real SQLite shop (WAL,
//! `synchronous=FULL`, every migration) with 100,000 purchases and 100,000 outbox messages
//! whose bodies are the size of rendered receipts, then times the first page (100 rows and
//! the total count) of `Shop::find_purchases` and `Shop::find_mail` for each filter, and a
//! page 50,000 rows deep through the cursor.
//!
//!     cargo bench -p booth-core --bench finding      (or ./scripts/bench.sh finding)
//!
//! Environment: BENCH_ROWS=N purchases and messages (default 100000); BENCH_RUNS=N timed
//! runs of each query after one untimed (default 7).

use booth_core::mail_filter::MailQuery;
use booth_core::purchase_filter::PurchaseQuery;
use booth_core::Shop;
use std::process::ExitCode;
use std::time::{Duration, Instant};

const PRODUCTS: &[&str] = &[
    "The Field Guide to Indie Publishing",
    "Golden Hour Lightroom Presets",
    "Sketchbook Brushes Vol. 2",
    "Quiet Corners, a Photo Zine",
    "Night Sky Textures",
    "Watercolor Paper Pack",
    "Film Grain Overlays",
    "The Pricing Workbook",
    "Sunday Soup Cookbook",
    "Minimal Resume Templates",
    "Lo-fi Drum Kit",
    "Botanical Line Art",
    "Cozy Knitting Patterns",
    "The Newsletter Playbook",
    "Retro Fonts Bundle",
    "Alpine Wallpapers",
    "Wedding Invitation Kit",
    "Pixel Icons 2",
    "Sourdough Starter Guide",
    "Urban Sketch Brushes",
];
const DOMAINS: &[&str] = &[
    "gmail.com",
    "outlook.com",
    "proton.me",
    "fastmail.com",
    "yahoo.com",
    "icloud.com",
];

fn main() -> ExitCode {
    let env = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .filter(|n| *n > 0)
            .unwrap_or(default)
    };
    let (rows, runs) = (env("BENCH_ROWS", 100_000), env("BENCH_RUNS", 7));
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    match rt.block_on(run(rows, runs)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("benchmark FAILED: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// xorshift: the same shop on every run, without a dependency.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// 2024-01-01 UTC; the purchases spread over three years from it.
const START: i64 = 1_704_067_200;

fn fill(shop: &Shop, n: usize) -> anyhow::Result<()> {
    let text_body = "x".repeat(1_500);
    let html_body = "<p>y</p>".repeat(1_250); // 10 KB, as a rendered receipt
    shop.db().run_blocking(|c| {
        let tx = c.transaction()?;
        for (i, name) in PRODUCTS.iter().enumerate() {
            let slug: String = name.to_lowercase().chars().map(|ch| if ch.is_ascii_alphanumeric() { ch } else { '-' }).collect();
            let slug = slug.split('-').filter(|s| !s.is_empty()).collect::<Vec<_>>().join("-");
            tx.execute(
                "INSERT INTO products (id, slug, name, price_minor, currency, created_at) VALUES (?1, ?2, ?3, 1500, 'usd', 0)",
                rusqlite::params![i as i64 + 1, slug, name],
            )?;
        }
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let span = 3 * 365 * 86_400;
        for i in 1..=n as i64 {
            let email = format!("reader.{i}@{}", DOMAINS[rng.below(DOMAINS.len() as u64) as usize]);
            let at = START + span * i / n as i64;
            let (status, refunded) = match rng.below(100) {
                0..=2 => ("refunded", 1500),
                3 => ("paid", 500),
                4 => ("revoked", 0),
                _ => ("paid", 0),
            };
            let source = match rng.below(100) {
                0..=4 => "grant",
                5..=14 => "free",
                _ => "checkout",
            };
            let test = rng.below(10) == 0;
            tx.execute("INSERT INTO customers (email, created_at, unsubscribe_token) VALUES (?1, 0, ?1)", [&email])?;
            tx.execute(
                "INSERT INTO purchases (id, token, customer_id, email, amount_minor, subtotal_minor, currency,
                   amount_refunded_minor, status, source, test, created_at, checkout_session_id, payment_intent_id)
                 VALUES (?1, printf('%032x', ?1 * 7919), last_insert_rowid(), ?2, 1500, 1500, 'usd', ?3, ?4, ?5, ?6, ?7,
                         'cs_test_' || ?1, 'pi_' || ?1)",
                rusqlite::params![i, email, refunded, status, source, test, at],
            )?;
            let product = rng.below(PRODUCTS.len() as u64) as i64 + 1;
            let mut items = vec![product];
            if rng.below(10) == 0 {
                items.push(product % PRODUCTS.len() as i64 + 1);
            }
            for p in items {
                tx.execute(
                    "INSERT INTO purchase_items (purchase_id, product_id, amount_minor) VALUES (?1, ?2, 1500)",
                    rusqlite::params![i, p],
                )?;
            }
            let (kind, subject) = match rng.below(100) {
                0..=1 => ("library", "Your purchases at Ada's Shop".to_string()),
                2..=39 => ("update", format!("{}: a new version is out", PRODUCTS[product as usize - 1])),
                _ => ("receipt", format!("Your receipt: {}", PRODUCTS[product as usize - 1])),
            };
            let status = match rng.below(100) {
                0..=1 => "failed",
                2..=3 => "skipped",
                4 => "queued",
                _ => "sent",
            };
            tx.execute(
                "INSERT INTO outbox (kind, purchase_id, recipient, subject, body_text, body_html, message_id, status,
                                     next_attempt_at, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'm' || ?2, ?7, 0, ?8)",
                rusqlite::params![kind, i, email, subject, text_body, html_body, status, at],
            )?;
        }
        tx.commit()?;
        Ok(())
    })?;
    Ok(())
}

struct Timing {
    median: Duration,
    max: Duration,
}

async fn time<F, Fut>(runs: usize, mut f: F) -> anyhow::Result<(Timing, usize, i64)>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<(usize, i64)>>,
{
    let (rows, total) = f().await?;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        f().await?;
        times.push(t.elapsed());
    }
    times.sort();
    Ok((
        Timing {
            median: times[runs / 2],
            max: times[runs - 1],
        },
        rows,
        total,
    ))
}

fn row(label: &str, (t, rows, total): (Timing, usize, i64)) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let flag = if t.median > Duration::from_millis(100) {
        "  OVER 100 ms"
    } else {
        ""
    };
    println!(
        "| {label} | {rows} | {total} | {:.1} ms | {:.1} ms |{flag}",
        ms(t.median),
        ms(t.max)
    );
}

async fn run(n: usize, runs: usize) -> anyhow::Result<()> {
    let tmp = tempfile::Builder::new().prefix("booth-bench-").tempdir()?;
    let shop = Shop::open(&tmp.path().join("shop"))?;
    let t = Instant::now();
    fill(&shop, n)?;
    let size = std::fs::metadata(tmp.path().join("shop").join("booth.db"))?.len();
    println!(
        "filled {n} purchases and {n} messages in {:.1} s; database {} MiB\n",
        t.elapsed().as_secs_f64(),
        size >> 20
    );

    // A cursor 50,000 rows deep (or half way), as the pages before it would have handed out.
    let deep = n as i64 / 2;
    let deep_at = START + 3 * 365 * 86_400 * deep / n as i64;

    println!(
        "| purchases: filter | rows | total | median | max |\n| :--- | ---: | ---: | ---: | ---: |"
    );
    let cases: Vec<(&str, PurchaseQuery)> = vec![
        ("none", PurchaseQuery::default()),
        (
            "text, part of an email (one buyer)",
            PurchaseQuery {
                text: "reader.4711@".into(),
                ..Default::default()
            },
        ),
        (
            "text, a domain (a sixth)",
            PurchaseQuery {
                text: "@proton.me".into(),
                ..Default::default()
            },
        ),
        (
            "text, part of a product name",
            PurchaseQuery {
                text: "lightroom".into(),
                ..Default::default()
            },
        ),
        (
            "text, a whole token",
            PurchaseQuery {
                text: format!("{:032x}", 4711 * 7919),
                ..Default::default()
            },
        ),
        (
            "status = refunded",
            PurchaseQuery {
                status: "refunded".into(),
                ..Default::default()
            },
        ),
        (
            "status = revoked",
            PurchaseQuery {
                status: "revoked".into(),
                ..Default::default()
            },
        ),
        (
            "product",
            PurchaseQuery {
                product: "golden-hour-lightroom-presets".into(),
                ..Default::default()
            },
        ),
        (
            "source = grant",
            PurchaseQuery {
                source: "grant".into(),
                ..Default::default()
            },
        ),
        (
            "test only",
            PurchaseQuery {
                test: "test".into(),
                ..Default::default()
            },
        ),
        (
            "a month (2025-03)",
            PurchaseQuery {
                from: "2025-03-01".into(),
                to: "2025-03-31".into(),
                ..Default::default()
            },
        ),
        (
            "refunded + test + a year",
            PurchaseQuery {
                status: "refunded".into(),
                test: "test".into(),
                from: "2025-01-01".into(),
                to: "2025-12-31".into(),
                ..Default::default()
            },
        ),
        (
            "deep page (cursor at row 50,000)",
            PurchaseQuery {
                after: Some(format!("{deep_at}.{deep}")),
                ..Default::default()
            },
        ),
    ];
    for (label, q) in cases {
        let shop = &shop;
        row(
            label,
            time(runs, || {
                let q = q.clone();
                async move {
                    let page = shop.find_purchases(&q).await?;
                    Ok((page.purchases.len(), page.total))
                }
            })
            .await?,
        );
    }

    println!(
        "\n| mail: filter | rows | total | median | max |\n| :--- | ---: | ---: | ---: | ---: |"
    );
    let cases: Vec<(&str, MailQuery)> = vec![
        ("none", MailQuery::default()),
        (
            "text, part of a recipient (one buyer)",
            MailQuery {
                text: "reader.4711@".into(),
                ..Default::default()
            },
        ),
        (
            "text, part of a subject",
            MailQuery {
                text: "lightroom".into(),
                ..Default::default()
            },
        ),
        (
            "kind = library",
            MailQuery {
                kind: "library".into(),
                ..Default::default()
            },
        ),
        (
            "status = failed",
            MailQuery {
                status: "failed".into(),
                ..Default::default()
            },
        ),
        (
            "receipt + failed",
            MailQuery {
                kind: "receipt".into(),
                status: "failed".into(),
                ..Default::default()
            },
        ),
        (
            "deep page (cursor at row 50,000)",
            MailQuery {
                after: Some(deep.to_string()),
                ..Default::default()
            },
        ),
    ];
    for (label, q) in cases {
        let shop = &shop;
        row(
            label,
            time(runs, || {
                let q = q.clone();
                async move {
                    let page = shop.find_mail(&q).await?;
                    Ok((page.messages.len(), page.total))
                }
            })
            .await?,
        );
    }
    Ok(())
}
