//! Slow and greedy clients don't exhaust the shop: headers that dribble in are cut off, a
//! download nobody reads is let go, idle connections close, a stop doesn't wait for any of
//! them, and past the connection cap new connections are refused while buyers already
//! connected are served.

use booth_server::ServerConfig;
use booth_testkit::app::{spawn_app_with, AppOptions, TestApp};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

async fn app_with(server: ServerConfig) -> TestApp {
    spawn_app_with(AppOptions {
        server,
        ..AppOptions::default()
    })
    .await
}

fn connect(app: &TestApp) -> TcpStream {
    let s = TcpStream::connect(app.running.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s
}

/// Reads (on a blocking thread) until the server closes the connection; returns the bytes
/// read and how long it took.
async fn until_closed(s: TcpStream) -> (usize, Duration) {
    tokio::task::spawn_blocking(move || read_to_close(s))
        .await
        .unwrap()
}

fn read_to_close(mut s: TcpStream) -> (usize, Duration) {
    let started = Instant::now();
    let mut total = 0;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return (total, started.elapsed()),
            Ok(n) => total += n,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                return (total, started.elapsed())
            }
            Err(e) => panic!("the server never closed the connection: {e}"),
        }
    }
}

/// Bigger than anything the kernel buffers between the two ends on loopback.
const BIG: usize = 48 << 20;

/// Starts downloading a big file and reads its first KiB only; returns the connection.
async fn start_big_download(app: &TestApp) -> TcpStream {
    app.add_product("big", "1.00", "5", &[("big.bin", &vec![7u8; BIG])])
        .await;
    let token = app.grant_token("big").await;
    let p = app.shop().purchase(&token).await.unwrap().unwrap();
    let file_id = p.items[0].files[0].file.id;
    let mut s = connect(app);
    write!(s, "GET /d/{token}/{file_id} HTTP/1.1\r\nHost: shop\r\n\r\n").unwrap();
    let mut first = [0u8; 1024];
    s.read_exact(&mut first).unwrap();
    assert!(first.starts_with(b"HTTP/1.1 200"));
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_that_dribble_in_are_cut_off() {
    let app = app_with(ServerConfig {
        header_timeout: Duration::from_millis(500),
        ..ServerConfig::default()
    })
    .await;
    let mut s = connect(&app);
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: shop\r\n")
        .unwrap();
    let (_, took) = until_closed(s).await;
    assert!(took < Duration::from_secs(5), "closed after {took:?}");
    // A complete request on a new connection is answered as ever.
    assert_eq!(app.get("/healthz").await.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_download_nobody_reads_is_let_go_and_idle_connections_close() {
    let app = app_with(ServerConfig {
        io_timeout: Duration::from_secs(1),
        ..ServerConfig::default()
    })
    .await;
    let s = start_big_download(&app).await;
    // The client stops reading; the server gives up on it after the I/O timeout.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (rest, _) = until_closed(s).await;
    assert!(
        1024 + rest < BIG,
        "the whole file went out ({} bytes) to a client that stopped reading",
        1024 + rest
    );

    // A keep-alive connection left idle is closed too.
    let mut s = connect(&app);
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: shop\r\n\r\n")
        .unwrap();
    let mut reply = [0u8; 512];
    let n = s.read(&mut reply).unwrap();
    assert!(reply[..n].starts_with(b"HTTP/1.1 200"));
    let (_, took) = until_closed(s).await;
    assert!(took < Duration::from_secs(5), "idle for {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_does_not_wait_for_a_stuck_download() {
    let app = app_with(ServerConfig {
        io_timeout: Duration::from_secs(600),
        shutdown_grace: Duration::from_secs(1),
        ..ServerConfig::default()
    })
    .await;
    let s = start_big_download(&app).await;

    let started = Instant::now();
    let stop = tokio::time::timeout(Duration::from_secs(20), app.stop()).await;
    assert!(stop.is_ok(), "the stop waited for the stuck client");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    drop(s);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_connection_cap_new_connections_are_refused() {
    let app = app_with(ServerConfig {
        max_connections: 10,
        ..ServerConfig::default()
    })
    .await;
    // Ten clients hold connections open (headers half sent).
    let held: Vec<TcpStream> = (0..10)
        .map(|_| {
            let mut s = connect(&app);
            s.write_all(b"GET /healthz HTTP/1.1\r\n").unwrap();
            s
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The eleventh is closed at once, without an answer.
    let mut extra = connect(&app);
    extra
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: shop\r\n\r\n")
        .unwrap();
    let (n, took) = until_closed(extra).await;
    assert_eq!(n, 0);
    assert!(took < Duration::from_secs(2));
    // Those already connected are served; once they leave, newcomers are again.
    let mut first = held.into_iter().next().unwrap();
    first.write_all(b"Host: shop\r\n\r\n").unwrap();
    let mut reply = [0u8; 256];
    let n = first.read(&mut reply).unwrap();
    assert!(reply[..n].starts_with(b"HTTP/1.1 200"));
    drop(first);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut again = connect(&app);
    again
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut reply = Vec::new();
    again.read_to_end(&mut reply).unwrap();
    assert!(
        reply.starts_with(b"HTTP/1.1 200"),
        "{:?}",
        String::from_utf8_lossy(&reply)
    );
}

/// A buyer on a slow line downloads for longer than the I/O timeout: as long as bytes keep
/// moving the download goes on to the end (the client sends nothing meanwhile).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_but_steady_download_is_not_cut_off() {
    let app = app_with(ServerConfig {
        io_timeout: Duration::from_secs(1),
        ..ServerConfig::default()
    })
    .await;
    let s = start_big_download(&app).await;
    let (got, took) = tokio::task::spawn_blocking(move || {
        let mut s = s;
        let started = Instant::now();
        let mut total = 1024;
        let mut buf = vec![0u8; 32 * 1024];
        // At most 32 KiB every 3 ms (~10 MiB/s): several seconds for the 48 MiB, well past
        // the 1 s timeout.
        while total < BIG {
            match s.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => total += n,
                Err(e) => panic!("cut off after {total} bytes: {e}"),
            }
            std::thread::sleep(Duration::from_millis(3));
        }
        (total, started.elapsed())
    })
    .await
    .unwrap();
    assert!(
        got >= BIG,
        "the download stopped at {got} of {BIG} bytes after {took:?}"
    );
    assert!(
        took > Duration::from_secs(2),
        "not slow enough to mean anything: {took:?}"
    );
}
