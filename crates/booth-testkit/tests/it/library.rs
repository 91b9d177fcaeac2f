//! "Lost your link?" (`/library`), black-box: the buyer gets every purchase that still
//! gives access, by email only; strangers learn nothing; asking is limited per address and
//! per client; hostile input is refused and records nothing.

use booth_testkit::app::*;
use std::time::Duration;

/// The library emails in the outbox, whatever their state.
async fn library_mails(app: &TestApp) -> Vec<booth_core::outbox::OutboxRow> {
    let all = app.shop().outbox(None, 1000).await.unwrap();
    all.into_iter().filter(|m| m.kind == "library").collect()
}

async fn ask(app: &TestApp, email: &str) -> (u16, String) {
    let res = app.post_form("/library", &[("email", email)]).await;
    let status = res.status().as_u16();
    (status, res.text().await.unwrap())
}

#[tokio::test]
async fn a_lost_link_is_recovered_by_email() {
    let app = spawn_app().await;
    app.add_product("guide", "9.00", "5", &[("guide.pdf", b"%PDF guide")])
        .await;
    app.add_product("zine", "4.00", "5", &[("zine.pdf", b"%PDF zine")])
        .await;
    let mut tokens = Vec::new();
    for (slug, email) in [
        ("guide", "ada@example.com"),
        ("zine", "ada@example.com"),
        ("zine", "ada@example.com"),
        ("guide", "bob@example.com"),
    ] {
        let paid = app.buy_and_pay(slug, email).await;
        tokens.push(app.complete(&paid).await);
    }
    // The third is revoked: its link is dead, so it isn't sent.
    app.shop().revoke(&tokens[2], None).await.unwrap();
    app.smtp.wait_for_messages(4, Duration::from_secs(20)).await;

    // The storefront and every dead end point to the page.
    let (_, storefront) = app.get_html("/").await;
    assert!(storefront.contains(r#"href="/library""#));
    let (status, dead_end) = app.get_html("/d/not-a-token").await;
    assert!(status >= 400 && dead_end.contains(r#"href="/library""#));
    let (status, form) = app.get_html("/library").await;
    assert_eq!(status, 200);
    assert!(form.contains(r#"name="email""#) && form.contains("Lost your download link?"));

    // The address as typed at checkout, in other case.
    let (status, page) = ask(&app, " Ada@EXAMPLE.com ").await;
    assert_eq!(status, 200);
    assert!(page.contains("Check your email"), "{page}");
    let mail = app.smtp.wait_for_messages(5, Duration::from_secs(20)).await;
    let library: Vec<_> = mail
        .iter()
        .filter(|m| m.header("X-Booth-Kind") == Some("library"))
        .collect();
    assert_eq!(library.len(), 1);
    let m = library[0];
    assert_eq!(m.to, ["Ada@example.com"]);
    let text = m.text.as_deref().unwrap();
    let html = &unescape_slashes(m.html.as_deref().unwrap());
    for body in [text, html.as_str()] {
        assert!(body.contains(&format!("/d/{}", tokens[0])), "{body}");
        assert!(body.contains(&format!("/d/{}", tokens[1])));
        assert!(!body.contains(&tokens[2]), "a revoked purchase was listed");
        assert!(
            !body.contains(&tokens[3]),
            "another buyer's purchase was listed"
        );
    }
    assert!(text.contains("Product guide") && text.contains("Product zine"));
    // The link in the email opens the purchase.
    let (status, purchase) = app.get_html(&format!("/d/{}", tokens[1])).await;
    assert_eq!(status, 200);
    assert!(purchase.contains("zine.pdf"));
}

#[tokio::test]
async fn strangers_learn_nothing_and_asking_is_limited() {
    let app = spawn_app().await;
    app.add_product("guide", "9.00", "5", &[("guide.pdf", b"%PDF guide")])
        .await;
    let paid = app.buy_and_pay("guide", "ada@example.com").await;
    app.complete(&paid).await;

    let (s1, buyer) = ask(&app, "ada@example.com").await;
    let (s2, stranger) = ask(&app, "nobody@example.com").await;
    assert_eq!((s1, s2), (200, 200));
    assert_eq!(
        buyer.replace("ada@example.com", "X"),
        stranger.replace("nobody@example.com", "X"),
        "the page tells a buyer from a stranger"
    );
    assert_eq!(
        library_mails(&app).await.len(),
        1,
        "only the buyer is mailed"
    );

    // Asked again at once: the same page, no second email.
    let (s3, again) = ask(&app, "ada@example.com").await;
    assert_eq!((s3, again), (200, buyer));
    assert_eq!(library_mails(&app).await.len(), 1);

    // One client asking on and on is stopped, and nothing more is queued.
    let mut refused = None;
    for n in 0..40 {
        let res = app
            .post_form("/library", &[("email", format!("x{n}@example.com"))])
            .await;
        if res.status() == 429 {
            assert_eq!(res.headers()["retry-after"], "600");
            refused = Some(n);
            break;
        }
        assert_eq!(res.status(), 200);
    }
    assert!(refused.is_some(), "40 requests in a row were all answered");
    assert_eq!(library_mails(&app).await.len(), 1);
}

#[tokio::test]
async fn the_address_allowance_holds_across_many_clients_at_once() {
    let app = spawn_app().await;
    app.add_product("guide", "9.00", "5", &[("guide.pdf", b"%PDF guide")])
        .await;
    let paid = app.buy_and_pay("guide", "ada@example.com").await;
    app.complete(&paid).await;
    // Straight to the core, as if from twenty different clients at once.
    let asks = (0..20).map(|_| {
        let shop = app.shop().clone();
        tokio::spawn(async move { shop.send_library("ada@example.com").await.unwrap() })
    });
    let queued = futures_util::future::join_all(asks)
        .await
        .into_iter()
        .filter(|r| *r.as_ref().unwrap())
        .count();
    assert_eq!(queued, 1);
    assert_eq!(library_mails(&app).await.len(), 1);
}

#[tokio::test]
async fn hostile_addresses_get_the_form_back_and_record_nothing() {
    let app = spawn_app().await;
    let long = format!("{}@example.com", "a".repeat(300));
    for email in [
        "",
        "   ",
        "not-an-address",
        "a@b@c.com",
        "ada@example.com\r\nBcc: eve@example.com",
        "<script>alert(1)</script>@example.com",
        long.as_str(),
    ] {
        let (status, page) = ask(&app, email).await;
        assert_eq!(status, 400, "{email:?}");
        assert!(page.contains(r#"aria-invalid="true""#), "{email:?}: {page}");
        assert!(
            !page.contains("<script>alert"),
            "the typed value was echoed raw"
        );
    }
    // No body, no email field, a form that isn't one, and one too big to read.
    assert!(app
        .post_form_bytes("/library", "")
        .await
        .status()
        .is_client_error());
    assert_eq!(
        app.post_form_bytes("/library", "other=1").await.status(),
        400
    );
    assert_eq!(
        app.post_form_bytes("/library", "%%%&&&==").await.status(),
        400
    );
    let big = format!("email={}", "a".repeat(64 * 1024));
    assert_eq!(app.post_form_bytes("/library", big).await.status(), 413);
    assert!(library_mails(&app).await.is_empty());
}
