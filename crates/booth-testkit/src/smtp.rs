//! A real SMTP server for tests: `smtp_server.py` (aiosmtpd) in a child process.
//!
//! Messages land as files in a temp dir, so reading them needs no protocol of our own,
//! and the server can be stopped and restarted on the same port without losing them.
//! For benchmarks, [`SmtpServer::start_discarding`] runs it counting messages instead.

use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long `start`/`restart` wait for the 220 banner.
const READY_TIMEOUT: Duration = Duration::from_secs(10);

const INSTALL_HINT: &str = "booth-testkit needs python3 with aiosmtpd for its real SMTP server: \
     `python3 -m pip install aiosmtpd` (for Debian's own python3: `apt-get install python3-aiosmtpd`)";

/// A running aiosmtpd on 127.0.0.1; the child is killed on drop.
pub struct SmtpServer {
    port: u16,
    child: Option<Child>,
    /// Messages, sidecars and the `mode` file.
    mail_dir: PathBuf,
    /// Kept for its lifetime: removes everything on drop.
    tmp: tempfile::TempDir,
    /// Started with `--discard`: messages are counted, not stored.
    discard: bool,
}

/// One message as the server received it, decoded.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    /// Envelope sender (MAIL FROM).
    pub from: String,
    /// Envelope recipients (RCPT TO).
    pub to: Vec<String>,
    /// The message as received (lossy UTF-8).
    pub raw: String,
    /// Decoded (RFC 2047) subject; empty if none.
    pub subject: String,
    /// The first text/plain body part, decoded; `None` if the message has none.
    pub text: Option<String>,
    /// The first text/html body part, decoded; `None` if the message has none.
    pub html: Option<String>,
    /// Top-level headers in order: name as written, value raw (unfolded, trimmed).
    pub headers: Vec<(String, String)>,
}

impl ReceivedMail {
    /// The first header with this name (case-insensitive), raw.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the server answers to RCPT and DATA; switchable while it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpMode {
    /// 250.
    Accept,
    /// `451 4.3.0 Try again later`.
    TempFail,
    /// `550 5.1.1 Mailbox unavailable`.
    PermFail,
}

impl SmtpServer {
    /// Starts a server on a free loopback port with a fresh temp dir; panics if it can't.
    pub fn start() -> SmtpServer {
        SmtpServer::start_with(false)
    }

    /// Starts a server that accepts mail like [`SmtpServer::start`] but stores none of it,
    /// only counting it (see [`SmtpServer::received_count`]): a sink for benchmarks, so the
    /// server's own disk writes don't skew what is measured. [`SmtpServer::messages`] is
    /// always empty for it; [`SmtpServer::set_mode`] works as usual.
    pub fn start_discarding() -> SmtpServer {
        SmtpServer::start_with(true)
    }

    fn start_with(discard: bool) -> SmtpServer {
        let tmp = tempfile::Builder::new()
            .prefix("booth-smtp-")
            .tempdir()
            .expect("create temp dir for the SMTP server");
        let mail_dir = tmp.path().join("mail");
        std::fs::create_dir_all(&mail_dir).expect("create mail dir");
        let mut server = SmtpServer {
            port: free_port(),
            child: None,
            mail_dir,
            tmp,
            discard,
        };
        server.spawn();
        server
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// lettre's URL form; plain SMTP since it is loopback only.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Where messages are stored (`<seq>.eml` + `<seq>.json`).
    pub fn dir(&self) -> &Path {
        &self.mail_dir
    }

    /// The server's process id while it runs (e.g. to read its /proc/<pid>/status).
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// How many messages the server accepted so far. A discarding server writes its count
    /// every 100 messages and about 50 ms after the last one, so poll for a final figure;
    /// a storing server's count is its stored messages.
    pub fn received_count(&self) -> usize {
        if !self.discard {
            return std::fs::read_dir(&self.mail_dir)
                .expect("read mail dir")
                .filter(|e| {
                    e.as_ref()
                        .is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".eml"))
                })
                .count();
        }
        match std::fs::read_to_string(self.mail_dir.join("count")) {
            Ok(s) => s
                .trim()
                .parse()
                .unwrap_or_else(|e| panic!("SMTP server wrote a bad count {s:?}: {e}")),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
            Err(e) => panic!("read the SMTP server's count: {e}"),
        }
    }

    /// Kills the server and waits for it: connections to the port are now refused.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts again on the same port and dir; messages received so far are kept.
    pub fn restart(&mut self) {
        self.stop();
        self.spawn();
    }

    pub fn set_mode(&self, mode: SmtpMode) {
        let word = match mode {
            SmtpMode::Accept => "accept",
            SmtpMode::TempFail => "tempfail",
            SmtpMode::PermFail => "permfail",
        };
        // tmp + rename: the server reads the file on every command and must never see it half-written.
        let tmp = self.mail_dir.join("mode.tmp");
        std::fs::write(&tmp, word).expect("write SMTP mode");
        std::fs::rename(&tmp, self.mail_dir.join("mode")).expect("switch SMTP mode");
    }

    /// All messages received so far, in arrival order.
    pub fn messages(&self) -> Vec<ReceivedMail> {
        let mut seqs: Vec<u64> = std::fs::read_dir(&self.mail_dir)
            .expect("read mail dir")
            .filter_map(|e| {
                let name = e.ok()?.file_name().into_string().ok()?;
                name.strip_suffix(".eml")?.parse().ok()
            })
            .collect();
        seqs.sort_unstable();
        seqs.into_iter().map(|seq| self.read_message(seq)).collect()
    }

    /// Polls until at least `n` messages arrived; panics with what it got on timeout.
    pub async fn wait_for_messages(&self, n: usize, timeout: Duration) -> Vec<ReceivedMail> {
        let deadline = Instant::now() + timeout;
        loop {
            let got = self.messages();
            if got.len() >= n {
                return got;
            }
            if Instant::now() >= deadline {
                let summary: Vec<String> = got
                    .iter()
                    .map(|m| format!("from {} to {:?}: {:?}", m.from, m.to, m.subject))
                    .collect();
                panic!(
                    "SMTP server on port {} got {} message(s) within {:?}, wanted {n}: {summary:#?}",
                    self.port,
                    got.len(),
                    timeout
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn read_message(&self, seq: u64) -> ReceivedMail {
        let eml = self.mail_dir.join(format!("{seq}.eml"));
        let bytes = std::fs::read(&eml).unwrap_or_else(|e| panic!("read {}: {e}", eml.display()));
        let sidecar = self.mail_dir.join(format!("{seq}.json"));
        let meta: serde_json::Value = serde_json::from_slice(
            &std::fs::read(&sidecar).unwrap_or_else(|e| panic!("read {}: {e}", sidecar.display())),
        )
        .expect("parse SMTP sidecar");
        let from = meta["mail_from"].as_str().unwrap_or_default().to_string();
        let to = meta["rcpt_tos"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        decode(from, to, &bytes)
    }

    fn spawn(&mut self) {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("smtp_server.py");
        // The server is quiet; whatever it prints is kept for the panic message.
        let log_path = self.tmp.path().join("server.log");
        let log = std::fs::File::create(&log_path).expect("create SMTP server log");
        let child = Command::new("python3")
            .arg(&script)
            .arg("--port")
            .arg(self.port.to_string())
            .arg("--dir")
            .arg(&self.mail_dir)
            .args(self.discard.then_some("--discard"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("clone log handle"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("could not run python3 ({e}). {INSTALL_HINT}"));
        self.child = Some(child);
        self.wait_ready(&log_path);
    }

    /// Ready means: it accepts a TCP connection and sends its 220 banner.
    fn wait_ready(&mut self, log_path: &Path) {
        let deadline = Instant::now() + READY_TIMEOUT;
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        loop {
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                self.child = None;
                let log = std::fs::read_to_string(log_path).unwrap_or_default();
                panic!(
                    "SMTP server (smtp_server.py) exited with {status} before answering on port {}.\n{}\n{INSTALL_HINT}",
                    self.port,
                    log.trim()
                );
            }
            if let Ok(stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                let mut banner = String::new();
                if BufReader::new(stream).read_line(&mut banner).is_ok()
                    && banner.starts_with("220")
                {
                    return;
                }
            }
            if Instant::now() >= deadline {
                self.stop();
                let log = std::fs::read_to_string(log_path).unwrap_or_default();
                panic!(
                    "SMTP server did not answer on port {} within {READY_TIMEOUT:?}.\n{}\n{INSTALL_HINT}",
                    self.port,
                    log.trim()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A port that was free a moment ago on 127.0.0.1, for a server a test is about to start.
///
/// It comes from below Linux's ephemeral range (32768–60999): a port the kernel handed out
/// for `:0` could meanwhile become the source port of any outgoing connection (a test
/// downloading a thousand times at once makes many), taking it before the server binds it.
/// No two tests get the same port, even from different processes (nextest runs each test
/// in its own): a port is taken by locking its file in the temp dir, and the lock is held
/// until this process ends.
pub fn free_port() -> u16 {
    static HELD: std::sync::Mutex<Vec<std::fs::File>> = std::sync::Mutex::new(Vec::new());
    let dir = std::env::temp_dir().join("booth-test-ports");
    std::fs::create_dir_all(&dir).expect("the test ports' lock dir");
    for _ in 0..1000 {
        let port = rand::random_range(20_000..32_000);
        let Ok(file) = std::fs::File::create(dir.join(port.to_string())) else {
            continue;
        };
        if file.try_lock().is_ok() && TcpListener::bind((Ipv4Addr::LOCALHOST, port)).is_ok() {
            HELD.lock().unwrap_or_else(|e| e.into_inner()).push(file);
            return port;
        }
    }
    panic!("no free loopback port between 20000 and 32000");
}

fn decode(from: String, to: Vec<String>, bytes: &[u8]) -> ReceivedMail {
    use mail_parser::{MessageParser, PartType};

    let raw = String::from_utf8_lossy(bytes).into_owned();
    let Some(msg) = MessageParser::default().parse(bytes) else {
        // Not parseable as MIME: keep what we have so the test can show it.
        return ReceivedMail {
            from,
            to,
            raw,
            subject: String::new(),
            text: None,
            html: None,
            headers: Vec::new(),
        };
    };
    // Only genuine parts: mail-parser would otherwise synthesise text from HTML and back.
    let text = msg.text_part(0).and_then(|p| match &p.body {
        PartType::Text(t) => Some(t.to_string()),
        _ => None,
    });
    let html = msg.html_part(0).and_then(|p| match &p.body {
        PartType::Html(h) => Some(h.to_string()),
        _ => None,
    });
    let headers = msg
        .headers_raw()
        .map(|(name, value)| (name.to_string(), unfold(value)))
        .collect();
    ReceivedMail {
        from,
        to,
        subject: msg.subject().unwrap_or_default().to_string(),
        text,
        html,
        headers,
        raw,
    }
}

fn unfold(value: &str) -> String {
    value
        .split(['\r', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
