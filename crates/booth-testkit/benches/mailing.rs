//! Benchmark (not a test): one update mailing to N buyers, sent through real SMTP.
//!
//! Seeds N buyers of one product straight into SQLite (one transaction, no receipts), then
//! times (a) `Shop::create_mailing`, which renders and queues N emails in one transaction,
//! and (b) `outbox::Sender::drain` with no rate limit, which sends them one by one over
//! lettre's pooled SMTP connection to a local aiosmtpd sink. It checks the sink got N
//! messages and the mailing says N sent, prints a table, and exits non-zero otherwise.
//!
//!     cargo bench -p booth-testkit --bench mailing      (or ./scripts/bench.sh)
//!
//! Environment:
//!   BENCH_BUYERS=N        buyers to mail (default 10000)
//!   BENCH_SINK=files      use the storing SMTP server (every message written as a file)
//!                         instead of the default discarding one (counts only)
//!   BENCH_BREAKDOWN=1     afterwards, time the parts of a send on their own: SMTP without
//!                         the database, and the outbox's database work without SMTP
//!                         (with synchronous=FULL as shipped, then NORMAL for comparison)

use booth_core::domain::{Currency, Email};
use booth_core::mail::Mailer;
use booth_core::outbox::{self, OutboxConfig, Sender};
use booth_core::purchases::{self, NewItem, NewPurchase, Source};
use booth_core::settings;
use booth_core::shop::MailingRequest;
use booth_core::{ProductInput, Shop};
use booth_testkit::SmtpServer;
use std::process::ExitCode;
use std::time::{Duration, Instant};

const SLUG: &str = "bench-book";
/// Messages sent for the breakdown's SMTP-only figure.
const SMTP_SAMPLE: usize = 1_000;

fn main() -> ExitCode {
    let buyers: usize = match std::env::var("BENCH_BUYERS") {
        Ok(v) => match v.trim().parse() {
            Ok(n) if n > 0 => n,
            _ => {
                eprintln!("BENCH_BUYERS must be a positive number, not {v:?}");
                return ExitCode::FAILURE;
            }
        },
        Err(_) => 10_000,
    };
    let storing_sink = std::env::var("BENCH_SINK").is_ok_and(|v| v.trim() == "files");
    let breakdown =
        std::env::var("BENCH_BREAKDOWN").is_ok_and(|v| !v.trim().is_empty() && v != "0");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    match runtime.block_on(run(buyers, storing_sink, breakdown)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("benchmark FAILED: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(n: usize, storing_sink: bool, breakdown: bool) -> anyhow::Result<()> {
    let sink = if storing_sink {
        SmtpServer::start()
    } else {
        SmtpServer::start_discarding()
    };
    let sink_kind = if storing_sink {
        "aiosmtpd, stores every message as files"
    } else {
        "aiosmtpd --discard, counts only"
    };
    let tmp = tempfile::Builder::new().prefix("booth-bench-").tempdir()?;
    let shop = Shop::open(&tmp.path().join("shop"))?;
    let file = tmp.path().join("book.pdf");
    std::fs::write(&file, b"%PDF-1.4 a small benchmark file\n")?;
    let product = shop
        .add_product(ProductInput {
            licenses: None,
            stamp: None,
            min_price: None,
            tax_code: None,
            name: "Bench Book".into(),
            slug: Some(SLUG.into()),
            description: "A book for the benchmark.".into(),
            price: "5".into(),
            currency: "usd".into(),
            limit: None,
            active: true,
            files: vec![file],
        })
        .await?;

    // Seed N buyers in one transaction, straight into the tables (no receipts queued).
    let started = Instant::now();
    let product_id = product.id;
    let seeded = shop
        .db()
        .write(move |tx| {
            let usd = Currency::parse("usd")?;
            for i in 0..n {
                let new = NewPurchase {
                    email: Email::parse(&format!("buyer{i}@example.com"))?,
                    email_problem: None,
                    currency: usd,
                    checkout_session_id: None,
                    payment_intent_id: None,
                    source: Source::Grant,
                    test: false,
                    items: vec![NewItem {
                        product_id,
                        amount_minor: 500,
                    }],
                    charge: booth_core::purchases::Charge::plain(500),
                    referral: Default::default(),
                    consent: None,
                    invoice_url: None,
                };
                purchases::insert_purchase(tx, &new)?;
            }
            Ok(tx.query_row("SELECT count(*) FROM purchases", [], |r| r.get::<_, i64>(0))?)
        })
        .await?;
    let seed_time = started.elapsed();
    anyhow::ensure!(seeded == n as i64, "seeded {seeded} purchases, wanted {n}");

    // (a) Queue: render and insert N emails in one transaction.
    let started = Instant::now();
    let queued = shop.create_mailing(request()).await?;
    let queue_time = started.elapsed();
    anyhow::ensure!(
        queued.recipients == n as i64 && queued.pending == n as i64,
        "the mailing queued {} message(s) ({} pending), wanted {n}",
        queued.recipients,
        queued.pending
    );

    // (b) Send: drain the outbox through real SMTP, as fast as the server takes it.
    let mailer = Mailer::new(Some(&sink.url()), &shop.outbox_dir())?;
    let config = OutboxConfig {
        rate_per_sec: None,
        ..Default::default()
    };
    let started = Instant::now();
    let attempted = Sender::new(shop.db().clone(), mailer.clone(), config)
        .drain()
        .await?;
    let send_time = started.elapsed();

    // Every message was acknowledged with 250 before drain returned; the discarding sink
    // writes its final count ~50 ms after the last one, so give it a moment (not timed).
    let received = wait_for_count(&sink, n, Duration::from_secs(10)).await;
    let summary = shop.mailing(queued.id).await?;
    let sink_peak = sink
        .pid()
        .and_then(|pid| vm_hwm(&format!("/proc/{pid}/status")));
    let bench_peak = vm_hwm("/proc/self/status");

    let total = queue_time + send_time;
    let rate = n as f64 / send_time.as_secs_f64();
    println!();
    println!("Booth update mailing benchmark (sink: {sink_kind})");
    println!(
        "  setup, not timed: {n} buyers seeded in {}",
        secs(seed_time)
    );
    println!();
    let rows = [
        ("buyers", n.to_string()),
        ("queue (create_mailing)", secs(queue_time)),
        ("send (Sender::drain, SMTP)", secs(send_time)),
        ("total (queue + send)", secs(total)),
        ("messages/s (send)", format!("{rate:.0}")),
        ("peak RSS, bench process", mib(bench_peak)),
        ("peak RSS, SMTP sink", mib(sink_peak)),
        ("sink received", received.to_string()),
        (
            "mailing summary",
            format!(
                "{} sent, {} failed, {} pending, {} skipped",
                summary.sent, summary.failed, summary.pending, summary.skipped
            ),
        ),
    ];
    table(&rows);
    let goal = Duration::from_secs(30);
    println!();
    println!(
        "goal: under {}s for 10,000 buyers -> {}",
        goal.as_secs(),
        if n != 10_000 {
            "n/a (not 10,000 buyers)"
        } else if total < goal {
            "MET"
        } else {
            "MISSED"
        }
    );

    let delivered = received == n && summary.sent == n as i64 && attempted == n;
    if !delivered {
        anyhow::bail!(
            "not all {n} delivered: the sink received {received}, the outbox attempted {attempted}, \
             the mailing says {} sent, {} failed, {} pending",
            summary.sent,
            summary.failed,
            summary.pending
        );
    }

    if breakdown {
        println!();
        run_breakdown(&shop, &mailer, sink.port(), n, send_time).await?;
    }
    Ok(())
}

fn request() -> MailingRequest {
    MailingRequest {
        product: SLUG.into(),
        subject: None,
        message: "Version 2 is out: new chapters, fixed typos.\n\nYour download link gets you the new version.".into(),
        include_test: false,
    }
}

/// Times a send's parts on their own, to see where the send time goes.
async fn run_breakdown(
    shop: &Shop,
    mailer: &Mailer,
    sink_port: u16,
    n: usize,
    send_time: Duration,
) -> anyhow::Result<()> {
    // SMTP alone: rows just sent, built and sent again over the pooled connection. A sample
    // of at most SMTP_SAMPLE is enough for a per-message figure.
    let sample = n.min(SMTP_SAMPLE);
    let rows = shop
        .db()
        .run(move |c| outbox::list(c, Some(outbox::MailStatus::Sent), sample as i64))
        .await?;
    let from = shop.db().run(|c| settings::sender(c)).await?;
    let started = Instant::now();
    for row in &rows {
        mailer
            .send(&from, &row.envelope())
            .await
            .map_err(|e| anyhow::anyhow!("SMTP send failed: {}", e.message))?;
    }
    let smtp_only = started.elapsed();
    let smtp_nodelay = smtp_nodelay(&rows, &from, sink_port).await?;

    // The outbox's database work alone: what Sender::deliver_one does, minus the SMTP send.
    let db_full = db_only(shop, n, "FULL").await?;
    let db_normal = db_only(shop, n, "NORMAL").await?;

    let plan = shop
        .db()
        .run(|c| {
            let mut stmt = c.prepare(
                "EXPLAIN QUERY PLAN SELECT id FROM outbox WHERE status IN ('queued', 'sending')
                 AND next_attempt_at <= ?1 AND priority <= ?2
                 ORDER BY priority, next_attempt_at, id LIMIT 1",
            )?;
            let lines = stmt
                .query_map(rusqlite::params![i64::MAX, i64::MAX], |r| {
                    r.get::<_, String>(3)
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(lines.join("; "))
        })
        .await?;

    println!("Breakdown (same data; the DB phases re-queue all {n}):");
    let per = |d: Duration, k: usize| {
        format!(
            "{} for {k} ({:.2} ms/msg)",
            secs(d),
            d.as_secs_f64() * 1e3 / k as f64
        )
    };
    table(&[
        ("send, as measured above", per(send_time, n)),
        (
            "SMTP only (Mailer::send, no DB)",
            per(smtp_only, rows.len()),
        ),
        (
            "SMTP only, lettre on a TCP_NODELAY socket",
            per(smtp_nodelay, rows.len()),
        ),
        ("outbox DB only, synchronous=FULL", per(db_full, n)),
        ("outbox DB only, synchronous=NORMAL", per(db_normal, n)),
    ]);
    println!("claim query plan: {plan}");
    Ok(())
}

/// The same messages over one lettre SMTP connection on a socket with TCP_NODELAY set (which
/// lettre 0.11.23 never sets), with the pool's NOOP check before each, as the pool does.
async fn smtp_nodelay(
    rows: &[outbox::OutboxRow],
    from: &lettre::message::Mailbox,
    port: u16,
) -> anyhow::Result<Duration> {
    use lettre::message::{MultiPart, SinglePart};
    use lettre::transport::smtp::client::AsyncSmtpConnection;
    use lettre::transport::smtp::extension::ClientId;
    let stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    stream.set_nodelay(true)?;
    let mut conn =
        AsyncSmtpConnection::connect_with_transport(Box::new(stream), &ClientId::default()).await?;
    let started = Instant::now();
    for row in rows {
        let message = lettre::Message::builder()
            .from(from.clone())
            .to(row.recipient.parse()?)
            .subject(row.subject.clone())
            .message_id(Some(row.message_id.clone()))
            .multipart(
                MultiPart::alternative()
                    .singlepart(SinglePart::plain(row.body_text.clone()))
                    .singlepart(SinglePart::html(row.body_html.clone())),
            )?;
        anyhow::ensure!(conn.test_connected().await, "SMTP connection lost");
        conn.send(message.envelope(), &message.formatted()).await?;
    }
    let elapsed = started.elapsed();
    conn.quit().await?;
    Ok(elapsed)
}

/// Queues another mailing of N and works through it as `Sender::deliver_one` does (claim
/// and read the sender in one call, mark sent in another), without sending anything.
async fn db_only(shop: &Shop, n: usize, synchronous: &'static str) -> anyhow::Result<Duration> {
    let mailing = shop.create_mailing(request()).await?;
    anyhow::ensure!(
        mailing.pending == n as i64,
        "re-queued {} not {n}",
        mailing.pending
    );
    let lease = OutboxConfig::default().lease;
    let pragma = format!("PRAGMA synchronous = {synchronous}");
    let started = Instant::now();
    let mut done = 0;
    loop {
        let pragma = pragma.clone();
        let claimed = shop
            .db()
            .run(move |c| {
                c.execute_batch(&pragma)?;
                let Some(row) = outbox::claim_next(c, lease, i64::MAX)? else {
                    return Ok(None);
                };
                settings::sender(c)?;
                Ok(Some(row.id))
            })
            .await?;
        let Some(id) = claimed else { break };
        shop.db().run(move |c| outbox::mark_sent(c, id)).await?;
        done += 1;
    }
    let elapsed = started.elapsed();
    // Leave the pooled connection as Booth opens it.
    shop.db()
        .run(|c| Ok(c.execute_batch("PRAGMA synchronous = FULL")?))
        .await?;
    anyhow::ensure!(done == n, "worked through {done} of {n}");
    Ok(elapsed)
}

async fn wait_for_count(sink: &SmtpServer, n: usize, timeout: Duration) -> usize {
    let deadline = Instant::now() + timeout;
    loop {
        let got = sink.received_count();
        if got >= n || Instant::now() >= deadline {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Peak resident set size in KiB (the `VmHWM` line of a /proc/<pid>/status file).
fn vm_hwm(status_path: &str) -> Option<u64> {
    std::fs::read_to_string(status_path)
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse()
        .ok()
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn mib(kib: Option<u64>) -> String {
    kib.map_or_else(|| "n/a".into(), |k| format!("{:.1} MiB", k as f64 / 1024.0))
}

fn table(rows: &[(&str, String)]) {
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (k, v) in rows {
        println!("  {k:<width$}  {v}");
    }
}
