//! The command line each tunnel needs, the environment it runs with, and finding the
//! public URL in what it prints.

use super::*;

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

/// A program's full path: on PATH, or where installers put it even when a desktop
/// session's PATH doesn't say so (~/.cargo/bin, ~/.local/bin, /usr/local/bin, /snap/bin).
pub fn find_program(program: &str) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    if let Some(home) = std::env::var_os("HOME").map(PathBuf::from) {
        dirs.push(home.join(".cargo/bin"));
        dirs.push(home.join(".local/bin"));
    }
    dirs.extend(["/usr/local/bin", "/opt/homebrew/bin", "/snap/bin"].map(PathBuf::from));
    let dirs = std::env::join_paths(dirs).ok()?;
    // A path with a '/' is taken as it is (when it is an executable file).
    which::which_in(program, Some(dirs), "/").ok()
}

/// Splits a command line into words as a shell would ("…", '…', \), but no shell runs it.
pub(super) fn split_command(line: &str) -> Result<Vec<String>> {
    let bad = |m: &str| Error::invalid("command", m.to_string());
    if line.len() > 2000 || line.chars().any(|c| c.is_control() && c != '\t') {
        return Err(bad("a command is one line of at most 2000 characters"));
    }
    let words = shell_words::split(line).map_err(|_| bad("a quote is not closed"))?;
    match words.first() {
        None => Err(bad("type the command that opens the tunnel")),
        Some(p) if p.starts_with('-') => Err(bad("the command starts with the program's name")),
        Some(_) => Ok(words),
    }
}

/// The words as one line that `split_command` reads back the same.
pub(super) fn join_command(words: &[String]) -> String {
    shell_words::join(words)
}
