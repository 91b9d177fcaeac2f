//! The WebDriver browser (headless Chromium) against a throwaway site.

use std::time::Duration;

use booth_testkit::Browser;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A throwaway HTTP/1.1 responder: `/` is a form, `/done` echoes the query it got.
async fn serve_form_site() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 2048];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&buf).into_owned();
                let target = head.split_whitespace().nth(1).unwrap_or("/").to_string();
                let (status, body) = if target == "/" {
                    (
                        "200 OK",
                        "<!doctype html><html><head><title>Kit form</title></head><body>\
                         <h1 id=\"greeting\">Buy the ebook</h1>\
                         <form action=\"/done\" method=\"get\">\
                         <input id=\"email\" name=\"email\" value=\"prefilled@x.test\">\
                         <input id=\"name\" name=\"name\">\
                         <button id=\"go\" type=\"submit\">Pay</button></form>\
                         </body></html>"
                            .to_string(),
                    )
                } else if let Some(query) = target.strip_prefix("/done?") {
                    (
                        "200 OK",
                        format!(
                            "<!doctype html><html><head><title>Done</title></head><body>\
                             <p id=\"echo\">{query}</p></body></html>"
                        ),
                    )
                } else {
                    ("404 Not Found", "nope".to_string())
                };
                let reply = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(reply.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    port
}

#[tokio::test]
async fn browser_fills_and_submits_a_form() {
    let port = serve_form_site().await;
    let browser = Browser::start().await;
    let home = format!("http://127.0.0.1:{port}/");
    browser.goto(&home).await;
    assert_eq!(browser.current_url().await, home);
    assert_eq!(browser.title().await, "Kit form");
    assert_eq!(browser.text("#greeting").await, "Buy the ebook");
    assert!(browser.exists("form button#go").await);
    assert!(!browser.exists("#no-such-thing").await);
    assert!(browser.source().await.contains("action=\"/done\""));

    // fill clears first: the prefilled value must be gone.
    browser.fill("#email", "ada@example.test").await;
    browser.fill("#name", "Ada Lovelace").await;
    browser.click("#go").await;

    let url = browser
        .wait_for_url(|u| u.contains("/done?"), Duration::from_secs(10))
        .await;
    assert_eq!(
        url,
        format!("http://127.0.0.1:{port}/done?email=ada%40example.test&name=Ada+Lovelace")
    );
    assert_eq!(
        browser.text("#echo").await,
        "email=ada%40example.test&name=Ada+Lovelace",
        "the server got the values"
    );
    assert_eq!(browser.title().await, "Done");

    let dir = tempfile::tempdir().unwrap();
    let shot = dir.path().join("done.png");
    browser.screenshot(&shot).await;
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "screenshot is a PNG");
    assert!(png.len() > 1000, "screenshot has content");
    browser.close().await;
}

#[tokio::test]
async fn browser_wait_for_url_times_out_and_text_panics_with_source() {
    let port = serve_form_site().await;
    let browser = Browser::start().await;
    browser.goto(&format!("http://127.0.0.1:{port}/")).await;

    // A panic inside a spawned task comes back as a JoinError we can inspect.
    let browser = std::sync::Arc::new(browser);
    let b = browser.clone();
    let timed_out = tokio::spawn(async move {
        b.wait_for_url(|u| u.contains("/never"), Duration::from_millis(500))
            .await
    })
    .await;
    let b = browser.clone();
    let missing = tokio::spawn(async move { b.text("#missing").await }).await;
    let waited = (timed_out, missing);

    let msg = panic_message(waited.0.expect_err("wait_for_url must time out"));
    assert!(
        msg.contains("did not reach") && msg.contains(&format!("127.0.0.1:{port}")),
        "{msg}"
    );
    let msg = panic_message(waited.1.expect_err("text of a missing element must panic"));
    assert!(
        msg.contains("#missing") && msg.contains("Buy the ebook"),
        "{msg}"
    );
}

fn panic_message(err: tokio::task::JoinError) -> String {
    let payload = err.into_panic();
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}
