//! How the commands print things: one line per purchase, mailing, outbox row, failure or
//! backup, the product listing, a purchase's details, and the mailing's progress bar.

use booth_core::backup::BackupInfo;
use booth_core::catalog::Product;
use booth_core::domain::{format_size, Money};
use booth_core::mailing::Failure;
use booth_core::outbox::OutboxRow;
use booth_core::purchases::Purchase;
use booth_core::shop::PurchaseDetail;

pub fn purchase_line(p: &Purchase) -> String {
    let products: Vec<&str> = p.items.iter().map(|i| i.product_slug.as_str()).collect();
    let mut extra = String::new();
    if p.charge.tax_minor > 0 || p.charge.tax_id.is_some() {
        let tax = Money::new(p.charge.tax_minor, p.total().currency).format();
        let country = p.charge.country.as_deref().unwrap_or("");
        extra += &format!("  tax {tax} {country}");
    }
    if let Some(code) = &p.charge.discount_code {
        extra += &format!("  code {code}");
    }
    if !p.referral.source().is_empty() {
        extra += &format!("  from {}", p.referral.source());
    }
    format!(
        "{}  {}  {:<28} {:>10}  {:<8}{}{}  {}{extra}",
        booth_core::shop::format_iso(p.created_at),
        p.token,
        p.email,
        p.total().format(),
        p.status,
        if p.test { " test" } else { "" },
        match p.source.as_str() {
            "grant" => " comp",
            "free" => " free",
            _ => "",
        },
        products.join(",")
    )
}

pub fn mailing_line(m: &booth_core::mailing::MailingSummary) -> String {
    let state = if m.canceled {
        "canceled"
    } else if m.finished() {
        "done"
    } else {
        "sending"
    };
    format!(
        "#{:<4} {}  {:<20} {:<8} {} recipients: {} sent, {} failed, {} pending, {} skipped, {} unsubscribed",
        m.id,
        booth_core::shop::format_iso(m.created_at),
        m.product_slug,
        state,
        m.recipients,
        m.sent,
        m.failed,
        m.pending,
        m.skipped + m.skipped_unsubscribed,
        m.unsubscribed
    )
}

/// A purchase as `booth purchase show` prints it: its line, link, payment, files and
/// downloads.
pub fn print_purchase(d: &PurchaseDetail) {
    let p = &d.purchase;
    println!("{}", purchase_line(p));
    println!("  link:    {}", d.url);
    if let Some(problem) = &p.email_problem {
        println!("  email:   can't be mailed ({problem}); the receipt waits in `booth outbox --status failed`");
    }
    if let Some(s) = &p.checkout_session_id {
        println!(
            "  stripe:  {s} {}",
            p.payment_intent_id.as_deref().unwrap_or("")
        );
    }
    let c = &p.charge;
    let money = |m: i64| Money::new(m, p.total().currency).format();
    if c.discount_minor > 0 || c.tax_minor > 0 {
        println!(
            "  paid:    {} subtotal, -{} discount{}, +{} tax = {}",
            money(c.subtotal_minor),
            money(c.discount_minor),
            c.discount_code
                .as_deref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default(),
            money(c.tax_minor),
            money(c.total_minor)
        );
    }
    if c.country.is_some() || c.tax_id.is_some() {
        println!(
            "  buyer:   {} {}",
            c.country.as_deref().unwrap_or("-"),
            c.tax_id
                .as_deref()
                .map(|t| format!("tax ID {t}"))
                .unwrap_or_default()
        );
    }
    if !p.referral.is_empty() {
        let pairs: Vec<String> = p
            .referral
            .pairs()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        println!("  from:    {}", pairs.join(" "));
    }
    if p.amount_refunded_minor > 0 {
        println!(
            "  refunded {}",
            Money::new(p.amount_refunded_minor, p.total().currency).format()
        );
    }
    for i in &p.items {
        println!(
            "  {}{}",
            i.product_name,
            if i.revoked { " (revoked)" } else { "" }
        );
        if let Some(l) = &i.license {
            print_license_state(l);
        }
        for f in &i.files {
            let left = f
                .downloads_left
                .map(|l| format!("{l} left"))
                .unwrap_or_else(|| "unlimited".into());
            println!(
                "    #{} {} v{}: {} used, {left}",
                f.file.id, f.file.display_name, f.file.version, f.downloads_used
            );
        }
    }
    println!("  downloads: {}", d.downloads.len());
    for l in &d.downloads {
        println!(
            "    {} {} v{} {} {}{}",
            booth_core::shop::format_iso(l.at),
            l.file_name,
            l.version,
            l.ip,
            l.range.as_deref().unwrap_or("full"),
            if l.counted { "" } else { " (not counted)" }
        );
    }
}

/// A license key, its state and its activations (purchase show, license list and show).
pub fn print_license_state(l: &booth_core::licenses::License) {
    let state = l
        .refusal
        .map(|r| format!(" ({})", r.code()))
        .unwrap_or_default();
    println!(
        "    key {}: {} of {} activations{state}",
        l.key,
        l.instances.len(),
        l.activation_limit
    );
    for a in &l.instances {
        println!(
            "      {} {} since {}",
            a.id,
            a.name,
            booth_core::shop::format_iso(a.created_at)
        );
    }
}

/// A product and its files, as `booth product list` prints them.
pub fn print_product(p: &Product) {
    let limit = p
        .download_limit
        .map(|l| l.to_string())
        .unwrap_or_else(|| "unlimited".into());
    println!(
        "{:<24} {:<32} {:>10}  limit {limit}{}",
        p.slug,
        p.name,
        p.price().format(),
        match (p.archived_at, p.active) {
            (Some(_), _) => "  (archived)",
            (None, false) => "  (inactive)",
            (None, true) => "",
        }
    );
    if let Some(stamp) = &p.pdf_stamp {
        println!("    PDFs stamped: {stamp}");
    }
    for f in &p.files {
        println!(
            "    #{} {} v{} {}",
            f.id,
            f.display_name,
            f.version,
            format_size(f.size)
        );
    }
}

pub fn outbox_line(r: OutboxRow) -> String {
    let err = r.last_error.map(|e| format!("  ({e})")).unwrap_or_default();
    format!(
        "#{:<5} {:<8} {:<8} {:<30} {}{err}",
        r.id, r.status, r.kind, r.recipient, r.subject
    )
}

pub fn failure_line(f: &Failure) -> String {
    format!(
        "  {:<8} {} (attempts {}): {}",
        f.status, f.recipient, f.attempts, f.reason
    )
}

pub fn backup_line(b: &BackupInfo) -> String {
    format!(
        "{}  {:>10}  {}",
        booth_core::shop::format_iso(b.at),
        format_size(b.bytes),
        b.path.display()
    )
}

/// The progress bar `send-update` and `mailings resume` show.
pub fn mailing_bar(len: u64) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(len);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40.cyan/blue} {pos}/{len} emails  {per_sec}  ETA {eta}  {msg}",
        )
        .expect("template")
        .progress_chars("█▉▊▋▌▍▎▏ "),
    );
    bar
}

/// A progress bar for the shop's transfers to and from the bucket (uploads, their
/// read-back, a migration), drawn until `finish`. Nothing shows when nothing transfers.
pub struct TransferBar {
    task: tokio::task::JoinHandle<()>,
    bar: indicatif::ProgressBar,
}

pub fn transfer_bar(shop: &booth_core::Shop) -> TransferBar {
    use booth_core::storage::transfer::TransferKind;
    let bar = indicatif::ProgressBar::hidden();
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{msg:30!} {bar:30.cyan/blue} {bytes}/{total_bytes}  {bytes_per_sec}  ETA {eta}",
        )
        .expect("template")
        .progress_chars("█▉▊▋▌▍▎▏ "),
    );
    let mut rx = shop.transfers().subscribe();
    let shown = bar.clone();
    let task = tokio::spawn(async move {
        let mut current = None;
        while rx.changed().await.is_ok() {
            let Some(t) = rx.borrow_and_update().clone() else {
                continue;
            };
            if current.as_ref() != Some(&(t.kind, t.name.clone())) {
                if current.is_none() {
                    shown.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                }
                shown.reset();
                shown.set_length(t.total);
                let verb = match t.kind {
                    TransferKind::Upload => "Uploading",
                    TransferKind::Verify => "Checking",
                    TransferKind::Download => "Fetching",
                };
                shown.set_message(format!("{verb} {}", t.name));
                current = Some((t.kind, t.name.clone()));
            }
            shown.set_position(t.done);
        }
    });
    TransferBar { task, bar }
}

impl TransferBar {
    pub fn finish(self) {
        self.task.abort();
        self.bar.finish_and_clear();
    }
}
