//! Starts everything a running shop needs, for `booth serve` and the desktop app alike:
//! the public server, the outbox worker, Stripe (or, with no key, the simulator), a
//! catch-up on Stripe events missed while Booth was down, the daily backups, and run.json.
//! `tunnel` keeps a tunnel to the shop running.

mod serve_lock;
pub mod tunnel;

pub use serve_lock::ServeLock;

use crate::tunnel::{Launcher, Tunnel, TunnelOptions};
use booth_core::mail::Mailer;
use booth_core::outbox::{self, OutboxConfig};
use booth_core::payments::{Payments, StripeConfig};
use booth_core::secrets::Secret;
use booth_core::tunnel::{TunnelSpec, TunnelStatus};
use booth_core::{secrets, settings, Error, Result, Shop};
use booth_server::ServerConfig;
use booth_stripe_sim::{SimConfig, Simulator};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

#[derive(Debug, Clone)]
pub struct RunConfig {
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    /// Where buyers reach the shop; defaults to the stored setting, else the listen address.
    pub public_url: Option<String>,
    /// May carry the SMTP password, so it is a `Secret`.
    pub smtp_url: Option<Secret>,
    /// None: simulated payments, through Booth's own Stripe simulator.
    pub stripe: Option<StripeConfig>,
    pub outbox: OutboxConfig,
    pub server: ServerConfig,
    /// How soon the simulator retries a failed webhook delivery.
    pub sim_webhook_retry_base: Duration,
    /// How often the shop asks Stripe for events it missed (also once at start): a webhook
    /// endpoint that was disabled, or deliveries Stripe gave up on, still get fulfilled.
    pub catch_up_every: Duration,
    /// Sign mail with DKIM as BOOTH_DKIM_* say (the domain defaults to the sender's).
    pub dkim_from_env: bool,
}

impl RunConfig {
    pub fn new(data_dir: PathBuf, listen: SocketAddr) -> RunConfig {
        RunConfig {
            data_dir,
            listen,
            public_url: None,
            smtp_url: None,
            stripe: None,
            outbox: OutboxConfig::default(),
            server: ServerConfig::default(),
            sim_webhook_retry_base: Duration::from_secs(2),
            catch_up_every: Duration::from_secs(600),
            dkim_from_env: false,
        }
    }

    /// What the seller saved in the shop's Settings: listen address, payments (simulated,
    /// or Stripe with the test or live key from the secrets file) and SMTP. The desktop
    /// app runs with these; `with_env` can still override them.
    pub fn from_saved(data_dir: PathBuf) -> Result<RunConfig> {
        let shop = Shop::open(&data_dir)?;
        let get = |key: &'static str| {
            shop.db()
                .run_blocking(|c| settings::get(c, key))
                .map(|v| v.filter(|v| !v.is_empty()))
        };
        let listen = get(settings::LISTEN)?
            .unwrap_or_else(|| settings::DEFAULT_LISTEN.into())
            .parse()
            .map_err(|_| Error::invalid("listen", "the saved listen address is not host:port"))?;
        let secrets = secrets::load(&data_dir)?;
        let mut config = RunConfig::new(data_dir, listen);
        let mode = get(settings::PAYMENTS)?
            .map(|m| m.parse::<settings::PaymentsMode>())
            .transpose()?
            .unwrap_or(settings::PaymentsMode::Simulated);
        let key = match mode {
            settings::PaymentsMode::Test => Some((secrets.stripe_test_key.clone(), mode)),
            settings::PaymentsMode::Live => Some((secrets.stripe_live_key.clone(), mode)),
            settings::PaymentsMode::Simulated => None,
        };
        if let Some((key, mode)) = key {
            let secret_key = key.ok_or_else(|| {
                Error::invalid(
                    "payments",
                    format!(
                        "payments are set to Stripe {mode} mode, but no {mode} secret key is saved"
                    ),
                )
            })?;
            config.stripe = Some(StripeConfig {
                secret_key,
                api_base: None,
                webhook_secret: secrets.webhook_secret.clone(),
            });
        }
        if let Some(url) = get(settings::SMTP_URL)? {
            config.smtp_url = Some(settings::smtp_url_with_password(
                &url,
                secrets.smtp_password.as_ref(),
            )?);
        }
        Ok(config)
    }

    /// Reads STRIPE_SECRET_KEY, STRIPE_API_BASE, STRIPE_WEBHOOK_SECRET, BOOTH_SMTP_URL,
    /// BOOTH_CHECKOUT_LIMIT (checkouts a minute per buyer) and BOOTH_REQUEST_TIMEOUT_SECS.
    pub fn with_env(mut self) -> RunConfig {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        if let Some(secret_key) = var("STRIPE_SECRET_KEY") {
            self.stripe = Some(StripeConfig {
                secret_key: Secret::new(secret_key),
                api_base: var("STRIPE_API_BASE"),
                webhook_secret: var("STRIPE_WEBHOOK_SECRET").map(Secret::new),
            });
        }
        if let Some(url) = var("BOOTH_SMTP_URL") {
            self.smtp_url = Some(Secret::new(url));
        }
        if let Some(n) = var("BOOTH_CHECKOUT_LIMIT").and_then(|v| v.trim().parse().ok()) {
            self.server.checkout_limit = n;
        }
        if let Some(s) = var("BOOTH_REQUEST_TIMEOUT_SECS").and_then(|v| v.trim().parse().ok()) {
            self.server.request_timeout = Duration::from_secs(s);
        }
        self.outbox = OutboxConfig::from_env();
        self.dkim_from_env = true;
        self
    }
}

/// What `booth serve` leaves in the data dir while it runs, so other `booth` commands
/// (a refund, say) can reach the same simulator.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunInfo {
    pub pid: u32,
    pub addr: SocketAddr,
    pub public_url: String,
    pub simulator_url: Option<String>,
    /// The running simulator's API key: it accepts no other, and makes a new one each
    /// start. None from a Booth older than the key (or in Stripe mode).
    #[serde(default)]
    pub simulator_key: Option<String>,
}

pub fn run_info_path(data_dir: &Path) -> PathBuf {
    booth_core::DataDir::new(data_dir).run_info()
}

pub fn read_run_info(data_dir: &Path) -> Option<RunInfo> {
    serde_json::from_str(&std::fs::read_to_string(run_info_path(data_dir)).ok()?).ok()
}

pub struct Running {
    pub shop: Shop,
    pub addr: SocketAddr,
    pub public_url: String,
    /// The mail settings in use; the outbox worker takes a new one with its next message.
    mailer: watch::Sender<Mailer>,
    pub simulator: Option<Simulator>,
    tunnel: tokio::sync::Mutex<Option<Tunnel>>,
    /// Tells the server which header the running tunnel vouches for buyers' addresses in.
    vouching: booth_server::Vouching,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    /// Released last, when the shop has stopped.
    _lock: ServeLock,
}

impl Running {
    pub fn simulated(&self) -> bool {
        self.simulator.is_some()
    }

    /// The mailer the outbox worker sends with.
    pub fn mailer(&self) -> Mailer {
        self.mailer.borrow().clone()
    }

    /// Uses new mail settings from the next message on, without a restart; what waits for
    /// a retry goes at once. A URL that can't be used is refused and the old settings stay.
    pub async fn use_mail_settings(&self, smtp_url: Option<&Secret>) -> Result<()> {
        let mailer = mailer_for(&self.shop, smtp_url.map(Secret::expose), true).await?;
        tracing::info!(mail = mailer.describe(), "mail settings applied");
        self.mailer.send_replace(mailer);
        self.shop.mail_settings_changed().await
    }

    /// Opens the shop to the world through the tunnel saved in Settings (replacing a
    /// running one). `launcher` starts the program: tokio here, the shell plugin in the app.
    pub async fn start_tunnel(
        &self,
        spec: TunnelSpec,
        token: Option<Secret>,
        launcher: Arc<dyn Launcher>,
        options: TunnelOptions,
    ) -> watch::Receiver<TunnelStatus> {
        let mut slot = self.tunnel.lock().await;
        if let Some(old) = slot.take() {
            old.stop().await;
        }
        self.vouching
            .set(booth_server::Vouched::for_tunnel(spec.provider));
        let t = Tunnel::start(self.shop.clone(), spec, token, self.addr, launcher, options);
        let rx = t.watch();
        *slot = Some(t);
        rx
    }

    pub async fn stop_tunnel(&self) {
        if let Some(t) = self.tunnel.lock().await.take() {
            t.stop().await;
        }
        self.vouching.set(booth_server::Vouched::Nobody);
    }

    pub async fn tunnel_status(&self) -> TunnelStatus {
        match &*self.tunnel.lock().await {
            Some(t) => t.status(),
            None => TunnelStatus::off(),
        }
    }

    /// Checks the tunnel's public URL now.
    pub async fn check_tunnel(&self) {
        if let Some(t) = &*self.tunnel.lock().await {
            t.check_now();
        }
    }

    /// Stops taking requests, lets the outbox worker finish its message, stops the simulator.
    pub async fn shutdown(self) {
        if let Some(t) = self.tunnel.into_inner() {
            t.stop().await;
        }
        let _ = self.shutdown.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
        if let Some(sim) = self.simulator {
            sim.shutdown().await;
        }
        let _ = std::fs::remove_file(run_info_path(self.shop.data_dir()));
    }
}

pub async fn start(config: RunConfig) -> Result<Running> {
    // First: a second shop on this data dir is refused before it changes anything.
    let lock = ServeLock::acquire(&config.data_dir)?;
    raise_open_file_limit();
    let (simulator, payments) = match &config.stripe {
        Some(stripe) => {
            let payments = Payments::new(stripe, false)?;
            if !payments.manual_webhook() {
                // The endpoint Booth made earlier for this mode, if any.
                let live = !payments.test_mode();
                if let Some(m) = secrets::load(&config.data_dir)?
                    .managed_webhook
                    .filter(|m| m.livemode == live)
                {
                    payments.set_webhook_secret(m.secret);
                    payments.set_endpoint_id(&m.endpoint_id);
                }
            }
            (None, payments)
        }
        None => {
            let sim = Simulator::start(SimConfig {
                listen: "127.0.0.1:0".parse().expect("addr"),
                state_path: Some(booth_core::DataDir::new(&config.data_dir).simulator_state()),
                webhook_retry_base: config.sim_webhook_retry_base,
                ..SimConfig::default()
            })
            .await
            .map_err(|e| Error::Payment(format!("can't start the Stripe simulator: {e}")))?;
            let stripe = StripeConfig {
                secret_key: sim.secret_key().into(),
                api_base: Some(sim.base_url()),
                webhook_secret: None,
            };
            (Some(sim), Payments::new(&stripe, true)?)
        }
    };
    let shop = Shop::builder(&config.data_dir).payments(payments).open()?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| {
            Error::invalid(
                "listen",
                format!(
                    "can't listen on {}: {e} (is another Booth or program using this port?)",
                    config.listen
                ),
            )
        })?;
    let addr = listener.local_addr()?;
    shop.set_local_url(format!(
        "http://{}",
        booth_core::tunnel::local_address(addr)
    ));
    if let Some(url) = &config.public_url {
        shop.set_public_url(url).await?;
    }
    let public_url = shop.public_url();

    // Point the webhook endpoint at the shop. The simulator runs beside us, so without a
    // tunnel it calls the server on loopback; Stripe needs a public address.
    match shop.connect_webhook().await {
        Ok(where_) => tracing::info!("{where_}"),
        Err(e) if simulator.is_some() => return Err(e),
        Err(e) => tracing::warn!("{e}"),
    }
    if shop.payments()?.webhook_secret().is_none() {
        tracing::warn!("no webhook secret yet: webhooks will be refused until a tunnel or public address lets Booth make its endpoint; purchases are still fulfilled from the success page and the start-up catch-up");
    }
    let mailer = mailer_for(
        &shop,
        config.smtp_url.as_ref().map(Secret::expose),
        config.dkim_from_env,
    )
    .await?;

    let (tx, rx) = watch::channel(false);
    let mut tasks = Vec::new();
    let server_rx = rx.clone();
    tasks.push(tokio::spawn(booth_server::serve(
        shop.clone(),
        listener,
        config.server.clone(),
        async move {
            let mut rx = server_rx;
            let _ = rx.wait_for(|stop| *stop).await;
        },
    )));
    let (mailer_tx, mailers) = watch::channel(mailer.clone());
    tasks.push(tokio::spawn(outbox::run_worker(
        shop.db().clone(),
        mailers,
        shop.delivery(),
        config.outbox,
        shop.outbox_wake(),
        rx.clone(),
    )));
    tasks.push(tokio::spawn(daily_backups(shop.clone(), rx.clone())));
    tasks.push(tokio::spawn(catch_up(
        shop.clone(),
        config.catch_up_every,
        rx.clone(),
    )));
    let info = RunInfo {
        pid: std::process::id(),
        addr,
        public_url: public_url.clone(),
        simulator_url: simulator.as_ref().map(|s| s.base_url()),
        simulator_key: simulator.as_ref().map(|s| s.secret_key().to_string()),
    };
    // Written whole or not at all (other `booth` commands read it at any moment), and the
    // owner's alone: it names the simulator's port and key.
    booth_core::owner_only::write(
        &run_info_path(&config.data_dir),
        serde_json::to_string_pretty(&info)
            .expect("json")
            .as_bytes(),
    )?;
    tracing::info!(%addr, public_url, mail = mailer.describe(), simulated = simulator.is_some(), "Booth is running");
    Ok(Running {
        shop,
        addr,
        public_url,
        mailer: mailer_tx,
        simulator,
        tunnel: tokio::sync::Mutex::new(None),
        vouching: config.server.vouching.clone(),
        shutdown: tx,
        tasks,
        _lock: lock,
    })
}

/// Each connection and each download in flight holds a file descriptor; a soft limit of
/// 1024 (common on desktops) would refuse buyers long before `max_connections`. The hard
/// limit is the ceiling a process may raise itself to, as nginx's worker_rlimit_nofile does.
/// (Windows has no such limit on sockets.)
#[cfg(not(unix))]
fn raise_open_file_limit() {}

#[cfg(unix)]
fn raise_open_file_limit() {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit only read and write the struct passed in.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0 && lim.rlim_cur < lim.rlim_max {
            lim.rlim_cur = lim.rlim_max.min(1 << 16);
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
    }
}

/// Makes the day's backup at start and then whenever a day has passed (checked hourly).
/// Asks Stripe for missed events at start and then every `every`, until the stop signal.
async fn catch_up(shop: Shop, every: Duration, mut stop: watch::Receiver<bool>) {
    loop {
        // A stop doesn't wait for Stripe to answer: what isn't processed now is next time.
        tokio::select! {
            r = shop.catch_up() => match r {
                Ok(0) => {}
                Ok(n) => tracing::info!(events = n, "caught up on Stripe events"),
                Err(e) => tracing::warn!(error = %e, "couldn't catch up on Stripe events"),
            },
            _ = stop.wait_for(|s| *s) => return,
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}

async fn daily_backups(shop: Shop, mut stop: watch::Receiver<bool>) {
    loop {
        match shop.daily_backup().await {
            Ok(Some(b)) => {
                tracing::info!(path = %b.path.display(), purchases = b.purchases, "daily backup made")
            }
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, "the daily backup failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(3600)) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}

/// The mailer: SMTP or the outbox folder, DKIM-signed when BOOTH_DKIM_KEY_FILE is set.
pub async fn mailer_for(
    shop: &Shop,
    smtp_url: Option<&str>,
    dkim_from_env: bool,
) -> Result<Mailer> {
    let mailer = Mailer::new(smtp_url, &shop.outbox_dir())?;
    if !dkim_from_env {
        return Ok(mailer);
    }
    let from = shop.store_info().await?.from_address;
    match booth_core::mail::DkimSettings::from_env(&from) {
        Some(dkim) => mailer.with_dkim(&dkim),
        None => Ok(mailer),
    }
}

/// Adds the sample e-book as a product, if the shop has no products yet.
pub async fn seed_demo(shop: &Shop) -> Result<bool> {
    if !shop.list_products(false).await?.is_empty() {
        return Ok(false);
    }
    // A demo is called one; a seller's own fresh shop starts unnamed (the checklist asks).
    if shop.setting(settings::STORE_NAME).await?.is_none() {
        shop.set_setting(settings::STORE_NAME, settings::DEMO_STORE_NAME)
            .await?;
    }
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("the-little-book-of-booth.pdf");
    std::fs::write(&path, booth_sample::sample_ebook_pdf())?;
    shop.add_product(booth_core::ProductInput {
        licenses: None,
        stamp: None,
        min_price: None,
        tax_code: None,
        name: "The Little Book of Booth".into(),
        slug: Some("little-book".into()),
        description: "A short, friendly guide to selling digital goods on your own terms: pricing, delivering files, and keeping buyers up to date.".into(),
        price: "5.00".into(),
        currency: "usd".into(),
        limit: Some("5".into()),
        active: true,
        files: vec![path],
    })
    .await?;
    Ok(true)
}
