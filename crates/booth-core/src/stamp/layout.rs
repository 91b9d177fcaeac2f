//! Where the stamp goes on a page: the page's visible box and turn (its own or inherited
//! from the page tree), and the small content stream that draws the line there.

use super::pdf::{damaged, Refusal};
use super::text;
use lopdf::{Dictionary, Object};

/// The page's own value for `key`, or the one it inherits from the page tree.
pub(super) fn inherited<'a>(
    doc: &'a lopdf::Document,
    page: &'a Dictionary,
    key: &[u8],
) -> Option<&'a Object> {
    let mut node = page;
    for _ in 0..64 {
        if let Ok(v) = node.get(key) {
            return doc.dereference(v).ok().map(|(_, v)| v);
        }
        node = node
            .get_deref(b"Parent", doc)
            .and_then(Object::as_dict)
            .ok()?;
    }
    None
}

/// The visible box (CropBox, else MediaBox) as x0, y0, x1, y1.
pub(super) fn page_box(doc: &lopdf::Document, page: &Dictionary) -> Result<[f64; 4], Refusal> {
    let b = inherited(doc, page, b"CropBox")
        .or_else(|| inherited(doc, page, b"MediaBox"))
        .and_then(|b| b.as_array().ok())
        .ok_or_else(|| damaged("a page has no size (MediaBox)"))?;
    let n: Vec<f64> = b
        .iter()
        .filter_map(|v| doc.dereference(v).ok()?.1.as_float().ok())
        .map(f64::from)
        .collect();
    match n[..] {
        [a, b, c, d] if (a - c).abs() >= 1.0 && (b - d).abs() >= 1.0 => {
            Ok([a.min(c), b.min(d), a.max(c), b.max(d)])
        }
        _ => Err(damaged("a page's size (MediaBox) is not a box")),
    }
}

/// The page's drawing of the line: grey Helvetica along the bottom edge as the page is
/// shown (after /Rotate), centred, shrunk to fit its width.
pub(super) fn stamp_content(font: &[u8], line: &[u8], bx: [f64; 4], rotate: i64) -> Vec<u8> {
    let [x0, y0, x1, y1] = bx;
    let rotate = rotate.rem_euclid(360);
    let shown_width = if rotate == 90 || rotate == 270 {
        y1 - y0
    } else {
        x1 - x0
    };
    let room = (shown_width - 24.0).max(24.0);
    let at_8 = text::width(line) * 8.0;
    let size = if at_8 > room {
        (8.0 * room / at_8).max(4.0)
    } else {
        8.0
    };
    let (px, py) = (
        ((shown_width - text::width(line) * size) / 2.0).max(12.0),
        10.0,
    );
    let (m, e, f) = match rotate {
        90 => ("0 1 -1 0", x1 - py, y0 + px),
        180 => ("-1 0 0 -1", x1 - px, y1 - py),
        270 => ("0 -1 1 0", x0 + py, y1 - px),
        _ => ("1 0 0 1", x0 + px, y0 + py),
    };
    let mut out = format!(
        "q /Artifact BMC BT /{} {size:.2} Tf 0.45 g {m} {e:.2} {f:.2} Tm ",
        String::from_utf8_lossy(font)
    )
    .into_bytes();
    out.extend_from_slice(&text::pdf_string(line));
    out.extend_from_slice(b" Tj ET EMC Q\n");
    out
}
