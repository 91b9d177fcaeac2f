//! Keeps a tunnel running. The program is started through a `Launcher` (tokio::process
//! for `booth serve`, tauri-plugin-shell in the desktop app); its output is read until the
//! public URL shows up; then the shop's links and the webhook endpoint move to it, the URL
//! is checked through the tunnel every minute, and a tunnel that dies (or stops answering)
//! is started again after a pause that doubles up to a minute. Each incident is logged.

use booth_core::secrets::Secret;
use booth_core::tunnel::{self, Health, TunnelCommand, TunnelSpec, TunnelState, TunnelStatus};
use booth_core::Shop;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch, Notify};
use tokio::task::JoinHandle;

mod process;
pub use process::TokioLauncher;

/// What a tunnel process says, line by line, and how it ends.
#[derive(Debug, Clone)]
pub enum ProcessEvent {
    Line(String),
    Exited(Option<i32>),
}

/// A started tunnel process.
pub trait Child: Send {
    fn pid(&self) -> u32;
    /// Ends the process (it then reports `Exited`).
    fn kill(self: Box<Self>);
}

/// Starts a program; its stdout and stderr lines and its exit come on the channel.
pub trait Launcher: Send + Sync + 'static {
    fn launch(
        &self,
        program: &Path,
        command: &TunnelCommand,
    ) -> std::io::Result<(mpsc::UnboundedReceiver<ProcessEvent>, Box<dyn Child>)>;
}

#[derive(Debug, Clone)]
pub struct TunnelOptions {
    /// How often the public URL is checked through the tunnel.
    pub health_every: Duration,
    /// How long a check may wait for the answer.
    pub health_timeout: Duration,
    /// How soon a failed check is repeated (sooner than `health_every`, so a hung tunnel
    /// is restarted in well under a minute rather than after three).
    pub recheck_after_failure: Duration,
    /// How long the program may take to print its public URL.
    pub url_timeout: Duration,
    /// Checks failing in a row before the tunnel is restarted.
    pub restart_after_failures: u32,
    /// A tunnel up this long is considered healthy again: the next restart waits 1 s.
    pub stable_after: Duration,
}

impl Default for TunnelOptions {
    fn default() -> Self {
        TunnelOptions {
            health_every: Duration::from_secs(60),
            health_timeout: Duration::from_secs(10),
            recheck_after_failure: Duration::from_secs(10),
            url_timeout: Duration::from_secs(45),
            restart_after_failures: 3,
            stable_after: Duration::from_secs(120),
        }
    }
}

/// A running tunnel supervisor.
pub struct Tunnel {
    status: watch::Receiver<TunnelStatus>,
    stop: watch::Sender<bool>,
    check_now: Arc<Notify>,
    task: JoinHandle<()>,
}

impl Tunnel {
    pub fn start(
        shop: Shop,
        spec: TunnelSpec,
        token: Option<Secret>,
        local: SocketAddr,
        launcher: Arc<dyn Launcher>,
        options: TunnelOptions,
    ) -> Tunnel {
        let mut first = TunnelStatus::off();
        first.state = TunnelState::Starting;
        first.provider = Some(spec.provider);
        first.label = Some(spec.provider.label().into());
        first.ephemeral = spec.ephemeral();
        let (status_tx, status) = watch::channel(first);
        let (stop, stop_rx) = watch::channel(false);
        let check_now = Arc::new(Notify::new());
        let http = HealthClient::new(options.health_timeout);
        let sup = Supervisor {
            shop,
            spec,
            token,
            local,
            launcher,
            options,
            status: status_tx,
            stop: stop_rx,
            check_now: check_now.clone(),
            http,
        };
        Tunnel {
            status,
            stop,
            check_now,
            task: tokio::spawn(sup.run()),
        }
    }

    pub fn status(&self) -> TunnelStatus {
        self.status.borrow().clone()
    }

    /// Changes as the tunnel starts, comes up, fails and restarts.
    pub fn watch(&self) -> watch::Receiver<TunnelStatus> {
        self.status.clone()
    }

    /// Checks the public URL now rather than at the next minute.
    pub fn check_now(&self) {
        self.check_now.notify_one();
    }

    /// Ends the tunnel process and puts the shop's links back on its own address.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

struct Supervisor {
    shop: Shop,
    spec: TunnelSpec,
    token: Option<Secret>,
    local: SocketAddr,
    launcher: Arc<dyn Launcher>,
    options: TunnelOptions,
    status: watch::Sender<TunnelStatus>,
    stop: watch::Receiver<bool>,
    check_now: Arc<Notify>,
    http: HealthClient,
}

/// How one run of the tunnel process ended.
enum RunEnd {
    Stopped,
    /// Start again after a pause.
    Retry,
    /// It can't work as configured; wait for the seller.
    Failed(String),
}

impl Supervisor {
    /// `<data dir>/tunnel.pid`: the running tunnel program, so a Booth that crashed can
    /// end it on its next start (it would hold a fixed bore port or a named tunnel).
    fn pid_file(&self) -> std::path::PathBuf {
        self.shop.dir().tunnel_pid()
    }

    async fn run(mut self) {
        if let Some(pid) = end_leftover(&self.pid_file()).await {
            self.shop
                .log_tunnel(
                    "leftover",
                    format!("ended tunnel program {pid}, left running by an earlier Booth"),
                )
                .await;
        }
        let mut attempt = 0u32;
        loop {
            let started = Instant::now();
            let end = self.run_once().await;
            if started.elapsed() >= self.options.stable_after {
                attempt = 0;
            }
            match end {
                RunEnd::Stopped => break,
                RunEnd::Failed(message) => {
                    self.shop.log_tunnel("failed", message.clone()).await;
                    self.update(|s| {
                        s.state = TunnelState::Failed;
                        s.message = Some(message);
                        s.retry_in_secs = None;
                    });
                    stopped(&mut self.stop).await;
                    break;
                }
                RunEnd::Retry => {
                    let wait = tunnel::backoff(attempt);
                    attempt += 1;
                    self.shop
                        .log_tunnel(
                            "restart",
                            format!("starting the tunnel again in {} s", wait.as_secs()),
                        )
                        .await;
                    self.update(|s| {
                        s.state = TunnelState::Retrying;
                        s.pid = None;
                        s.restarts += 1;
                        s.retry_in_secs = Some(wait.as_secs());
                    });
                    tokio::select! {
                        _ = tokio::time::sleep(wait) => {}
                        _ = stopped(&mut self.stop) => break,
                    }
                }
            }
        }
        let _ = std::fs::remove_file(self.pid_file());
        self.shop.set_tunnel_url(None);
        if self.shop.payments().map(|p| p.simulated()).unwrap_or(false) {
            // The simulator runs beside the shop: its events can come straight back.
            if let Err(e) = self.shop.connect_webhook().await {
                tracing::warn!(error = %e, "couldn't point the simulator's webhook back");
            }
        }
        self.shop
            .log_tunnel("stopped", "the tunnel was stopped".into())
            .await;
        self.status.send_replace(TunnelStatus::off());
    }

    fn update(&self, f: impl FnOnce(&mut TunnelStatus)) {
        self.status.send_modify(f);
    }

    async fn run_once(&mut self) -> RunEnd {
        let command = match self
            .spec
            .command(self.local, self.token.as_ref().map(Secret::expose))
        {
            Ok(c) => c,
            Err(e) => return RunEnd::Failed(e.to_string()),
        };
        let Some(program) = tunnel::find_program(&command.program) else {
            return RunEnd::Failed(self.spec.not_installed());
        };
        self.update(|s| {
            if s.state != TunnelState::Retrying {
                s.state = TunnelState::Starting;
            }
            s.retry_in_secs = None;
        });
        let (mut events, child) = match self.launcher.launch(&program, &command) {
            Ok(x) => x,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return RunEnd::Failed(self.spec.not_installed())
            }
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                return RunEnd::Failed(format!("{} can't be run: {e}", program.display()))
            }
            Err(e) => {
                self.shop
                    .log_tunnel(
                        "error",
                        format!("couldn't start {}: {e}", program.display()),
                    )
                    .await;
                return RunEnd::Retry;
            }
        };
        let pid = child.pid();
        self.update(|s| s.pid = Some(pid));
        let line = format!("{pid} {}\n", program.display());
        let _ = booth_core::owner_only::write(&self.pid_file(), line.as_bytes());
        self.shop
            .log_tunnel(
                "started",
                format!(
                    "started {} {} (pid {})",
                    program.display(),
                    command.args.join(" "),
                    child.pid()
                ),
            )
            .await;

        let mut stop = self.stop.clone();
        // Wait for the public URL.
        let finder = self.spec.finder();
        // What the program says went wrong, should it end (not merely its last line).
        let mut words = tunnel::LastWords::new();
        let deadline = tokio::time::sleep(self.options.url_timeout);
        tokio::pin!(deadline);
        let url = loop {
            tokio::select! {
                ev = events.recv() => match ev {
                    Some(ProcessEvent::Line(line)) => {
                        if let Some(url) = finder.find(&line) {
                            break url;
                        }
                        words.push(&line);
                    }
                    end => {
                        let code = exit_code(end);
                        self.shop.log_tunnel("exited", format!(
                            "the tunnel program ended (exit {code}) before giving a public address{}",
                            last_words(&words)
                        )).await;
                        self.update(|s| s.message = Some(format!("The tunnel program ended before giving an address{}", last_words(&words))));
                        return RunEnd::Retry;
                    }
                },
                _ = &mut deadline => {
                    child.kill();
                    self.shop.log_tunnel("timeout", format!(
                        "no public address after {} s{}",
                        self.options.url_timeout.as_secs(),
                        last_words(&words)
                    )).await;
                    self.update(|s| s.message = Some("The tunnel didn't give a public address in time".into()));
                    return RunEnd::Retry;
                }
                _ = stopped(&mut stop) => {
                    child.kill();
                    return RunEnd::Stopped;
                }
            }
        };

        // Up: links and webhooks move to the URL.
        let previous = self.shop.tunnel_url();
        self.shop.set_tunnel_url(Some(url.clone()));
        if let Some(prev) = previous.filter(|p| *p != url) {
            self.shop
                .log_tunnel(
                    "address",
                    format!("the public address changed from {prev} to {url}: links sent with the old one no longer work"),
                )
                .await;
        }
        self.shop.log_tunnel("up", format!("public at {url}")).await;
        let webhook = match self.shop.connect_webhook().await {
            Ok(w) => w,
            Err(e) => {
                let m = format!("webhook endpoint not updated: {e}");
                self.shop.log_tunnel("webhook", m.clone()).await;
                m
            }
        };
        let warnings = tunnel::warnings(&self.spec, &url, self.shop.configured_url().as_deref());
        self.update(|s| {
            s.state = TunnelState::Up;
            s.url = Some(url.clone());
            s.plain_http = url.starts_with("http://");
            s.webhook = Some(webhook);
            s.warnings = warnings;
            s.message = None;
            s.retry_in_secs = None;
        });

        // Watch it: output, exit, health.
        let mut failures = 0u32;
        // The first check soon after the tunnel opens, then every `health_every`.
        let mut next_check = Instant::now() + Duration::from_secs(2).min(self.options.health_every);
        loop {
            tokio::select! {
                ev = events.recv() => match ev {
                    Some(ProcessEvent::Line(line)) => {
                        words.push(&line);
                        continue;
                    }
                    end => {
                        let code = exit_code(end);
                        self.shop.log_tunnel("exited", format!(
                            "the tunnel program ended (exit {code}){}", last_words(&words)
                        )).await;
                        self.update(|s| s.message = Some(format!("The tunnel program ended (exit {code}){}", last_words(&words))));
                        return RunEnd::Retry;
                    }
                },
                _ = tokio::time::sleep_until(next_check.into()) => {}
                _ = self.check_now.notified() => {}
                _ = stopped(&mut stop) => {
                    child.kill();
                    return RunEnd::Stopped;
                }
            }
            let health = check(&self.http, &url).await;
            let ok = health.ok;
            next_check = Instant::now()
                + if ok {
                    self.options.health_every
                } else {
                    self.options.recheck_after_failure
                };
            if ok && failures > 0 {
                self.shop
                    .log_tunnel("health", format!("{url} answers again"))
                    .await;
            }
            if !ok {
                failures += 1;
                let err = health.error.clone().unwrap_or_default();
                self.shop
                    .log_tunnel("health", format!("{url} didn't answer ({err})"))
                    .await;
            } else {
                failures = 0;
            }
            self.update(|s| s.health = Some(health));
            if failures >= self.options.restart_after_failures {
                child.kill();
                self.shop
                    .log_tunnel(
                        "restart",
                        format!("{url} failed {failures} checks in a row: restarting the tunnel"),
                    )
                    .await;
                // The killed process's exit is not waited for: its events are dropped.
                return RunEnd::Retry;
            }
        }
    }
}

/// Ends the tunnel program named in `pid_file` if it still runs (the same program: a pid
/// can be reused), and removes the file. Returns its pid if it ended one.
#[cfg(target_os = "linux")]
async fn end_leftover(pid_file: &Path) -> Option<i32> {
    let text = std::fs::read_to_string(pid_file).ok()?;
    let _ = std::fs::remove_file(pid_file);
    let (pid, program) = text.trim().split_once(' ')?;
    let pid: i32 = pid.parse().ok().filter(|p| *p > 1)?;
    let exe = std::fs::read_link(format!("/proc/{pid}/exe")).ok()?;
    if exe != Path::new(program) {
        return None;
    }
    // SIGTERM first so it can say goodbye to its relay; SIGKILL if it won't go.
    unsafe { libc::kill(pid, libc::SIGTERM) };
    for _ in 0..40 {
        if !Path::new(&format!("/proc/{pid}")).exists() {
            return Some(pid);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    unsafe { libc::kill(pid, libc::SIGKILL) };
    Some(pid)
}

/// Elsewhere there is no /proc to tell the program a pid now names: the file is removed and
/// a leftover tunnel program (after a crash) is left for its relay to drop.
#[cfg(not(target_os = "linux"))]
async fn end_leftover(pid_file: &Path) -> Option<i32> {
    let _ = std::fs::remove_file(pid_file);
    None
}

/// Resolves once the tunnel is told to stop (or its owner is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}

fn exit_code(end: Option<ProcessEvent>) -> String {
    match end {
        Some(ProcessEvent::Exited(Some(code))) => code.to_string(),
        _ => "by a signal".into(),
    }
}

fn last_words(words: &tunnel::LastWords) -> String {
    match words.reason() {
        Some(reason) => format!(": {reason}"),
        None => String::new(),
    }
}

/// The client of the health checks: plain http (bore, ssh) or https (cloudflared, ngrok),
/// certificates checked against the system's, no redirects followed, a deadline for each.
pub struct HealthClient {
    client: Client<HttpsConnector<HttpConnector>, String>,
    timeout: Duration,
}

impl HealthClient {
    pub fn new(timeout: Duration) -> HealthClient {
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_platform_verifier(rustls::crypto::ring::default_provider())
            .expect("the system's certificates")
            .https_or_http()
            .enable_http1()
            .build();
        HealthClient {
            client: Client::builder(TokioExecutor::new()).build(https),
            timeout,
        }
    }
}

/// Asks the shop's health route through the public URL, and checks the answer is this
/// very Booth (not another server at a recycled address).
pub async fn check(http: &HealthClient, url: &str) -> Health {
    let started = Instant::now();
    let at = booth_core::db::now();
    let error = match format!("{url}/healthz").parse::<hyper::Uri>() {
        Err(e) => Some(format!("not an address: {e}")),
        Ok(uri) => match tokio::time::timeout(http.timeout, http.client.get(uri)).await {
            Err(_) => Some("no answer in time".to_string()),
            Ok(Err(e)) => Some(format!("can't connect: {}", root_cause(&e))),
            Ok(Ok(r)) if !r.status().is_success() => Some(format!("answered {}", r.status())),
            Ok(Ok(r)) => {
                let same = r
                    .headers()
                    .get(booth_server::INSTANCE_HEADER)
                    .and_then(|v| v.to_str().ok())
                    == Some(booth_server::instance_id());
                (!same).then(|| "another server answers at this address".to_string())
            }
        },
    };
    let latency_ms = Some(started.elapsed().as_millis() as u64);
    Health {
        ok: error.is_none(),
        at,
        latency_ms: error.is_none().then_some(latency_ms).flatten(),
        error,
    }
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}
