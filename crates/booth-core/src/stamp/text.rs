//! The stamp's text as a PDF draws it: the standard Helvetica, in WinAnsiEncoding (no font
//! is embedded), its width from Helvetica's metrics so the line can be centred and shrunk to
//! fit the page, and the bytes written as a PDF string.

/// WinAnsiEncoding's byte for `c`; what it has no byte for is '?'.
pub fn win_ansi(c: char) -> u8 {
    let code = u32::from(c);
    match code {
        0x20..=0x7e | 0xa0..=0xff => code as u8,
        _ => match c {
            '€' => 0x80,
            '‚' => 0x82,
            'ƒ' => 0x83,
            '„' => 0x84,
            '…' => 0x85,
            '†' => 0x86,
            '‡' => 0x87,
            'ˆ' => 0x88,
            '‰' => 0x89,
            'Š' => 0x8a,
            '‹' => 0x8b,
            'Œ' => 0x8c,
            'Ž' => 0x8e,
            '\u{2018}' => 0x91,
            '\u{2019}' => 0x92,
            '\u{201c}' => 0x93,
            '\u{201d}' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            '˜' => 0x98,
            '™' => 0x99,
            'š' => 0x9a,
            '›' => 0x9b,
            'œ' => 0x9c,
            'ž' => 0x9e,
            'Ÿ' => 0x9f,
            _ => b'?',
        },
    }
}

/// The line in WinAnsiEncoding, one byte a character.
pub fn encode(line: &str) -> Vec<u8> {
    line.chars().map(win_ansi).collect()
}

/// `bytes` as a PDF literal string, parentheses included: `(`, `)` and `\` escaped, and
/// every byte outside printable ASCII written as an octal escape, so the content stream
/// stays plain ASCII.
pub fn pdf_string(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 2);
    out.push(b'(');
    for &b in bytes {
        match b {
            b'(' | b')' | b'\\' => out.extend_from_slice(&[b'\\', b]),
            0x20..=0x7e => out.push(b),
            _ => out.extend_from_slice(format!("\\{b:03o}").as_bytes()),
        }
    }
    out.push(b')');
    out
}

/// Helvetica's advance widths (thousandths of the font size) for 0x20..=0x7E, from its AFM.
const ASCII_WIDTHS: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278,
    278, // space–/
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0–?
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @–O
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P–_
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // `–o
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // p–~
];

/// How wide the encoded line is at size 1 (in text space units).
pub fn width(encoded: &[u8]) -> f64 {
    let thousandths: u32 = encoded
        .iter()
        .map(|&b| match b {
            0x20..=0x7e => u32::from(ASCII_WIDTHS[usize::from(b - 0x20)]),
            // The middle dot, bullet and the like are narrow; most letters are about 556.
            0xb7 | 0x95 => 278,
            _ => 556,
        })
        .sum();
    f64::from(thousandths) / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn win_ansi_maps_what_it_can_and_replaces_the_rest() {
        assert_eq!(
            encode("Licensed · café €5 “x”"),
            b"Licensed \xb7 caf\xe9 \x805 \x93x\x94"
        );
        assert_eq!(encode("Łódź 東京 🐢"), b"?\xf3d? ?? ?");
    }

    #[test]
    fn pdf_strings_are_escaped() {
        assert_eq!(pdf_string(b"a(b)c\\d"), b"(a\\(b\\)c\\\\d)".to_vec());
        assert_eq!(pdf_string(b"\xb7\n"), b"(\\267\\012)".to_vec());
    }

    #[test]
    fn widths_follow_helvetica() {
        assert!((width(b"Hi") - (0.722 + 0.222)).abs() < 1e-9);
        assert!((width(b" ~") - (0.278 + 0.584)).abs() < 1e-9);
    }
}
