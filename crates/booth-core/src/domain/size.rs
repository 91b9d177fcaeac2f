//! How big a file is, in words: the one rule for the buyer's pages and emails, the CLI
//! and the window (ui/src/lib/format.ts's `formatSize` follows it, checked against the
//! same table, testdata/sizes.json).
//!
//! Decimal SI units (1 MB = 1,000,000 bytes), as macOS Finder and most stores show them,
//! so the seller's and the buyer's numbers match what their file manager says; one
//! decimal under 100 ("29.4 MB"), whole numbers from 100 ("312 MB"), rounded half up.

use std::fmt;

/// A byte count shown as "800 B", "12.5 KB", "312 MB", "1.2 GB".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteSize(pub u64);

const UNITS: [(&str, u64); 4] = [
    ("KB", 1_000),
    ("MB", 1_000_000),
    ("GB", 1_000_000_000),
    ("TB", 1_000_000_000_000),
];

impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = u128::from(self.0);
        if bytes < 1000 {
            return write!(f, "{bytes} B");
        }
        for (i, (unit, size)) in UNITS.iter().enumerate() {
            let size = u128::from(*size);
            let last = i == UNITS.len() - 1;
            let tenths = (bytes * 10 + size / 2) / size;
            if tenths < 1000 {
                return write!(f, "{}.{} {unit}", tenths / 10, tenths % 10);
            }
            let whole = (bytes + size / 2) / size;
            // 999.5 KB and up reads as the next unit's "1.0 MB", never "1000 KB".
            if whole < 1000 || last {
                return write!(f, "{whole} {unit}");
            }
        }
        unreachable!("the last unit takes any size")
    }
}

/// `ByteSize(bytes).to_string()`, for templates and tables.
pub fn format_size(bytes: u64) -> String {
    ByteSize(bytes).to_string()
}
