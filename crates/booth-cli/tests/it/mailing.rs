//! `booth send-update` and `booth mailings`, black-box, against a real SMTP server: each
//! buyer gets one update, even when the sender is killed with SIGKILL at random moments.

use crate::common::*;
use booth_testkit::rng::{self, Rng};
use booth_testkit::{ReceivedMail, SmtpServer};
use std::collections::HashMap;
use std::process::Command;
use std::time::Duration;

fn updates(mail: &[ReceivedMail]) -> Vec<&ReceivedMail> {
    mail.iter()
        .filter(|m| m.header("X-Booth-Kind") == Some("update"))
        .collect()
}

fn with_smtp(shop: &Shop, smtp: &SmtpServer) -> Command {
    let mut c = shop.cmd();
    c.env("BOOTH_SMTP_URL", smtp.url());
    c
}

#[test]
fn send_update_mails_every_buyer_once_and_lists_the_mailing() {
    let shop = Shop::new();
    let smtp = SmtpServer::start();
    shop.add("book", "5.00");
    for who in ["a@example.com", "b@example.com", "c@example.com"] {
        ok_cmd(
            with_smtp(&shop, &smtp),
            &["grant", "--product", "book", "--email", who],
        );
    }
    let v2 = shop.file("book-v2.pdf", b"%PDF v2");
    shop.ok(&["product", "new-version", "book", "--file", "book.pdf", &v2]);
    let msg = shop.file("changes.txt", b"Chapter 12 is new.\n\nThanks for reading!");

    let dry = shop.ok(&[
        "send-update",
        "--product",
        "book",
        "--message",
        &msg,
        "--dry-run",
    ]);
    assert!(dry.contains("Would email 3 buyer(s)"), "{dry}");
    assert!(dry.contains("Chapter 12 is new."), "{dry}");
    assert!(
        shop.ok(&["mailings"]).contains("No mailings yet"),
        "a dry run queues nothing"
    );

    let out = ok_cmd(
        with_smtp(&shop, &smtp),
        &[
            "send-update",
            "--product",
            "book",
            "--message",
            &msg,
            "--subject",
            "Version 2!",
            "--rate",
            "0",
        ],
    );
    assert!(out.contains("Mailing #1 queued for 3 buyer(s)"), "{out}");
    assert!(out.contains("3 sent, 0 failed, 0 pending"), "{out}");
    let mail = smtp.wait_for_messages(6, Duration::from_secs(20));
    let mail = tokio::runtime::Runtime::new().unwrap().block_on(mail);
    let ups = updates(&mail);
    assert_eq!(ups.len(), 3);
    assert!(ups
        .iter()
        .all(|m| m.subject == "Version 2!"
            && m.text.as_deref().unwrap().contains("Chapter 12 is new.")));

    let list = shop.ok(&["mailings"]);
    assert!(
        list.contains("#1") && list.contains("book") && list.contains("done"),
        "{list}"
    );
    let json = shop.json(&["mailings", "--json"]);
    assert_eq!(json[0]["sent"], 3);
    assert_eq!(json[0]["recipients"], 3);
    let show = shop.ok(&["mailings", "show", "1"]);
    assert!(show.contains("Version 2!"), "{show}");
    // Resuming a finished mailing sends nothing more.
    ok_cmd(with_smtp(&shop, &smtp), &["mailings", "resume", "1"]);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(updates(&smtp.messages()).len(), 3);
}

#[test]
fn send_update_refuses_bad_input_and_queues_nothing() {
    let shop = Shop::new();
    shop.add("book", "5.00");
    shop.grant("book", "a@example.com");
    let msg = shop.file("m.txt", b"hi");
    let binary = shop.file("bin.txt", &[0xff, 0xfe, 0x00, 0x01]);
    let huge = shop.file("huge.txt", "x".repeat(30_000).as_bytes());
    let cases: Vec<Vec<&str>> = vec![
        vec!["send-update", "--product", "nope", "--message", &msg],
        vec!["send-update", "--product", "../etc", "--message", &msg],
        vec![
            "send-update",
            "--product",
            "book",
            "--message",
            "/no/such/file.txt",
        ],
        vec!["send-update", "--product", "book", "--message", &binary],
        vec!["send-update", "--product", "book", "--message", &huge],
        vec![
            "send-update",
            "--product",
            "book",
            "--subject",
            "two\nlines",
        ],
        vec!["send-update", "--product", "book", "--subject", ""],
        vec!["mailings", "show", "99"],
        vec!["mailings", "resume", "99"],
        vec!["mailings", "cancel", "99"],
    ];
    for args in &cases {
        shop.fail(args);
    }
    assert!(shop.ok(&["mailings"]).contains("No mailings yet"));
    let out = shop.run(&["mailings", "show", "abc"]);
    assert_eq!(out.status.code(), Some(2), "clap rejects a non-number");
}

/// Kill the sender with SIGKILL at random moments, resume, repeat: in the end every buyer
/// has the update, and nobody has it twice except at most one message per kill (the one
/// in flight).
#[test]
fn killed_at_random_points_the_mailing_still_reaches_everyone_once() {
    const BUYERS: usize = 40;
    let shop = Shop::new();
    let smtp = SmtpServer::start();
    shop.add("book", "5.00");
    for i in 0..BUYERS {
        shop.grant("book", &format!("buyer{i}@example.com"));
    }
    let msg = shop.file("m.txt", b"New chapter.");
    // Kill moments at random, from a printed seed (BOOTH_KILL_SEED replays a run).
    let mut rng = rng::seeded("BOOTH_KILL_SEED");
    let mut kills = 0;
    let mut finished = false;
    for round in 0..60 {
        let started = !shop
            .json(&["mailings", "--json"])
            .as_array()
            .unwrap()
            .is_empty();
        let mut c = with_smtp(&shop, &smtp);
        c.env("BOOTH_MAIL_LEASE_SECS", "1");
        // 20 a second: slow enough that kills land mid-mailing.
        if started {
            c.args(["mailings", "resume", "1", "--rate", "20"]);
        } else {
            c.args([
                "send-update",
                "--product",
                "book",
                "--message",
                &msg,
                "--rate",
                "20",
            ]);
        }
        let mut child = c
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // The last rounds run to completion.
        if round < 12 {
            std::thread::sleep(Duration::from_millis(rng.random_range(30..500)));
            if child.try_wait().unwrap().is_none() {
                child.kill().unwrap(); // SIGKILL
                kills += 1;
            }
        }
        let status = child.wait().unwrap();
        if round >= 12 {
            assert!(status.success(), "round {round}: {status}");
        }
        let list = shop.json(&["mailings", "--json"]);
        if list
            .as_array()
            .unwrap()
            .first()
            .is_some_and(|m| m["pending"] == 0)
        {
            finished = true;
            break;
        }
    }
    assert!(finished, "the mailing never finished");
    let m = &shop.json(&["mailings", "--json"])[0];
    assert_eq!(m["sent"], BUYERS as i64, "{m}");
    let mail = smtp.messages();
    let mut per: HashMap<String, usize> = HashMap::new();
    for u in updates(&mail) {
        *per.entry(u.to[0].clone()).or_default() += 1;
    }
    assert_eq!(per.len(), BUYERS, "everyone got the update");
    let duplicates: usize = per.values().map(|n| n - 1).sum();
    println!("kills {kills}, duplicates {duplicates}");
    assert!(
        kills >= 3,
        "the test should kill the sender several times (got {kills})"
    );
    assert!(
        duplicates <= kills,
        "{duplicates} duplicates after {kills} kills"
    );
}

/// With a key configured, mail is DKIM-signed, and the signature verifies (dkimpy, given
/// the public key as the DNS record).
#[test]
fn dkim_signed_mail_verifies() {
    let shop = Shop::new();
    let smtp = SmtpServer::start();
    let key = shop.dir.path().join("dkim.pem");
    let ok = Command::new("openssl")
        .args(["genrsa", "-traditional", "-out"])
        .arg(&key)
        .arg("2048")
        .output()
        .expect("openssl");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let der = Command::new("openssl")
        .args(["rsa", "-pubout", "-outform", "DER", "-in"])
        .arg(&key)
        .output()
        .unwrap();
    assert!(der.status.success());
    let public_b64 = Command::new("base64")
        .arg("-w0")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(&der.stdout)?;
            c.wait_with_output()
        })
        .unwrap();
    let public = String::from_utf8(public_b64.stdout).unwrap();
    shop.ok(&["settings", "set", "from_address", "shop@example.com"]);
    shop.add("book", "5.00");
    let mut c = with_smtp(&shop, &smtp);
    c.env("BOOTH_DKIM_KEY_FILE", &key)
        .env("BOOTH_DKIM_SELECTOR", "s1");
    ok_cmd(
        c,
        &["grant", "--product", "book", "--email", "a@example.com"],
    );
    let mail = smtp.messages();
    assert_eq!(mail.len(), 1);
    assert!(mail[0]
        .header("DKIM-Signature")
        .is_some_and(|h| h.contains("d=example.com") && h.contains("s=s1")));
    let raw = shop.dir.path().join("mail.eml");
    std::fs::write(&raw, &mail[0].raw).unwrap();
    let verify = |path: &std::path::Path| {
        let out = Command::new("python3")
            .arg("-c")
            .arg(
                "import dkim, sys\n\
                 msg = open(sys.argv[1], 'rb').read()\n\
                 def dns(name, timeout=5):\n    assert name == b's1._domainkey.example.com.', name\n    return b'v=DKIM1; k=rsa; p=' + sys.argv[2].encode()\n\
                 print(dkim.verify(msg, dnsfunc=dns))",
            )
            .arg(path)
            .arg(&public)
            .output()
            .expect("python3 with dkimpy (pip install dkimpy)");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    assert_eq!(verify(&raw), "True");
    let tampered = shop.dir.path().join("tampered.eml");
    std::fs::write(
        &tampered,
        mail[0].raw.replacen("Subject: ", "Subject: FREE ", 1),
    )
    .unwrap();
    assert_eq!(verify(&tampered), "False");
    // A bad key file is reported, and nothing is lost: the receipt waits in the outbox.
    let bad = shop.file("bad.pem", b"not a key");
    let out = with_smtp(&shop, &smtp)
        .env("BOOTH_DKIM_KEY_FILE", &bad)
        .args(["grant", "--product", "book", "--email", "b@example.com"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("Queued; not sent yet") && stderr.contains("dkim"),
        "{stderr}"
    );
    let queued = shop.json(&["outbox", "--status", "queued", "--json"]);
    assert_eq!(queued[0]["recipient"], "b@example.com");
}
