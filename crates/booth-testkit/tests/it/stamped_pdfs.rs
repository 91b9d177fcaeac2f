//! Stamped PDFs: a product stamps every page of its PDFs with the buyer's line, read back
//! with poppler's pdftotext; the file stays sound (qpdf --check) and keeps its bookmarks,
//! links and title; a download, a second one and a resume get the same bytes; a PDF that
//! can't be stamped is refused when it is added, with the reason.

use booth_core::catalog::ProductEditInput;
use booth_core::ProductInput;
use booth_testkit::app::*;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "../../../booth-core/src/stamp/test_pdf.rs"]
mod test_pdf;
use test_pdf::with_xref;

/// A PDF as a small publishing tool writes one: `pages` pages of text under a page tree
/// that gives them their size and font, two bookmarks, a web link on page 1 and a link to
/// the last page on page 2 (turned a quarter, its resources its own, its contents two
/// streams), a page 3 that leaves its drawing scaled, and a title.
pub fn sample_pdf(pages: usize, title: &str) -> Vec<u8> {
    let page_id = |i: usize| 8 + 2 * i;
    let mut objects: Vec<String> = vec![
        "<< /Type /Catalog /Pages 2 0 R /Outlines 3 0 R /PageMode /UseOutlines >>".into(),
        format!(
            "<< /Type /Pages /Kids [{}] /Count {pages} /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> >>",
            (0..pages).map(|i| format!("{} 0 R", page_id(i))).collect::<Vec<_>>().join(" ")
        ),
        "<< /Type /Outlines /First 6 0 R /Last 7 0 R /Count 2 >>".into(),
        format!("<< /Title ({title}) /Author (Ada Seller) /Producer (booth-testkit) >>"),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".into(),
        format!("<< /Title (Chapter 1) /Parent 3 0 R /Next 7 0 R /Dest [{} 0 R /Fit] >>", page_id(0)),
        format!(
            "<< /Title (The end) /Parent 3 0 R /Prev 6 0 R /Dest [{} 0 R /Fit] >>",
            page_id(pages - 1)
        ),
    ];
    let second_part = 8 + 2 * pages;
    let goto = second_part + 1;
    for i in 0..pages {
        let content = page_id(i) + 1;
        let mut dict = format!("<< /Type /Page /Parent 2 0 R /Contents {content} 0 R");
        match i {
            0 => dict.push_str(
                " /Annots [<< /Type /Annot /Subtype /Link /Rect [72 600 300 620] /Border [0 0 0] /A << /S /URI /URI (https://example.com/) >> >>]",
            ),
            1 => {
                dict = format!(
                    "<< /Type /Page /Parent 2 0 R /Rotate 90 /Resources << /Font << /F1 5 0 R >> >> /Contents [{content} 0 R {second_part} 0 R] /Annots [{goto} 0 R]"
                )
            }
            _ => {}
        }
        dict.push_str(" >>");
        let text = match i {
            2 => format!(
                "2 0 0 2 0 0 cm BT /F1 12 Tf 36 300 Td (Page {} of the book) Tj ET",
                i + 1
            ),
            _ => format!("BT /F1 24 Tf 72 700 Td (Page {} of the book) Tj ET", i + 1),
        };
        objects.push(dict);
        objects.push(format!(
            "<< /Length {} >>\nstream\n{text}\nendstream",
            text.len()
        ));
    }
    let more = "BT /F1 12 Tf 72 650 Td (More on page two) Tj ET";
    objects.push(format!(
        "<< /Length {} >>\nstream\n{more}\nendstream",
        more.len()
    ));
    objects.push(format!(
        "<< /Type /Annot /Subtype /Link /Rect [72 500 300 520] /Border [0 0 0] /Dest [{} 0 R /Fit] >>",
        page_id(pages - 1)
    ));
    // Objects 1–7, then the pages from 8: the list is in object order.
    with_xref(&objects, "/Info 4 0 R")
}

fn run(cmd: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(cmd)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{cmd} (scripts/install-deps.sh installs it): {e}"));
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Each page's text, as poppler reads it.
fn page_texts(pdf: &Path) -> Vec<String> {
    let (ok, _) = run(
        "pdftotext",
        &[path_str(pdf), &format!("{}.txt", path_str(pdf))],
    );
    assert!(ok, "pdftotext read {}", pdf.display());
    let text = std::fs::read_to_string(format!("{}.txt", path_str(pdf))).unwrap();
    let mut pages: Vec<String> = text.split('\x0c').map(str::to_string).collect();
    pages.pop(); // after the last page's form feed
    pages
}

/// qpdf's own checks, which it passes with no warning.
fn assert_sound(pdf: &Path) {
    let (ok, out) = run("qpdf", &["--check", path_str(pdf)]);
    assert!(ok, "qpdf --check {}: {out}", pdf.display());
    assert!(
        out.contains("No syntax or stream encoding errors found"),
        "{out}"
    );
    assert!(!out.to_lowercase().contains("warning"), "{out}");
}

/// The bookmarks (all levels) and the link annotations of every page, as qpdf reads them.
fn outline_and_links(pdf: &Path) -> (usize, usize) {
    let (ok, out) = run(
        "qpdf",
        &[
            "--json=1",
            "--json-key=outlines",
            "--json-key=pages",
            "--json-key=objects",
            path_str(pdf),
        ],
    );
    assert!(ok, "qpdf --json: {out}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    fn count(items: &serde_json::Value) -> usize {
        items
            .as_array()
            .map_or(0, |a| a.iter().map(|i| 1 + count(&i["kids"])).sum())
    }
    let objects = &json["objects"];
    // A reference ("12 0 R") is the object it names.
    let deref = |v: &serde_json::Value| match v.as_str() {
        Some(r) if r.ends_with(" R") => objects[r].clone(),
        _ => v.clone(),
    };
    let links = json["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let page = &objects[p["object"].as_str().unwrap()];
            let annots = deref(&page["/Annots"]);
            let annots = annots.as_array().cloned().unwrap_or_default();
            annots
                .iter()
                .filter(|a| deref(a)["/Subtype"] == "/Link")
                .count()
        })
        .sum();
    (count(&json["outlines"]), links)
}

fn title(pdf: &Path) -> String {
    let (ok, out) = run("pdfinfo", &[path_str(pdf)]);
    assert!(ok, "pdfinfo: {out}");
    out.lines()
        .find_map(|l| l.strip_prefix("Title:"))
        .unwrap_or_default()
        .trim()
        .to_string()
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn stamping(slug: &str, stamp: &str, files: Vec<PathBuf>) -> ProductInput {
    ProductInput {
        name: format!("Product {slug}"),
        slug: Some(slug.into()),
        price: "9".into(),
        currency: "usd".into(),
        limit: Some("5".into()),
        stamp: Some(stamp.into()),
        active: true,
        files,
        ..ProductInput::default()
    }
}

/// Buys `slug` as `email`; returns the purchase and its PDF's download path.
async fn buy_pdf(
    app: &TestApp,
    slug: &str,
    email: &str,
) -> (booth_core::purchases::Purchase, String) {
    let paid = app.buy_and_pay(slug, email).await;
    let token = app.complete(&paid).await;
    let p = app.purchase(&token).await;
    let pdf = p.items[0]
        .files
        .iter()
        .find(|f| f.file.display_name.ends_with(".pdf"))
        .expect("a PDF")
        .file
        .id;
    let path = format!("/d/{}/{pdf}", p.token);
    (p, path)
}

async fn download(app: &TestApp, path: &str) -> Vec<u8> {
    let res = app.get(path).await;
    assert_eq!(res.status(), 200, "{path}");
    res.bytes().await.unwrap().to_vec()
}

#[tokio::test]
async fn a_stamped_pdf_names_its_buyer_on_every_page_and_keeps_its_bookmarks_links_and_title() {
    let app = spawn_app().await;
    let work = tempfile::tempdir().unwrap();
    let original = sample_pdf(5, "The Stamped Book");
    let src = write(work.path(), "book.pdf", &original);
    let notes = write(work.path(), "notes.txt", b"plain text, never stamped\n");
    let product = app
        .shop()
        .add_product(stamping("stamped", "on", vec![src.clone(), notes]))
        .await
        .expect("added");
    assert_eq!(
        product.pdf_stamp.as_deref(),
        Some(booth_core::stamp::DEFAULT_WORDING)
    );

    let (ada, path) = buy_pdf(&app, "stamped", "ada@example.com").await;
    let head = app.http.head(app.url(&path)).send().await.unwrap();
    assert_eq!(head.status(), 200);
    let stamped = download(&app, &path).await;
    assert_eq!(
        head.headers()["content-length"],
        stamped.len().to_string().as_str()
    );
    // An incremental update: the seller's bytes first, untouched.
    assert!(stamped.len() > original.len());
    assert_eq!(&stamped[..original.len()], &original[..]);
    let out = write(work.path(), "ada.pdf", &stamped);

    let line = format!(
        "Licensed to ada@example.com · {}",
        booth_core::stamp::day(ada.created_at)
    );
    let pages = page_texts(&out);
    assert_eq!(pages.len(), 5);
    for (n, text) in pages.iter().enumerate() {
        assert!(text.contains(&line), "page {}: {text:?}", n + 1);
        assert!(
            text.contains(&format!("Page {} of the book", n + 1)),
            "page {}: {text:?}",
            n + 1
        );
    }
    assert_sound(&out);
    assert_eq!(outline_and_links(&src), (2, 2));
    assert_eq!(outline_and_links(&out), (2, 2));
    assert_eq!(title(&out), "The Stamped Book");

    // The same bytes again, whole, resumed, and asked about; the text file as it was.
    assert_eq!(sha(&download(&app, &path).await), sha(&stamped));
    let tail = app.get_with(&path, "range", "bytes=1000-").await;
    assert_eq!(tail.status(), 206);
    assert_eq!(tail.bytes().await.unwrap().as_ref(), &stamped[1000..]);
    let txt = ada.items[0]
        .files
        .iter()
        .find(|f| f.file.display_name == "notes.txt")
        .unwrap();
    let plain = download(&app, &format!("/d/{}/{}", ada.token, txt.file.id)).await;
    assert_eq!(plain, b"plain text, never stamped\n");

    // Kept in the files dir like the originals, the owner's alone.
    let kept = app
        .shop()
        .files_dir()
        .join(&sha(&stamped)[..2])
        .join(sha(&stamped));
    assert_eq!(std::fs::read(&kept).unwrap(), stamped);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&kept).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    // Another buyer gets their own line, and nothing of Ada's.
    let (_, bob_path) = buy_pdf(&app, "stamped", "bob@example.com").await;
    let bob = write(work.path(), "bob.pdf", &download(&app, &bob_path).await);
    for text in page_texts(&bob) {
        assert!(text.contains("Licensed to bob@example.com"), "{text:?}");
        assert!(!text.contains("ada@example.com"), "{text:?}");
    }
    assert_sound(&bob);
}

#[tokio::test]
async fn many_first_downloads_at_once_make_one_kept_copy() {
    let app = spawn_app().await;
    let work = tempfile::tempdir().unwrap();
    let src = write(work.path(), "book.pdf", &sample_pdf(40, "Busy"));
    let mut input = stamping("busy", "on", vec![src]);
    input.limit = Some("unlimited".into());
    app.shop().add_product(input).await.expect("added");
    let (_, path) = buy_pdf(&app, "busy", "ada@example.com").await;
    let url = app.url(&path);
    let answers = futures_util::future::join_all((0..24).map(|_| app.http.get(&url).send())).await;
    let mut shas = std::collections::BTreeSet::new();
    for a in answers {
        let a = a.unwrap();
        assert_eq!(a.status(), 200);
        shas.insert(sha(&a.bytes().await.unwrap()));
    }
    assert_eq!(shas.len(), 1, "every answer the same bytes");
    let rows: i64 = app
        .shop()
        .db()
        .run(|c| Ok(c.query_row("SELECT count(*) FROM stamped_files", [], |r| r.get(0))?))
        .await
        .unwrap();
    assert_eq!(rows, 1);
    // The original and one stamped copy: nothing left behind.
    assert_eq!(count_files(app.shop().files_dir()), 2);
}

#[tokio::test]
async fn pdfs_that_cant_be_stamped_are_refused_when_added_and_nothing_is_recorded() {
    let app = spawn_app().await;
    let work = tempfile::tempdir().unwrap();
    let good = sample_pdf(3, "Good");
    let good_path = write(work.path(), "good.pdf", &good);
    let encrypted = work.path().join("locked.pdf");
    let (ok, out) = run(
        "qpdf",
        &[
            "--encrypt",
            "user",
            "owner",
            "256",
            "--",
            path_str(&good_path),
            path_str(&encrypted),
        ],
    );
    assert!(ok, "qpdf --encrypt: {out}");
    // Only an owner password: anyone can open it, but it is encrypted all the same.
    let restricted = work.path().join("restricted.pdf");
    let (ok, out) = run(
        "qpdf",
        &[
            "--encrypt",
            "",
            "owner",
            "256",
            "--print=none",
            "--",
            path_str(&good_path),
            path_str(&restricted),
        ],
    );
    assert!(ok, "qpdf --encrypt: {out}");
    let truncated = write(work.path(), "cut.pdf", &good[..good.len() / 2]);
    let garbage = write(
        work.path(),
        "garbage.pdf",
        b"%PDF-1.7\n\x00\xffthis is not a PDF at all <<<[[[",
    );
    let bad = [
        (
            &encrypted,
            "this PDF is encrypted: remove its password before adding it (locked.pdf)",
        ),
        (
            &restricted,
            "this PDF is encrypted: remove its password before adding it (restricted.pdf)",
        ),
        (&truncated, "this PDF is damaged: "),
        (&garbage, "this PDF is damaged: "),
    ];
    let files_before = count_files(app.shop().files_dir());

    for (path, reason) in &bad {
        let e = app
            .shop()
            .add_product(stamping(
                "refused",
                "on",
                vec![good_path.clone(), (*path).clone()],
            ))
            .await
            .unwrap_err();
        assert!(e.to_string().contains(reason), "{}: {e}", path.display());
        assert!(app.shop().product("refused").await.unwrap().is_none());
    }
    assert_eq!(count_files(app.shop().files_dir()), files_before);

    // A product that stamps: no damaged file or version joins it.
    app.shop()
        .add_product(stamping(
            "strict",
            "Sold to {email}",
            vec![good_path.clone()],
        ))
        .await
        .expect("a sound PDF is added");
    for (path, reason) in &bad {
        let e = app
            .shop()
            .add_file("strict", (*path).clone())
            .await
            .unwrap_err();
        assert!(e.to_string().contains(reason), "add-file: {e}");
        let e = app
            .shop()
            .new_version("strict", "good.pdf", (*path).clone(), None, "")
            .await
            .unwrap_err();
        assert!(e.to_string().contains(reason), "new-version: {e}");
    }
    let strict = app.shop().product("strict").await.unwrap().unwrap();
    assert_eq!(strict.files.len(), 1);
    assert_eq!(strict.files[0].versions, 1);

    // Turning stamping on checks the PDFs the product already has.
    app.shop()
        .add_product(stamping("later", "off", vec![encrypted.clone()]))
        .await
        .expect("without stamping any file is fine");
    let e = app
        .shop()
        .edit_product_input(
            "later",
            ProductEditInput {
                stamp: Some("on".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("this PDF is encrypted"), "{e}");
    assert_eq!(
        app.shop()
            .product("later")
            .await
            .unwrap()
            .unwrap()
            .pdf_stamp,
        None
    );
}

fn count_files(dir: &Path) -> usize {
    walk(dir).len()
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .flat_map(|e| {
            let p = e.path();
            if p.is_dir() {
                walk(&p)
            } else {
                vec![p]
            }
        })
        .collect()
}

#[tokio::test]
async fn a_wording_with_pdf_syntax_and_other_scripts_stamps_a_sound_file() {
    let app = spawn_app().await;
    let work = tempfile::tempdir().unwrap();
    let src = write(work.path(), "guide.pdf", &sample_pdf(3, "Guide"));
    let wording = r"(For) {email} \ back\slash ) ( Zürich 東京 — {date} €";
    app.shop()
        .add_product(stamping("odd", wording, vec![src]))
        .await
        .expect("added");
    let (p, path) = buy_pdf(&app, "odd", "zoe@example.com").await;
    let out = write(work.path(), "odd.pdf", &download(&app, &path).await);
    assert_sound(&out);
    let want = format!(
        r"(For) zoe@example.com \ back\slash ) ( Zürich ?? — {} €",
        booth_core::stamp::day(p.created_at)
    );
    for text in page_texts(&out) {
        assert!(text.contains(&want), "{text:?}");
    }
}

#[test]
fn pdfs_that_qpdf_rewrote_stamp_too() {
    let work = tempfile::tempdir().unwrap();
    let src = write(work.path(), "plain.pdf", &sample_pdf(4, "Rewritten"));
    for (name, args) in [
        ("objstm.pdf", &["--object-streams=generate"][..]),
        ("linear.pdf", &["--linearize"][..]),
        (
            "compressed.pdf",
            &[
                "--compress-streams=y",
                "--object-streams=generate",
                "--linearize",
            ][..],
        ),
    ] {
        let rewritten = work.path().join(name);
        let mut all = args.to_vec();
        all.extend([path_str(&src), path_str(&rewritten)]);
        let (ok, out) = run("qpdf", &all);
        assert!(ok, "qpdf {args:?}: {out}");
        booth_core::stamp::check_pdf(&rewritten).unwrap_or_else(|e| panic!("{name}: {e}"));
        let stamped = work.path().join(format!("stamped-{name}"));
        booth_core::stamp::stamp_pdf(&rewritten, &stamped, "Licensed to qpdf@example.com").unwrap();
        assert_sound(&stamped);
        assert_eq!(outline_and_links(&stamped), (2, 2), "{name}");
        assert_eq!(title(&stamped), "Rewritten");
        let pages = page_texts(&stamped);
        assert_eq!(pages.len(), 4);
        assert!(
            pages
                .iter()
                .all(|t| t.contains("Licensed to qpdf@example.com")),
            "{name}: {pages:?}"
        );
    }
}

/// Every page of a long book is stamped and the file stays sound (how long it takes is
/// the benchmark's: `cargo bench -p booth-core --bench licensing`).
#[test]
fn every_page_of_a_300_page_pdf_is_stamped() {
    let work = tempfile::tempdir().unwrap();
    let src = write(work.path(), "long.pdf", &sample_pdf(300, "Long"));
    let dest = work.path().join("long-stamped.pdf");
    booth_core::stamp::stamp_pdf(&src, &dest, "Licensed to ada@example.com · 2026-12-03").unwrap();
    assert_sound(&dest);
    let pages = page_texts(&dest);
    assert_eq!(pages.len(), 300);
    assert!(pages
        .iter()
        .all(|p| p.contains("Licensed to ada@example.com")));
}
