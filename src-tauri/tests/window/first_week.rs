//! A seller's first week, the things that tripped one up (issue 19): dialogs opened from
//! the purchase panel drawn whole above the window, a chosen file never dropped by Save,
//! Tab kept inside an open panel, and Escape asking before throwing a form away.

use super::{launch, shots_dir, WAIT};
use booth_core::Shop;
use booth_testkit::smtp::free_port;
use booth_testkit::{Browser, Key};
use serde_json::{json, Value};
use std::time::Duration;

/// Where the open modal dialog is drawn, and whether its title is what a click there hits.
async fn dialog_box(app: &Browser) -> Value {
    app.execute(
        "const d = [...document.querySelectorAll('.dialog')].pop();
         if (!d) return null;
         const r = d.getBoundingClientRect();
         const t = d.querySelector('h2').getBoundingClientRect();
         const at = (x, y) => { const e = document.elementFromPoint(x, y); return !!e && d.contains(e); };
         const corner = document.elementFromPoint(4, 4);
         // Painting clips to a scrolling ancestor although hit-testing doesn't: name the
         // ancestor that would cut the box, unless the dialog is in the top layer.
         let clipped_by = null;
         if (!d.matches(':modal')) {
           for (let a = d.parentElement; a && !clipped_by; a = a.parentElement) {
             const s = getComputedStyle(a), b = a.getBoundingClientRect();
             const clips = s.overflowX !== 'visible' || s.overflowY !== 'visible';
             if (clips && (r.left < b.left || r.right > b.right || r.top < b.top || r.bottom > b.bottom))
               clipped_by = a.className || a.tagName;
           }
         }
         return { left: r.left, top: r.top, right: r.right, bottom: r.bottom,
                  width: innerWidth, height: innerHeight,
                  title_shown: at(t.left + 4, t.top + t.height / 2) && at(t.right - 4, t.top + t.height / 2),
                  sidebar_covered: !!corner && corner.tagName === 'DIALOG', clipped_by };",
        json!([]),
    )
    .await
}

fn assert_whole_and_centred(b: &Value, which: &str) {
    let f = |k: &str| {
        b[k].as_f64()
            .unwrap_or_else(|| panic!("{which}: no {k} in {b}"))
    };
    assert!(
        f("left") >= 0.0
            && f("top") >= 0.0
            && f("right") <= f("width")
            && f("bottom") <= f("height"),
        "{which}: the dialog lies wholly inside the window: {b}"
    );
    let centre = (f("left") + f("right")) / 2.0;
    assert!(
        (centre - f("width") / 2.0).abs() < 2.0,
        "{which}: the dialog is centred on the window, not on the panel: {b}"
    );
    assert_eq!(
        b["clipped_by"],
        Value::Null,
        "{which}: nothing cuts it: {b}"
    );
    assert_eq!(
        b["title_shown"], true,
        "{which}: its title is what is there: {b}"
    );
    assert_eq!(
        b["sidebar_covered"], true,
        "{which}: the whole window is dimmed: {b}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dialogs_are_whole_files_are_kept_and_forms_are_not_lost() {
    let port = free_port();
    let (tmp, data_dir) = super::shop_on_port(port).await;
    let shop = Shop::open(&data_dir).unwrap();
    let book = tmp.path().join("field-notes.pdf");
    std::fs::write(&book, b"%PDF-1.4 field notes".repeat(40)).unwrap();
    super::add_product(&shop, "Field Notes", "field-notes", "12.50", "20", &book).await;
    let gift = shop
        .grant("field-notes", "sam.reader@example.com")
        .await
        .unwrap();

    let (_display, app) = launch(&data_dir).await;
    app.wait_text(
        "[data-testid=server-status]",
        |t| t.contains("running"),
        WAIT,
    )
    .await;
    // A download log long enough to make the purchase panel scroll.
    let file_id = gift.items[0].files[0].file.id;
    for _ in 0..12 {
        let r = reqwest::get(format!(
            "http://127.0.0.1:{port}/d/{}/{file_id}",
            gift.token
        ))
        .await
        .unwrap();
        assert_eq!(r.status(), 200);
    }

    // 1. Dialogs from the purchase panel: above the whole window, centred, whole.
    app.click("[data-nav=purchases]").await;
    let row = format!("[data-purchase='{}'] td", gift.token);
    app.wait_for(&row, WAIT).await;
    app.click(&row).await;
    app.wait_text(
        "[data-testid=purchase-detail]",
        |t| t.contains("12 of 20"),
        WAIT,
    )
    .await;
    for (action, which) in [("set-limit", "Change limit"), ("revoke", "Revoke…")] {
        app.click(&format!("[data-action={action}]")).await;
        app.wait_for(".dialog", WAIT).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        if action == "set-limit" {
            app.screenshot(&shots_dir().join("desktop-dialog-over-panel.png"))
                .await;
        }
        assert_whole_and_centred(&dialog_box(&app).await, which);
        // Escape closes the dialog only; the purchase panel stays.
        app.press(Key::Escape).await;
        app.wait_gone(".dialog", WAIT).await;
        assert!(app.exists("[data-testid=purchase-detail]").await);
    }
    app.press(Key::Escape).await;
    app.wait_gone("[data-testid=purchase-detail]", WAIT).await;

    // 4a. Edit → Add file → choose a file → Save changes: the file is added, and the card
    // says so at once.
    let extras = tmp.path().join("extras.zip");
    std::fs::write(&extras, b"PK\x05\x06 extras".repeat(30)).unwrap();
    app.click("[data-nav=products]").await;
    app.wait_for("[data-testid=edit-field-notes]", WAIT).await;
    app.click("[data-testid=edit-field-notes]").await;
    app.wait_for("[data-testid=product-panel]", WAIT).await;
    app.click("[data-testid=product-panel] .files .title-row button")
        .await;
    app.fill(
        "[data-testid=product-panel] [name=file-path]",
        &extras.display().to_string(),
    )
    .await;
    app.click("[data-testid=product-panel] [data-testid=add-file-path]")
        .await;
    app.click("[data-testid=save-product]").await;
    app.wait_text(
        "[data-product=field-notes]",
        |t| t.contains("2 files"),
        WAIT,
    )
    .await;
    assert!(
        !app.exists("[data-testid=product-panel]").await,
        "Save closes the panel"
    );
    let files = shop.product("field-notes").await.unwrap().unwrap().files;
    assert_eq!(
        files
            .iter()
            .map(|f| f.display_name.as_str())
            .collect::<Vec<_>>(),
        ["field-notes.pdf", "extras.zip"]
    );

    // 7. A new version: the card counts it at once, and a nudge offers to tell the buyers,
    // its button opening Mailings on the product.
    let extras2 = tmp.path().join("extras-2.zip");
    std::fs::write(&extras2, b"PK\x05\x06 extras two".repeat(30)).unwrap();
    app.click("[data-testid=edit-field-notes]").await;
    let extras_row = "[data-testid=product-panel] li[data-file='extras.zip']";
    app.wait_for(extras_row, WAIT).await;
    app.click(&format!("{extras_row} .file-row button[aria-expanded]"))
        .await;
    app.fill(
        &format!("{extras_row} [name=version-path]"),
        &extras2.display().to_string(),
    )
    .await;
    app.click(&format!("{extras_row} [data-testid=upload-version]"))
        .await;
    let nudge = app
        .wait_text(
            "[data-testid=version-nudge]",
            |t| t.contains("Tell its"),
            WAIT,
        )
        .await;
    assert!(nudge.contains("1 buyer"), "{nudge}");
    app.click("[data-testid=version-nudge] [data-action=tell-buyers]")
        .await;
    let chosen = app.wait_text("select[name=product]", |_| true, WAIT).await;
    assert!(!chosen.is_empty());
    let value = app
        .execute(
            "return document.querySelector('select[name=product]').value",
            json!([]),
        )
        .await;
    assert_eq!(value, "field-notes");
    app.click("[data-nav=products]").await;
    app.wait_text(
        "[data-product=field-notes]",
        |t| t.contains("Up to 2 versions"),
        WAIT,
    )
    .await;

    // 4b. Tab stays inside an open panel: the sidebar behind it is never reached.
    app.click("[data-testid=new-product]").await;
    app.wait_for("[data-testid=product-panel] [name=name]", WAIT)
        .await;
    for i in 0..40 {
        app.press(Key::Tab).await;
        assert!(
            app.focus_within("[data-testid=product-panel]").await,
            "Tab {} left the panel for {}",
            i + 1,
            app.execute(
                "return document.activeElement.outerHTML.slice(0, 120)",
                json!([])
            )
            .await
        );
    }
    // 4c. Escape on a filled-in form asks first; Keep editing keeps what was typed.
    app.fill("[data-testid=product-panel] [name=name]", "Winter Sketches")
        .await;
    app.press(Key::Escape).await;
    app.wait_for("[data-testid=discard-dialog]", WAIT).await;
    app.screenshot(&shots_dir().join("desktop-discard-changes.png"))
        .await;
    app.click("[data-testid=keep-editing]").await;
    let kept = app
        .execute(
            "return document.querySelector('[data-testid=product-panel] [name=name]').value",
            json!([]),
        )
        .await;
    assert_eq!(kept, "Winter Sketches");
    // Discard, when meant, closes it and creates nothing.
    app.press(Key::Escape).await;
    app.click("[data-testid=discard]").await;
    app.wait_gone("[data-testid=product-panel]", WAIT).await;
    assert_eq!(shop.list_products(false).await.unwrap().len(), 1);

    // 5. The dashboard counts gifts as gifts: not sales, but listed among recent purchases.
    for email in ["ana@example.com", "bo@example.com"] {
        shop.grant("field-notes", email).await.unwrap();
    }
    app.click("[data-nav=dashboard]").await;
    app.wait_text(
        "[data-testid=stat-sales-note]",
        |t| t.contains("3 gifts (not sales)"),
        WAIT,
    )
    .await;
    assert_eq!(app.text("[data-testid=stat-purchases]").await.trim(), "0");
    let recent = app
        .wait_text(
            &format!("[data-purchase='{}']", gift.token),
            |t| t.contains("gift"),
            WAIT,
        )
        .await;
    assert!(!recent.contains("$0.00"), "a gift shows no price: {recent}");

    // 6. Finding things: part of an email, a source, and a receipt in Mail.
    app.click("[data-nav=purchases]").await;
    app.wait_for("[data-testid=purchase-search]", WAIT).await;
    app.fill("[data-testid=purchase-search]", "bo@").await;
    app.wait_text(
        "[data-testid=match-count]",
        |t| t == "1 purchase matches",
        WAIT,
    )
    .await;
    app.wait_text(
        "tbody",
        |t| t.contains("bo@example.com") && !t.contains("ana@"),
        WAIT,
    )
    .await;
    app.click("[data-testid=purchase-filters] [data-action=clear-filters]")
        .await;
    app.execute(
        "const s = document.querySelector('select[name=source]');
         s.value = 'checkout'; s.dispatchEvent(new Event('change', { bubbles: true }));",
        json!([]),
    )
    .await;
    app.wait_for("[data-testid=no-match]", WAIT).await;
    app.click("[data-testid=no-match] [data-action=clear-filters]")
        .await;
    app.wait_text("[data-testid=match-count]", |t| t == "3 purchases", WAIT)
        .await;
    app.click("[data-nav=mail]").await;
    app.wait_for("[data-testid=mail-search]", WAIT).await;
    app.fill("[data-testid=mail-search]", "ana@").await;
    app.wait_text(
        "[data-testid=match-count]",
        |t| t == "1 message matches",
        WAIT,
    )
    .await;
    app.close().await;
}
