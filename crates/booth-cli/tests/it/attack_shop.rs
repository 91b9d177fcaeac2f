//! The shop attacked from outside, as an attacker would: the real `booth serve` (or any
//! `booth` binary named by BOOTH_BIN, e.g. a release build) on loopback, raw HTTP and
//! curl-like requests, and a look at its data dir as another local account would take it.

use crate::common::*;
use booth_testkit::raw::{self, RawResponse};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// A running `booth serve`, started under the usual umask (022), stopped on drop; what it
/// logs goes to its log.
struct Served {
    run: Running,
    port: u16,
}

impl Served {
    fn start(shop: &Shop, extra_env: &[(&str, &str)]) -> Served {
        let port = booth_testkit::smtp::free_port();
        let mut c = shop.cmd();
        c.env("BOOTH_LOG", "info");
        let log = shop.dir.path().join(format!("serve-{port}.log"));
        for (k, v) in extra_env {
            c.env(k, v);
        }
        // `umask 022; exec booth …`: what a desktop session gives, so anything Booth
        // didn't make private itself would be world-readable.
        let program = c.get_program().to_owned();
        let args: Vec<String> = c
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .chain([
                "serve".into(),
                "--listen".into(),
                format!("127.0.0.1:{port}"),
            ])
            .collect();
        let mut sh = std::process::Command::new("sh");
        sh.arg("-c")
            .arg("umask 022; exec \"$@\"")
            .arg("sh")
            .arg(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap());
        for (k, v) in c.get_envs() {
            match v {
                Some(v) => sh.env(k, v),
                None => sh.env_remove(k),
            };
        }
        let child = sh.spawn().expect("booth serve");
        let served = Served {
            run: Running { child, log },
            port,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while served.get("/healthz").status != 200 {
            assert!(Instant::now() < deadline, "booth serve didn't come up");
            std::thread::sleep(Duration::from_millis(50));
        }
        served
    }

    /// One request over a fresh connection, as written.
    fn request(&self, request: &str) -> RawResponse {
        send(self.port, request)
    }

    fn get(&self, path: &str) -> RawResponse {
        self.request(&raw::get("127.0.0.1", path, ""))
    }
}

/// Sends `request` to the loopback port and reads the whole answer (the request says
/// `Connection: close`).
fn send(port: u16, request: &str) -> RawResponse {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    raw::send(addr, request.as_bytes(), Duration::from_secs(20))
}

/// Buys `slug` through the simulator's checkout as a buyer would; returns the purchase
/// token the success page redirects to.
fn buy(served: &Served, slug: &str, email: &str) -> String {
    let res = served.get(&format!("/buy/{slug}"));
    assert_eq!(res.status, 303, "{}", res.head);
    let hosted = res.header("location").expect("checkout URL").to_string();
    let url = url::Url::parse(&hosted).unwrap();
    let form = format!(
        "email={}&card_number=4242+4242+4242+4242&card_expiry=12%2F34&card_cvc=123",
        email.replace('@', "%40")
    );
    let port = url.port().unwrap();
    let res = send(
        port,
        &raw::post_form(&format!("127.0.0.1:{port}"), url.path(), "", &form),
    );
    assert_eq!(res.status, 303, "pay: {}", res.head);
    let success = url::Url::parse(res.header("location").unwrap()).unwrap();
    let res = served.get(&format!(
        "{}?{}",
        success.path(),
        success.query().unwrap_or("")
    ));
    assert_eq!(res.status, 303, "success page: {}", res.head);
    let to = res.header("location").unwrap();
    to.rsplit('/').next().unwrap().to_string()
}

/// Every folder under `dir` is 0700 and every file 0600: what another account on the
/// machine could read is nothing.
fn assert_owner_only(dir: &Path) -> usize {
    let mut seen = 0;
    let mode = |p: &Path| std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(dir), 0o700, "{}", dir.display());
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            seen += assert_owner_only(&path);
        } else {
            assert_eq!(
                mode(&path),
                0o600,
                "{} is readable by others",
                path.display()
            );
            seen += 1;
        }
    }
    seen
}

/// Item 5: with the usual umask, the database and its WAL, backups, outbox mail (download
/// links), the simulator's state (webhook secret, buyers' emails) and run.json were 0644
/// in 0755 folders. Now the data dir is the owner's alone, including what is made later,
/// and a data dir an older Booth left open is tightened when Booth opens it.
#[test]
fn the_data_dir_is_the_sellers_alone() {
    let shop = Shop::new();
    shop.add("book", "5.00");
    // What an older Booth left: everything open to everyone.
    for entry in walk(&shop.data_dir()) {
        let m = if entry.is_dir() { 0o755 } else { 0o644 };
        std::fs::set_permissions(&entry, std::fs::Permissions::from_mode(m)).unwrap();
    }
    std::fs::set_permissions(shop.data_dir(), std::fs::Permissions::from_mode(0o755)).unwrap();

    let mut served = Served::start(&shop, &[]);
    let token = buy(&served, "book", "reader@example.com");
    let deadline = Instant::now() + Duration::from_secs(20);
    while shop.eml_files().is_empty() {
        assert!(Instant::now() < deadline, "no receipt in the outbox folder");
        std::thread::sleep(Duration::from_millis(50));
    }
    shop.ok(&["backup"]);
    shop.ok(&[
        "export",
        "purchases",
        "--csv",
        "-o",
        shop.data_dir().join("export.csv").to_str().unwrap(),
    ]);
    assert!(served.run.alive());
    // While it runs: the database's WAL, run.json, the simulator's state are all there.
    for name in ["booth.db", "booth.db-wal", "run.json", "stripe-sim.json"] {
        assert!(shop.data_dir().join(name).exists(), "{name} missing");
    }
    let files = assert_owner_only(&shop.data_dir());
    assert!(files >= 8, "only {files} files looked at");
    assert!(!token.is_empty());
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        }
        out.push(p);
    }
    out
}

/// Grants `slug` (limit `limit`) to a buyer; returns the file's download path.
fn granted_path(shop: &Shop, slug: &str, limit: &str, content: &[u8]) -> String {
    let file = shop.file(&format!("{slug}.bin"), content);
    shop.ok(&[
        "product", "add", "--name", slug, "--price", "5", "--slug", slug, "--file", &file,
    ]);
    shop.ok(&["product", "edit", slug, "--limit", limit]);
    let token = shop.grant(slug, "reader@example.com");
    let file_id = shop.show(&token)["purchase"]["items"][0]["files"][0]["id"]
        .as_i64()
        .unwrap();
    format!("/d/{token}/{file_id}")
}

fn get_range(served: &Served, path: &str, range: &str) -> (u16, Vec<u8>) {
    let res = served.request(&raw::get("shop", path, &format!("Range: {range}\r\n")));
    (res.status, res.body)
}

/// Item 1, as it was found: with a limit of 1, after the one download and a 410, fifty
/// `curl -H 'Range: bytes=1-'` each got 206 and the whole file but its first byte.
#[test]
fn fifty_range_requests_after_the_limit_get_about_one_copy() {
    let shop = Shop::new();
    let content: Vec<u8> = (0..100_000u32).map(|i| (i % 253) as u8).collect();
    let path = granted_path(&shop, "book", "1", &content);
    let served = Served::start(&shop, &[]);
    assert_eq!(served.get(&path).status, 200);
    assert_eq!(served.get(&path).status, 410);
    let mut bytes = 0;
    for _ in 0..50 {
        let (status, body) = get_range(&served, &path, "bytes=1-");
        assert!(matches!(status, 206 | 410), "{status}");
        if status == 206 {
            bytes += body.len();
        }
    }
    assert!(
        bytes <= content.len() * 3 / 2,
        "{bytes} bytes of a {}-byte file through Range",
        content.len()
    );
    // Suffix ranges are valid HTTP (they answered 416).
    let fresh = granted_path(&shop, "other", "5", &content);
    let (status, body) = get_range(&served, &fresh, "bytes=-10");
    assert_eq!(
        (status, body.as_slice()),
        (206, &content[content.len() - 10..])
    );
}

/// Item 2, as it was found: behind bore every buyer comes from loopback, and rotating
/// X-Forwarded-For gave 40 of 40 checkouts. Nothing a client writes gets more than the one
/// allowance buyers share when no tunnel says who they are.
#[test]
fn rotating_forwarded_headers_get_no_extra_checkouts() {
    let shop = Shop::new();
    shop.add("book", "5.00");
    let served = Served::start(&shop, &[]);
    let mut ok = 0;
    for i in 0..80 {
        let forged = format!(
            "X-Forwarded-For: 10.1.{}.{}\r\nCF-Connecting-IP: 10.2.0.{}\r\n",
            i / 250,
            i % 250 + 1,
            i + 1
        );
        let res = served.request(&raw::get("shop", "/buy/book", &forged));
        match res.status {
            303 => ok += 1,
            429 => {}
            s => panic!("{s}: {}", res.head),
        }
    }
    // booth serve's default: 10 a minute per buyer; six buyers' worth shared.
    assert_eq!(ok, 60);
}

/// Item 7, as it was found: a POST to /cart/checkout sending one byte every few seconds
/// was still open after 75 s. (BOOTH_REQUEST_TIMEOUT_SECS shortens the 30 s deadline.)
#[test]
fn a_body_sent_a_byte_at_a_time_is_cut_off() {
    let shop = Shop::new();
    shop.add("book", "5.00");
    let served = Served::start(&shop, &[("BOOTH_REQUEST_TIMEOUT_SECS", "2")]);
    let mut s = TcpStream::connect(("127.0.0.1", served.port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(b"POST /cart/checkout HTTP/1.1\r\nHost: shop\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n")
        .unwrap();
    let started = Instant::now();
    for _ in 0..30 {
        if s.write_all(b"p").is_err() {
            break;
        }
        std::thread::sleep(Duration::from_millis(400));
    }
    let mut reply = Vec::new();
    let _ = s.read_to_end(&mut reply);
    assert!(
        reply.starts_with(b"HTTP/1.1 408"),
        "{:?}",
        String::from_utf8_lossy(&reply)
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

/// Item 8: purchase tokens open downloads; they stay out of the log at INFO.
#[test]
fn purchase_tokens_stay_out_of_the_log() {
    let shop = Shop::new();
    shop.add("book", "5.00");
    let served = Served::start(&shop, &[]);
    let token = buy(&served, "book", "reader@example.com");
    assert_eq!(served.get(&format!("/d/{token}")).status, 200);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !served.run.log().contains("purchase recorded") {
        assert!(
            Instant::now() < deadline,
            "no purchase in the log:\n{}",
            served.run.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!served.run.log().contains(&token), "{}", served.run.log());
}
