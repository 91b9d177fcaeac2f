//! The command line: every command, flag and help text (clap's derive types).

use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "booth",
    version,
    about = "Sell digital goods on your own terms."
)]
pub struct Cli {
    /// The shop's data dir (database, files, outbox). Shared with the desktop app.
    #[arg(long, global = true, env = "BOOTH_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

/// Open the shop to the world through a tunnel (the token, if one is needed, comes from
/// BOOTH_TUNNEL_TOKEN or the one saved in the app's Settings).
#[derive(clap::Args)]
pub struct TunnelArgs {
    /// bore, cloudflared, cloudflared-named, ngrok, ssh or custom; "saved" uses the
    /// tunnel saved in the app's Settings.
    #[arg(long)]
    pub tunnel: Option<String>,
    /// bore: the bore server (default bore.pub); ssh: [user@]host[:port].
    #[arg(long, requires = "tunnel")]
    pub tunnel_server: Option<String>,
    /// bore: a fixed public port; ssh: the remote port to ask for.
    #[arg(long, requires = "tunnel")]
    pub tunnel_port: Option<String>,
    /// cloudflared-named: the public hostname; ngrok: your reserved domain.
    #[arg(long, requires = "tunnel")]
    pub tunnel_hostname: Option<String>,
    /// custom: the command line ({port}, {addr} and {url} are the shop's local address).
    #[arg(long, requires = "tunnel")]
    pub tunnel_command: Option<String>,
    /// custom or ssh: a regular expression that finds the public URL in the output.
    #[arg(long, requires = "tunnel")]
    pub tunnel_pattern: Option<String>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the shop: public server, mail outbox, and (without STRIPE_SECRET_KEY) the Stripe simulator.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// The URL buyers reach the shop at (used in checkout redirects and emails).
        #[arg(long)]
        public_url: Option<String>,
        /// Add the sample e-book as a product if the shop is empty.
        #[arg(long)]
        demo: bool,
        #[command(flatten)]
        tunnel: TunnelArgs,
    },
    /// Run the Stripe simulator on its own.
    StripeSim {
        #[arg(long, default_value = "127.0.0.1:12111")]
        listen: SocketAddr,
        /// Keep its state in this JSON file across restarts.
        #[arg(long)]
        state: Option<PathBuf>,
        /// The one API key it accepts (sk_test_ + at least 16 letters, digits or _);
        /// without, it makes one and prints it. Prefer the environment variable: other
        /// users on the machine can see a program's arguments.
        #[arg(long, env = "BOOTH_SIM_SECRET_KEY", hide_env_values = true)]
        secret_key: Option<String>,
    },
    /// Products: add, list, edit, files and versions.
    #[command(subcommand)]
    Product(ProductCmd),
    /// List purchases, newest first; the filters are the window's filter bar's.
    Purchases {
        /// Only this buyer's (the whole address, any case).
        #[arg(long, conflicts_with_all = ["search", "status", "product", "source", "test", "live", "from", "to"])]
        email: Option<String>,
        #[command(flatten)]
        filter: PurchaseFlags,
        #[arg(long)]
        json: bool,
    },
    /// One purchase: show it or act on it.
    #[command(subcommand)]
    Purchase(PurchaseCmd),
    /// Discount codes: percent or fixed amount off, for some or all products.
    #[command(subcommand)]
    Discount(DiscountCmd),
    /// License keys: list, show, free an activation, disable, change a key's limit, and
    /// the public key apps check license files with.
    #[command(subcommand)]
    License(LicenseCmd),
    /// Update feeds apps read: the public keys their updaters check, and a product's URLs.
    #[command(subcommand)]
    Feed(FeedCmd),
    /// Stop new sales (the storefront, product pages and Buy links say "back soon");
    /// downloads, receipts, webhooks and mailings carry on. Takes effect at once in a
    /// running `booth serve` or the app.
    Pause,
    /// Take new sales again after `booth pause`.
    Resume,
    /// The EU consent wording buyers agree to before paying (`booth settings set consent yes`).
    #[command(subcommand)]
    Consent(ConsentCmd),
    /// Give a complimentary copy of a product and print its link.
    Grant {
        #[arg(long)]
        product: String,
        #[arg(long)]
        email: String,
    },
    /// Export data.
    #[command(subcommand)]
    Export(ExportCmd),
    /// Mail waiting, sent and failed.
    Outbox {
        /// queued, sending, sent or failed
        #[arg(long)]
        status: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: i64,
        #[arg(long)]
        json: bool,
    },
    /// Email every buyer of a product about its new version (their link serves it).
    SendUpdate {
        #[arg(long)]
        product: String,
        /// Default: "<product>: a new version is out".
        #[arg(long)]
        subject: Option<String>,
        /// A text file saying what changed.
        #[arg(long)]
        message: Option<PathBuf>,
        /// Also mail buyers of test purchases.
        #[arg(long)]
        include_test: bool,
        /// Show who would get it and the email, and send nothing.
        #[arg(long)]
        dry_run: bool,
        /// At most this many emails a second (0: no limit). Default: BOOTH_MAIL_RATE or 20.
        #[arg(long)]
        rate: Option<u32>,
    },
    /// Update mailings: list them, or show, resume or cancel one.
    Mailings {
        #[command(subcommand)]
        action: Option<MailingsCmd>,
        #[arg(long)]
        json: bool,
    },
    /// Show or change shop settings (store_name, from_address, support_email, public_url).
    Settings {
        #[command(subcommand)]
        action: Option<SettingsCmd>,
    },
    /// Where product files and backups live: the data dir, or an S3-compatible bucket.
    #[command(subcommand)]
    Storage(StorageCmd),
    /// Back up the database, safely while the shop runs (default: into <data dir>/backups/).
    Backup {
        /// Write the copy here (a new file) instead.
        #[arg(long)]
        to: Option<PathBuf>,
        /// List the backups in <data dir>/backups/ instead (the daily ones included).
        #[arg(long, conflicts_with = "to")]
        list: bool,
    },
    /// Put a backup in place of the shop's database (stop the shop first); the current
    /// database is kept beside it.
    Restore {
        #[arg(required_unless_present = "from_bucket")]
        backup: Option<PathBuf>,
        /// Restore this backup from the bucket (booth-YYYYMMDD-HHMMSS.db; `booth backup
        /// --list` shows them): a shop whose computer was lost comes back from there.
        #[arg(long, conflicts_with = "backup")]
        from_bucket: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum ProductCmd {
    /// Add a product with one or more files.
    Add {
        #[arg(long)]
        name: String,
        /// Price in the currency's major unit, e.g. 9.99
        #[arg(long)]
        price: String,
        #[arg(long, default_value = "usd")]
        currency: String,
        /// Pay what you want from this amount up ("0": free or more); --price is then the
        /// suggested amount.
        #[arg(long = "min-price")]
        min_price: Option<String>,
        /// Stripe tax code: txcd_… or ebook, software, digital (default: the shop's).
        #[arg(long = "tax-code")]
        tax_code: Option<String>,
        #[arg(long = "file", required = true)]
        files: Vec<PathBuf>,
        /// Downloads per file per purchase: a number or "unlimited".
        #[arg(long, default_value = "5")]
        limit: String,
        /// Give each purchase a license key for this many computers (1–1000).
        #[arg(long)]
        licenses: Option<String>,
        /// Stamp every page of its PDFs for each buyer: "on" ("Licensed to {email} ·
        /// {date}"), your own wording with {email} and {date}, or "off".
        #[arg(long, value_name = "WORDING|on|off")]
        stamp: Option<String>,
        #[arg(long)]
        slug: Option<String>,
        #[arg(long, default_value = "")]
        description: String,
        /// Create it hidden from the shop.
        #[arg(long)]
        inactive: bool,
    },
    List {
        #[arg(long)]
        json: bool,
    },
    Edit {
        slug: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long = "new-slug")]
        new_slug: Option<String>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        price: Option<String>,
        #[arg(long)]
        currency: Option<String>,
        /// Pay what you want from this amount up; "fixed" makes the price fixed again.
        #[arg(long = "min-price")]
        min_price: Option<String>,
        /// Stripe tax code: txcd_… or ebook, software, digital; "" for the shop's default.
        #[arg(long = "tax-code")]
        tax_code: Option<String>,
        #[arg(long)]
        limit: Option<String>,
        /// License keys for new purchases: activations per key, or "off".
        #[arg(long)]
        licenses: Option<String>,
        /// Stamped PDFs for downloads from now on: "on", your wording with {email} and
        /// {date}, or "off". Turning it on checks the product's PDFs.
        #[arg(long, value_name = "WORDING|on|off")]
        stamp: Option<String>,
        #[arg(long)]
        active: Option<bool>,
    },
    /// Add another file to a product.
    AddFile { slug: String, path: PathBuf },
    /// Upload a new version of a product's file (by its name or id); buyers' links serve it.
    NewVersion {
        slug: String,
        #[arg(long)]
        file: String,
        path: PathBuf,
        #[arg(long)]
        label: Option<String>,
        /// What changed, for the update feeds and the update mailing.
        #[arg(long, conflicts_with = "notes_file")]
        notes: Option<String>,
        /// The release notes from a text file.
        #[arg(long = "notes-file")]
        notes_file: Option<PathBuf>,
    },
    /// Take a product off the shop (its page and Buy link stop working); everyone who
    /// bought it keeps their page, downloads and mailings.
    Archive { slug: String },
    /// Put an archived product back, as it was.
    Unarchive { slug: String },
    /// Stop giving one file (its id, from `product list`) to new buyers; earlier buyers
    /// keep it.
    RemoveFile {
        slug: String,
        #[arg(value_name = "FILE_ID")]
        file_id: String,
    },
}

/// A discount code's rules, as `discount add` and `discount edit` take them.
/// `booth purchases`' filters, read by the core's `PurchaseFilter` as the window's are.
#[derive(clap::Args, Default)]
pub struct PurchaseFlags {
    /// Part of an email, a whole token, or part of a product's name or slug.
    #[arg(long)]
    pub search: Option<String>,
    /// paid, partially_refunded, refunded or revoked.
    #[arg(long)]
    pub status: Option<String>,
    /// A product's slug.
    #[arg(long)]
    pub product: Option<String>,
    /// checkout, grant or free.
    #[arg(long)]
    pub source: Option<String>,
    /// Only test purchases.
    #[arg(long, conflicts_with = "live")]
    pub test: bool,
    /// Only live purchases.
    #[arg(long)]
    pub live: bool,
    /// First day, UTC (2026-12-01).
    #[arg(long)]
    pub from: Option<String>,
    /// Last day, UTC, included (2026-12-31).
    #[arg(long)]
    pub to: Option<String>,
}

#[derive(clap::Args)]
pub struct DiscountRules {
    /// Percent off, a whole number from 1 to 100.
    #[arg(long, conflicts_with = "amount")]
    pub percent: Option<String>,
    /// A fixed amount off in one currency, e.g. "5.00 EUR"; repeat for other currencies.
    #[arg(long = "amount")]
    pub amount: Vec<String>,
    /// Only for this product (its slug); repeat for more. Default: every product.
    #[arg(long = "product")]
    pub products: Vec<String>,
    /// Valid from this moment (UTC, e.g. 2026-12-24 or 2026-12-24T18:00).
    #[arg(long)]
    pub starts: Option<String>,
    /// Valid until this moment (UTC, e.g. 2027-01-01).
    #[arg(long)]
    pub expires: Option<String>,
    /// At most this many purchases may use it.
    #[arg(long = "max-uses")]
    pub max_uses: Option<String>,
}

#[derive(Subcommand)]
pub enum DiscountCmd {
    /// Create a code: `booth discount add LAUNCH --percent 20 --max-uses 100`.
    Add {
        code: String,
        #[command(flatten)]
        rules: DiscountRules,
    },
    /// Every code with its uses so far.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Replace a code's rules (uses so far are kept); --code renames it.
    Edit {
        code: String,
        #[arg(long = "code")]
        new_code: Option<String>,
        #[command(flatten)]
        rules: DiscountRules,
    },
    /// Stop a code from being used; purchases made with it keep it.
    Disable { code: String },
    /// Let a disabled code be used again.
    Enable { code: String },
}

#[derive(Subcommand)]
pub enum FeedCmd {
    /// The keys app updaters check the shop's signatures with (Sparkle, Tauri, minisign).
    Keys {
        #[arg(long)]
        json: bool,
    },
    /// A product's feed URLs, to put in its app (each needs the buyer's key or token).
    Urls { slug: String },
}

#[derive(Subcommand)]
pub enum LicenseCmd {
    /// The newest keys first, with their activations.
    List {
        /// Only this product's (its slug).
        #[arg(long)]
        product: Option<String>,
        #[arg(long, default_value = "100")]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
    /// One key: its purchase, limit and the computers it is activated on.
    Show {
        key: String,
        #[arg(long)]
        json: bool,
    },
    /// Free one activation (its instance id) so the buyer can activate another computer.
    Free {
        instance_id: String,
    },
    /// Make a key fail validation until enabled again.
    Disable {
        key: String,
    },
    Enable {
        key: String,
    },
    /// Change how many computers one key may be activated on.
    Limit {
        key: String,
        activations: String,
    },
    /// The public key (base64, Ed25519) apps check offline license files with.
    PublicKey,
    /// Check a license file against this shop's key, as an app would.
    Verify {
        file: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum PurchaseCmd {
    Show {
        token: String,
        #[arg(long)]
        json: bool,
    },
    /// Give every file its full download allowance again.
    ResetDownloads { token: String },
    /// Change the download limit of a purchase: a number or "unlimited".
    SetLimit { token: String, limit: String },
    /// Send the receipt (with the link) again.
    Resend { token: String },
    /// Turn off downloads for the purchase, or for one product of it.
    Revoke {
        token: String,
        #[arg(long)]
        product: Option<String>,
    },
    /// Refund through Stripe (or the simulator), fully or in part.
    Refund {
        token: String,
        /// Amount in the major unit; default: everything not yet refunded.
        #[arg(long)]
        amount: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum ConsentCmd {
    /// The current wording of each language.
    List,
    /// A new version of a language's wording; purchases keep the version they agreed to.
    Set {
        #[arg(long)]
        lang: String,
        text: String,
    },
}

#[derive(Subcommand)]
pub enum ExportCmd {
    /// All purchases.
    Purchases {
        /// CSV is the only format for now; the flag is accepted for clarity.
        #[arg(long)]
        csv: bool,
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Paid sales per country and currency, net, tax and gross, for a VAT return (CSV).
    Taxes {
        /// First day, UTC (e.g. 2026-10-01).
        #[arg(long)]
        from: String,
        /// Day after the last (e.g. 2027-01-01 for the fourth quarter).
        #[arg(long)]
        to: String,
        /// Test purchases instead of live ones.
        #[arg(long)]
        test: bool,
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum MailingsCmd {
    /// Counts and the reason for every failure.
    Show { id: i64 },
    /// Carry on sending an interrupted mailing.
    Resume {
        id: i64,
        #[arg(long)]
        rate: Option<u32>,
    },
    /// Stop a mailing; what hasn't gone out is skipped.
    Cancel { id: i64 },
}

#[derive(Subcommand)]
pub enum SettingsCmd {
    Set { key: String, value: String },
}

#[derive(Subcommand)]
pub enum StorageCmd {
    /// Use a bucket (S3, R2, B2, MinIO, Wasabi). It is tried first (a probe object is
    /// written, read back and deleted); nothing is saved if that fails.
    Set {
        /// The S3 API's address, e.g. https://<account>.r2.cloudflarestorage.com.
        #[arg(long)]
        endpoint: String,
        /// e.g. us-east-1; auto for Cloudflare R2.
        #[arg(long)]
        region: String,
        #[arg(long)]
        bucket: String,
        /// Keep Booth's objects under this folder of the bucket.
        #[arg(long, default_value = "")]
        prefix: String,
        #[arg(long)]
        access_key_id: String,
        /// The key's secret (without: the saved one). Prefer the environment variable:
        /// other users on the machine can see a program's arguments.
        #[arg(long, env = "BOOTH_STORAGE_SECRET", hide_env_values = true)]
        secret_access_key: Option<String>,
    },
    /// Try the saved bucket again.
    Check,
    /// Where files and backups live now.
    Show,
    /// Back to the data dir (the bucket's secret is forgotten). Refused while a file is
    /// only in the bucket: `migrate --to local` first.
    Local,
    /// Copy every product file into the bucket, each read back and checked by its SHA-256
    /// before downloads come from there. Stopped at any point, it goes on where it was.
    /// Data-dir copies are kept (`free-local` removes them).
    Migrate {
        /// `local`: fetch every file missing from the data dir, then use the data dir.
        #[arg(long, value_parser = ["bucket", "local"], default_value = "bucket")]
        to: String,
    },
    /// Delete the data-dir copies of the files the bucket holds (checked again first).
    FreeLocal,
}
