//! What Stripe refuses among the tax parameters of a Checkout Session, and what the
//! hosted page ignores: a country, tax amounts or a VAT number the session didn't ask
//! for or the server computes itself.

use super::coupons::{get_json, post_form};
use super::tax::{ebook, form, post, retrieve, shown_total, taxed_session};
use super::*;
use serde_json::json;
use stripe_checkout::checkout_session::{
    CreateCheckoutSessionAutomaticTax,
    CreateCheckoutSessionLineItemsPriceDataTaxBehavior as Behavior,
};
use stripe_core::payment_intent::RetrievePaymentIntent;
use stripe_shared::PaymentPagesCheckoutSessionCustomerDetailsTaxExempt as Exempt;

/// Extra form fields, and the parameter, code and message of Stripe's error.
type Case<'a> = (
    Vec<(&'a str, &'a str)>,
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
);

#[tokio::test]
async fn hostile_tax_parameters_get_stripes_errors_and_create_no_session() {
    let (sim, client) = start().await;
    let base = [
        ("mode", "payment"),
        ("success_url", SUCCESS),
        ("line_items[0][price_data][currency]", "eur"),
        ("line_items[0][price_data][unit_amount]", "842"),
        ("line_items[0][price_data][product_data][name]", "Zine"),
        ("line_items[0][quantity]", "1"),
    ];
    let behavior = "line_items[0][price_data][tax_behavior]";
    let code = "line_items[0][price_data][product_data][tax_code]";
    let cases: Vec<Case> = vec![
        (vec![(behavior, "sometimes")], behavior, None, Some("Invalid line_items[0][price_data][tax_behavior]: must be one of exclusive, inclusive, or unspecified")),
        (vec![(code, "txcd_12345678")], code, Some("resource_missing"), Some("No such tax_code: 'txcd_12345678'")),
        (vec![(code, "")], code, None, None),
        (vec![("line_items[0][price_data][product_data][tax_details][tax_code]", "ebook")], "line_items[0][price_data][product_data][tax_details][tax_code]", Some("resource_missing"), None),
        (vec![("automatic_tax[enabled]", "maybe")], "automatic_tax[enabled]", None, Some("Invalid boolean: maybe")),
        (vec![("automatic_tax", "true")], "automatic_tax", None, Some("Invalid object")),
        (vec![("automatic_tax[liability][type]", "self")], "automatic_tax[enabled]", Some("parameter_missing"), None),
        (vec![("automatic_tax[enabled]", "true"), ("automatic_tax[liability][type]", "account"), ("automatic_tax[liability][account]", "acct_1")], "automatic_tax[liability][account]", Some("resource_missing"), None),
        // Automatic tax needs each price's tax behavior; the account sets no default.
        (vec![("automatic_tax[enabled]", "true")], behavior, None, None),
        (vec![("automatic_tax[enabled]", "true"), (behavior, "unspecified")], behavior, None, None),
        (vec![("billing_address_collection", "always")], "billing_address_collection", None, Some("Invalid billing_address_collection: must be one of auto or required")),
        (vec![("tax_id_collection[enabled]", "true"), ("tax_id_collection[required]", "always")], "tax_id_collection[required]", None, Some("Invalid tax_id_collection[required]: must be one of if_supported or never")),
        (vec![("tax_id_collection[required]", "never")], "tax_id_collection[enabled]", Some("parameter_missing"), None),
        (vec![("invoice_creation", "true")], "invoice_creation", None, Some("Invalid object")),
        (vec![("invoice_creation[enabled]", "maybe")], "invoice_creation[enabled]", None, Some("Invalid boolean: maybe")),
        (vec![("invoice_creation[invoice_data][footer]", "x")], "invoice_creation[enabled]", Some("parameter_missing"), None),
        (vec![("invoice_creation[enabled]", "true"), ("invoice_creation[invoice_data][account_tax_ids][0]", "txi_1")], "invoice_creation[invoice_data][account_tax_ids][0]", Some("resource_missing"), None),
        (vec![("invoice_creation[enabled]", "true"), ("invoice_creation[invoice_data][rendering_options][amount_tax_display]", "hide")], "invoice_creation[invoice_data][rendering_options][amount_tax_display]", None, None),
        (vec![("mode", "subscription"), ("invoice_creation[enabled]", "true")], "invoice_creation", None, Some("`invoice_creation` can only be used in `payment` mode.")),
    ];
    for (extra, param, code, message) in cases {
        let mut form: Vec<(&str, &str)> = base.to_vec();
        for (k, v) in &extra {
            form.retain(|(fk, _)| fk != k);
            form.push((k, v));
        }
        let (status, body) = post_form(&sim, "checkout/sessions", &form).await;
        let e = &body["error"];
        assert_eq!(
            (status, &e["type"]),
            (400, &json!("invalid_request_error")),
            "{extra:?}: {body}"
        );
        assert_eq!(e["param"], param, "{extra:?}: {body}");
        if let Some(code) = code {
            assert_eq!(e["code"], code, "{extra:?}");
        }
        if let Some(m) = message {
            assert_eq!(e["message"], m, "{extra:?}");
        }
    }
    // Through async-stripe: automatic tax on a price with no tax behavior.
    let (err, status) = stripe_err(
        new_session()
            .automatic_tax(CreateCheckoutSessionAutomaticTax::new(true))
            .send(&client)
            .await
            .unwrap_err(),
    );
    assert_eq!(status, 400);
    let m = err.message.unwrap();
    assert!(
        m.starts_with("The price `price_")
            && m.contains(
                "does not have a tax behavior set, which is required for automatic tax computation"
            ),
        "{m}"
    );
    let sessions = get_json(&sim, "checkout/sessions").await;
    assert!(
        sessions["data"].as_array().unwrap().is_empty(),
        "{sessions}"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn the_page_computes_the_tax_itself_and_ignores_what_it_didnt_ask_for() {
    let (sim, client) = start().await;
    // Forged amounts beside a correct total: ignored, the server's tax is charged.
    let s = taxed_session(vec![ebook(842, Behavior::Exclusive)])
        .send(&client)
        .await
        .unwrap();
    let url = s.url.clone().unwrap();
    let forged = [
        ("amount_tax", "0"),
        ("amount_total", "1"),
        ("tax", "0"),
        ("total", "1"),
    ];
    // A total the page never showed: nothing is paid, the real one is shown.
    let (status, page) = post(
        &url,
        &form("DE", &[("shown_total", "1"), ("amount_total", "1")]),
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(shown_total(&page), "1002");
    // An unknown country is refused.
    let (status, page) = post(&url, &form("ZZ", &[("shown_total", "842")])).await;
    assert_eq!(status, 400);
    assert!(page.contains("Select your country."));
    let mut pay = form("DE", &forged);
    pay.push(("shown_total", "1002"));
    let (status, _) = post(&url, &pay).await;
    assert_eq!(status, 303);
    let done = retrieve(&client, s.id.as_str(), &[]).await;
    assert_eq!(done.amount_total, Some(1002));
    let pi = RetrievePaymentIntent::new(done.payment_intent.unwrap().id().clone())
        .send(&client)
        .await
        .unwrap();
    assert_eq!(pi.amount, 1002);

    // A session without tax or address collection ignores a posted country and VAT number.
    let plain = create(&client).await;
    let extra = [
        ("country", "DE"),
        ("business", "on"),
        ("business_name", "X"),
        ("tax_id", "DE123456789"),
        ("amount_tax", "999"),
    ];
    let mut fields = vec![
        ("email", "buyer@example.com"),
        ("card_number", "4242424242424242"),
        ("card_expiry", "12 / 39"),
        ("card_cvc", "123"),
    ];
    fields.extend_from_slice(&extra);
    let (status, _) = post(plain.url.as_deref().unwrap(), &fields).await;
    assert_eq!(status, 303);
    let done = retrieve(&client, plain.id.as_str(), &[]).await;
    assert_eq!(done.amount_total, Some(1900));
    assert_eq!(done.total_details.as_ref().unwrap().amount_tax, 0);
    let cd = done.customer_details.unwrap();
    assert!(cd.address.unwrap().country.is_none());
    assert!(cd.tax_ids.unwrap().is_empty() && cd.business_name.is_none());

    // Tax ID collection off: a posted VAT number doesn't reverse-charge a business.
    let no_ids = taxed_session(vec![ebook(842, Behavior::Exclusive)])
        .tax_id_collection(
            stripe_checkout::checkout_session::CreateCheckoutSessionTaxIdCollection::new(false),
        )
        .send(&client)
        .await
        .unwrap();
    let page = http()
        .get(no_ids.url.clone().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("name=tax_id") && page.contains("name=country"));
    let mut pay = form("FR", &[("business", "on"), ("tax_id", "FR12345678901")]);
    pay.push(("shown_total", "1010"));
    let (status, _) = post(no_ids.url.as_deref().unwrap(), &pay).await;
    assert_eq!(status, 303);
    let done = retrieve(&client, no_ids.id.as_str(), &[]).await;
    assert_eq!(done.total_details.as_ref().unwrap().amount_tax, 168);
    let cd = done.customer_details.unwrap();
    assert_eq!(cd.tax_exempt, Some(Exempt::None));
    assert!(cd.tax_ids.unwrap().is_empty());
    sim.shutdown().await;
}
