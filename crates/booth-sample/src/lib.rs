//! "The Little Book of Booth": a small sample e-book, generated as a PDF by hand.
//!
//! A fresh install needs a real file to sell in the demo. Rather than ship a binary
//! blob nobody can review, the PDF is written here from scratch: no dependencies, only
//! the standard Type1 fonts every PDF reader has (Helvetica, Helvetica-Bold and
//! Times-Roman in WinAnsiEncoding), simple greedy word wrapping with the fonts' real
//! glyph widths, justified body text, and a correctly computed cross-reference table.
//!
//! The output is deterministic (no dates, no IDs), so the committed copy in
//! `files/the-little-book-of-booth.pdf` can be checked byte for byte against it.

mod pdf;

use pdf::*;

/// Page size: 6 × 9 inches, a common trade-book format.
pub(crate) const PAGE_W: f32 = 432.0;
pub(crate) const PAGE_H: f32 = 648.0;
/// Left and right margin of the text block.
pub(crate) const MARGIN: f32 = 60.0;
/// Width of the text block.
pub(crate) const TEXT_W: f32 = PAGE_W - 2.0 * MARGIN;
/// Baseline of the first line of text on a content page.
pub(crate) const TEXT_TOP: f32 = 564.0;
/// Nothing is set below this baseline (the page number sits underneath).
pub(crate) const TEXT_BOTTOM: f32 = 68.0;

pub(crate) const BODY_SIZE: f32 = 11.0;
pub(crate) const BODY_LEADING: f32 = 15.0;
pub(crate) const PARA_GAP: f32 = 7.0;

pub(crate) type Rgb = (f32, f32, f32);
pub(crate) const INK: Rgb = (0.133, 0.133, 0.165);
pub(crate) const MUTED: Rgb = (0.45, 0.46, 0.52);
pub(crate) const RULE: Rgb = (0.85, 0.86, 0.9);
pub(crate) const INDIGO: Rgb = (0.31, 0.275, 0.898); // #4f46e5
pub(crate) const INDIGO_50: Rgb = (0.933, 0.949, 1.0); // #eef2ff
pub(crate) const INDIGO_100: Rgb = (0.878, 0.906, 1.0); // #e0e7ff
pub(crate) const INDIGO_200: Rgb = (0.78, 0.824, 0.996); // #c7d2fe
pub(crate) const INDIGO_300: Rgb = (0.647, 0.706, 0.988); // #a5b4fc
pub(crate) const WHITE: Rgb = (1.0, 1.0, 1.0);

pub(crate) const TITLE: &str = "The Little Book of Booth";

/// Generates the sample e-book. Always returns the same bytes.
pub fn sample_ebook_pdf() -> Vec<u8> {
    let mut pages = vec![cover_page()];
    let mut flow = Flow::new(pages.len());
    for block in book_text() {
        flow.block(block);
    }
    pages.extend(flow.finish());
    write_pdf(&pages)
}

// ---------------------------------------------------------------------------
// The text
// ---------------------------------------------------------------------------

enum Block {
    Chapter(&'static str, &'static str),
    Para(&'static str),
    Bullet(&'static str),
    Tip(&'static str),
    End(&'static str),
}

fn book_text() -> Vec<Block> {
    use Block::*;
    vec![
        Chapter("Chapter 1", "Your shop, your rules"),
        Para(
            "Most creators start selling on a marketplace because it is easy: upload a file, \
             pick a price, and let the platform handle the rest. The trouble starts later. Fees \
             creep up, rules change without notice, and the relationship with your buyers \
             belongs to someone else. When a platform decides your work no longer fits, your \
             shop can disappear overnight.",
        ),
        Para(
            "Selling from your own machine turns that around. The files live on your disk, the \
             payments go through your own Stripe account, and the list of people who bought from \
             you is yours to keep. You do not need a team or a server farm \u{2014} you need a \
             clear offer, a fair price, and a reliable way to get files into the hands of the \
             people who paid for them.",
        ),
        Para(
            "This little book covers exactly those three things. It is short on purpose: read it \
             once, set up your first product, and come back when you are ready to grow.",
        ),
        Chapter("Chapter 2", "Pricing without the panic"),
        Para(
            "Pricing is where most creators stall. The fear is always the same: charge too much \
             and nobody buys, charge too little and the work looks cheap. In practice the first \
             price you pick matters far less than you think, because you can change it tomorrow.",
        ),
        Para(
            "Start from the value to the buyer, not the hours you spent. A template that saves a \
             designer a day of work is worth more than a few dollars, even if it took you an \
             afternoon to make. Look at what similar work sells for, pick a round number in that \
             range, and ship. A few rules of thumb help:",
        ),
        Bullet(
            "Prefer one clear price over a maze of tiers. Bundles can come later.",
        ),
        Bullet(
            "Don\u{2019}t go too low. A $2 product brings the same questions and support email \
             as a $20 one.",
        ),
        Bullet(
            "Raise the price when the product gets better, and let existing buyers keep every \
             update they already paid for.",
        ),
        Tip(
            "Make a test purchase in Stripe\u{2019}s test mode before you go live. It costs \
             nothing and shows you the whole journey \u{2014} from the Buy button to the receipt \
             \u{2014} through your buyer\u{2019}s eyes.",
        ),
        Chapter("Chapter 3", "Delivering files people can open"),
        Para(
            "The moment after payment is the most important moment of the whole sale. The buyer \
             has just trusted you with their money; the best thing you can do is hand over the \
             goods right away, without making them wait for an email or hunt for a password.",
        ),
        Para(
            "Good delivery is boring in the best way. Name your files clearly \u{2014} \
             \u{201c}field-guide.pdf\u{201d} beats \u{201c}final_v3_REAL.pdf\u{201d}. Use formats \
             that open everywhere: PDF for documents, EPUB alongside it for e-readers, and a plain \
             ZIP for collections. Mention file sizes on the product page, so nobody is surprised \
             by a large download on a phone.",
        ),
        Para(
            "Give every buyer a personal download page and send the same link in their receipt. \
             Allowing a handful of downloads per file keeps casual sharing in check without \
             punishing honest buyers who switch devices. When someone does run out, answer kindly \
             and reset the counter: it takes a minute and earns a customer for life.",
        ),
        Chapter("Chapter 4", "Sending updates to buyers"),
        Para(
            "Digital goods are never quite finished. You will fix a typo, add a chapter, or rework \
             an example after someone asks a good question. Each of those is a reason to get back \
             in touch with the people who already bought from you.",
        ),
        Para(
            "Keep updates simple. Replace the file, say what changed in a sentence or two, and \
             let buyers download the new version from the personal link they already have. No \
             new purchase, no coupon code, no account to create.",
        ),
        Para(
            "When you write to buyers, write like a person. Say what is new, why it helps, and \
             where to get it. Write only when something has actually changed, and people will \
             look forward to hearing from you instead of reaching for the unsubscribe link.",
        ),
        Chapter("Before you go", "A short checklist"),
        Bullet("Say what buyers get in plain words, with formats and sizes."),
        Bullet("Set one fair price and a sensible download limit."),
        Bullet("Make a test purchase and read your own receipt."),
        Bullet("Put your support email where buyers can find it."),
        Bullet("Ship it. Then make the next thing."),
        End("Thanks for reading \u{2014} and good luck with your first sale."),
    ]
}

// ---------------------------------------------------------------------------
// Fonts and text measurement
// ---------------------------------------------------------------------------

fn cover_page() -> Page {
    let mut p = Page::default();
    p.rect(0.0, 0.0, PAGE_W, PAGE_H, INDIGO);

    // A little market booth: striped awning with scalloped edge, two posts, a counter.
    let stripes = 5;
    let stripe_w = 26.0;
    let awning_w = stripe_w * stripes as f32;
    let x0 = (PAGE_W - awning_w) / 2.0;
    let (awning_top, awning_bottom) = (560.0, 524.0);
    let (counter_y, counter_h) = (448.0, 16.0);
    p.rect(
        x0 + 8.0,
        counter_y,
        5.0,
        awning_bottom - counter_y,
        INDIGO_200,
    );
    p.rect(
        x0 + awning_w - 13.0,
        counter_y,
        5.0,
        awning_bottom - counter_y,
        INDIGO_200,
    );
    for i in 0..stripes {
        let color = if i % 2 == 0 { WHITE } else { INDIGO_300 };
        let x = x0 + stripe_w * i as f32;
        p.rect(
            x,
            awning_bottom,
            stripe_w,
            awning_top - awning_bottom,
            color,
        );
        p.scallop(
            x + stripe_w / 2.0,
            awning_bottom + 0.5,
            stripe_w / 2.0,
            color,
        );
    }
    p.rect(x0 - 6.0, awning_top, awning_w + 12.0, 7.0, WHITE);
    p.rect(x0 - 10.0, counter_y, awning_w + 20.0, counter_h, WHITE);
    p.rect(x0 - 4.0, counter_y - 6.0, awning_w + 8.0, 6.0, INDIGO_300);

    p.centered(Font::SansBold, 9.0, 384.0, "A SHORT GUIDE", INDIGO_200, 2.2);
    p.centered(Font::SansBold, 34.0, 338.0, "The Little Book", WHITE, 0.0);
    p.centered(Font::SansBold, 34.0, 298.0, "of Booth", WHITE, 0.0);
    p.rect((PAGE_W - 48.0) / 2.0, 270.0, 48.0, 2.5, INDIGO_300);
    p.centered(
        Font::Serif,
        15.0,
        238.0,
        "Selling digital goods",
        INDIGO_100,
        0.0,
    );
    p.centered(
        Font::Serif,
        15.0,
        219.0,
        "on your own terms",
        INDIGO_100,
        0.0,
    );

    p.centered(
        Font::Sans,
        9.5,
        86.0,
        "Pricing \u{b7} Delivery \u{b7} Updates",
        INDIGO_200,
        0.4,
    );
    p.centered(Font::SansBold, 12.0, 60.0, "Booth", WHITE, 0.6);
    p
}

/// Flows blocks of text across content pages.
struct Flow {
    pages: Vec<Page>,
    /// Number of pages that come before the first content page.
    offset: usize,
    /// Baseline of the next line.
    y: f32,
    /// True while nothing has been set on the current page.
    fresh: bool,
}

impl Flow {
    fn new(offset: usize) -> Flow {
        let mut flow = Flow {
            pages: Vec::new(),
            offset,
            y: TEXT_TOP,
            fresh: true,
        };
        flow.new_page();
        flow
    }

    fn page(&mut self) -> &mut Page {
        self.pages.last_mut().expect("a page")
    }

    fn new_page(&mut self) {
        let mut page = Page::default();
        let number = self.offset + self.pages.len() + 1;
        let header = encode(&TITLE.to_uppercase());
        page.text(Font::SansBold, 7.0, MARGIN, 598.0, &header, MUTED, 1.4, 0.0);
        page.rect(MARGIN, 588.0, TEXT_W, 0.6, RULE);
        page.centered(Font::Sans, 8.5, 44.0, &number.to_string(), MUTED, 0.0);
        self.pages.push(page);
        self.y = TEXT_TOP;
        self.fresh = true;
    }

    /// Starts a new page unless `height` points still fit above the bottom margin.
    fn ensure(&mut self, height: f32) {
        if self.y - height < TEXT_BOTTOM - BODY_LEADING + 0.1 && !self.fresh {
            self.new_page();
        }
    }

    /// Sets wrapped lines at `x`, justified to `width`, breaking pages as needed.
    fn lines(&mut self, font: Font, size: f32, leading: f32, x: f32, width: f32, lines: &[Line]) {
        for (i, line) in lines.iter().enumerate() {
            // Avoid a lone first line at the bottom of a page (an orphan) and a lone
            // last line at the top of the next one (a widow).
            let orphan = i == 0 && lines.len() > 1;
            let widow = i + 2 == lines.len() && lines.len() > 2;
            let need = if orphan || widow {
                2.0 * leading
            } else {
                leading
            };
            self.ensure(need);
            let spaces = line.text.iter().filter(|&&b| b == b' ').count();
            let spacing = if line.last || spaces == 0 {
                0.0
            } else {
                (width - text_width(font, size, &line.text, 0.0)) / spaces as f32
            };
            let y = self.y;
            self.page()
                .text(font, size, x, y, &line.text, INK, 0.0, spacing);
            self.y -= leading;
            self.fresh = false;
        }
    }

    fn block(&mut self, block: Block) {
        match block {
            Block::Chapter(label, title) => {
                // Keep the heading together with at least three lines of text.
                if !self.fresh {
                    self.y -= 16.0;
                    self.ensure(58.0 + 3.0 * BODY_LEADING);
                }
                let y = self.y;
                let label = encode(&label.to_uppercase());
                let title = encode(title);
                let page = self.page();
                page.text(Font::SansBold, 8.0, MARGIN, y, &label, INDIGO, 1.6, 0.0);
                page.text(
                    Font::SansBold,
                    17.0,
                    MARGIN,
                    y - 24.0,
                    &title,
                    INK,
                    0.0,
                    0.0,
                );
                page.rect(MARGIN, y - 35.0, 28.0, 2.0, INDIGO);
                self.y -= 58.0;
                self.fresh = false;
            }
            Block::Para(text) => {
                let lines = wrap(Font::Serif, BODY_SIZE, text, TEXT_W);
                self.lines(Font::Serif, BODY_SIZE, BODY_LEADING, MARGIN, TEXT_W, &lines);
                self.y -= PARA_GAP;
            }
            Block::Bullet(text) => {
                let indent = 16.0;
                let lines = wrap(Font::Serif, BODY_SIZE, text, TEXT_W - indent);
                self.ensure(BODY_LEADING * lines.len().min(2) as f32);
                let y = self.y;
                self.page().text(
                    Font::Serif,
                    BODY_SIZE,
                    MARGIN + 3.0,
                    y,
                    &[0x95],
                    INDIGO,
                    0.0,
                    0.0,
                );
                self.lines(
                    Font::Serif,
                    BODY_SIZE,
                    BODY_LEADING,
                    MARGIN + indent,
                    TEXT_W - indent,
                    &lines,
                );
                self.y -= 3.0;
            }
            Block::Tip(text) => {
                let (pad, size, leading) = (12.0, 9.5, 13.5);
                let inner = TEXT_W - 2.0 * pad - 3.0;
                let lines = wrap(Font::Sans, size, text, inner);
                let height = 2.0 * pad + 10.0 + leading * lines.len() as f32;
                // The box starts just below the previous line of text.
                let mut top = self.y + 6.0;
                if top - height < TEXT_BOTTOM - 4.0 && !self.fresh {
                    self.new_page();
                    top = self.y + 8.0;
                }
                let bottom = top - height;
                let page = self.page();
                page.rect(MARGIN, bottom, TEXT_W, height, INDIGO_50);
                page.rect(MARGIN, bottom, 3.0, height, INDIGO);
                let x = MARGIN + 3.0 + pad;
                let mut y = top - pad - 6.0;
                page.text(Font::SansBold, 7.5, x, y, b"TIP", INDIGO, 1.4, 0.0);
                y -= 14.5;
                for line in &lines {
                    page.text(Font::Sans, size, x, y, &line.text, INK, 0.0, 0.0);
                    y -= leading;
                }
                self.y = bottom - 22.0;
                self.fresh = false;
            }
            Block::End(text) => {
                self.y -= 10.0;
                self.ensure(30.0);
                let y = self.y;
                let page = self.page();
                page.centered(
                    Font::Serif,
                    12.0,
                    y,
                    "\u{2022}  \u{2022}  \u{2022}",
                    INDIGO,
                    0.0,
                );
                page.centered(Font::Serif, BODY_SIZE, y - 20.0, text, MUTED, 0.0);
                self.y -= 20.0 + BODY_LEADING;
                self.fresh = false;
            }
        }
    }

    fn finish(self) -> Vec<Page> {
        self.pages
    }
}

// ---------------------------------------------------------------------------
// The PDF file
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
        haystack.windows(needle.len()).position(|w| w == needle)
    }

    fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
        haystack.windows(needle.len()).rposition(|w| w == needle)
    }

    fn count(haystack: &[u8], needle: &[u8]) -> usize {
        haystack
            .windows(needle.len())
            .filter(|w| *w == needle)
            .count()
    }

    #[test]
    fn has_header_and_trailer() {
        let pdf = sample_ebook_pdf();
        assert!(pdf.starts_with(b"%PDF-1.4\n"));
        assert!(pdf.ends_with(b"%%EOF\n"));
        assert!(find(&pdf, b"trailer\n<< /Size ").is_some());
        assert!(find(&pdf, b"/Root 1 0 R").is_some());
    }

    #[test]
    fn xref_offsets_point_at_objects() {
        let pdf = sample_ebook_pdf();
        let sx = rfind(&pdf, b"startxref\n").expect("startxref") + b"startxref\n".len();
        let end = sx + pdf[sx..].iter().position(|&b| b == b'\n').unwrap();
        let xref: usize = std::str::from_utf8(&pdf[sx..end]).unwrap().parse().unwrap();
        assert!(
            pdf[xref..].starts_with(b"xref\n0 "),
            "startxref must point at the xref table"
        );

        let table = std::str::from_utf8(&pdf[xref..]).unwrap();
        let mut lines = table.split('\n');
        assert_eq!(lines.next(), Some("xref"));
        let size: usize = lines
            .next()
            .unwrap()
            .strip_prefix("0 ")
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(lines.next(), Some("0000000000 65535 f "));
        for n in 1..size {
            let entry = lines.next().unwrap();
            assert_eq!(
                entry.len(),
                19,
                "xref entry {n} must be 20 bytes with its newline"
            );
            assert!(entry.ends_with(" 00000 n "));
            let offset: usize = entry[..10].parse().unwrap();
            let expected = format!("{n} 0 obj\n");
            assert!(
                pdf[offset..].starts_with(expected.as_bytes()),
                "xref entry for object {n} points at the wrong place"
            );
        }
        assert_eq!(lines.next(), Some("trailer"));
        assert!(table.contains(&format!("/Size {size} ")));
        // No other objects exist besides the ones in the table.
        assert_eq!(count(&pdf, b" 0 obj\n"), size - 1);
    }

    #[test]
    fn page_count_is_right() {
        let pdf = sample_ebook_pdf();
        let pages = count(&pdf, b"<< /Type /Page /");
        assert!(
            (3..=4).contains(&pages),
            "expected 3 or 4 pages, got {pages}"
        );
        assert!(find(&pdf, format!("/Count {pages} >>").as_bytes()).is_some());
        assert_eq!(count(&pdf, b">>\nstream\n"), pages);
    }

    #[test]
    fn stream_lengths_are_right() {
        let pdf = sample_ebook_pdf();
        let mut from = 0;
        while let Some(at) = find(&pdf[from..], b"<< /Length ") {
            let start = from + at + b"<< /Length ".len();
            let digits = pdf[start..].iter().position(|&b| b == b' ').unwrap();
            let len: usize = std::str::from_utf8(&pdf[start..start + digits])
                .unwrap()
                .parse()
                .unwrap();
            let data = start + find(&pdf[start..], b"stream\n").unwrap() + b"stream\n".len();
            assert!(pdf[data + len..].starts_with(b"\nendstream"));
            from = data + len;
        }
    }

    #[test]
    fn is_deterministic() {
        assert_eq!(sample_ebook_pdf(), sample_ebook_pdf());
    }

    #[test]
    fn strings_are_escaped() {
        assert_eq!(pdf_string(b"a(b)c\\d"), b"(a\\(b\\)c\\\\d)".to_vec());
        assert_eq!(
            encode("\u{201c}Hi\u{201d} \u{2014} it\u{2019}s"),
            b"\x93Hi\x94 \x97 it\x92s".to_vec()
        );
    }

    #[test]
    fn wrapped_lines_fit() {
        for line in wrap(
            Font::Serif,
            BODY_SIZE,
            &"lorem ipsum dolor ".repeat(40),
            TEXT_W,
        ) {
            assert!(text_width(Font::Serif, BODY_SIZE, &line.text, 0.0) <= TEXT_W);
        }
    }

    #[test]
    fn committed_demo_file_is_the_generators_output() {
        // files/ ships the demo e-book; regenerate it if the generator changes.
        let committed = include_bytes!("../../../files/the-little-book-of-booth.pdf");
        assert!(
            committed.as_slice() == sample_ebook_pdf().as_slice(),
            "files/the-little-book-of-booth.pdf is stale"
        );
    }
}
