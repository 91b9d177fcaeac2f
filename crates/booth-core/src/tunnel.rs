//! Tunnels: how a shop listening on loopback gets a public address. A tunnel is a program
//! (bore, cloudflared, ngrok, ssh, or one the seller names) that Booth starts and whose
//! output names the public URL. This module is the pure part: the presets, the command
//! line each needs, finding the URL in its output, backoff, and the incident log.
//! Starting and watching the process is an adapter's job (tokio::process in `booth serve`,
//! tauri-plugin-shell in the desktop app), through `booth_server::tunnel`.

use crate::error::{Error, Result};
use regex::Regex;
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The programs Booth may start for a tunnel (a custom command names its own).
pub const PROGRAMS: &[&str] = &["bore", "cloudflared", "ngrok", "ssh"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Provider {
    Bore,
    /// A cloudflared quick tunnel: no account, a new *.trycloudflare.com name every start.
    Cloudflared,
    /// A cloudflared named tunnel: the seller's own hostname, run with its token.
    CloudflaredNamed,
    Ngrok,
    /// `ssh -R` to a service such as localhost.run, serveo or pinggy.
    Ssh,
    Custom,
}

impl Provider {
    pub const ALL: [Provider; 6] = [
        Provider::Bore,
        Provider::Cloudflared,
        Provider::CloudflaredNamed,
        Provider::Ngrok,
        Provider::Ssh,
        Provider::Custom,
    ];

    pub fn parse(s: &str) -> Result<Provider> {
        Provider::ALL
            .into_iter()
            .find(|p| p.id() == s.trim())
            .ok_or_else(|| {
                Error::invalid(
                    "provider",
                    "a tunnel is one of bore, cloudflared, cloudflared-named, ngrok, ssh, custom",
                )
            })
    }

    pub fn id(self) -> &'static str {
        match self {
            Provider::Bore => "bore",
            Provider::Cloudflared => "cloudflared",
            Provider::CloudflaredNamed => "cloudflared-named",
            Provider::Ngrok => "ngrok",
            Provider::Ssh => "ssh",
            Provider::Custom => "custom",
        }
    }

    /// The program a preset runs (a custom command names its own).
    pub fn program(self) -> Option<&'static str> {
        match self {
            Provider::Bore => Some("bore"),
            Provider::Cloudflared | Provider::CloudflaredNamed => Some("cloudflared"),
            Provider::Ngrok => Some("ngrok"),
            Provider::Ssh => Some("ssh"),
            Provider::Custom => None,
        }
    }

    /// What the token field means for this provider, if it has one.
    pub fn token_label(self) -> Option<&'static str> {
        match self {
            Provider::Bore => Some("Server secret (only if the bore server asks for one)"),
            Provider::CloudflaredNamed => Some("Tunnel token"),
            Provider::Ngrok => Some("Authtoken (not needed if ngrok is already set up)"),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Provider::Bore => "bore",
            Provider::Cloudflared => "Cloudflare quick tunnel",
            Provider::CloudflaredNamed => "Cloudflare named tunnel",
            Provider::Ngrok => "ngrok",
            Provider::Ssh => "SSH (localhost.run, serveo, pinggy…)",
            Provider::Custom => "Custom command",
        }
    }
}

/// The tunnel settings as the seller types them (Settings form, CLI flags).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TunnelInput {
    pub provider: String,
    /// bore: the bore server (default bore.pub); ssh: [user@]host[:port].
    pub server: String,
    /// bore: a fixed remote port (a stable address); ssh: the remote port to ask for.
    pub port: String,
    /// cloudflared named: the public hostname; ngrok: a reserved domain.
    pub hostname: String,
    /// custom: the command line, with {port}, {addr} or {url} for the shop's local address.
    pub command: String,
    /// custom or ssh: a regular expression that finds the public URL in the output.
    pub pattern: String,
}

/// A checked tunnel configuration, stored as JSON in the `tunnel` setting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TunnelSpec {
    pub provider: Provider,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
}

pub const NAMED_TOKEN_HELP: &str = "a named tunnel needs its token (Cloudflare dashboard → Zero Trust → Networks → Tunnels → your tunnel: the long string after --token in the install command)";
pub const DEFAULT_BORE_SERVER: &str = "bore.pub";
const BORE_CONTROL_PORT: &str = "7835";
pub const DEFAULT_SSH_SERVER: &str = "nokey@localhost.run";
/// The URLs localhost.run, serveo and pinggy print for a tunnel (not their docs links).
pub const DEFAULT_SSH_PATTERN: &str = r"https://[a-z0-9-]+\.(?:lhr\.life|serveo\.net|serveousercontent\.com|(?:[a-z0-9-]+\.)*pinggy\.(?:link|online))";

/// What to run: a program (looked up by `find_program`), its arguments and extra
/// environment (tokens go there, not on the command line where `ps` shows them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TunnelCommand {
    pub program: String,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    /// Inherited variables starting with these are dropped: the program would read them
    /// as its settings (a seller's `RUST_LOG=warn` hid the line bore prints its address
    /// on; a `TUNNEL_TOKEN` would turn a quick cloudflared tunnel into a named one).
    pub scrub: &'static [&'static str],
}

impl TunnelCommand {
    /// The whole environment to start the program with: `inherited` (the seller's), minus
    /// what `scrub` names, plus what Booth sets.
    pub fn environment(
        &self,
        inherited: impl IntoIterator<Item = (String, String)>,
    ) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = inherited
            .into_iter()
            .filter(|(k, _)| {
                !self.scrub.iter().any(|p| k.starts_with(p))
                    && !self.env.iter().any(|(set, _)| set == k)
            })
            .collect();
        out.extend(self.env.iter().cloned());
        out
    }

    /// `environment` of this process's own (variables that aren't UTF-8 are left out).
    pub fn process_environment(&self) -> Vec<(String, String)> {
        self.environment(
            std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))),
        )
    }
}

impl TunnelSpec {
    /// Parses what the seller typed, once; each mistake is refused on its field.
    pub fn parse(input: &TunnelInput) -> Result<TunnelSpec> {
        let provider = Provider::parse(&input.provider)?;
        let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let port = match text(&input.port) {
            None => None,
            Some(p) => Some(
                p.parse::<u16>()
                    .ok()
                    .filter(|p| *p > 0)
                    .ok_or_else(|| Error::invalid("port", "a port is a number from 1 to 65535"))?,
            ),
        };
        let mut spec = TunnelSpec {
            provider,
            server: None,
            port: None,
            hostname: None,
            command: Vec::new(),
            pattern: None,
        };
        match provider {
            Provider::Bore => {
                spec.server = Some(check_host(
                    text(&input.server)
                        .as_deref()
                        .unwrap_or(DEFAULT_BORE_SERVER),
                    false,
                )?);
                spec.port = port;
            }
            Provider::Cloudflared => {}
            Provider::CloudflaredNamed => {
                spec.hostname = Some(check_hostname(&input.hostname, true)?);
            }
            Provider::Ngrok => {
                spec.hostname = text(&input.hostname)
                    .map(|h| check_hostname(&h, false))
                    .transpose()?;
            }
            Provider::Ssh => {
                spec.server = Some(check_host(
                    text(&input.server).as_deref().unwrap_or(DEFAULT_SSH_SERVER),
                    true,
                )?);
                spec.port = port;
                spec.pattern = text(&input.pattern)
                    .map(|p| check_pattern(&p))
                    .transpose()?;
            }
            Provider::Custom => {
                spec.command = split_command(&input.command)?;
                spec.pattern = Some(check_pattern(input.pattern.trim()).map_err(|e| {
                    if input.pattern.trim().is_empty() {
                        Error::invalid(
                            "pattern",
                            "say how to find the public URL in the command's output, e.g. https://\\S+",
                        )
                    } else {
                        e
                    }
                })?);
            }
        }
        Ok(spec)
    }

    /// The form's text for this spec (Settings shows it back).
    pub fn input(&self) -> TunnelInput {
        TunnelInput {
            provider: self.provider.id().into(),
            server: self.server.clone().unwrap_or_default(),
            port: self.port.map(|p| p.to_string()).unwrap_or_default(),
            hostname: self.hostname.clone().unwrap_or_default(),
            command: join_command(&self.command),
            pattern: self.pattern.clone().unwrap_or_default(),
        }
    }

    pub fn program(&self) -> &str {
        self.provider
            .program()
            .unwrap_or_else(|| self.command.first().map(String::as_str).unwrap_or(""))
    }

    /// Does this tunnel get a new address on every start? Links already mailed then break.
    pub fn ephemeral(&self) -> bool {
        match self.provider {
            Provider::Bore => self.port.is_none(),
            Provider::Cloudflared | Provider::Ssh => true,
            Provider::CloudflaredNamed => false,
            Provider::Ngrok => self.hostname.is_none(),
            // Unknown; a changed address is noticed and logged when it happens.
            Provider::Custom => false,
        }
    }

    /// Does the provider need a token (kept with the other secrets)?
    pub fn needs_token(&self) -> bool {
        self.provider == Provider::CloudflaredNamed
    }

    /// The command that opens this tunnel to the shop listening at `local`.
    pub fn command(&self, local: SocketAddr, token: Option<&str>) -> Result<TunnelCommand> {
        let local = local_address(local);
        let port = local.port().to_string();
        let url = format!("http://{local}");
        let token = token.filter(|t| !t.trim().is_empty());
        let mut env = vec![("NO_COLOR".to_string(), "1".to_string())];
        // What each program reads from its environment as settings; Booth passes what
        // it needs explicitly, so the seller's own variables can't change what it prints.
        let scrub: &'static [&'static str] = match self.provider {
            // bore logs through tracing's RUST_LOG; its "listening at" line is INFO.
            Provider::Bore => &["BORE_", "RUST_LOG"],
            Provider::Cloudflared | Provider::CloudflaredNamed => &["TUNNEL_"],
            Provider::Ngrok => &["NGROK_"],
            Provider::Ssh | Provider::Custom => &[],
        };
        match self.provider {
            Provider::Bore => env.push(("RUST_LOG".into(), "info".into())),
            // The quick tunnel's address is printed at INFO.
            Provider::Cloudflared | Provider::CloudflaredNamed => {
                env.push(("TUNNEL_LOGLEVEL".into(), "info".into()))
            }
            _ => {}
        }
        let args: Vec<String> = match self.provider {
            Provider::Bore => {
                let mut a = vec![
                    "local".into(),
                    port,
                    "--local-host".into(),
                    local.ip().to_string(),
                    "--to".into(),
                    self.server
                        .clone()
                        .unwrap_or_else(|| DEFAULT_BORE_SERVER.into()),
                ];
                if let Some(p) = self.port {
                    a.extend(["--port".into(), p.to_string()]);
                }
                if let Some(t) = token {
                    env.push(("BORE_SECRET".into(), t.into()));
                }
                a
            }
            Provider::Cloudflared => vec![
                "tunnel".into(),
                "--no-autoupdate".into(),
                "--url".into(),
                url,
            ],
            Provider::CloudflaredNamed => {
                let t = token.ok_or_else(|| Error::invalid("token", NAMED_TOKEN_HELP))?;
                env.push(("TUNNEL_TOKEN".into(), t.into()));
                vec!["tunnel".into(), "--no-autoupdate".into(), "run".into()]
            }
            Provider::Ngrok => {
                let mut a = vec![
                    "http".into(),
                    url,
                    "--log".into(),
                    "stdout".into(),
                    "--log-format".into(),
                    "logfmt".into(),
                    // A config file's log_level must not hide the URL line.
                    "--log-level".into(),
                    "info".into(),
                ];
                if let Some(h) = &self.hostname {
                    a.extend(["--url".into(), format!("https://{h}")]);
                }
                if let Some(t) = token {
                    env.push(("NGROK_AUTHTOKEN".into(), t.into()));
                }
                a
            }
            Provider::Ssh => {
                let server = self
                    .server
                    .clone()
                    .unwrap_or_else(|| DEFAULT_SSH_SERVER.into());
                let (dest, ssh_port) = split_ssh_server(&server);
                let mut a: Vec<String> = [
                    "-T",
                    "-o",
                    "BatchMode=yes",
                    "-o",
                    "ExitOnForwardFailure=yes",
                    "-o",
                    "ServerAliveInterval=30",
                    "-o",
                    "ServerAliveCountMax=3",
                    "-o",
                    "StrictHostKeyChecking=accept-new",
                ]
                .map(String::from)
                .to_vec();
                if let Some(p) = ssh_port {
                    a.extend(["-p".into(), p]);
                }
                a.extend([
                    "-R".into(),
                    format!(
                        "{}:{}:{}",
                        self.port.unwrap_or(80),
                        local.ip(),
                        local.port()
                    ),
                    // "--" so a destination can never be read as an option.
                    "--".into(),
                    dest,
                ]);
                a
            }
            Provider::Custom => {
                let fill = |s: &String| {
                    s.replace("{port}", &port)
                        .replace("{addr}", &local.to_string())
                        .replace("{url}", &url)
                };
                let filled: Vec<String> = self.command.iter().map(fill).collect();
                return Ok(TunnelCommand {
                    program: filled.first().cloned().unwrap_or_default(),
                    args: filled[1..].to_vec(),
                    env,
                    scrub,
                });
            }
        };
        Ok(TunnelCommand {
            program: self.program().into(),
            args,
            env,
            scrub,
        })
    }

    pub fn finder(&self) -> UrlFinder {
        let (re, found) = match self.provider {
            Provider::Bore => (
                r"listening at ([A-Za-z0-9.\-\[\]:]+:[0-9]{1,5})\b",
                Found::Prefix("http://"),
            ),
            Provider::Cloudflared => (
                r"(https://[a-z0-9-]+\.trycloudflare\.com)\b",
                Found::Prefix(""),
            ),
            Provider::CloudflaredNamed => (
                r"Registered tunnel connection",
                Found::Fixed(format!(
                    "https://{}",
                    self.hostname.as_deref().unwrap_or_default()
                )),
            ),
            Provider::Ngrok => (r#"url=(https://[^\s"]+)"#, Found::Prefix("")),
            Provider::Ssh => (
                self.pattern.as_deref().unwrap_or(DEFAULT_SSH_PATTERN),
                Found::Prefix(""),
            ),
            Provider::Custom => (
                self.pattern.as_deref().unwrap_or(r"https?://\S+"),
                Found::Prefix(""),
            ),
        };
        UrlFinder {
            re: Regex::new(re).expect("patterns are checked when parsed"),
            found,
        }
    }

    /// How to install the program, for when it can't be found.
    pub fn not_installed(&self) -> String {
        let how = match self.provider {
            Provider::Bore => "Install it with `cargo install bore-cli`, or download it from https://github.com/ekzhang/bore/releases".to_string(),
            Provider::Cloudflared | Provider::CloudflaredNamed => "Install it from https://github.com/cloudflare/cloudflared/releases (a .deb for Debian and Ubuntu; `brew install cloudflared` on macOS)".to_string(),
            Provider::Ngrok => "Install it from https://ngrok.com/download (or `snap install ngrok`) and paste your authtoken in the token field".to_string(),
            Provider::Ssh => "Install OpenSSH's client (`sudo apt install openssh-client` on Debian and Ubuntu)".to_string(),
            Provider::Custom => "Give its full path, or install it somewhere on your PATH".to_string(),
        };
        format!(
            "{} isn't installed (or isn't on the PATH Booth sees). {how}, then press Start again.",
            self.program()
        )
    }
}

/// Finds the public URL in a line of a tunnel's output.
pub struct UrlFinder {
    re: Regex,
    found: Found,
}

enum Found {
    /// The URL is the first capture group (or the whole match), after this prefix.
    Prefix(&'static str),
    /// A line matching means the tunnel is up at this known URL.
    Fixed(String),
}

impl UrlFinder {
    pub fn find(&self, line: &str) -> Option<String> {
        let line = strip_ansi(line);
        let caps = self.re.captures(&line)?;
        let url = match &self.found {
            Found::Fixed(url) => url.clone(),
            Found::Prefix(prefix) => {
                let m = caps.get(1).or_else(|| caps.get(0))?.as_str();
                let m = m.trim_end_matches(['.', ',', ';', ')', '"', '\'', '|']);
                format!("{prefix}{m}")
            }
        };
        crate::domain::PublicUrl::parse(&url)
            .ok()
            .map(crate::domain::PublicUrl::into_string)
    }
}

/// Removes terminal colour codes (bore and cloudflared colour their logs on a terminal).
pub fn strip_ansi(s: &str) -> String {
    static ANSI: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    ANSI.get_or_init(|| Regex::new(r"\x1b\[[0-9;?]*[ -/]*[@-~]").expect("regex"))
        .replace_all(s, "")
        .into_owned()
}

/// How long to wait before restart number `attempt` (0-based): 1 s doubling to a minute.
pub fn backoff(attempt: u32) -> Duration {
    Duration::from_secs(1u64 << attempt.min(6)).min(Duration::from_secs(60))
}

/// Where to reach a server listening at `addr` from this machine: loopback when it
/// listens on every interface (0.0.0.0 or ::).
pub fn local_address(addr: SocketAddr) -> SocketAddr {
    if addr.ip().is_unspecified() {
        let ip = if addr.is_ipv4() {
            std::net::Ipv4Addr::LOCALHOST.into()
        } else {
            std::net::Ipv6Addr::LOCALHOST.into()
        };
        SocketAddr::new(ip, addr.port())
    } else {
        addr
    }
}

/// A program's full path: on PATH, or where installers put it even when a desktop
/// session's PATH doesn't say so (~/.cargo/bin, ~/.local/bin, /usr/local/bin, /snap/bin).
pub fn find_program(program: &str) -> Option<PathBuf> {
    let is_exe = |p: &Path| {
        use std::os::unix::fs::PermissionsExt;
        p.metadata()
            .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
            .unwrap_or(false)
    };
    if program.contains('/') {
        let p = PathBuf::from(program);
        return is_exe(&p).then_some(p);
    }
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    if let Some(home) = std::env::var_os("HOME").map(PathBuf::from) {
        dirs.push(home.join(".cargo/bin"));
        dirs.push(home.join(".local/bin"));
    }
    dirs.extend(["/usr/local/bin", "/opt/homebrew/bin", "/snap/bin"].map(PathBuf::from));
    dirs.into_iter()
        .map(|d| d.join(program))
        .find(|p| is_exe(p))
}

fn check_host(value: &str, ssh: bool) -> Result<String> {
    let v = value.trim();
    let field = "server";
    let allowed = |c: char| c.is_ascii_alphanumeric() || ".-_:[]".contains(c) || (ssh && c == '@');
    if v.is_empty() || v.len() > 253 || v.starts_with('-') || !v.chars().all(allowed) {
        return Err(Error::invalid(
            field,
            if ssh {
                "an SSH server is [user@]host[:port], like nokey@localhost.run"
            } else {
                "a bore server is a host name or address, like bore.pub or 203.0.113.7:7835"
            },
        ));
    }
    if !ssh && v.matches(':').count() == 1 {
        // bore's control port is fixed; host:7835 (as its docs write it) means the host.
        let (host, port) = v.split_once(':').unwrap_or((v, ""));
        if port != BORE_CONTROL_PORT {
            return Err(Error::invalid(
                field,
                format!("a bore server always listens on port {BORE_CONTROL_PORT}: give its name or address alone"),
            ));
        }
        return Ok(host.to_string());
    }
    Ok(v.to_string())
}

/// ssh takes the port as -p, not in the destination.
fn split_ssh_server(server: &str) -> (String, Option<String>) {
    match server.rsplit_once(':') {
        Some((dest, port)) if !dest.contains(':') && port.parse::<u16>().is_ok() => {
            (dest.to_string(), Some(port.to_string()))
        }
        _ => (server.to_string(), None),
    }
}

fn check_hostname(value: &str, required: bool) -> Result<String> {
    let v = value.trim().to_ascii_lowercase();
    let v = v
        .strip_prefix("https://")
        .or_else(|| v.strip_prefix("http://"))
        .unwrap_or(&v)
        .trim_end_matches('/')
        .to_string();
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    if v.is_empty() && !required {
        return Ok(v);
    }
    if v.len() > 253 || !v.contains('.') || !v.split('.').all(label_ok) {
        return Err(Error::invalid(
            "hostname",
            "a hostname looks like shop.example.com (no path, no port)",
        ));
    }
    Ok(v)
}

fn check_pattern(pattern: &str) -> Result<String> {
    let bad = |m: String| Error::invalid("pattern", m);
    if pattern.is_empty() || pattern.len() > 500 {
        return Err(bad("a URL pattern is 1–500 characters".into()));
    }
    let re = regex::RegexBuilder::new(pattern)
        .size_limit(1 << 20)
        .build()
        .map_err(|e| {
            bad(format!(
                "not a regular expression: {}",
                e.to_string().lines().last().unwrap_or("")
            ))
        })?;
    if re.captures_len() > 2 {
        return Err(bad(
            "use at most one group: (…) around the URL, or none for the whole match".into(),
        ));
    }
    Ok(pattern.to_string())
}

/// Splits a command line into words, with "…" and '…' quoting; no shell is involved.
fn split_command(line: &str) -> Result<Vec<String>> {
    let bad = |m: &str| Error::invalid("command", m.to_string());
    if line.len() > 2000 || line.chars().any(|c| c.is_control() && c != '\t') {
        return Err(bad("a command is one line of at most 2000 characters"));
    }
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if quote.is_some() {
        return Err(bad("a quote is not closed"));
    }
    if in_word {
        words.push(cur);
    }
    match words.first() {
        None => Err(bad("type the command that opens the tunnel")),
        Some(p) if p.starts_with('-') => Err(bad("the command starts with the program's name")),
        Some(_) => Ok(words),
    }
}

fn join_command(words: &[String]) -> String {
    words
        .iter()
        .map(|w| {
            if w.is_empty() || w.contains(char::is_whitespace) || w.contains('"') {
                format!("'{w}'")
            } else {
                w.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

// ---- what the seller sees --------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TunnelState {
    Off,
    Starting,
    Up,
    /// The process died or hung; it starts again after a pause.
    Retrying,
    /// It can't start (program missing, bad settings); pressing Start tries again.
    Failed,
}

#[derive(Debug, Clone, Serialize)]
pub struct Health {
    pub ok: bool,
    /// Unix seconds.
    pub at: i64,
    pub latency_ms: Option<u64>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TunnelStatus {
    pub state: TunnelState,
    pub provider: Option<Provider>,
    pub label: Option<String>,
    pub url: Option<String>,
    pub ephemeral: bool,
    pub plain_http: bool,
    pub health: Option<Health>,
    pub restarts: u32,
    /// The tunnel program's process id while it runs.
    pub pid: Option<u32>,
    pub retry_in_secs: Option<u64>,
    /// What went wrong, or what to do, in words.
    pub message: Option<String>,
    /// Where Stripe sends events, or why it doesn't.
    pub webhook: Option<String>,
    pub warnings: Vec<String>,
}

impl TunnelStatus {
    pub fn off() -> TunnelStatus {
        TunnelStatus {
            state: TunnelState::Off,
            provider: None,
            label: None,
            url: None,
            ephemeral: false,
            plain_http: false,
            health: None,
            restarts: 0,
            pid: None,
            retry_in_secs: None,
            message: None,
            webhook: None,
            warnings: Vec::new(),
        }
    }
}

/// The warnings that go with a tunnel address.
pub fn warnings(spec: &TunnelSpec, url: &str, stable_url: Option<&str>) -> Vec<String> {
    let mut w = Vec::new();
    if spec.ephemeral() && stable_url.is_none() {
        w.push(format!(
            "{url} changes every time the tunnel starts, so purchase links already emailed stop working when it does. Use a stable address ({}) and set it as the shop's public address.",
            match spec.provider {
                Provider::Bore => "a fixed bore port, or a named Cloudflare tunnel",
                Provider::Ngrok => "your ngrok domain",
                _ => "a named Cloudflare tunnel or an ngrok domain",
            }
        ));
    }
    // Cloudflare's and ngrok's edges tell the shop each buyer's address; the others can't,
    // so every buyer shares one checkout allowance (docs/security.md).
    let anonymous = !matches!(
        spec.provider,
        Provider::Cloudflared | Provider::CloudflaredNamed | Provider::Ngrok
    );
    let shared = "it doesn't tell Booth who each buyer is, so all buyers share one checkout allowance and one busy client can use it up";
    if url.starts_with("http://") {
        let also = if anonymous {
            format!(", and {shared}")
        } else {
            String::new()
        };
        w.push(format!("This address is plain http: downloads and purchase pages aren't encrypted (cards never pass through Booth){also}. Fine for trying things out; for real sales use an https tunnel such as Cloudflare or ngrok."));
    } else if anonymous {
        w.push(format!("This tunnel works, but {shared}. For real sales use Cloudflare or ngrok, which tell Booth each buyer's address."));
    }
    w
}

// ---- the incident log ----------------------------------------------------------------

#[derive(Debug, Clone, Serialize)]
pub struct LogEntry {
    pub at: i64,
    pub kind: String,
    pub message: String,
}

/// Keeps the last this many entries.
const LOG_KEEP: i64 = 500;

pub fn log(conn: &Connection, kind: &str, message: &str) -> Result<()> {
    let message: String = message.chars().take(2000).collect();
    conn.execute(
        "INSERT INTO tunnel_log (at, kind, message) VALUES (unixepoch(), ?1, ?2)",
        params![kind, message],
    )?;
    conn.execute(
        "DELETE FROM tunnel_log WHERE id <= (SELECT max(id) FROM tunnel_log) - ?1",
        [LOG_KEEP],
    )?;
    Ok(())
}

pub fn recent_log(conn: &Connection, limit: usize) -> Result<Vec<LogEntry>> {
    let mut stmt =
        conn.prepare("SELECT at, kind, message FROM tunnel_log ORDER BY id DESC LIMIT ?1")?;
    let rows = stmt.query_map([limit as i64], |r| {
        Ok(LogEntry {
            at: r.get(0)?,
            kind: r.get(1)?,
            message: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(provider: &str) -> TunnelInput {
        TunnelInput {
            provider: provider.into(),
            ..TunnelInput::default()
        }
    }

    fn local() -> SocketAddr {
        "127.0.0.1:8080".parse().unwrap()
    }

    /// A seller's own variables can't change what the tunnel program prints or which
    /// tunnel it opens; everything else (PATH, HOME for ssh) is passed on.
    #[test]
    fn tunnel_programs_get_the_environment_they_need() {
        let seller = || {
            [
                ("PATH", "/usr/bin"),
                ("HOME", "/home/ada"),
                ("RUST_LOG", "warn"),
                ("BORE_SECRET", "not-this-one"),
                ("TUNNEL_TOKEN", "named-one"),
                ("TUNNEL_LOGLEVEL", "error"),
                ("NGROK_CONFIG", "/tmp/x.yml"),
            ]
            .map(|(k, v)| (k.to_string(), v.to_string()))
        };
        let env_of = |kind: &str, token: Option<&str>| {
            let mut i = input(kind);
            if kind == "cloudflared-named" {
                i.hostname = "shop.example.com".into();
            }
            let cmd = TunnelSpec::parse(&i)
                .unwrap()
                .command(local(), token)
                .unwrap();
            cmd.environment(seller())
        };
        let get = |env: &[(String, String)], k: &str| {
            let v: Vec<&str> = env
                .iter()
                .filter(|(n, _)| n == k)
                .map(|(_, v)| v.as_str())
                .collect();
            assert!(v.len() <= 1, "{k} twice: {v:?}");
            v.first().map(|s| s.to_string())
        };
        let bore = env_of("bore", None);
        assert_eq!(get(&bore, "RUST_LOG").as_deref(), Some("info"));
        assert_eq!(get(&bore, "BORE_SECRET"), None);
        assert_eq!(get(&bore, "PATH").as_deref(), Some("/usr/bin"));
        let bore = env_of("bore", Some("mine"));
        assert_eq!(get(&bore, "BORE_SECRET").as_deref(), Some("mine"));
        let quick = env_of("cloudflared", None);
        assert_eq!(get(&quick, "TUNNEL_TOKEN"), None);
        assert_eq!(get(&quick, "TUNNEL_LOGLEVEL").as_deref(), Some("info"));
        let named = env_of("cloudflared-named", Some("eyJh"));
        assert_eq!(get(&named, "TUNNEL_TOKEN").as_deref(), Some("eyJh"));
        let ngrok = env_of("ngrok", None);
        assert_eq!(get(&ngrok, "NGROK_CONFIG"), None);
        let ssh = env_of("ssh", None);
        assert_eq!(get(&ssh, "HOME").as_deref(), Some("/home/ada"));
        assert_eq!(get(&ssh, "RUST_LOG").as_deref(), Some("warn"));
    }

    #[test]
    fn bore_command_and_url() {
        let spec = TunnelSpec::parse(&TunnelInput {
            server: "127.0.0.1:7835".into(),
            ..input("bore")
        })
        .unwrap();
        let cmd = spec.command(local(), Some("s3cret")).unwrap();
        assert_eq!(cmd.program, "bore");
        // bore's own client takes the host alone (it adds the fixed control port).
        assert_eq!(
            cmd.args,
            [
                "local",
                "8080",
                "--local-host",
                "127.0.0.1",
                "--to",
                "127.0.0.1"
            ]
        );
        assert!(cmd.env.contains(&("BORE_SECRET".into(), "s3cret".into())));
        assert!(!cmd.args.iter().any(|a| a.contains("s3cret")));
        let f = spec.finder();
        // bore colours its log on a terminal; the URL is found either way.
        assert_eq!(
            f.find("\x1b[2m2026-11-23T02:00:00Z\x1b[0m \x1b[32m INFO\x1b[0m \x1b[2mbore_cli::client\x1b[0m\x1b[2m:\x1b[0m listening at 127.0.0.1:41327").as_deref(),
            Some("http://127.0.0.1:41327")
        );
        assert_eq!(f.find("connected to server remote_port=41327"), None);
        assert!(spec.ephemeral());
        let fixed = TunnelSpec::parse(&TunnelInput {
            port: "4000".into(),
            ..input("bore")
        })
        .unwrap();
        assert!(!fixed.ephemeral());
        assert_eq!(fixed.server.as_deref(), Some("bore.pub"));
        assert!(fixed
            .command(local(), None)
            .unwrap()
            .args
            .ends_with(&["--port".into(), "4000".into()]));
    }

    #[test]
    fn cloudflared_quick_and_named() {
        let quick = TunnelSpec::parse(&input("cloudflared")).unwrap();
        let cmd = quick
            .command("0.0.0.0:9000".parse().unwrap(), None)
            .unwrap();
        assert_eq!(
            cmd.args,
            [
                "tunnel",
                "--no-autoupdate",
                "--url",
                "http://127.0.0.1:9000"
            ]
        );
        // cloudflared prints the name in a box on stderr, among other https links.
        let f = quick.finder();
        assert_eq!(
            f.find("2026-11-23T02:00:00Z INF Requesting new quick Tunnel on trycloudflare.com..."),
            None
        );
        assert_eq!(f.find("2026-11-23T02:00:00Z INF |  https://developers.cloudflare.com/cloudflare-one/connections/connect-apps/  |"), None);
        assert_eq!(
            f.find("2026-11-23T02:00:01Z INF |  https://seasonal-deck-organisms-sf.trycloudflare.com                                    |").as_deref(),
            Some("https://seasonal-deck-organisms-sf.trycloudflare.com")
        );
        assert!(quick.ephemeral());

        let bad = TunnelSpec::parse(&input("cloudflared-named")).unwrap_err();
        assert!(bad.to_string().starts_with("hostname:"), "{bad}");
        let named = TunnelSpec::parse(&TunnelInput {
            hostname: "https://Shop.Example.com/".into(),
            ..input("cloudflared-named")
        })
        .unwrap();
        assert_eq!(named.hostname.as_deref(), Some("shop.example.com"));
        assert!(!named.ephemeral());
        let err = named.command(local(), None).unwrap_err();
        assert!(err.to_string().starts_with("token:"), "{err}");
        let cmd = named.command(local(), Some("eyJh")).unwrap();
        assert!(cmd.env.contains(&("TUNNEL_TOKEN".into(), "eyJh".into())));
        assert_eq!(cmd.args, ["tunnel", "--no-autoupdate", "run"]);
        assert_eq!(
            named.finder().find("2026-11-23T02:00:02Z INF Registered tunnel connection connIndex=0 connection=abc event=0 ip=198.41.200.13 location=ams01 protocol=quic").as_deref(),
            Some("https://shop.example.com")
        );
    }

    #[test]
    fn ngrok_logfmt() {
        let spec = TunnelSpec::parse(&input("ngrok")).unwrap();
        assert!(spec.ephemeral());
        let line = r#"t=2026-11-23T02:00:00+0000 lvl=info msg="started tunnel" obj=tunnels name=command_line addr=http://127.0.0.1:8080 url=https://3a1f-203-0-113-7.ngrok-free.app"#;
        assert_eq!(
            spec.finder().find(line).as_deref(),
            Some("https://3a1f-203-0-113-7.ngrok-free.app")
        );
        let domain = TunnelSpec::parse(&TunnelInput {
            hostname: "ada.ngrok.app".into(),
            ..input("ngrok")
        })
        .unwrap();
        assert!(!domain.ephemeral());
        let cmd = domain.command(local(), Some("tok")).unwrap();
        assert!(cmd
            .args
            .ends_with(&["--url".into(), "https://ada.ngrok.app".into()]));
        assert!(cmd.env.contains(&("NGROK_AUTHTOKEN".into(), "tok".into())));
    }

    #[test]
    fn ssh_services() {
        let spec = TunnelSpec::parse(&input("ssh")).unwrap();
        let cmd = spec.command(local(), None).unwrap();
        assert_eq!(cmd.program, "ssh");
        assert!(cmd.args.ends_with(&[
            "-R".into(),
            "80:127.0.0.1:8080".into(),
            "--".into(),
            "nokey@localhost.run".into()
        ]));
        assert!(cmd.args.contains(&"BatchMode=yes".into()));
        let f = spec.finder();
        assert_eq!(f.find("Open your tunnel address on your mobile with this QR: https://admin.localhost.run/"), None);
        assert_eq!(
            f.find("3f2c8d2a1b9e4c.lhr.life tunneled with tls termination, https://3f2c8d2a1b9e4c.lhr.life").as_deref(),
            Some("https://3f2c8d2a1b9e4c.lhr.life")
        );
        assert_eq!(
            f.find("Forwarding HTTP traffic from https://abc123.serveo.net")
                .as_deref(),
            Some("https://abc123.serveo.net")
        );
        let pinggy = TunnelSpec::parse(&TunnelInput {
            server: "qr@a.pinggy.io:443".into(),
            port: "0".into(),
            ..input("ssh")
        });
        assert!(pinggy.is_err(), "port 0 refused");
        let pinggy = TunnelSpec::parse(&TunnelInput {
            server: "qr@a.pinggy.io:443".into(),
            ..input("ssh")
        })
        .unwrap();
        let cmd = pinggy.command(local(), None).unwrap();
        assert!(cmd.args.windows(2).any(|w| w == ["-p", "443"]));
        assert_eq!(cmd.args.last().unwrap(), "qr@a.pinggy.io");
        // An option smuggled in as the server would make ssh run a command.
        for hostile in [
            "-oProxyCommand=touch /tmp/x",
            "host;rm -rf /",
            "a b",
            "host\nx",
            &"h".repeat(300),
        ] {
            let e = TunnelSpec::parse(&TunnelInput {
                server: hostile.into(),
                ..input("ssh")
            })
            .unwrap_err();
            assert!(e.to_string().starts_with("server:"), "{hostile}: {e}");
        }
    }

    #[test]
    fn custom_command() {
        let spec = TunnelSpec::parse(&TunnelInput {
            command: r#"my-tunnel --to "{url}" --name 'my shop' --port {port}"#.into(),
            pattern: r"ready at (https://\S+)".into(),
            ..input("custom")
        })
        .unwrap();
        let cmd = spec.command(local(), None).unwrap();
        assert_eq!(cmd.program, "my-tunnel");
        assert_eq!(
            cmd.args,
            [
                "--to",
                "http://127.0.0.1:8080",
                "--name",
                "my shop",
                "--port",
                "8080"
            ]
        );
        assert_eq!(
            spec.finder()
                .find("tunnel ready at https://x.example.net.")
                .as_deref(),
            Some("https://x.example.net")
        );
        assert_eq!(
            TunnelSpec::parse(&spec.input()).unwrap(),
            spec,
            "round trip"
        );
        let cases = [
            ("", r"https://\S+", "command:"),
            ("x 'open", r"https://\S+", "command:"),
            ("--flag", r"https://\S+", "command:"),
            ("x\ny", r"https://\S+", "command:"),
            ("x", "", "pattern:"),
            ("x", "(unclosed", "pattern:"),
            ("x", "(a)(b)", "pattern:"),
            ("x", &"a".repeat(501), "pattern:"),
            ("x", "a{1000}{1000}", "pattern:"),
        ];
        for (command, pattern, field) in cases {
            let e = TunnelSpec::parse(&TunnelInput {
                command: command.into(),
                pattern: pattern.into(),
                ..input("custom")
            })
            .unwrap_err();
            assert!(
                e.to_string().starts_with(field),
                "{command:?} {pattern:?}: {e}"
            );
        }
    }

    #[test]
    fn hostile_fields_refused() {
        for p in ["", "ftp", "bore; rm", "BORE"] {
            assert!(Provider::parse(p).is_err(), "{p}");
        }
        for port in ["0", "65536", "-1", "80a", "1e3"] {
            let e = TunnelSpec::parse(&TunnelInput {
                port: port.into(),
                ..input("bore")
            })
            .unwrap_err();
            assert!(e.to_string().starts_with("port:"), "{port}");
        }
        for server in [
            "bore.pub:0",
            "bore.pub:99999",
            "bore.pub:7836",
            "-x",
            "bore pub",
            "user@bore.pub",
        ] {
            assert!(
                TunnelSpec::parse(&TunnelInput {
                    server: server.into(),
                    ..input("bore")
                })
                .is_err(),
                "{server}"
            );
        }
        for host in [
            "localhost",
            "shop.example.com/path",
            "-a.com",
            "a..com",
            "a_b.com",
            "shop.example.com:8443",
        ] {
            assert!(
                TunnelSpec::parse(&TunnelInput {
                    hostname: host.into(),
                    ..input("cloudflared-named")
                })
                .is_err(),
                "{host}"
            );
        }
    }

    #[test]
    fn found_urls_are_checked() {
        let spec = TunnelSpec::parse(&TunnelInput {
            command: "x".into(),
            pattern: r"at (\S+)".into(),
            ..input("custom")
        })
        .unwrap();
        // Only http(s) URLs with a host count; anything else in the output is ignored.
        assert_eq!(spec.finder().find("at javascript:alert(1)"), None);
        assert_eq!(spec.finder().find("at https://user:pw@host.example"), None);
        assert_eq!(
            spec.finder().find("at https://host.example/").as_deref(),
            Some("https://host.example")
        );
    }

    #[test]
    fn backoff_doubles_to_a_minute() {
        let secs: Vec<u64> = (0..9).map(|a| backoff(a).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
    }

    #[test]
    fn warnings_say_what_breaks() {
        let quick = TunnelSpec::parse(&input("cloudflared")).unwrap();
        let w = warnings(&quick, "https://a-b.trycloudflare.com", None);
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("emailed"));
        assert!(warnings(
            &quick,
            "https://a-b.trycloudflare.com",
            Some("https://shop.example.com")
        )
        .is_empty());
        let bore = TunnelSpec::parse(&TunnelInput {
            port: "4000".into(),
            ..input("bore")
        })
        .unwrap();
        let w = warnings(&bore, "http://bore.pub:4000", None);
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("plain http"));
        assert!(w[0].contains("share one checkout allowance"), "{}", w[0]);
        let ssh = TunnelSpec::parse(&input("ssh")).unwrap();
        let w = warnings(&ssh, "https://x.lhr.life", Some("https://shop.example.com"));
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("share one checkout allowance"), "{}", w[0]);
    }

    #[test]
    fn log_is_pruned() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE tunnel_log (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, kind TEXT NOT NULL, message TEXT NOT NULL);",
        )
        .unwrap();
        for i in 0..(LOG_KEEP + 20) {
            log(&conn, "exited", &format!("exit {i}")).unwrap();
        }
        let all = recent_log(&conn, 10_000).unwrap();
        assert_eq!(all.len() as i64, LOG_KEEP);
        assert_eq!(all[0].message, format!("exit {}", LOG_KEEP + 19));
        log(&conn, "x", &"é".repeat(5000)).unwrap();
        assert_eq!(
            recent_log(&conn, 1).unwrap()[0].message.chars().count(),
            2000
        );
    }
}
