//! A book-like PDF of `pages` pages written from scratch: forty lines of text and a link on
//! every page, a 256 KiB picture opening every chapter of ten pages, a bookmark per chapter,
//! a title in its metadata. About 10 MiB for 300 pages, as an illustrated e-book is; nothing
//! is compressed, so no time goes into inflating what stamping keeps.

#[path = "../../src/stamp/test_pdf.rs"]
mod test_pdf;
use test_pdf::with_xref;

pub fn book(pages: usize) -> Vec<u8> {
    let mut objects: Vec<String> = Vec::new();
    // 1 catalog, 2 pages tree, 3 font, 4 info, 5 outlines; then per page: page, content,
    // link, picture (a real one on a chapter's first page, a 1-pixel one elsewhere).
    let first = 6;
    let page_id = |i: usize| first + 4 * i;
    let marks: Vec<usize> = (0..pages).step_by(10).collect();
    let mark_id = |k: usize| first + 4 * pages + k;
    objects.push("<< /Type /Catalog /Pages 2 0 R /Outlines 5 0 R /PageMode /UseOutlines >>".into());
    let kids: Vec<String> = (0..pages).map(|i| format!("{} 0 R", page_id(i))).collect();
    objects.push(format!(
        "<< /Type /Pages /Count {pages} /Kids [{}] >>",
        kids.join(" ")
    ));
    objects.push("<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >>".into());
    objects.push("<< /Title (A Field Guide) /Author (Ana Writer) /Producer (bench) >>".into());
    objects.push(format!(
        "<< /Type /Outlines /First {} 0 R /Last {} 0 R /Count {} >>",
        mark_id(0),
        mark_id(marks.len() - 1),
        marks.len()
    ));
    for i in 0..pages {
        let mut text = String::from("BT /F1 11 Tf 72 740 Td 14 TL");
        for line in 0..40 {
            text.push_str(&format!(
                " (Chapter {} page {} line {line}: the quick brown fox jumps over the lazy dog.) '",
                i / 10 + 1,
                i + 1
            ));
        }
        text.push_str(" ET q 300 0 0 300 156 200 cm /Im1 Do Q");
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> /XObject << /Im1 {} 0 R >> >> /Contents {} 0 R /Annots [{} 0 R] >>",
            page_id(i) + 3,
            page_id(i) + 1,
            page_id(i) + 2
        ));
        objects.push(format!(
            "<< /Length {} >>\nstream\n{text}\nendstream",
            text.len() + 1
        ));
        objects.push(format!(
            "<< /Type /Annot /Subtype /Link /Rect [72 700 300 730] /Border [0 0 0] /A << /S /URI /URI (https://example.com/chapter/{}) >> >>",
            i / 10 + 1
        ));
        let side = if i % 10 == 0 { 512 } else { 1 };
        let pixels: String = (0..side * side)
            .map(|p| char::from(b'A' + ((p * 7 + i) % 26) as u8))
            .collect();
        objects.push(format!(
            "<< /Type /XObject /Subtype /Image /Width {side} /Height {side} /ColorSpace /DeviceGray /BitsPerComponent 8 /Length {} >>\nstream\n{pixels}\nendstream",
            pixels.len()
        ));
    }
    for (k, &p) in marks.iter().enumerate() {
        let prev = if k > 0 {
            format!(" /Prev {} 0 R", mark_id(k - 1))
        } else {
            String::new()
        };
        let next = if k + 1 < marks.len() {
            format!(" /Next {} 0 R", mark_id(k + 1))
        } else {
            String::new()
        };
        objects.push(format!(
            "<< /Title (Chapter {}) /Parent 5 0 R /Dest [{} 0 R /Fit]{prev}{next} >>",
            k + 1,
            page_id(p)
        ));
    }
    with_xref(&objects, "/Info 4 0 R")
}
