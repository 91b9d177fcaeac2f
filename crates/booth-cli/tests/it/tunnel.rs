//! `booth serve --tunnel …`: the headless shop opened to the world through a real tunnel
//! (a `bore server` on a loopback address plays the public relay).

use crate::common::{self, Shop};
use booth_testkit::bore::BoreServer;
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

struct Serve {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Serve {
    fn start(shop: &Shop, args: &[&str]) -> Serve {
        Serve::start_with(shop, args, &[])
    }

    /// With extra variables in `booth serve`'s environment (the seller's shell's).
    fn start_with(shop: &Shop, args: &[&str], env: &[(&str, &str)]) -> Serve {
        let port = booth_testkit::smtp::free_port();
        let mut cmd = shop.cmd();
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--demo"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("booth serve");
        let (tx, lines) = mpsc::channel();
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let _ = tx.send(line);
                }
            });
        }
        Serve {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// The first line starting with `prefix`, within 30 s.
    fn wait_line(&mut self, prefix: &str) -> String {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.starts_with(prefix) {
                        return line;
                    }
                }
                Err(_) => break,
            }
        }
        panic!(
            "no line starting {prefix:?}; saw:\n{}",
            self.seen.join("\n")
        );
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn serve_opens_a_bore_tunnel_and_stops_it_with_the_shop() {
    let bore = BoreServer::start("127.0.0.21");
    let shop = Shop::new();
    // The server as bore's docs write it, with its control port.
    let server = format!("{}:7835", bore.host);
    let mut serve = Serve::start(&shop, &["--tunnel", "bore", "--tunnel-server", &server]);
    let line = serve.wait_line("Public address: ");
    let public = line.trim_start_matches("Public address: ").to_string();
    assert!(public.starts_with("http://127.0.0.21:"), "{line}");
    let webhook = serve.wait_line("  The simulator now sends payment events to ");
    assert!(
        webhook.contains(&format!("{public}/webhooks/stripe")),
        "{webhook}"
    );
    serve.wait_line("  warning: ");
    serve.wait_line(&format!("  {public} answers through the tunnel"));

    let http = reqwest::Client::new();
    let page = http
        .get(format!("{public}/p/little-book"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("The Little Book of Booth"));
    let health = http.get(format!("{public}/healthz")).send().await.unwrap();
    assert!(health.headers().contains_key("x-booth-instance"));

    // Ctrl-C stops the shop and the tunnel with it.
    let pid = serve.child.id() as i32;
    unsafe { kill(pid, 2) };
    let status = serve.child.wait().unwrap();
    assert!(status.success(), "{status}");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        !booth_testkit::bore::answers(&public).await,
        "the tunnel closed with the shop"
    );
}

/// Item 11 of the security issue: Booth passed its own environment to the tunnel program,
/// so a seller with `RUST_LOG=warn` got no bore tunnel (bore never printed the line with
/// its address) and a stray `BORE_SECRET` would have been used against a server without
/// one. Each program now gets the environment it needs to say what Booth reads.
#[tokio::test]
async fn the_sellers_own_variables_dont_break_the_tunnel() {
    let bore = BoreServer::start("127.0.0.23");
    let shop = Shop::new();
    let server = format!("{}:7835", bore.host);
    let mut serve = Serve::start_with(
        &shop,
        &["--tunnel", "bore", "--tunnel-server", &server],
        &[("RUST_LOG", "warn"), ("BORE_SECRET", "not-this-server's")],
    );
    let line = serve.wait_line("Public address: ");
    let public = line.trim_start_matches("Public address: ").to_string();
    assert!(public.starts_with("http://127.0.0.23:"), "{line}");
    serve.wait_line(&format!("  {public} answers through the tunnel"));
}

/// A Booth killed with SIGKILL leaves its tunnel program running (holding the fixed
/// port); the next start ends it and gets the same address back. SIGTERM stops cleanly.
#[tokio::test]
async fn a_crashed_booth_leaves_no_tunnel_holding_its_address() {
    let bore = BoreServer::start("127.0.0.22");
    let shop = Shop::new();
    let port = booth_testkit::smtp::free_port().to_string();
    let args = [
        "--tunnel",
        "bore",
        "--tunnel-server",
        &bore.host,
        "--tunnel-port",
        &port,
    ];
    let mut first = Serve::start(&shop, &args);
    let line = first.wait_line("Public address: ");
    let url = format!("http://127.0.0.22:{port}");
    assert_eq!(line, format!("Public address: {url}"));
    let pid_file = shop.data_dir().join("tunnel.pid");
    let text = std::fs::read_to_string(&pid_file).expect("tunnel.pid while running");
    let orphan: i32 = text.split_whitespace().next().unwrap().parse().unwrap();
    unsafe { kill(first.child.id() as i32, 9) };
    first.child.wait().unwrap();
    assert!(
        std::path::Path::new(&format!("/proc/{orphan}")).exists(),
        "the bore client outlived the killed Booth"
    );

    let mut second = Serve::start(&shop, &args);
    assert_eq!(
        second.wait_line("Public address: "),
        format!("Public address: {url}")
    );
    let gone = (0..50).any(|_| {
        std::thread::sleep(Duration::from_millis(20));
        std::fs::read_to_string(format!("/proc/{orphan}/stat"))
            .map(|s| s.contains(") Z "))
            .unwrap_or(true)
    });
    assert!(gone, "the leftover bore client was ended");
    let health = reqwest::get(format!("{url}/healthz")).await.unwrap();
    assert_eq!(health.status(), 200);

    // SIGTERM (a service manager stopping it): clean exit, tunnel closed, no pid file.
    unsafe { kill(second.child.id() as i32, 15) };
    let status = second.child.wait().unwrap();
    assert!(status.success(), "{status}");
    assert!(!pid_file.exists());
    assert!(!booth_testkit::bore::answers(&url).await);
}

#[test]
fn bad_tunnel_flags_are_refused_before_anything_starts() {
    let shop = Shop::new();
    let cases: &[(&[&str], &str)] = &[
        (&["--tunnel", "nope"], "provider:"),
        (&["--tunnel", "bore", "--tunnel-port", "0"], "port:"),
        (&["--tunnel", "bore", "--tunnel-port", "99999"], "port:"),
        (
            &["--tunnel", "bore", "--tunnel-server", "bore.pub:x"],
            "server:",
        ),
        (
            &["--tunnel", "bore", "--tunnel-server", "bore.pub:7000"],
            "port 7835",
        ),
        (
            &[
                "--tunnel",
                "ssh",
                "--tunnel-server=-oProxyCommand=touch /tmp/pwned",
            ],
            "server:",
        ),
        (&["--tunnel", "cloudflared-named"], "hostname:"),
        (&["--tunnel", "custom"], "command:"),
        (
            &[
                "--tunnel",
                "custom",
                "--tunnel-command",
                "x",
                "--tunnel-pattern",
                "(open",
            ],
            "pattern:",
        ),
        (
            &[
                "--tunnel",
                "custom",
                "--tunnel-command",
                &"x".repeat(3000),
                "--tunnel-pattern",
                "x",
            ],
            "command:",
        ),
        (&["--tunnel", "saved"], "no tunnel is saved"),
    ];
    for (args, expect) in cases {
        let mut all = vec!["serve", "--listen", "127.0.0.1:0"];
        all.extend_from_slice(args);
        let line = shop.fail(&all);
        assert!(line.contains(expect), "{args:?}: {line}");
    }
    // Nothing started: no run.json, and the data dir holds no tunnel log.
    assert!(!shop.data_dir().join("run.json").exists());
}

#[test]
fn a_missing_tunnel_program_is_a_clear_error_and_a_clean_exit() {
    let shop = Shop::new();
    let out = shop.run(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--tunnel",
        "custom",
        "--tunnel-command",
        "booth-no-such-tunnel {port}",
        "--tunnel-pattern",
        r"https://\S+",
    ]);
    let line = common::clean_error(&out, "serve with a missing tunnel program");
    assert!(
        line.contains("booth-no-such-tunnel isn't installed"),
        "{line}"
    );
    assert!(
        !shop.data_dir().join("run.json").exists(),
        "the shop stopped cleanly"
    );
}

extern "C" {
    fn kill(pid: i32, sig: i32) -> i32;
}
