use super::log::LOG_KEEP;
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
    assert_eq!(
        f.find(
            "Open your tunnel address on your mobile with this QR: https://admin.localhost.run/"
        ),
        None
    );
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

/// What `LastWords` makes of a program's whole output.
fn reason_of(output: &str) -> Option<String> {
    let mut words = LastWords::new();
    output.lines().for_each(|l| words.push(l));
    words.reason().map(str::to_string)
}

/// Real outputs, captured from bore 0.6.0 (`bore local 1 --to 127.0.0.9` with no server
/// there, with and without RUST_BACKTRACE=1, and its argument errors), a Rust program's
/// panic (rustc 1.9x, both ways) and ssh: the reason is the error and its cause, never
/// the backtrace's last frame or the hint about --help.
#[test]
fn the_reason_a_tunnel_program_ended_is_its_error_not_its_backtrace() {
    let cases = [
        (
            include_str!("testdata/bore-no-server-backtrace.txt"),
            "could not connect to 127.0.0.9:7835: Connection refused (os error 111)",
        ),
        (
            include_str!("testdata/bore-no-server.txt"),
            "could not connect to 127.0.0.9:7835: Connection refused (os error 111)",
        ),
        (
            include_str!("testdata/bore-missing-flag.txt"),
            "error: the following required arguments were not provided: --to <TO>",
        ),
        (
            include_str!("testdata/bore-bad-port.txt"),
            "error: invalid value '99999' for '<LOCAL_PORT>': 99999 is not in 0..=65535",
        ),
        (
            include_str!("testdata/rust-panic-backtrace.txt"),
            "panicked: the local port: ParseIntError { kind: InvalidDigit }",
        ),
        (
            include_str!("testdata/rust-panic.txt"),
            "panicked: the local port: ParseIntError { kind: InvalidDigit }",
        ),
        (
            include_str!("testdata/ssh-refused.txt"),
            "ssh: connect to host 127.0.0.1 port 9: Connection refused",
        ),
        // Typed from the formats, not captured: a Go panic (cloudflared, ngrok), a Rust
        // panic before 1.73, an assertion's extra lines.
        (
            "panic: runtime error: index out of range [3] with length 3\n\ngoroutine 1 [running]:\nmain.main()\n\t/src/main.go:9 +0x1d\nexit status 2",
            "panicked: runtime error: index out of range [3] with length 3",
        ),
        (
            "thread 'main' panicked at 'no port', src/main.rs:4:5\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace",
            "panicked: no port",
        ),
        (
            "thread 'main' panicked at src/main.rs:4:5:\nassertion `left == right` failed\n  left: 1\n right: 2",
            "panicked: assertion `left == right` failed",
        ),
    ];
    for (output, reason) in cases {
        assert_eq!(reason_of(output).as_deref(), Some(reason), "{output}");
    }
    // Lines after an error that aren't part of it are the newer news; nothing is no reason.
    assert_eq!(
        reason_of("Error: gone\n\nCaused by:\n    reset\nreconnected at bore.pub:4000").as_deref(),
        Some("reconnected at bore.pub:4000")
    );
    assert_eq!(reason_of("\n\x1b[31m\x1b[0m\n"), None);
}
