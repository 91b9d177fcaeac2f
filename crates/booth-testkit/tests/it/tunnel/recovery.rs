//! A tunnel that goes wrong comes back: its program killed, its relay gone and back, hung,
//! or never there.

use super::*;
use booth_core::tunnel::TunnelState;
use booth_testkit::app::spawn_app;
use booth_testkit::bore::BoreServer;

#[tokio::test]
async fn a_killed_tunnel_comes_back_and_the_webhook_follows_it() {
    let bore = BoreServer::start("127.0.0.12");
    let app = spawn_app().await;
    app.add_product("book", "9.99", "5", &[("book.pdf", BOOK)])
        .await;
    let mut rx = open(&app.running, bore_spec(&bore.host, None), fast()).await;
    let first = wait_until(&mut rx, "up", |s| s.state == TunnelState::Up).await;
    let first_url = first.url.clone().unwrap();
    buy_through(&app, &first_url, "one@example.com").await;

    // kill -9 the bore client mid-way.
    let pid = first.pid.expect("pid");
    assert!(signal(pid, libc::SIGKILL));
    let again = wait_until(&mut rx, "up again at a new address", |s| {
        s.state == TunnelState::Up && s.url.as_deref() != Some(&first_url)
    })
    .await;
    assert_eq!(again.restarts, 1);
    assert_ne!(again.pid, Some(pid));
    let second_url = again.url.unwrap();
    assert_eq!(
        endpoint_urls(&app).await,
        vec![format!("{second_url}/webhooks/stripe")],
        "the same endpoint, moved"
    );
    buy_through(&app, &second_url, "two@example.com").await;
    assert_eq!(app.purchases().await.len(), 2);

    let log = app.shop().tunnel_log(50).await.unwrap();
    let kinds: Vec<&str> = log.iter().map(|e| e.kind.as_str()).collect();
    for k in ["exited", "restart", "address"] {
        assert!(kinds.contains(&k), "{k} logged: {kinds:?}");
    }
    let address = log.iter().find(|e| e.kind == "address").unwrap();
    assert!(address.message.contains(&first_url) && address.message.contains(&second_url));
    app.running.stop_tunnel().await;
}

#[tokio::test]
async fn a_fixed_port_survives_the_relay_going_away_with_backoff() {
    let mut bore = BoreServer::start("127.0.0.13");
    let app = spawn_app().await;
    app.add_product("book", "9.99", "5", &[("book.pdf", BOOK)])
        .await;
    let port = booth_testkit::smtp::free_port();
    let mut rx = open(&app.running, bore_spec(&bore.host, Some(port)), fast()).await;
    let up = wait_until(&mut rx, "up", |s| s.state == TunnelState::Up).await;
    let url = format!("http://127.0.0.13:{port}");
    assert_eq!(up.url.as_deref(), Some(url.as_str()));
    assert!(!up.ephemeral, "a fixed port is a stable address");

    // The relay dies: the client ends, and Booth keeps trying, waiting longer each time.
    bore.kill();
    wait_until(&mut rx, "retrying", |s| s.state == TunnelState::Retrying).await;
    wait_until(&mut rx, "a few failed restarts", |s| s.restarts >= 3).await;
    let waits: Vec<String> = app
        .shop()
        .tunnel_log(100)
        .await
        .unwrap()
        .into_iter()
        .rev()
        .filter(|e| e.kind == "restart")
        .map(|e| e.message)
        .collect();
    assert!(waits.len() >= 3, "{waits:?}");
    assert!(
        waits[0].contains("in 1 s") && waits[1].contains("in 2 s") && waits[2].contains("in 4 s"),
        "{waits:?}"
    );
    // Why, in bore's words: its error and cause, not the last line of a backtrace.
    let exits: Vec<String> = app
        .shop()
        .tunnel_log(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "exited" && e.message.contains("before giving"))
        .map(|e| e.message)
        .collect();
    assert!(
        !exits.is_empty()
            && exits.iter().all(|m| m.ends_with(
                ": could not connect to 127.0.0.13:7835: Connection refused (os error 111)"
            )),
        "{exits:?}"
    );

    // The relay returns: the same address works again, nobody's links broke.
    bore.restart();
    let back = wait_until(&mut rx, "up again", |s| s.state == TunnelState::Up).await;
    assert_eq!(back.url.as_deref(), Some(url.as_str()));
    buy_through(&app, &url, "back@example.com").await;
    let address_changes = app
        .shop()
        .tunnel_log(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "address")
        .count();
    assert_eq!(address_changes, 0);
    app.running.stop_tunnel().await;
}

#[tokio::test]
async fn a_hung_tunnel_is_noticed_by_the_health_check_and_restarted() {
    let bore = BoreServer::start("127.0.0.14");
    let app = spawn_app().await;
    // Checks a minute apart, as in production: only "Check now" and the quick re-checks
    // after a failure can notice the hang within the test's 30 s.
    let options = TunnelOptions {
        health_every: Duration::from_secs(60),
        ..fast()
    };
    let mut rx = open(&app.running, bore_spec(&bore.host, None), options).await;
    let up = wait_until(&mut rx, "up", |s| {
        s.state == TunnelState::Up && s.health.as_ref().is_some_and(|h| h.ok)
    })
    .await;
    // SIGSTOP: the process is alive but carries nothing.
    let pid = up.pid.unwrap();
    assert!(signal(pid, libc::SIGSTOP));
    // "Check now" until a check fails: under a loaded CI machine one press could land while
    // a check begun before the hang was still on its way back (ok), and the next
    // scheduled check is a minute off.
    let presses = {
        let running = &app.running;
        async move {
            loop {
                running.check_tunnel().await;
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        }
    };
    let failing = tokio::select! {
        s = wait_until(&mut rx, "a failed check", |s| s.health.as_ref().is_some_and(|h| !h.ok)) => s,
        _ = presses => unreachable!(),
    };
    assert!(failing.health.unwrap().error.is_some());
    let back = wait_until(&mut rx, "restarted and healthy", |s| {
        s.state == TunnelState::Up && s.pid != Some(pid) && s.health.as_ref().is_some_and(|h| h.ok)
    })
    .await;
    assert!(back.restarts >= 1);
    let log = app.shop().tunnel_log(100).await.unwrap();
    assert!(
        log.iter()
            .any(|e| e.kind == "restart" && e.message.contains("failed 3 checks")),
        "{log:?}"
    );
    // The hung process was killed and reaped, not left behind.
    assert!(
        !std::path::Path::new(&format!("/proc/{pid}")).exists(),
        "the hung bore client is gone"
    );
    app.running.stop_tunnel().await;
}

#[tokio::test]
async fn a_missing_program_fails_clearly_and_keeps_the_shop_running() {
    let app = spawn_app().await;
    let spec = TunnelSpec::parse(&TunnelInput {
        provider: "custom".into(),
        command: "booth-no-such-tunnel --port {port}".into(),
        pattern: r"https://\S+".into(),
        ..TunnelInput::default()
    })
    .unwrap();
    let mut rx = open(&app.running, spec, fast()).await;
    let failed = wait_until(&mut rx, "failed", |s| s.state == TunnelState::Failed).await;
    let m = failed.message.unwrap();
    assert!(m.contains("booth-no-such-tunnel isn't installed"), "{m}");
    assert_eq!(app.get("/healthz").await.status(), 200);
    assert_eq!(app.shop().public_url(), app.base);

    // A program that exits at once without an address is retried, and what it said is logged.
    let spec = TunnelSpec::parse(&TunnelInput {
        provider: "custom".into(),
        command: "sh -c 'echo cannot reach the relay >&2; exit 3'".into(),
        pattern: r"https://\S+".into(),
        ..TunnelInput::default()
    })
    .unwrap();
    let mut rx = open(&app.running, spec, fast()).await;
    wait_until(&mut rx, "retrying", |s| s.state == TunnelState::Retrying).await;
    let log = app.shop().tunnel_log(20).await.unwrap();
    let exited = log
        .iter()
        .find(|e| e.kind == "exited")
        .expect("exit logged");
    assert!(
        exited.message.contains("exit 3") && exited.message.contains("cannot reach the relay"),
        "{}",
        exited.message
    );
    app.running.stop_tunnel().await;
}
