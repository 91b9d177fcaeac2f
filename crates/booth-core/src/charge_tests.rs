//! The lines above a purchase's total (`Charge::lines`): the one rule the receipt, the
//! purchase page and the window all show.

use crate::purchases::{Charge, ChargeLine};

fn lines(c: Charge) -> Vec<(String, i64)> {
    c.lines()
        .into_iter()
        .map(|ChargeLine { label, minor }| (label, minor))
        .collect()
}

#[test]
fn a_plain_price_has_no_lines() {
    assert!(lines(Charge::plain(1900)).is_empty());
}

#[test]
fn subtotal_the_codes_discount_and_tax() {
    let c = Charge {
        subtotal_minor: 1900,
        discount_minor: 380,
        discount_code: Some("LAUNCH20".into()),
        tax_minor: 289,
        total_minor: 1809,
        ..Charge::default()
    };
    assert_eq!(
        lines(c),
        [
            ("Subtotal".to_string(), 1900),
            ("Discount (LAUNCH20)".to_string(), -380),
            ("Tax".to_string(), 289),
        ]
    );
}

#[test]
fn a_zero_line_is_left_out_and_included_tax_says_so() {
    let added = Charge {
        subtotal_minor: 1000,
        tax_minor: 200,
        total_minor: 1200,
        ..Charge::default()
    };
    let labels: Vec<String> = lines(added).into_iter().map(|l| l.0).collect();
    assert_eq!(labels, ["Subtotal", "Tax"]);
    let included = Charge {
        subtotal_minor: 1000,
        tax_minor: 160,
        total_minor: 1000,
        ..Charge::default()
    };
    assert_eq!(lines(included)[1], ("Tax (included)".to_string(), 160));
}
