//! Why a tunnel program stopped, in its own words. The last line a program prints is often
//! not the reason: a Rust program's error or panic ends in a backtrace ("10: _start"), and
//! a command-line error ends in "For more information, try '--help'.". `LastWords` reads
//! the output as it comes and keeps the line that says what went wrong, with its causes.

use super::strip_ansi;
use regex::Regex;
use std::sync::OnceLock;

/// Longest reason kept, in characters: enough for an error and its causes, short enough
/// for the status line and the incident log.
const MAX_CHARS: usize = 300;

#[derive(Debug, Default, Clone)]
pub struct LastWords {
    reason: Option<String>,
    section: Section,
}

/// Where in the output the previous line left us, so the next one can be read in context.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Section {
    #[default]
    Plain,
    /// After a line ending in ':' ("Caused by:", "…were not provided:"): indented lines
    /// are its details and join the reason.
    Details,
    /// After `thread '…' panicked at src/x.rs:1:2:`: the next line is the message.
    PanicMessage,
    /// After a panic's message: indented lines ("  left: 1") belong to it.
    PanicRest,
    /// A Rust backtrace (numbered frames, `at` lines) or a Go one (everything after
    /// "goroutine 1 [running]:").
    Backtrace,
    GoTrace,
}

impl LastWords {
    pub fn new() -> LastWords {
        LastWords::default()
    }

    /// The reason so far: the last meaningful line, or the error it belongs to.
    pub fn reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }

    /// Reads one line of the program's output.
    pub fn push(&mut self, line: &str) {
        let line = strip_ansi(line);
        let indented = line.starts_with([' ', '\t']);
        let text = line.trim();
        if text.is_empty() || self.section == Section::GoTrace || is_noise(text) {
            return;
        }
        if matches!(text, "stack backtrace:" | "Stack backtrace:") {
            self.section = Section::Backtrace;
            return;
        }
        if text.starts_with("goroutine ") && text.ends_with("]:") {
            self.section = Section::GoTrace;
            return;
        }
        if let Some(rest) = rust_panic(text) {
            // Since Rust 1.73 the message follows on the next line; before, it was quoted.
            match rest.strip_suffix(':') {
                Some(_) => self.section = Section::PanicMessage,
                None => {
                    let message = rest.strip_prefix('\'').and_then(|r| r.rsplit_once("', "));
                    self.set(format!("panicked: {}", message.map_or(rest, |m| m.0)));
                    self.section = Section::PanicRest;
                }
            }
            return;
        }
        match self.section {
            Section::Backtrace if is_frame(text) => return,
            Section::PanicRest if indented => return,
            Section::PanicMessage => {
                self.set(format!("panicked: {text}"));
                self.section = Section::PanicRest;
                return;
            }
            Section::Details if indented => {
                let detail = numbered(text).unwrap_or(text);
                let joined = match self.reason.take() {
                    Some(r) if r.ends_with(':') => format!("{r} {detail}"),
                    Some(r) => format!("{r}: {detail}"),
                    None => detail.to_string(),
                };
                self.set(joined);
                return;
            }
            _ => {}
        }
        if text == "Caused by:" {
            self.section = Section::Details;
            return;
        }
        // anyhow's "Error: …" and Go's "panic: …"; other lines stand as they are.
        let reason = match (text.strip_prefix("Error: "), text.strip_prefix("panic: ")) {
            (Some(e), _) => e.to_string(),
            (_, Some(p)) => format!("panicked: {p}"),
            _ => text.to_string(),
        };
        self.section = if text.starts_with("panic: ") {
            Section::PanicRest
        } else if text.ends_with(':') {
            Section::Details
        } else {
            Section::Plain
        };
        self.set(reason);
    }

    fn set(&mut self, reason: String) {
        self.reason = Some(reason.chars().take(MAX_CHARS).collect());
    }
}

/// Lines that never say what went wrong: hints about backtraces and `--help`, usage.
fn is_noise(text: &str) -> bool {
    (text.starts_with("note: ") && text.contains("RUST_BACKTRACE"))
        || text.starts_with("For more information, try")
        || text.starts_with("Usage: ")
        || text.starts_with("[signal ")
}

/// `thread 'main' (123) panicked at src/main.rs:1:2:` → what follows "panicked at ".
fn rust_panic(text: &str) -> Option<&str> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"^thread '[^']*'(?: \(\d+\))? panicked at (.*)$").expect("regex")
    });
    Some(re.captures(text)?.get(1)?.as_str())
}

/// A backtrace frame ("10: _start", "0:     0x55d4 - main") or its place ("at /rustc/…").
fn is_frame(text: &str) -> bool {
    numbered(text).is_some() || text.starts_with("at ")
}

/// "0: could not connect" → "could not connect" (anyhow numbers causes and frames alike).
fn numbered(text: &str) -> Option<&str> {
    let (n, rest) = text.split_once(": ")?;
    (!n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())).then(|| rest.trim_start())
}
