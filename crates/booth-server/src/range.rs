//! The Range header, for resumable downloads. Only a single byte range is honoured (what
//! download managers and browsers send); anything else gets the whole file.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeRequest {
    /// No (usable) Range header: send the whole file with 200.
    Full,
    /// Bytes start..=end of the file, with 206.
    Partial { start: u64, end: u64 },
    /// A range outside the file: 416.
    Unsatisfiable,
}

pub fn parse_range(header: Option<&str>, size: u64) -> RangeRequest {
    let Some(h) = header else {
        return RangeRequest::Full;
    };
    let Some(spec) = h.trim().strip_prefix("bytes=") else {
        return RangeRequest::Full;
    };
    if spec.contains(',') {
        return RangeRequest::Full;
    }
    let Some((a, b)) = spec.trim().split_once('-') else {
        return RangeRequest::Full;
    };
    let (a, b) = (a.trim(), b.trim());
    let num = |s: &str| -> Option<u64> {
        if s.is_empty() || s.len() > 20 || !s.bytes().all(|c| c.is_ascii_digit()) {
            None
        } else {
            s.parse().ok()
        }
    };
    let (start, end) = match (a.is_empty(), b.is_empty()) {
        // bytes=-N: the last N bytes.
        (true, false) => match num(b) {
            Some(0) => return RangeRequest::Unsatisfiable,
            Some(n) => (size.saturating_sub(n), size.saturating_sub(1)),
            None => return RangeRequest::Full,
        },
        (false, true) => match num(a) {
            Some(s) => (s, size.saturating_sub(1)),
            None => return RangeRequest::Full,
        },
        (false, false) => match (num(a), num(b)) {
            (Some(s), Some(e)) if s <= e => (s, e.min(size.saturating_sub(1))),
            (Some(_), Some(_)) => return RangeRequest::Unsatisfiable,
            _ => return RangeRequest::Full,
        },
        (true, true) => return RangeRequest::Full,
    };
    if size == 0 || start >= size {
        return RangeRequest::Unsatisfiable;
    }
    RangeRequest::Partial { start, end }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RangeRequest::*;

    #[test]
    fn parses_ranges() {
        assert_eq!(parse_range(None, 100), Full);
        assert_eq!(
            parse_range(Some("bytes=0-9"), 100),
            Partial { start: 0, end: 9 }
        );
        assert_eq!(
            parse_range(Some("bytes=50-"), 100),
            Partial { start: 50, end: 99 }
        );
        assert_eq!(
            parse_range(Some("bytes=-10"), 100),
            Partial { start: 90, end: 99 }
        );
        assert_eq!(
            parse_range(Some("bytes=90-500"), 100),
            Partial { start: 90, end: 99 }
        );
        assert_eq!(parse_range(Some("bytes=100-"), 100), Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=9-1"), 100), Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=-0"), 100), Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=0-1,5-6"), 100), Full);
        assert_eq!(parse_range(Some("items=0-1"), 100), Full);
        assert_eq!(parse_range(Some("bytes=abc-"), 100), Full);
        assert_eq!(
            parse_range(Some("bytes=99999999999999999999999-"), 100),
            Full
        );
        assert_eq!(parse_range(Some("bytes=-"), 100), Full);
        assert_eq!(parse_range(Some("bytes=0-"), 0), Unsatisfiable);
    }

    #[test]
    fn never_panics_on_garbage() {
        let samples = [
            "",
            "bytes=",
            "bytes=--",
            "bytes=1-2-3",
            "bytes= 1 - 2 ",
            "bytes=\u{0}-\u{1}",
            "bytes=18446744073709551615-",
            "bytes=-18446744073709551615",
        ];
        for s in samples {
            for size in [0u64, 1, 100, u64::MAX] {
                if let Partial { start, end } = parse_range(Some(s), size) {
                    assert!(start <= end && end < size, "{s:?} {size}");
                }
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]

        /// Whatever a client sends, the answer is a range inside the file, the whole
        /// file, or 416; never a panic, never a byte past the end.
        #[test]
        fn any_header_gives_a_range_inside_the_file(
            header in proptest::prelude::any::<String>(),
            size in 0u64..10_000_000,
        ) {
            check(&header, size);
        }

        #[test]
        fn range_like_headers_give_a_range_inside_the_file(
            header in "(bytes|BYTES|byte)?=? *-?[0-9]{0,25} *-? *[0-9]{0,25}(,[0-9]*-[0-9]*)?",
            size in proptest::prop_oneof![0u64..3, 0u64..100_000, proptest::prelude::Just(u64::MAX)],
        ) {
            check(&header, size);
        }
    }

    fn check(header: &str, size: u64) {
        match parse_range(Some(header), size) {
            RangeRequest::Partial { start, end } => {
                assert!(
                    start <= end && end < size,
                    "{header:?} {size}: {start}-{end}"
                );
            }
            RangeRequest::Full | RangeRequest::Unsatisfiable => {}
        }
    }
}
