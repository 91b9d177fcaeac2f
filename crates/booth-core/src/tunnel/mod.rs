//! Tunnels: how a shop listening on loopback gets a public address. A tunnel is a program
//! (bore, cloudflared, ngrok, ssh, or one the seller names) that Booth starts and whose
//! output names the public URL. This module is the pure part: the presets, the command
//! line each needs, finding the URL in its output, backoff, and the incident log.
//! Starting and watching the process is an adapter's job (tokio::process in `booth serve`,
//! tauri-plugin-shell in the desktop app), through `booth_runtime::tunnel`.

mod command;
mod log;
mod reason;
mod status;
#[cfg(test)]
mod tests;

pub use command::{find_program, TunnelCommand, UrlFinder};
use command::{join_command, split_command};
pub use log::{log, recent_log, LogEntry};
pub use reason::LastWords;
pub use status::{warnings, Health, TunnelState, TunnelStatus};

use crate::error::{Error, Problems, Result};
use crate::secrets::{self, Secret};
use regex::Regex;
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// The programs Booth may start for a tunnel (a custom command names its own).
pub const PROGRAMS: &[&str] = &["bore", "cloudflared", "ngrok", "ssh"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
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

    /// Does the address change on every start, unless `stable_with` is filled in? A
    /// custom command's is unknown; a changed address is noticed and logged when it happens.
    pub fn changes_address(self) -> bool {
        matches!(
            self,
            Provider::Bore | Provider::Cloudflared | Provider::Ngrok | Provider::Ssh
        )
    }

    /// The form field that, filled in, keeps the address the same on every start (bore's
    /// fixed port, an ngrok domain).
    pub fn stable_with(self) -> Option<&'static str> {
        match self {
            Provider::Bore => Some("port"),
            Provider::Ngrok => Some("hostname"),
            _ => None,
        }
    }

    /// Does it need a token (kept with the other secrets)?
    pub fn needs_token(self) -> bool {
        self == Provider::CloudflaredNamed
    }

    /// A named tunnel runs with its token: one typed now (`token`, as `parse_token` read
    /// it) or, when the field was left alone, the saved one (`saved`).
    pub fn check_token(self, token: &Option<Option<Secret>>, saved: bool) -> Result<()> {
        let has = match token {
            Some(t) => t.is_some(),
            None => saved,
        };
        if self.needs_token() && !has {
            return Err(Error::invalid("token", NAMED_TOKEN_HELP));
        }
        Ok(())
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
#[cfg_attr(feature = "bindings", derive(specta::Type))]
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

impl TunnelSpec {
    /// Parses what the seller typed, once; each mistake is refused on its field (the first).
    pub fn parse(input: &TunnelInput) -> Result<TunnelSpec> {
        TunnelSpec::check(input).map_err(Problems::first)
    }

    /// Every mistake in the form at once (the window shows each beside its field).
    pub fn check(input: &TunnelInput) -> Result<TunnelSpec, Problems> {
        let mut p = Problems::default();
        let Some(provider) = p.take(Provider::parse(&input.provider)) else {
            return Err(p);
        };
        let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let port = p.take(match text(&input.port) {
            None => Ok(None),
            Some(port) => port
                .parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .map(Some)
                .ok_or_else(|| Error::invalid("port", "a port is a number from 1 to 65535")),
        });
        let mut spec = TunnelSpec {
            provider,
            server: None,
            port: None,
            hostname: None,
            command: Vec::new(),
            pattern: None,
        };
        // A field with a mistake is left out: the spec is only returned without mistakes.
        match provider {
            Provider::Bore => {
                let server = text(&input.server);
                let server = server.as_deref().unwrap_or(DEFAULT_BORE_SERVER);
                spec.server = p.take(check_host(server, false));
                spec.port = port.flatten();
            }
            Provider::Cloudflared => {}
            Provider::CloudflaredNamed => {
                spec.hostname = p.take(check_hostname(&input.hostname, true));
            }
            Provider::Ngrok => {
                let hostname = text(&input.hostname).map(|h| check_hostname(&h, false));
                spec.hostname = p.take(hostname.transpose()).flatten();
            }
            Provider::Ssh => {
                let server = text(&input.server);
                let server = server.as_deref().unwrap_or(DEFAULT_SSH_SERVER);
                spec.server = p.take(check_host(server, true));
                spec.port = port.flatten();
                let pattern = text(&input.pattern).map(|p| check_pattern(&p));
                spec.pattern = p.take(pattern.transpose()).flatten();
            }
            Provider::Custom => {
                spec.command = p.take(split_command(&input.command)).unwrap_or_default();
                spec.pattern = p.take(check_pattern(input.pattern.trim()).map_err(|e| {
                    if input.pattern.trim().is_empty() {
                        Error::invalid(
                            "pattern",
                            "say how to find the public URL in the command's output, e.g. https://\\S+",
                        )
                    } else {
                        e
                    }
                }));
            }
        }
        p.finish(|| Some(spec))
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
        let stable = match self.provider.stable_with() {
            Some("port") => self.port.is_some(),
            Some("hostname") => self.hostname.is_some(),
            _ => false,
        };
        self.provider.changes_address() && !stable
    }

    /// Does the provider need a token (kept with the other secrets)?
    pub fn needs_token(&self) -> bool {
        self.provider.needs_token()
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

/// The token field as the form sends it: None keeps the saved token, "" removes it,
/// anything else is checked.
pub fn parse_token(token: Option<&str>) -> Result<Option<Option<Secret>>> {
    token
        .map(|t| match t.trim() {
            "" => Ok(None),
            t => secrets::check("token", t, &[]).map(Some),
        })
        .transpose()
}

/// Every mistake the tunnel form shows: its fields', and a named tunnel without its token
/// (`saved`: one is saved, for a token field left alone).
pub fn check_form(input: &TunnelInput, token: Option<&str>, saved: bool) -> Problems {
    let mut p = TunnelSpec::check(input).err().unwrap_or_default();
    // Known from the provider alone, so said beside another field's mistake too.
    if let Ok(provider) = Provider::parse(&input.provider) {
        if let Some(token) = p.take(parse_token(token)) {
            p.take(provider.check_token(&token, saved));
        }
    }
    p
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
