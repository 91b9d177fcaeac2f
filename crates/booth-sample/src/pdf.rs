//! A small PDF writer: the standard Type1 fonts' glyph widths, word wrapping, pages of
//! drawing operators, and the file with its cross-reference table.

use crate::*;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Font {
    Sans,
    SansBold,
    Serif,
}

impl Font {
    pub(crate) fn resource(self) -> &'static str {
        match self {
            Font::Sans => "F1",
            Font::SansBold => "F2",
            Font::Serif => "F3",
        }
    }
}

/// Glyph widths (1/1000 em) for the printable ASCII range 32..=126, from the Adobe AFMs.
#[rustfmt::skip]
pub(crate) const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];
#[rustfmt::skip]
pub(crate) const HELVETICA_BOLD: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
];
#[rustfmt::skip]
pub(crate) const TIMES_ROMAN: [u16; 95] = [
    250, 333, 408, 500, 500, 833, 778, 180, 333, 333, 500, 564, 250, 333, 250, 278,
    500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 278, 278, 564, 564, 564, 444,
    921, 722, 667, 667, 722, 611, 556, 722, 722, 333, 389, 722, 611, 889, 722, 722,
    556, 722, 667, 556, 611, 722, 722, 944, 722, 722, 611, 333, 278, 333, 469, 500,
    333, 444, 500, 444, 500, 444, 333, 500, 500, 278, 278, 500, 278, 778, 500, 500,
    500, 500, 333, 389, 278, 500, 500, 722, 500, 500, 444, 480, 200, 480, 541,
];

/// Width of one WinAnsiEncoding byte in 1/1000 em.
pub(crate) fn glyph_width(font: Font, byte: u8) -> f32 {
    let (table, quote, dquote) = match font {
        Font::Sans => (&HELVETICA, 222, 333),
        Font::SansBold => (&HELVETICA_BOLD, 278, 500),
        Font::Serif => (&TIMES_ROMAN, 333, 444),
    };
    let w = match byte {
        32..=126 => table[(byte - 32) as usize],
        0x91 | 0x92 => quote,
        0x93 | 0x94 => dquote,
        0x95 => 350,
        0x96 => {
            if font == Font::Serif {
                500
            } else {
                556
            }
        }
        0x85 | 0x97 => 1000,
        0xB7 => 278,
        _ => 500,
    };
    f32::from(w)
}

/// Converts text to WinAnsiEncoding bytes (the few typographic characters used here).
pub(crate) fn encode(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            ' '..='~' => c as u8,
            '\u{2018}' => 0x91,
            '\u{2019}' => 0x92,
            '\u{201c}' => 0x93,
            '\u{201d}' => 0x94,
            '\u{2022}' => 0x95,
            '\u{2013}' => 0x96,
            '\u{2014}' => 0x97,
            '\u{2026}' => 0x85,
            '\u{b7}' => 0xB7,
            _ => b'?',
        })
        .collect()
}

/// Width in points of encoded text at `size`, with `tracking` extra points per glyph.
pub(crate) fn text_width(font: Font, size: f32, text: &[u8], tracking: f32) -> f32 {
    text.iter().map(|&b| glyph_width(font, b)).sum::<f32>() * size / 1000.0
        + tracking * text.len() as f32
}

/// One wrapped line: its bytes and whether it ends a paragraph (so it is not justified).
pub(crate) struct Line {
    pub(crate) text: Vec<u8>,
    pub(crate) last: bool,
}

/// Greedy word wrap of `text` into lines no wider than `width` points.
pub(crate) fn wrap(font: Font, size: f32, text: &str, width: f32) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut current: Vec<u8> = Vec::new();
    for word in encode(text).split(|&b| b == b' ').filter(|w| !w.is_empty()) {
        if current.is_empty() {
            current.extend_from_slice(word);
            continue;
        }
        let mut candidate = current.clone();
        candidate.push(b' ');
        candidate.extend_from_slice(word);
        if text_width(font, size, &candidate, 0.0) <= width {
            current = candidate;
        } else {
            lines.push(Line {
                text: std::mem::take(&mut current),
                last: false,
            });
            current.extend_from_slice(word);
        }
    }
    if !current.is_empty() {
        lines.push(Line {
            text: current,
            last: true,
        });
    }
    lines
}

// ---------------------------------------------------------------------------
// Page content streams
// ---------------------------------------------------------------------------

/// Formats a number for a content stream: at most two decimals, no trailing zeros.
pub(crate) fn num(v: f32) -> String {
    let s = format!("{:.2}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// A PDF literal string with `(`, `)` and `\` escaped.
pub(crate) fn pdf_string(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 2);
    out.push(b'(');
    for &b in bytes {
        if matches!(b, b'(' | b')' | b'\\') {
            out.push(b'\\');
        }
        out.push(b);
    }
    out.push(b')');
    out
}

/// The drawing operators of one page.
#[derive(Default)]
pub(crate) struct Page {
    pub(crate) ops: Vec<u8>,
    /// Character and word spacing currently in effect. They are part of the graphics
    /// state and outlive `ET`, so they are only emitted when they change.
    pub(crate) tracking: f32,
    pub(crate) word_spacing: f32,
}

impl Page {
    pub(crate) fn raw(&mut self, s: &str) {
        self.ops.extend_from_slice(s.as_bytes());
    }

    pub(crate) fn fill_color(&mut self, (r, g, b): Rgb) {
        self.raw(&format!("{} {} {} rg\n", num(r), num(g), num(b)));
    }

    pub(crate) fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, color: Rgb) {
        self.fill_color(color);
        self.raw(&format!(
            "{} {} {} {} re f\n",
            num(x),
            num(y),
            num(w),
            num(h)
        ));
    }

    /// Draws a lower half-disc (a scallop) of radius `r` whose flat edge is centred on (cx, cy).
    pub(crate) fn scallop(&mut self, cx: f32, cy: f32, r: f32, color: Rgb) {
        const K: f32 = 0.5523; // Bézier approximation of a quarter circle
        self.fill_color(color);
        self.raw(&format!(
            "{} {} m {} {} {} {} {} {} c {} {} {} {} {} {} c h f\n",
            num(cx - r),
            num(cy),
            num(cx - r),
            num(cy - r * K),
            num(cx - r * K),
            num(cy - r),
            num(cx),
            num(cy - r),
            num(cx + r * K),
            num(cy - r),
            num(cx + r),
            num(cy - r * K),
            num(cx + r),
            num(cy),
        ));
    }

    /// Sets one line of already-encoded text with its baseline at (x, y).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn text(
        &mut self,
        font: Font,
        size: f32,
        x: f32,
        y: f32,
        text: &[u8],
        color: Rgb,
        tracking: f32,
        word_spacing: f32,
    ) {
        self.raw("BT\n");
        self.raw(&format!("/{} {} Tf\n", font.resource(), num(size)));
        self.fill_color(color);
        if num(tracking) != num(self.tracking) {
            self.raw(&format!("{} Tc\n", num(tracking)));
            self.tracking = tracking;
        }
        if num(word_spacing) != num(self.word_spacing) {
            self.raw(&format!("{} Tw\n", num(word_spacing)));
            self.word_spacing = word_spacing;
        }
        self.raw(&format!("{} {} Td\n", num(x), num(y)));
        self.ops.extend_from_slice(&pdf_string(text));
        self.raw(" Tj\nET\n");
    }

    /// A single line of text, horizontally centred on the page.
    pub(crate) fn centered(
        &mut self,
        font: Font,
        size: f32,
        y: f32,
        text: &str,
        color: Rgb,
        tracking: f32,
    ) {
        let bytes = encode(text);
        // Tracking is also added after the last glyph; leave it out when centring.
        let w = text_width(font, size, &bytes, tracking) - tracking;
        self.text(
            font,
            size,
            (PAGE_W - w) / 2.0,
            y,
            &bytes,
            color,
            tracking,
            0.0,
        );
    }
}

pub(crate) fn write_pdf(pages: &[Page]) -> Vec<u8> {
    // Object numbers: 1 catalog, 2 page tree, 3–5 fonts, 6 info,
    // then for page i: 7 + 2i (page) and 8 + 2i (its content stream).
    let page_obj = |i: usize| 7 + 2 * i;
    let mut objects: Vec<Vec<u8>> = Vec::new();

    objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    let kids: Vec<String> = (0..pages.len())
        .map(|i| format!("{} 0 R", page_obj(i)))
        .collect();
    objects.push(
        format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.join(" "),
            pages.len()
        )
        .into_bytes(),
    );
    for base in ["Helvetica", "Helvetica-Bold", "Times-Roman"] {
        objects.push(
            format!(
                "<< /Type /Font /Subtype /Type1 /BaseFont /{} /Encoding /WinAnsiEncoding >>",
                base
            )
            .into_bytes(),
        );
    }
    let mut info = b"<< /Title ".to_vec();
    info.extend_from_slice(&pdf_string(TITLE.as_bytes()));
    info.extend_from_slice(b" /Author (Booth) /Creator (Booth) >>");
    objects.push(info);

    for (i, page) in pages.iter().enumerate() {
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {} {}] \
                 /Resources << /Font << /F1 3 0 R /F2 4 0 R /F3 5 0 R >> >> /Contents {} 0 R >>",
                num(PAGE_W),
                num(PAGE_H),
                page_obj(i) + 1
            )
            .into_bytes(),
        );
        let mut stream = format!("<< /Length {} >>\nstream\n", page.ops.len()).into_bytes();
        stream.extend_from_slice(&page.ops);
        stream.extend_from_slice(b"\nendstream");
        objects.push(stream);
    }

    // A binary comment after the header marks the file as binary for transfer tools.
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n", objects.len() + 1).as_bytes());
    // Each entry is exactly 20 bytes, including the two-byte end of line.
    out.extend_from_slice(b"0000000000 65535 f \n");
    for offset in offsets {
        out.extend_from_slice(format!("{:010} 00000 n \n", offset).as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R /Info 6 0 R >>\nstartxref\n{}\n%%EOF\n",
            objects.len() + 1,
            xref
        )
        .as_bytes(),
    );
    out
}
