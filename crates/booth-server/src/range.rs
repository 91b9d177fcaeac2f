//! The Range header, for resumable downloads. Only a single byte range is honoured (what
//! download managers and browsers send); anything else gets the whole file. Which bytes of
//! the file that is, and whether it costs a download, the core decides (`ByteRange`).

use booth_core::resume::ByteRange;

/// The range `header` asks for; None when there is none to honour (send the whole file).
pub fn parse_range(header: Option<&str>) -> Option<ByteRange> {
    let spec = header?.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (a, b) = spec.trim().split_once('-')?;
    let (a, b) = (a.trim(), b.trim());
    let num = |s: &str| -> Option<u64> {
        if s.is_empty() || s.len() > 20 || !s.bytes().all(|c| c.is_ascii_digit()) {
            None
        } else {
            s.parse().ok()
        }
    };
    match (a.is_empty(), b.is_empty()) {
        // bytes=-N: the last N bytes.
        (true, false) => Some(ByteRange::Last(num(b)?)),
        (false, true) => Some(ByteRange::From {
            start: num(a)?,
            end: None,
        }),
        (false, false) => Some(ByteRange::From {
            start: num(a)?,
            end: Some(num(b)?),
        }),
        (true, true) => None,
    }
}

/// What a request gets for a file of `size`: the whole file, bytes start..=end, or 416.
#[cfg(test)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RangeRequest {
    Full,
    Partial { start: u64, end: u64 },
    Unsatisfiable,
}

#[cfg(test)]
fn resolve(header: Option<&str>, size: u64) -> RangeRequest {
    match parse_range(header).map(|r| r.within(size)) {
        None => RangeRequest::Full,
        Some(Some((start, end))) => RangeRequest::Partial { start, end },
        Some(None) => RangeRequest::Unsatisfiable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RangeRequest::*;

    #[test]
    fn parses_ranges() {
        assert_eq!(resolve(None, 100), Full);
        assert_eq!(
            resolve(Some("bytes=0-9"), 100),
            Partial { start: 0, end: 9 }
        );
        assert_eq!(
            resolve(Some("bytes=50-"), 100),
            Partial { start: 50, end: 99 }
        );
        assert_eq!(
            resolve(Some("bytes=-10"), 100),
            Partial { start: 90, end: 99 }
        );
        assert_eq!(
            resolve(Some("bytes=90-500"), 100),
            Partial { start: 90, end: 99 }
        );
        assert_eq!(resolve(Some("bytes=100-"), 100), Unsatisfiable);
        assert_eq!(resolve(Some("bytes=9-1"), 100), Unsatisfiable);
        assert_eq!(resolve(Some("bytes=-0"), 100), Unsatisfiable);
        assert_eq!(resolve(Some("bytes=0-1,5-6"), 100), Full);
        assert_eq!(resolve(Some("items=0-1"), 100), Full);
        assert_eq!(resolve(Some("bytes=abc-"), 100), Full);
        assert_eq!(resolve(Some("bytes=99999999999999999999999-"), 100), Full);
        assert_eq!(resolve(Some("bytes=-"), 100), Full);
        assert_eq!(resolve(Some("bytes=0-"), 0), Unsatisfiable);
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
                if let Partial { start, end } = resolve(Some(s), size) {
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
        match resolve(Some(header), size) {
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
