//! HTTP/1.1 written by hand over a fresh connection, and the whole answer read back: for
//! requests no client library would send, and to see exactly what a server answers.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// An answer as it came: status 0 when there was none (nothing listened, or the
/// connection ended before a status line).
#[derive(Debug, Clone, Default)]
pub struct RawResponse {
    pub status: u16,
    /// The status line and the headers, up to and with the blank line.
    pub head: String,
    /// The body, de-chunked if it came chunked.
    pub body: Vec<u8>,
}

impl RawResponse {
    /// Whether the server answered at all.
    pub fn answered(&self) -> bool {
        self.status != 0
    }

    /// A header's value (the first of that name, any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends `request` as written and reads until the server closes the connection (so the
/// request should say `Connection: close`), waiting at most `timeout` for each read.
pub fn send(addr: SocketAddr, request: &[u8], timeout: Duration) -> RawResponse {
    let Ok(mut s) = TcpStream::connect(addr) else {
        return RawResponse::default();
    };
    s.set_read_timeout(Some(timeout)).unwrap();
    if s.write_all(request).is_err() {
        return RawResponse::default();
    }
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    parse(&buf)
}

/// `GET {path}` with this Host, then `extra` header lines (each ending in `\r\n`), and
/// `Connection: close`.
pub fn get(host: &str, path: &str, extra: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n{extra}Connection: close\r\n\r\n")
}

/// `POST {path}` of a form body with this Host and `extra` header lines, and
/// `Connection: close`.
pub fn post_form(host: &str, path: &str, extra: &str, body: &str) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\n{extra}\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
}

fn parse(buf: &[u8]) -> RawResponse {
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(buf.len(), |i| i + 4);
    let head = String::from_utf8_lossy(&buf[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut body = buf[split..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    RawResponse { status, head, body }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = b.windows(2).position(|w| w == b"\r\n") {
        let len = usize::from_str_radix(String::from_utf8_lossy(&b[..eol]).trim(), 16).unwrap_or(0);
        if len == 0 || b.len() < eol + 2 + len {
            break;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + len]);
        b = &b[(eol + 4 + len).min(b.len())..];
    }
    out
}
