//! The window at its smallest (tauri.conf.json: 900 × 600): a seller saw buyers' emails
//! cut to "sam.re…" and the "test" badge drawn over "0 of 20 used" in Purchases. Every
//! email is shown whole, and badges never cover another column's text.

use super::{launch, shots_dir, WAIT};
use booth_core::Shop;
use booth_testkit::smtp::free_port;
use serde_json::{json, Value};
use std::time::Duration;

const MIN_WIDTH: u32 = 900;
const MIN_HEIGHT: u32 = 600;

/// Each purchase row as drawn: its email cell's text and whether it overflows, and
/// whether any badge's box meets the downloads text's box.
const ROWS: &str = "
    const meet = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    return [...document.querySelectorAll('tr[data-purchase]')].map(tr => {
      const email = tr.querySelector('[data-testid=purchase-email]');
      const status = tr.querySelector('[data-testid=purchase-badges]').closest('td').getBoundingClientRect();
      const dl = tr.querySelector('[data-testid=purchase-downloads]');
      const range = document.createRange();
      range.selectNodeContents(dl);
      const text = range.getBoundingClientRect();
      const badges = [...tr.querySelectorAll('.badge')].map(b => b.getBoundingClientRect());
      return {
        email: email.textContent, scroll: email.scrollWidth, client: email.clientWidth,
        downloads: dl.textContent,
        badge_meets_downloads: badges.some(b => meet(b, text)),
        badge_outside_cell: badges.some(b => b.right > status.right + 0.5 || b.left < status.left - 0.5),
      };
    });";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purchases_are_readable_at_the_smallest_window() {
    let port = free_port();
    let (tmp, data_dir) = super::shop_on_port(port).await;
    let shop = Shop::open(&data_dir).unwrap();
    let book = tmp.path().join("guide.pdf");
    std::fs::write(&book, b"%PDF-1.4 guide".repeat(40)).unwrap();
    super::add_product(
        &shop,
        "The Field Guide to Indie Publishing",
        "guide",
        "12.50",
        "20",
        &book,
    )
    .await;
    let long = "samantha.reynolds-bookclub@longer-example-domain.co.uk";
    shop.grant("guide", long).await.unwrap();
    // A revoked gift: two badges side by side, the widest pair a row can have.
    let revoked = shop
        .grant("guide", "sam.reader+review-copies@example.com")
        .await
        .unwrap();
    shop.revoke(&revoked.token, None).await.unwrap();

    let (_display, app) = launch(&data_dir).await;
    app.wait_text(
        "[data-testid=server-status]",
        |t| t.contains("running"),
        WAIT,
    )
    .await;
    // Asked for less than the minimum, the window stops at it.
    app.client()
        .set_window_size(MIN_WIDTH - 200, MIN_HEIGHT - 200)
        .await
        .expect("resize the window");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let inner = app
        .execute("return [innerWidth, innerHeight]", json!([]))
        .await;
    let width = inner[0].as_u64().unwrap();
    assert!(
        width >= u64::from(MIN_WIDTH) - 20 && width <= u64::from(MIN_WIDTH) + 20,
        "the window is at its minimum width: {inner}"
    );

    app.click("[data-nav=purchases]").await;
    app.wait_for(&format!("[data-purchase='{}']", revoked.token), WAIT)
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.screenshot(&shots_dir().join("desktop-purchases-narrow.png"))
        .await;

    let rows = app.execute(ROWS, json!([])).await;
    let rows = rows.as_array().expect("rows");
    assert_eq!(rows.len(), 2, "{rows:?}");
    for row in rows {
        let n = |k: &str| row[k].as_f64().unwrap_or_else(|| panic!("{k}: {row}"));
        assert!(
            n("scroll") <= n("client"),
            "the whole email shows, none of it cut: {row}"
        );
        assert!(
            row["downloads"].as_str().unwrap().contains("of 20"),
            "{row}"
        );
        assert_eq!(
            row["badge_meets_downloads"],
            Value::Bool(false),
            "no badge covers the downloads: {row}"
        );
        assert_eq!(
            row["badge_outside_cell"],
            Value::Bool(false),
            "badges stay in their column: {row}"
        );
    }
    let emails: Vec<&str> = rows.iter().map(|r| r["email"].as_str().unwrap()).collect();
    assert!(emails.contains(&long), "{emails:?}");
}
