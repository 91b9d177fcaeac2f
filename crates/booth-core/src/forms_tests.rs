//! The forms the desktop window checks through the core (its `validate_…` commands): every
//! mistake at once, each on the field the form shows it beside. The cases are the ones the
//! window's TypeScript checked before these checks were the core's alone.

use crate::catalog::{Product, ProductEditInput, ProductInput};
use crate::error::Problems;
use crate::purchases::{Purchase, Source, Status};
use crate::secrets::{Secret, Secrets};
use crate::settings::SettingsInput;
use crate::tunnel::{self, TunnelInput, TunnelSpec};
use crate::{mailing, Error};

/// The fields of a form's mistakes, in order.
fn fields(p: Problems) -> Vec<&'static str> {
    p.into_vec()
        .into_iter()
        .map(|e| match e {
            Error::Invalid { field, .. } => field,
            other => panic!("not a field's mistake: {other}"),
        })
        .collect()
}

fn message(p: Problems) -> String {
    p.first().to_string()
}

fn product(name: &str, slug: Option<&str>, price: &str, currency: &str) -> ProductInput {
    ProductInput {
        licenses: None,
        stamp: None,
        min_price: None,
        tax_code: None,
        name: name.into(),
        slug: slug.map(Into::into),
        description: String::new(),
        price: price.into(),
        currency: currency.into(),
        limit: Some("5".into()),
        active: true,
        files: vec!["/home/ada/guide.pdf".into()],
    }
}

#[test]
fn a_new_product_shows_every_mistake_at_once() {
    let mut bad = product("", Some("Bad Slug"), "9,99", "usd");
    bad.limit = Some("0".into());
    bad.files.clear();
    let p = bad.check().unwrap_err();
    assert_eq!(fields(p), ["name", "slug", "price", "limit", "file"]);
    // parse, which saving uses, reports the first.
    assert!(matches!(
        bad.parse(),
        Err(Error::Invalid { field: "name", .. })
    ));

    // A price is read in its currency's unit: an unknown currency leaves it unchecked.
    let p = product("Guide", None, "abc", "xyz").check().unwrap_err();
    assert_eq!(fields(p), ["currency"]);
    // A decimal comma would charge a hundred times the price.
    for price in ["9,99", "1,00,000"] {
        let p = product("Guide", None, price, "usd").check().unwrap_err();
        assert!(message(p).contains("use a point for decimals"), "{price}");
    }
    for (price, currency) in [
        ("", "usd"),
        ("0.00", "usd"),
        ("-5", "usd"),
        ("9.999", "usd"),
        ("5.5", "jpy"),
        ("1000000", "usd"),
    ] {
        let p = product("Guide", None, price, currency).check().unwrap_err();
        assert_eq!(fields(p), ["price"], "{price} {currency}");
    }
    for (price, currency, minor) in [
        ("0.29", "usd", 29),
        ("1,000.50", "eur", 100_050),
        ("1.234", "kwd", 1234),
    ] {
        let new = product("Guide", None, price, currency).check().unwrap();
        assert_eq!(new.price.minor, minor, "{price} {currency}");
    }
}

#[test]
fn a_new_products_name_slug_description_and_limit() {
    // The slug is made from the name when none is typed.
    for (name, slug) in [
        ("The Book, 2nd ed.", "the-book-2nd-ed"),
        ("  Hello   World  ", "hello-world"),
        ("--Rust!!--", "rust"),
        ("Café Guide", "caf-guide"),
    ] {
        let new = product(name, None, "5", "usd").check().unwrap();
        assert_eq!(new.slug.as_str(), slug, "{name}");
    }
    let long = format!("{} b c", "a".repeat(63));
    let slug = product(&long, None, "5", "usd").check().unwrap().slug;
    assert!(slug.as_str().len() <= 64 && !slug.as_str().ends_with('-'));
    let p = product("日本語", None, "5", "usd").check().unwrap_err();
    assert_eq!(fields(p), ["slug"]);
    for slug in [
        "My-Ebook",
        "-lead",
        "trail-",
        "dou--ble",
        "sp ace",
        &"a".repeat(65),
        "ü",
    ] {
        let p = product("Guide", Some(slug), "5", "usd")
            .check()
            .unwrap_err();
        assert_eq!(fields(p), ["slug"], "{slug}");
    }
    for name in ["  ", &"x".repeat(201), "Bad\u{7}name"] {
        let p = product(name, Some("guide"), "5", "usd")
            .check()
            .unwrap_err();
        assert_eq!(fields(p), ["name"], "{name:?}");
    }
    let mut described = product("Guide", None, "5", "usd");
    described.description = "Two\nlines\tok".into();
    assert!(described.check().is_ok());
    for description in ["bell\u{7}".to_string(), "x".repeat(10_001)] {
        described.description = description;
        assert_eq!(fields(described.check().unwrap_err()), ["description"]);
    }
    let mut limited = product("Guide", None, "5", "usd");
    for (limit, ok) in [
        ("Unlimited", true),
        ("1000000", true),
        ("0", false),
        ("1000001", false),
        ("2.5", false),
    ] {
        limited.limit = Some(limit.into());
        assert_eq!(limited.check().is_ok(), ok, "{limit}");
    }
}

#[test]
fn a_products_changes_are_checked_against_it() {
    let current = Product {
        id: 1,
        slug: "guide".into(),
        name: "Guide".into(),
        description: String::new(),
        price_minor: 1900,
        currency: "usd".into(),
        active: true,
        download_limit: Some(5),
        license_activations: None,
        pdf_stamp: None,
        created_at: 0,
        min_price_minor: None,
        tax_code: None,
        archived_at: None,
        files: Vec::new(),
    };
    let edit = |f: fn(&mut ProductEditInput)| {
        let mut e = ProductEditInput::default();
        f(&mut e);
        e.check(&current)
    };
    assert!(edit(|_| {}).is_ok());
    let p = edit(|e| {
        e.name = Some(String::new());
        e.limit = Some("lots".into());
        e.price = Some("9,99".into());
    })
    .unwrap_err();
    assert_eq!(fields(p), ["price", "name", "limit"]);
    // The same minor units mean another amount in another currency.
    let p = edit(|e| e.currency = Some("eur".into())).unwrap_err();
    assert_eq!(fields(p), ["price"]);
    let p = edit(|e| {
        e.currency = Some("xyz".into());
        e.price = Some("oops".into());
    })
    .unwrap_err();
    assert_eq!(fields(p), ["currency"]);
    let changed = edit(|e| {
        e.currency = Some("jpy".into());
        e.price = Some("500".into());
        e.limit = Some("unlimited".into());
    })
    .unwrap();
    assert_eq!(changed.price.map(|m| m.minor), Some(500));
    assert_eq!(changed.download_limit, Some(None));
    // Stamped PDFs: off, on (the default wording), or the seller's own.
    assert_eq!(
        edit(|e| e.stamp = Some("off".into())).unwrap().pdf_stamp,
        Some(None)
    );
    let on = edit(|e| e.stamp = Some("on".into())).unwrap().pdf_stamp;
    assert_eq!(
        on.flatten().unwrap().as_str(),
        crate::stamp::DEFAULT_WORDING
    );
    let p = edit(|e| {
        e.stamp = Some("Sold to {mail}".into());
        e.name = Some(String::new());
    })
    .unwrap_err();
    assert_eq!(fields(p), ["name", "stamp"]);
}

#[test]
fn a_stamp_wording_that_would_not_stamp_well_is_refused() {
    for bad in ["two\nlines", "Licensed to {emial}", &"x".repeat(201)] {
        let mut p = product("Guide", None, "5", "usd");
        p.stamp = Some(bad.into());
        let problems = p.check().unwrap_err();
        assert_eq!(fields(problems), ["stamp"], "{bad:?}");
    }
    let mut p = product("Guide", None, "5", "usd");
    p.stamp = Some("Licensed to {email} (order of {date}) \\ 東京".into());
    assert_eq!(
        p.parse().unwrap().pdf_stamp.unwrap().as_str(),
        "Licensed to {email} (order of {date}) \\ 東京"
    );
    p.stamp = Some("default".into());
    assert!(p.parse().unwrap().pdf_stamp.is_some());
}

#[test]
fn version_labels() {
    assert_eq!(crate::catalog::check_version_label(" 1.1 ").unwrap(), "1.1");
    for bad in ["", "1 final", &"v".repeat(41)] {
        assert!(crate::catalog::check_version_label(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn settings_name_each_fields_mistake() {
    let saved = Secrets::default();
    let input = SettingsInput {
        store_name: Some(String::new()),
        from_address: Some("a@b@c.com".into()),
        support_email: Some("ada@localhost".into()),
        listen: Some("localhost:8080".into()),
        public_url: Some("https://shop.example.com/?a=1".into()),
        smtp_url: Some("smtp://ada:secret@smtp.example.com".into()),
        stripe_test_key: Some("sk_live_123".into()),
        webhook_secret: Some("abc".into()),
        ..Default::default()
    };
    let mut found = fields(input.check_form(&saved));
    found.sort();
    assert_eq!(
        found,
        [
            "from_address",
            "listen",
            "public_url",
            "smtp_url",
            "store_name",
            "stripe_test_key",
            "support_email",
            "webhook_secret"
        ]
    );
    // Saving names an address's mistake "email", as `booth settings` always has.
    let first = input.check().unwrap_err().into_vec();
    assert!(first
        .iter()
        .any(|e| matches!(e, Error::Invalid { field: "email", .. })));

    let one = |input: SettingsInput| fields(input.check_form(&saved));
    for email in ["a@b@c.com", "ada.example.com", "a da@example.com", ""] {
        let input = SettingsInput {
            from_address: Some(email.into()),
            ..Default::default()
        };
        assert_eq!(one(input), ["from_address"], "{email:?}");
    }
    // No support address and no stable public address are fine.
    let empty = SettingsInput {
        support_email: Some(String::new()),
        public_url: Some(String::new()),
        smtp_url: Some(String::new()),
        ..Default::default()
    };
    assert!(one(empty).is_empty());
    for (listen, ok) in [
        ("127.0.0.1:8080", true),
        ("[::1]:8080", true),
        ("localhost", false),
        ("256.0.0.1:8080", false),
        ("0.0.0.0:70000", false),
    ] {
        let input = SettingsInput {
            listen: Some(listen.into()),
            ..Default::default()
        };
        assert_eq!(one(input).is_empty(), ok, "{listen}");
    }
    for (url, ok) in [
        ("https://shop.example.com", true),
        ("shop.example.com", false),
        ("ftp://shop.example.com", false),
    ] {
        let input = SettingsInput {
            public_url: Some(url.into()),
            ..Default::default()
        };
        assert_eq!(one(input).is_empty(), ok, "{url}");
    }
    for (url, ok) in [
        ("smtp://ada@smtp.example.com:587", true),
        ("smtps://smtp.example.com", true),
        ("http://smtp.example.com", false),
        ("smtp://smtp.example.com?tls=maybe", false),
        ("smtp://a b@smtp.example.com", false),
    ] {
        let input = SettingsInput {
            smtp_url: Some(url.into()),
            ..Default::default()
        };
        assert_eq!(one(input).is_empty(), ok, "{url}");
    }
    for (test, live, ok) in [
        ("rk_test_123", "sk_live_123", true),
        ("sk_live_123", "sk_live_123", false),
        ("sk_test_123", "pk_live_123", false),
    ] {
        let input = SettingsInput {
            stripe_test_key: Some(test.into()),
            stripe_live_key: Some(live.into()),
            ..Default::default()
        };
        assert_eq!(one(input).is_empty(), ok, "{test} {live}");
    }
}

#[test]
fn stripe_payments_need_their_key_in_the_form() {
    let payments = |mode: &str, live_key: Option<&str>| SettingsInput {
        payments: Some(mode.into()),
        stripe_live_key: live_key.map(Into::into),
        ..Default::default()
    };
    let none = Secrets::default();
    let saved = Secrets {
        stripe_live_key: Some(Secret::new("sk_live_saved")),
        ..Default::default()
    };
    assert_eq!(
        fields(payments("live", None).check_form(&none)),
        ["payments"]
    );
    assert!(fields(payments("live", None).check_form(&saved)).is_empty());
    assert!(fields(payments("live", Some("sk_live_new")).check_form(&none)).is_empty());
    // Removing the saved key while switching to live.
    assert_eq!(
        fields(payments("live", Some("")).check_form(&saved)),
        ["payments"]
    );
    assert_eq!(
        fields(payments("test", None).check_form(&saved)),
        ["payments"]
    );
    assert!(fields(payments("simulated", None).check_form(&none)).is_empty());
    // Saving it is allowed: the shop says what is missing when it starts.
    assert!(payments("live", None).check().is_ok());
}

fn tunnel_input(provider: &str) -> TunnelInput {
    TunnelInput {
        provider: provider.into(),
        ..TunnelInput::default()
    }
}

#[test]
fn the_tunnel_form_refuses_what_could_run_a_command() {
    for server in [
        "-oProxyCommand=touch /tmp/x",
        "-x",
        "host;rm -rf /",
        "a b",
        "host\nx",
        &"h".repeat(300),
        "héllo.com",
        "$(id)",
    ] {
        let input = TunnelInput {
            server: server.into(),
            ..tunnel_input("ssh")
        };
        assert_eq!(
            fields(TunnelSpec::check(&input).unwrap_err()),
            ["server"],
            "{server:?}"
        );
    }
    for server in [
        "",
        "nokey@localhost.run",
        "serveo.net",
        "qr@a.pinggy.io:443",
    ] {
        let input = TunnelInput {
            server: server.into(),
            ..tunnel_input("ssh")
        };
        assert!(TunnelSpec::check(&input).is_ok(), "{server}");
    }
    for port in ["0", "65536", "80a", "1e3", "8.0", "99999999999"] {
        let input = TunnelInput {
            port: port.into(),
            ..tunnel_input("bore")
        };
        assert_eq!(
            fields(TunnelSpec::check(&input).unwrap_err()),
            ["port"],
            "{port}"
        );
    }
    for host in [
        "a-.com",
        &format!("{}.com", "a".repeat(64)),
        "https://shop.example.com/buy",
    ] {
        let input = TunnelInput {
            hostname: host.into(),
            ..tunnel_input("cloudflared-named")
        };
        assert_eq!(
            fields(TunnelSpec::check(&input).unwrap_err()),
            ["hostname"],
            "{host}"
        );
    }
    let input = TunnelInput {
        hostname: " https://Shop.Example.com/ ".into(),
        ..tunnel_input("ngrok")
    };
    assert_eq!(
        TunnelSpec::check(&input).unwrap().hostname.as_deref(),
        Some("shop.example.com")
    );
}

#[test]
fn the_tunnel_forms_custom_command_and_pattern() {
    let custom = |command: &str, pattern: &str| TunnelInput {
        command: command.into(),
        pattern: pattern.into(),
        ..tunnel_input("custom")
    };
    let spec = TunnelSpec::check(&custom(
        r#"my-tunnel --to "{url}" --name 'my shop' --port {port}"#,
        r"ready at (https://\S+)",
    ))
    .unwrap();
    assert_eq!(
        spec.command,
        [
            "my-tunnel",
            "--to",
            "{url}",
            "--name",
            "my shop",
            "--port",
            "{port}"
        ]
    );
    assert_eq!(
        TunnelSpec::check(&custom("x ''", r"https://\S+"))
            .unwrap()
            .command,
        ["x", ""]
    );
    assert!(TunnelSpec::check(&custom("x", r"(?i)url=(?P<url>https://\S+)")).is_ok());
    // Both mistakes at once.
    assert_eq!(
        fields(TunnelSpec::check(&custom("", "")).unwrap_err()),
        ["command", "pattern"]
    );
    for command in ["   ", "x 'open", "--flag x", "x\ny", &"x".repeat(2001)] {
        let p = TunnelSpec::check(&custom(command, r"https://\S+")).unwrap_err();
        assert_eq!(fields(p), ["command"], "{command:?}");
    }
    for pattern in ["(unclosed", "a{1000}{1000}", "(a)(b)", &"a".repeat(501)] {
        let p = TunnelSpec::check(&custom("x", pattern)).unwrap_err();
        assert_eq!(fields(p), ["pattern"], "{pattern}");
    }
    // Optional for ssh.
    assert!(TunnelSpec::check(&tunnel_input("ssh")).is_ok());
}

#[test]
fn a_named_tunnel_needs_its_token_beside_any_other_mistake() {
    let named = |hostname: &str| TunnelInput {
        hostname: hostname.into(),
        ..tunnel_input("cloudflared-named")
    };
    let form = |input: &TunnelInput, token: Option<&str>, saved: bool| {
        fields(tunnel::check_form(input, token, saved))
    };
    assert_eq!(
        form(&named("shop.example.com/buy"), None, false),
        ["hostname", "token"]
    );
    assert!(form(&named("shop.example.com"), None, true).is_empty());
    assert_eq!(form(&named("shop.example.com"), Some(""), true), ["token"]);
    assert!(form(&named("shop.example.com"), Some("eyJh"), false).is_empty());
    assert!(form(&tunnel_input("bore"), None, false).is_empty());
    assert_eq!(form(&tunnel_input("ftp"), None, false), ["provider"]);
}

#[test]
fn a_refunds_amount_is_at_most_what_is_left() {
    let purchase = Purchase {
        id: 1,
        token: "t".into(),
        email: "a@b.co".into(),
        amount_minor: 1900,
        currency: "usd".into(),
        amount_refunded_minor: 500,
        checkout_session_id: None,
        payment_intent_id: Some("pi_1".into()),
        status: Status::Paid,
        standing: crate::purchases::Standing::PartiallyRefunded,
        status_reason: None,
        source: Source::Checkout,
        test: false,
        created_at: 0,
        email_problem: None,
        charge: crate::purchases::Charge::plain(1900),
        charge_lines: Vec::new(),
        referral: Default::default(),
        consent: None,
        invoice_url: None,
        items: Vec::new(),
    };
    assert_eq!(purchase.refund_amount(None).unwrap(), 1400);
    assert_eq!(purchase.refund_amount(Some(" 4.50 ")).unwrap(), 450);
    assert_eq!(purchase.refund_amount(Some("14.00")).unwrap(), 1400);
    for (amount, says) in [
        ("0", "more than zero"),
        ("14.01", "at most $14.00 can still be refunded"),
        ("4,50", "use a point"),
        ("4.505", "at most 2 digits"),
    ] {
        match purchase.refund_amount(Some(amount)) {
            Err(Error::Invalid {
                field: "amount",
                message,
            }) => {
                assert!(message.contains(says), "{amount}: {message}")
            }
            other => panic!("{amount}: {other:?}"),
        }
    }
}

#[test]
fn a_mailings_subject_and_message() {
    assert_eq!(
        mailing::check_text(None, "").unwrap(),
        (None, String::new())
    );
    let p = mailing::check_text(Some(&"x".repeat(201)), "bell\u{7}").unwrap_err();
    assert_eq!(fields(p), ["subject", "message"]);
    let p = mailing::check_text(Some("two\nlines"), &"x".repeat(20_001)).unwrap_err();
    assert_eq!(fields(p), ["subject", "message"]);
    let (subject, message) = mailing::check_text(Some(" v2 "), "Hi\r\nthere").unwrap();
    assert_eq!(
        (subject.as_deref(), message.as_str()),
        (Some("v2"), "Hi\nthere")
    );
}

#[test]
fn a_pay_what_you_want_minimum_is_checked_against_the_price() {
    let mut p = product("Zine", None, "10.00", "usd");
    p.min_price = Some("0".into());
    assert_eq!(p.parse().unwrap().min_price.unwrap().minor, 0);
    p.min_price = Some("fixed".into());
    assert!(p.parse().unwrap().min_price.is_none());
    p.min_price = Some("10.01".into());
    assert_eq!(
        message(p.check().unwrap_err()),
        "min_price: the minimum can't be above the suggested price ($10.00)"
    );
    p.min_price = Some("-1".into());
    assert!(message(p.check().unwrap_err()).starts_with("min_price: '-1' is not a price"));
}
