use super::*;

#[test]
fn email_parses_and_rejects() {
    assert_eq!(
        Email::parse("  Ann@Example.COM ").unwrap().as_str(),
        "Ann@example.com"
    );
    for bad in [
        "",
        "ann",
        "ann@",
        "@x.com",
        "a b@x.com",
        "ann@x",
        "a@x.com\r\nBcc: e@vil.com",
        "<a@x.com>",
        &format!("{}@x.com", "a".repeat(300)),
    ] {
        assert!(Email::parse(bad).is_err(), "{bad:?} should be rejected");
    }
}

#[test]
fn provider_emails_are_always_kept_and_flagged_when_unmailable() {
    let ok = |s: &str| {
        let (e, problem) = Email::from_payment_provider(s);
        assert_eq!(problem, None, "{s:?}");
        e.as_str().to_string()
    };
    assert_eq!(ok("Ann@Example.com"), "Ann@example.com");
    assert_eq!(ok("ann@localhost"), "ann@localhost");
    assert_eq!(ok("x;=1+2*3;y@x.com"), "x;=1+2*3;y@x.com");
    let flagged = |s: &str| {
        let (e, problem) = Email::from_payment_provider(s);
        assert!(problem.is_some(), "{s:?} should be flagged");
        assert!(!e.as_str().chars().any(char::is_control), "{e}");
        e.as_str().to_string()
    };
    assert_eq!(
        flagged("a@b.com\r\nBcc: x@y.com"),
        "a@b.com\u{FFFD}\u{FFFD}Bcc: x@y.com"
    );
    assert_eq!(flagged("a\u{1b}[31m@b.com"), "a\u{FFFD}[31m@b.com");
    assert_eq!(flagged(""), "");
    assert_eq!(flagged(&"a".repeat(5000)).chars().count(), 320);
}

#[test]
fn slugs() {
    assert_eq!(
        Slug::from_name("The Book, 2nd ed.!").unwrap().as_str(),
        "the-book-2nd-ed"
    );
    assert!(Slug::parse("../etc").is_err());
    assert!(Slug::parse("UPPER").is_err());
    assert!(Slug::parse("a--b").is_err());
    assert!(Slug::from_name("!!!").is_err());
}

#[test]
fn tokens() {
    let t = PurchaseToken::generate();
    assert_eq!(PurchaseToken::parse(t.as_str()).unwrap(), t);
    assert_ne!(PurchaseToken::generate(), t);
    for bad in [
        "",
        "../../etc/passwd",
        &"g".repeat(32),
        &"a".repeat(33),
        &"A".repeat(32),
    ] {
        assert!(PurchaseToken::parse(bad).is_err());
    }
}

#[test]
fn prices_never_use_floats() {
    let usd = Currency::parse("USD").unwrap();
    assert_eq!(Money::parse_price("9.99", usd).unwrap().minor, 999);
    assert_eq!(Money::parse_price("10", usd).unwrap().minor, 1000);
    assert_eq!(Money::parse_price("0.1", usd).unwrap().minor, 10);
    assert_eq!(Money::parse_price("1,000.50", usd).unwrap().minor, 100050);
    assert_eq!(Money::parse_price("12,345", usd).unwrap().minor, 1234500);
    // 0.29 * 100 is 28.999999999999996 in floating point.
    assert_eq!(Money::parse_price("0.29", usd).unwrap().minor, 29);
    let jpy = Currency::parse("jpy").unwrap();
    assert_eq!(Money::parse_price("500", jpy).unwrap().minor, 500);
    assert!(Money::parse_price("5.5", jpy).is_err());
    let kwd = Currency::parse("kwd").unwrap();
    assert_eq!(Money::parse_price("1.234", kwd).unwrap().minor, 1234);
    for bad in [
        "",
        "-1",
        "1.999",
        "abc",
        "1e3",
        "0",
        "0.00",
        "99999999999999999999",
        "1.2.3",
        "NaN",
    ] {
        assert!(Money::parse_price(bad, usd).is_err(), "{bad:?}");
    }
    assert!(Currency::parse("xyz").is_err());
}

#[test]
fn money_formats() {
    let usd = Currency::parse("usd").unwrap();
    assert_eq!(Money::new(999, usd).format(), "$9.99");
    assert_eq!(Money::new(5, usd).format(), "$0.05");
    assert_eq!(
        Money::new(500, Currency::parse("jpy").unwrap()).format(),
        "¥500"
    );
    assert_eq!(
        Money::new(1250, Currency::parse("chf").unwrap()).format(),
        "12.50 CHF"
    );
}

#[test]
fn limits_and_sizes() {
    assert_eq!(parse_download_limit("5").unwrap(), Some(5));
    assert_eq!(parse_download_limit("unlimited").unwrap(), None);
    assert!(parse_download_limit("0").is_err());
    assert!(parse_download_limit("-3").is_err());
}

/// The table the window's formatSize is checked against too (ui/src/lib/format.test.ts).
#[test]
fn sizes_follow_the_shared_table() {
    let table: serde_json::Value =
        serde_json::from_str(include_str!("testdata/sizes.json")).unwrap();
    let cases = table["cases"].as_array().unwrap();
    assert!(cases.len() > 20);
    for case in cases {
        let bytes = case[0].as_u64().unwrap();
        assert_eq!(
            format_size(bytes),
            case[1].as_str().unwrap(),
            "{bytes} bytes"
        );
    }
    assert_eq!(ByteSize(u64::MAX).to_string(), "18446744 TB");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

    /// Parsing anything a form or a URL can carry never panics, and what is accepted
    /// keeps each type's promise.
    #[test]
    fn parsers_accept_only_what_they_promise(input in proptest::prelude::any::<String>()) {
        if let Ok(e) = Email::parse(&input) {
            assert!(!e.as_str().contains(['\r', '\n', '\0', ' ', '<', '>', ',']), "{e:?}");
            assert!(e.as_str().contains('@'));
        }
        if let Ok(s) = Slug::parse(&input) {
            assert!(!s.as_str().is_empty());
            assert!(s.as_str().bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "{s:?}");
        }
        if let Ok(t) = PurchaseToken::parse(&input) {
            assert_eq!(t.as_str().len(), 32);
        }
        if let Ok(c) = Currency::parse(&input) {
            let m = Money::parse_price(&input, c);
            assert!(m.is_err() || m.unwrap().minor > 0);
        }
        let usd = Currency::parse("usd").unwrap();
        if let Ok(m) = Money::parse_price(&input, usd) {
            assert!(m.minor > 0 && m.minor <= MAX_AMOUNT_MINOR, "{input:?} -> {}", m.minor);
        }
        if let Ok(Some(n)) = parse_download_limit(&input) {
            assert!(n > 0);
        }
    }

    #[test]
    fn prices_that_look_like_prices(input in "[-+ ]?[0-9]{0,12}([.,][0-9]{0,4})?[ a-z$€]{0,3}") {
        let usd = Currency::parse("usd").unwrap();
        if let Ok(m) = Money::parse_price(&input, usd) {
            assert!(m.minor > 0 && m.minor <= MAX_AMOUNT_MINOR, "{input:?} -> {}", m.minor);
        }
    }
}
