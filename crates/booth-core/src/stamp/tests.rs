//! The seller's wording, and stamping files made here by hand (the testkit's
//! tests/it/stamped_pdfs.rs checks real files with poppler and qpdf).

use super::test_pdf::with_xref;
use super::*;

fn field_and_message(e: Error) -> (&'static str, String) {
    match e {
        Error::Invalid { field, message } => (field, message),
        other => panic!("not a field's mistake: {other}"),
    }
}

#[test]
fn stamp_line_parse_takes_the_sellers_wording() {
    for ok in [
        "Licensed to {email} · {date}",
        "  For {email} only  ",
        "No placeholders at all",
        "Braces {} { and {not a placeholder} stay as they are",
        "(c) Ada \\ 東京 {date}",
    ] {
        let line = StampLine::parse(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        assert_eq!(line.as_str(), ok.trim());
    }
    assert_eq!(
        StampLine::parse(&"x".repeat(MAX_CHARS))
            .unwrap()
            .as_str()
            .len(),
        MAX_CHARS
    );
}

#[test]
fn stamp_line_parse_refuses_what_would_not_stamp_well() {
    for bad in ["", "   ", "two\nlines", "tab\there", "bell\u{7}"] {
        let (field, message) = field_and_message(StampLine::parse(bad).unwrap_err());
        assert_eq!(field, "stamp", "{bad:?}");
        assert!(message.contains("1–200 characters"), "{bad:?}: {message}");
    }
    let (field, _) = field_and_message(StampLine::parse(&"é".repeat(MAX_CHARS + 1)).unwrap_err());
    assert_eq!(field, "stamp");
    // A misspelt placeholder would stamp the braces on every page: said at once.
    let (field, message) = field_and_message(StampLine::parse("Licensed to {emial}").unwrap_err());
    assert_eq!(field, "stamp");
    assert!(
        message.contains("{emial} is not a placeholder"),
        "{message}"
    );
}

#[test]
fn stamp_setting_is_off_on_or_the_wording() {
    assert_eq!(StampLine::setting(" Off ").unwrap(), None);
    for nothing in ["", "   "] {
        let e = StampLine::setting(nothing).unwrap_err();
        assert!(e.to_string().starts_with("stamp:"), "{e}");
    }
    for on in ["on", "ON", "default"] {
        assert_eq!(
            StampLine::setting(on).unwrap().unwrap().as_str(),
            DEFAULT_WORDING
        );
    }
    assert_eq!(
        StampLine::setting("Sold to {email}")
            .unwrap()
            .unwrap()
            .as_str(),
        "Sold to {email}"
    );
    assert!(StampLine::setting("{nope}").is_err());
}

#[test]
fn stamp_line_renders_the_buyer_and_the_day_in_utc() {
    let line = StampLine::parse(DEFAULT_WORDING).unwrap();
    // 2026-03-01 23:59:59 UTC: the day is UTC's, whatever the machine's zone.
    assert_eq!(
        line.render("ada@example.com", 1_772_409_599),
        "Licensed to ada@example.com · 2026-03-01"
    );
    assert_eq!(
        StampLine::parse("{email} {email}")
            .unwrap()
            .render("a@b.c", 0),
        "a@b.c a@b.c"
    );
}

#[test]
fn stamp_refuses_what_is_not_a_readable_pdf() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        ("empty.pdf", &b""[..]),
        ("header.pdf", b"%PDF-1.7\n"),
        (
            "garbage.pdf",
            b"%PDF-1.4\n\x00\xff garbage (unbalanced <<< [[[ obj endobj",
        ),
        (
            "nopages.pdf",
            b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n",
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let (field, message) = field_and_message(check_pdf(&path).unwrap_err());
        assert_eq!(field, "file", "{name}");
        assert!(
            message.starts_with("this PDF is damaged: "),
            "{name}: {message}"
        );
    }
    // Hostile shapes: nesting deep enough to overflow a parser that recurses freely, a page
    // tree that is its own kid, and a table that claims every object number there is.
    let deep = format!(
        "%PDF-1.4\n1 0 obj\n{}\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n",
        "[".repeat(200_000)
    );
    let cycle = with_xref(
        &[
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [2 0 R] /Count 1 >>",
        ],
        "",
    );
    let huge = with_xref(
        &[
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        ],
        "/Size 4294967295",
    );
    for (name, bytes) in [
        ("deep.pdf", deep.as_bytes()),
        ("cycle.pdf", &cycle),
        ("huge.pdf", &huge),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        if let Err(e) = check_pdf(&path) {
            let (field, message) = field_and_message(e);
            assert_eq!(field, "file", "{name}");
            assert!(
                message.starts_with("this PDF is damaged: "),
                "{name}: {message}"
            );
        }
    }
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "%PDF").unwrap();
    assert!(!is_pdf(&text).unwrap());
}

#[test]
fn a_hand_made_pdf_is_stamped_on_its_page() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("one.pdf");
    let content = "BT /F1 24 Tf 72 700 Td (Hello) Tj ET";
    std::fs::write(
        &src,
        with_xref(
            &[
                "<< /Type /Catalog /Pages 2 0 R >>",
                "<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 612 792] >>",
                "<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources 5 0 R >>",
                &format!(
                    "<< /Length {} >>\nstream\n{content}\nendstream",
                    content.len()
                ),
                "<< /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>",
            ],
            "",
        ),
    )
    .unwrap();
    check_pdf(&src).unwrap();
    let dest = dir.path().join("stamped.pdf");
    stamp_pdf(&src, &dest, "For (a) \\ b · 東").unwrap();
    let (original, stamped) = (std::fs::read(&src).unwrap(), std::fs::read(&dest).unwrap());
    assert_eq!(&stamped[..original.len()], &original[..]);
    let added = String::from_utf8_lossy(&stamped[original.len()..]).to_string();
    assert!(added.contains("(For \\(a\\) \\\\ b \\267 ?) Tj"), "{added}");
    assert!(added.contains("/BoothStamp"), "{added}");
    assert!(added.contains("/Prev "), "{added}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&dest).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // The same input, the same bytes: a kept copy lost can be made again exactly.
    let again = dir.path().join("again.pdf");
    stamp_pdf(&src, &again, "For (a) \\ b · 東").unwrap();
    assert_eq!(std::fs::read(&again).unwrap(), stamped);
}
