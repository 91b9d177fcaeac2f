//! The SMTP server (aiosmtpd) against a raw client and against lettre.

use std::time::Duration;

use booth_testkit::{SmtpMode, SmtpServer};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

// ---------------------------------------------------------------------------------------
// A raw SMTP client, so the server is tested without trusting any SMTP library.

struct RawSmtp {
    reader: BufReader<tokio::net::tcp::OwnedReadHalf>,
    writer: tokio::net::tcp::OwnedWriteHalf,
}

impl RawSmtp {
    async fn connect(port: u16) -> RawSmtp {
        let stream = TcpStream::connect(("127.0.0.1", port))
            .await
            .expect("connect to SMTP server");
        let (r, w) = stream.into_split();
        let mut smtp = RawSmtp {
            reader: BufReader::new(r),
            writer: w,
        };
        let banner = smtp.reply().await;
        assert!(banner.starts_with("220"), "banner: {banner}");
        smtp
    }

    /// One reply, multi-line ones joined; the code is its first 3 chars.
    async fn reply(&mut self) -> String {
        let mut all = String::new();
        loop {
            let mut line = String::new();
            let n = tokio::time::timeout(Duration::from_secs(10), self.reader.read_line(&mut line))
                .await
                .expect("SMTP reply in time")
                .expect("read SMTP reply");
            assert!(n > 0, "SMTP server closed the connection; so far: {all}");
            all.push_str(&line);
            // "250-..." continues, "250 ..." ends.
            if line.as_bytes().get(3) != Some(&b'-') {
                return all;
            }
        }
    }

    async fn cmd(&mut self, line: &str) -> String {
        self.writer
            .write_all(format!("{line}\r\n").as_bytes())
            .await
            .expect("write SMTP command");
        self.reply().await
    }

    /// Sends `data` (CRLF lines, no terminating dot) after DATA's 354; returns the final reply.
    async fn data(&mut self, data: &str) -> String {
        let go = self.cmd("DATA").await;
        assert!(go.starts_with("354"), "DATA: {go}");
        // Dot-stuffing, as RFC 5321 4.5.2 requires of a client.
        let body: String = data
            .split("\r\n")
            .map(|l| {
                if l.starts_with('.') {
                    format!(".{l}\r\n")
                } else {
                    format!("{l}\r\n")
                }
            })
            .collect();
        self.writer
            .write_all(format!("{body}.\r\n").as_bytes())
            .await
            .expect("write DATA");
        self.reply().await
    }
}

/// A whole transaction that the server should accept.
async fn send_ok(port: u16, from: &str, to: &[&str], data: &str) {
    let mut smtp = RawSmtp::connect(port).await;
    let ehlo = smtp.cmd("EHLO kit.test").await;
    assert!(ehlo.starts_with("250"), "EHLO: {ehlo}");
    let r = smtp.cmd(&format!("MAIL FROM:<{from}>")).await;
    assert!(r.starts_with("250"), "MAIL: {r}");
    for rcpt in to {
        let r = smtp.cmd(&format!("RCPT TO:<{rcpt}>")).await;
        assert!(r.starts_with("250"), "RCPT: {r}");
    }
    let r = smtp.data(data).await;
    assert!(r.starts_with("250"), "end of DATA: {r}");
    smtp.cmd("QUIT").await;
}

fn simple_message(subject: &str) -> String {
    format!(
        "From: shop@booth.test\r\nTo: buyer@example.test\r\nSubject: {subject}\r\n\
         Message-ID: <{subject}@booth.test>\r\n\r\nHello.\r\n"
    )
}

/// Lets a message that wrongly got through reach the disk before we look.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(300)).await;
}

// ---------------------------------------------------------------------------------------
// SMTP

#[tokio::test]
async fn smtp_receives_multipart_and_decodes_it() {
    let smtp = SmtpServer::start();
    assert_eq!(smtp.url(), format!("smtp://127.0.0.1:{}", smtp.port()));
    assert!(smtp.messages().is_empty());

    // text part quoted-printable ("Grüße, ☕" + soft line break), html part base64,
    // subject an RFC 2047 word: all must come back decoded.
    let html = "<p>Your <b>receipt</b> for &quot;Ebook&quot;</p>";
    let html_b64 = "PHA+WW91ciA8Yj5yZWNlaXB0PC9iPiBmb3IgJnF1b3Q7RWJvb2smcXVvdDs8L3A+";
    let data = format!(
        "From: Booth <shop@booth.test>\r\n\
         To: buyer@example.test\r\n\
         Subject: =?UTF-8?Q?Your_receipt_=E2=80=94_Gr=C3=BC=C3=9Fe?=\r\n\
         Message-ID: <kit-1@booth.test>\r\n\
         X-Booth-Order:\r\n  ord_123\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/alternative; boundary=\"b1\"\r\n\
         \r\n\
         --b1\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: quoted-printable\r\n\
         \r\n\
         Gr=C3=BC=C3=9Fe, =E2=98=95 this line is soft=\r\n\
         -wrapped.\r\n\
         .leading dot survives\r\n\
         --b1\r\n\
         Content-Type: text/html; charset=utf-8\r\n\
         Content-Transfer-Encoding: base64\r\n\
         \r\n\
         {html_b64}\r\n\
         --b1--"
    );
    send_ok(
        smtp.port(),
        "shop@booth.test",
        &["buyer@example.test", "bcc@example.test"],
        &data,
    )
    .await;

    let got = smtp.wait_for_messages(1, Duration::from_secs(5)).await;
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert_eq!(m.from, "shop@booth.test");
    assert_eq!(m.to, vec!["buyer@example.test", "bcc@example.test"]);
    assert_eq!(m.subject, "Your receipt — Grüße");
    let text = m.text.as_deref().expect("text part");
    assert!(
        text.contains("Grüße, ☕ this line is soft-wrapped."),
        "text: {text:?}"
    );
    assert!(text.contains("\n.leading dot survives"), "text: {text:?}");
    assert_eq!(m.html.as_deref(), Some(html));
    assert_eq!(m.header("message-id"), Some("<kit-1@booth.test>"));
    assert_eq!(m.header("X-Booth-Order"), Some("ord_123"), "unfolded");
    assert!(m.raw.contains(html_b64), "raw is the wire form");
}

#[tokio::test]
async fn smtp_accepts_smtputf8_and_8bitmime() {
    let smtp = SmtpServer::start();
    let mut c = RawSmtp::connect(smtp.port()).await;
    let ehlo = c.cmd("EHLO kit.test").await;
    for ext in ["8BITMIME", "SMTPUTF8", "SIZE 10485760"] {
        assert!(ehlo.contains(ext), "EHLO lacks {ext}: {ehlo}");
    }
    let r = c
        .cmd("MAIL FROM:<shöp@booth.test> SMTPUTF8 BODY=8BITMIME")
        .await;
    assert!(r.starts_with("250"), "MAIL: {r}");
    let r = c.cmd("RCPT TO:<käufer@example.test>").await;
    assert!(r.starts_with("250"), "RCPT: {r}");
    let r = c
        .data(
            "From: shöp@booth.test\r\nTo: käufer@example.test\r\nSubject: Quittung für dich\r\n\
             MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\
             Content-Transfer-Encoding: 8bit\r\n\r\nDanke schön!",
        )
        .await;
    assert!(r.starts_with("250"), "DATA: {r}");
    // Over the size limit is refused up front.
    let r = c.cmd("MAIL FROM:<a@b.test> SIZE=20000000").await;
    assert!(r.starts_with("552"), "oversize MAIL: {r}");
    c.cmd("QUIT").await;

    let got = smtp.wait_for_messages(1, Duration::from_secs(5)).await;
    assert_eq!(got[0].from, "shöp@booth.test");
    assert_eq!(got[0].to, vec!["käufer@example.test"]);
    assert_eq!(got[0].subject, "Quittung für dich");
    assert_eq!(got[0].text.as_deref().map(str::trim), Some("Danke schön!"));
    assert_eq!(got[0].html, None, "no html part: none is made up");
}

#[tokio::test]
async fn smtp_works_with_lettre() {
    use lettre::message::{header::ContentType, MultiPart, SinglePart};
    use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

    let smtp = SmtpServer::start();
    let mailer = AsyncSmtpTransport::<Tokio1Executor>::from_url(&smtp.url())
        .expect("lettre accepts the URL")
        .build();
    let msg = Message::builder()
        .from("Booth <shop@booth.test>".parse().unwrap())
        .to("Zoë <zoe@example.test>".parse().unwrap())
        .subject("Your download: «Ünïcode» ✓")
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body("Link: https://booth.test/d/abc — danke!".to_string()),
                )
                .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(
                    "<a href=\"https://booth.test/d/abc\">Download</a> — danke!".to_string(),
                )),
        )
        .unwrap();
    mailer.send(msg).await.expect("lettre delivers");

    let got = smtp.wait_for_messages(1, Duration::from_secs(5)).await;
    let m = &got[0];
    assert_eq!(m.from, "shop@booth.test");
    assert_eq!(m.to, vec!["zoe@example.test"]);
    assert_eq!(m.subject, "Your download: «Ünïcode» ✓");
    assert_eq!(
        m.text.as_deref().map(str::trim),
        Some("Link: https://booth.test/d/abc — danke!")
    );
    assert!(
        m.html.as_deref().unwrap().contains("Download</a> — danke!"),
        "html: {:?}",
        m.html
    );

    // lettre sees the refusals as what they are: transient vs permanent.
    smtp.set_mode(SmtpMode::TempFail);
    let again = || {
        Message::builder()
            .from("shop@booth.test".parse().unwrap())
            .to("zoe@example.test".parse().unwrap())
            .subject("again")
            .body("x".to_string())
            .unwrap()
    };
    let err = mailer.send(again()).await.expect_err("451 is an error");
    assert!(err.is_transient(), "451 should be transient: {err}");
    smtp.set_mode(SmtpMode::PermFail);
    let err = mailer.send(again()).await.expect_err("550 is an error");
    assert!(err.is_permanent(), "550 should be permanent: {err}");
    settle().await;
    assert_eq!(smtp.messages().len(), 1);
}

#[tokio::test]
async fn smtp_tempfail_answers_451_and_stores_nothing() {
    let smtp = SmtpServer::start();
    smtp.set_mode(SmtpMode::TempFail);
    let mut c = RawSmtp::connect(smtp.port()).await;
    c.cmd("EHLO kit.test").await;
    let r = c.cmd("MAIL FROM:<shop@booth.test>").await;
    assert!(r.starts_with("250"), "MAIL: {r}");
    let r = c.cmd("RCPT TO:<buyer@example.test>").await;
    assert_eq!(r.trim_end(), "451 4.3.0 Try again later");

    // The mode is read at run time: switching back mid-connection accepts the next try,
    // and a switch between RCPT and DATA fails the DATA.
    smtp.set_mode(SmtpMode::Accept);
    let r = c.cmd("RCPT TO:<buyer@example.test>").await;
    assert!(r.starts_with("250"), "RCPT after switch: {r}");
    smtp.set_mode(SmtpMode::TempFail);
    let r = c.data(&simple_message("tempfail")).await;
    assert_eq!(r.trim_end(), "451 4.3.0 Try again later");
    c.cmd("QUIT").await;

    settle().await;
    assert!(smtp.messages().is_empty(), "nothing stored on 451");

    smtp.set_mode(SmtpMode::Accept);
    send_ok(
        smtp.port(),
        "shop@booth.test",
        &["buyer@example.test"],
        &simple_message("retry"),
    )
    .await;
    let got = smtp.wait_for_messages(1, Duration::from_secs(5)).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].subject, "retry");
}

#[tokio::test]
async fn smtp_permfail_answers_550() {
    let smtp = SmtpServer::start();
    smtp.set_mode(SmtpMode::PermFail);
    let mut c = RawSmtp::connect(smtp.port()).await;
    c.cmd("EHLO kit.test").await;
    c.cmd("MAIL FROM:<shop@booth.test>").await;
    let r = c.cmd("RCPT TO:<buyer@example.test>").await;
    assert_eq!(r.trim_end(), "550 5.1.1 Mailbox unavailable");
    // No accepted recipient: DATA must not go through.
    let r = c.cmd("DATA").await;
    assert!(r.starts_with("503"), "DATA without recipient: {r}");
    c.cmd("QUIT").await;
    settle().await;
    assert!(smtp.messages().is_empty());
}

#[tokio::test]
async fn smtp_stop_refuses_and_restart_keeps_messages() {
    let mut smtp = SmtpServer::start();
    let port = smtp.port();
    send_ok(
        port,
        "a@booth.test",
        &["x@example.test"],
        &simple_message("first"),
    )
    .await;
    smtp.wait_for_messages(1, Duration::from_secs(5)).await;

    smtp.stop();
    let err = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect_err("SMTP down: connection must fail");
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused);
    assert_eq!(smtp.messages().len(), 1, "stored mail outlives the server");

    smtp.restart();
    assert_eq!(smtp.port(), port, "same port after restart");
    send_ok(
        port,
        "b@booth.test",
        &["y@example.test"],
        &simple_message("second"),
    )
    .await;
    let got = smtp.wait_for_messages(2, Duration::from_secs(5)).await;
    let subjects: Vec<&str> = got.iter().map(|m| m.subject.as_str()).collect();
    assert_eq!(
        subjects,
        ["first", "second"],
        "arrival order across a restart"
    );

    // Restarting an already running server works too (stop is implied).
    smtp.restart();
    let mut c = RawSmtp::connect(port).await;
    c.cmd("QUIT").await;
}

#[tokio::test]
#[should_panic(expected = "got 1 message(s)")]
async fn smtp_wait_for_messages_panics_with_what_it_got() {
    let smtp = SmtpServer::start();
    send_ok(
        smtp.port(),
        "a@booth.test",
        &["x@example.test"],
        &simple_message("only"),
    )
    .await;
    smtp.wait_for_messages(2, Duration::from_millis(500)).await;
}

#[test]
fn smtp_server_exits_cleanly_on_sigterm() {
    use std::process::Command;

    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/smtp_server.py");
    let mut child = Command::new("python3")
        .args([script, "--port", &port.to_string(), "--dir"])
        .arg(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run smtp_server.py");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if std::time::Instant::now() >= deadline {
            let _ = child.kill();
            panic!("server never listened: {:?}", child.wait_with_output());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    // Its listening sockets, checked after it is gone so a failure leaves no process behind
    // (`ss` is iproute2, which .ci/run installs).
    let listing = Command::new("ss")
        .args(["-Hltn", &format!("sport = :{port}")])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .expect("`ss` (apt-get install iproute2) lists the server's sockets");
    // Signalled through python3 (already required) rather than relying on a `kill` binary.
    let signalled = Command::new("python3")
        .args([
            "-c",
            &format!("import os, signal; os.kill({}, signal.SIGTERM)", child.id()),
        ])
        .status()
        .expect("send SIGTERM");
    if !signalled.success() {
        let _ = child.kill();
        panic!("could not send SIGTERM");
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "exit on SIGTERM: {:?}", out.status);
    assert!(
        out.stdout.is_empty(),
        "stdout: {:?}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        out.stderr.is_empty(),
        "stderr: {:?}",
        String::from_utf8_lossy(&out.stderr)
    );
    {
        // Column 4 is the local address: exactly one listener, on loopback.
        let locals: Vec<&str> = listing
            .lines()
            .filter_map(|l| l.split_whitespace().nth(3))
            .collect();
        assert_eq!(
            locals,
            [format!("127.0.0.1:{port}")],
            "binds loopback only: {listing}"
        );
    }
}
