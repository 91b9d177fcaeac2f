//! Stripe Tax in Checkout through async-stripe's own requests and types, paid on the
//! hosted page over HTTP: a consumer's VAT on an exclusive and an inclusive price, a
//! reverse-charged business, a refused VAT number (other places: tax_places.rs).

use super::*;
use stripe_checkout::checkout_session::{
    CreateCheckoutSessionAutomaticTax,
    CreateCheckoutSessionLineItemsPriceDataTaxBehavior as Behavior,
    CreateCheckoutSessionTaxIdCollection, RetrieveCheckoutSession,
};
use stripe_core::charge::RetrieveCharge;
use stripe_core::event::ListEvent;
use stripe_core::payment_intent::RetrievePaymentIntent;
use stripe_shared::{
    CheckoutSessionBillingAddressCollection, CheckoutSessionPaymentStatus, CheckoutSessionStatus,
    LineItemsTaxAmountTaxabilityReason as Reason,
    PaymentPagesCheckoutSessionAutomaticTaxStatus as TaxStatus,
    PaymentPagesCheckoutSessionCustomerDetailsTaxExempt as Exempt,
    PaymentPagesCheckoutSessionTaxIdType,
};
use stripe_types::Currency;

/// A line in euros with its tax behavior and tax code.
pub(crate) fn taxed_line(
    name: &str,
    unit: i64,
    behavior: Behavior,
    code: &str,
) -> CreateCheckoutSessionLineItems {
    let mut pd = CreateCheckoutSessionLineItemsPriceData::new(Currency::EUR);
    pd.unit_amount = Some(unit);
    pd.tax_behavior = Some(behavior);
    let mut product = ProductData::new(name);
    product.tax_code = Some(code.to_string());
    pd.product_data = Some(product);
    let mut li = CreateCheckoutSessionLineItems::new();
    li.price_data = Some(pd);
    li.quantity = Some(1);
    li
}

/// What Booth sends: automatic tax, a required billing address, tax ID collection.
pub(crate) fn taxed_session(lines: Vec<CreateCheckoutSessionLineItems>) -> CreateCheckoutSession {
    CreateCheckoutSession::new()
        .mode(CheckoutSessionMode::Payment)
        .success_url(SUCCESS)
        .cancel_url(CANCEL)
        .customer_email("buyer@example.com")
        .automatic_tax(CreateCheckoutSessionAutomaticTax::new(true))
        .billing_address_collection(CheckoutSessionBillingAddressCollection::Required)
        .tax_id_collection(CreateCheckoutSessionTaxIdCollection::new(true))
        .line_items(lines)
}

pub(crate) fn ebook(unit: i64, behavior: Behavior) -> CreateCheckoutSessionLineItems {
    taxed_line("Field Notes (e-book)", unit, behavior, "txcd_10302000")
}

/// The page's form: email, card, and a billing address in `country`, plus `extra`.
pub(crate) fn form<'a>(country: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("email", "buyer@example.com"),
        ("card_number", "4242424242424242"),
        ("card_expiry", "12 / 39"),
        ("card_cvc", "123"),
        ("name", "Ada Buyer"),
        ("country", country),
        ("line1", "Hauptstraße 1"),
        ("city", "Berlin"),
        ("postal_code", "10115"),
    ];
    f.extend_from_slice(extra);
    f
}

/// The total the page shows (its hidden `shown_total`).
pub(crate) fn shown_total(html: &str) -> String {
    let at = html
        .find("name=shown_total value=\"")
        .expect("page has shown_total")
        + 24;
    html[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect()
}

pub(crate) async fn post(url: &str, form: &[(&str, &str)]) -> (u16, String) {
    let r = http().post(url).form(form).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Shows the page the total for the form's place ("Update total"), then pays what it
/// showed. Returns the update's page and the payment's status.
pub(crate) async fn pay_with_tax(s: &CheckoutSession, fields: &[(&str, &str)]) -> (String, u16) {
    let url = s.url.clone().unwrap();
    let mut update = fields.to_vec();
    update.push(("action", "update"));
    let (status, page) = post(&url, &update).await;
    assert_eq!(status, 200, "{page}");
    let total = shown_total(&page);
    let mut pay = fields.to_vec();
    pay.push(("shown_total", &total));
    let (status, body) = post(&url, &pay).await;
    assert!(status == 303 || status >= 400, "{status}: {body}");
    (page, status)
}

pub(crate) async fn retrieve(client: &Client, id: &str, expand: &[&str]) -> CheckoutSession {
    RetrieveCheckoutSession::new(id)
        .expand(expand.iter().map(|e| e.to_string()).collect::<Vec<_>>())
        .send(client)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_german_consumer_pays_19_percent_on_top_of_an_exclusive_price() {
    let (sim, client) = start().await;
    let s = taxed_session(vec![ebook(842, Behavior::Exclusive)])
        .send(&client)
        .await
        .unwrap();
    // Until the address is known, there is no tax.
    let tax = &s.automatic_tax;
    assert!(tax.enabled && tax.provider.as_deref() == Some("stripe"));
    assert_eq!(tax.status, Some(TaxStatus::RequiresLocationInputs));
    assert_eq!((s.amount_subtotal, s.amount_total), (Some(842), Some(842)));
    assert_eq!(s.total_details.as_ref().unwrap().amount_tax, 0);
    assert_eq!(
        s.billing_address_collection,
        Some(CheckoutSessionBillingAddressCollection::Required)
    );
    assert!(s.tax_id_collection.as_ref().unwrap().enabled);
    assert!(!s.invoice_creation.as_ref().unwrap().enabled);

    // The page shows the tax for a country before paying (a GET with ?country=).
    let url = s.url.clone().unwrap();
    let page = http()
        .get(format!("{url}?country=DE"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for needle in [
        "VAT (19%)",
        "€1.60",
        "€10.02",
        "Pay €10.02",
        "<option value=DE selected>",
    ] {
        assert!(page.contains(needle), "page lacks {needle}");
    }
    // Paying what the page showed before the country was chosen: the new total first.
    let (status, page) = post(&url, &form("DE", &[("shown_total", "842")])).await;
    assert_eq!(status, 409);
    assert!(
        page.contains("Your total with tax for Germany is €10.02"),
        "{page}"
    );
    let (_, status) = pay_with_tax(&s, &form("DE", &[])).await;
    assert_eq!(status, 303);

    let done = retrieve(
        &client,
        s.id.as_str(),
        &[
            "line_items",
            "line_items.data.taxes",
            "total_details.breakdown",
        ],
    )
    .await;
    assert_eq!(done.payment_status, CheckoutSessionPaymentStatus::Paid);
    assert_eq!(done.automatic_tax.status, Some(TaxStatus::Complete));
    assert_eq!(
        (done.amount_subtotal, done.amount_total),
        (Some(842), Some(1002))
    );
    let totals = done.total_details.as_ref().unwrap();
    assert_eq!((totals.amount_tax, totals.amount_discount), (160, 0));
    let cd = done.customer_details.as_ref().unwrap();
    let address = cd.address.as_ref().unwrap();
    assert_eq!(address.country.as_deref(), Some("DE"));
    assert_eq!(address.line1.as_deref(), Some("Hauptstraße 1"));
    assert_eq!(address.postal_code.as_deref(), Some("10115"));
    assert_eq!(cd.tax_exempt, Some(Exempt::None));
    assert!(cd.tax_ids.as_ref().unwrap().is_empty());
    let item = &done.line_items.as_ref().unwrap().data[0];
    assert_eq!(
        (item.amount_subtotal, item.amount_tax, item.amount_total),
        (842, 160, 1002)
    );
    let t = &item.taxes.as_ref().unwrap()[0];
    assert_eq!((t.amount, t.taxable_amount), (160, Some(842)));
    assert_eq!(t.taxability_reason, Some(Reason::StandardRated));
    assert_eq!((t.rate.percentage, t.rate.inclusive), (19.0, false));
    assert_eq!(
        (t.rate.country.as_deref(), t.rate.display_name.as_str()),
        (Some("DE"), "VAT")
    );
    let breakdown = totals.breakdown.as_ref().unwrap();
    assert_eq!(breakdown.taxes.iter().map(|t| t.amount).sum::<i64>(), 160);
    assert!(breakdown.discounts.is_empty());

    // The charge is the session's total, tax included.
    let pi_id = done.payment_intent.unwrap().id().clone();
    let pi = RetrievePaymentIntent::new(pi_id)
        .send(&client)
        .await
        .unwrap();
    assert_eq!((pi.amount, pi.amount_received), (1002, 1002));
    let charge = RetrieveCharge::new(pi.latest_charge.unwrap().id().clone())
        .send(&client)
        .await
        .unwrap();
    assert_eq!(charge.amount, 1002);
    let billed = charge.billing_details.address.unwrap();
    assert_eq!(billed.city.as_deref(), Some("Berlin"));
    sim.shutdown().await;
}

#[tokio::test]
async fn an_inclusive_price_keeps_its_total_with_the_tax_inside() {
    let (sim, client) = start().await;
    let s = taxed_session(vec![ebook(1000, Behavior::Inclusive)])
        .send(&client)
        .await
        .unwrap();
    let (page, status) = pay_with_tax(&s, &form("DE", &[])).await;
    // 10.00 / 1.19 = 8.40 net: 1.60 VAT inside the price.
    assert!(
        page.contains("VAT (19%) included") && page.contains("€1.60"),
        "{page}"
    );
    assert!(page.contains("Pay €10.00"));
    assert_eq!(status, 303);
    let done = retrieve(&client, s.id.as_str(), &["line_items.data.taxes"]).await;
    assert_eq!(
        (done.amount_subtotal, done.amount_total),
        (Some(1000), Some(1000))
    );
    assert_eq!(done.total_details.as_ref().unwrap().amount_tax, 160);
    let item = &done.line_items.as_ref().unwrap().data[0];
    assert_eq!((item.amount_tax, item.amount_total), (160, 1000));
    let t = &item.taxes.as_ref().unwrap()[0];
    assert_eq!((t.taxable_amount, t.rate.inclusive), (Some(840), true));
    let pi = RetrievePaymentIntent::new(done.payment_intent.unwrap().id().clone())
        .send(&client)
        .await
        .unwrap();
    assert_eq!(pi.amount, 1000);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_french_business_with_a_valid_vat_number_is_reverse_charged() {
    let (sim, client) = start().await;
    let s = taxed_session(vec![ebook(842, Behavior::Exclusive)])
        .send(&client)
        .await
        .unwrap();
    let business = [
        ("business", "on"),
        ("business_name", "Atelier Dupont SARL"),
        ("tax_id", "fr 12 345678901"),
    ];
    let (page, status) = pay_with_tax(&s, &form("FR", &business)).await;
    assert!(
        page.contains("VAT (reverse charge)") && page.contains("Pay €8.42"),
        "{page}"
    );
    assert_eq!(status, 303);
    let done = retrieve(&client, s.id.as_str(), &["line_items.data.taxes"]).await;
    assert_eq!(done.amount_total, Some(842));
    assert_eq!(done.total_details.as_ref().unwrap().amount_tax, 0);
    let cd = done.customer_details.as_ref().unwrap();
    assert_eq!(cd.tax_exempt, Some(Exempt::Reverse));
    assert_eq!(cd.business_name.as_deref(), Some("Atelier Dupont SARL"));
    let ids = cd.tax_ids.as_ref().unwrap();
    assert_eq!(ids.len(), 1);
    assert_eq!(ids[0].type_, PaymentPagesCheckoutSessionTaxIdType::EuVat);
    assert_eq!(ids[0].value.as_deref(), Some("FR12345678901"));
    let t = &done.line_items.as_ref().unwrap().data[0]
        .taxes
        .as_ref()
        .unwrap()[0];
    assert_eq!(
        (t.amount, t.taxability_reason.clone()),
        (0, Some(Reason::ReverseCharge))
    );
    assert_eq!(
        (t.rate.percentage, t.rate.effective_percentage),
        (20.0, Some(0.0))
    );
    let pi = RetrievePaymentIntent::new(done.payment_intent.unwrap().id().clone())
        .send(&client)
        .await
        .unwrap();
    assert_eq!(pi.amount, 842);
    sim.shutdown().await;
}

/// A country, the business fields, and the page's message.
type RefusedId<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);

#[tokio::test]
async fn an_invalid_vat_number_is_refused_on_the_page_and_nothing_is_paid() {
    let (sim, client) = start().await;
    let s = taxed_session(vec![ebook(842, Behavior::Exclusive)])
        .send(&client)
        .await
        .unwrap();
    let url = s.url.clone().unwrap();
    let cases: [RefusedId; 4] = [
        (
            "FR",
            &[
                ("business", "on"),
                ("business_name", "Atelier"),
                ("tax_id", "FR123"),
            ],
            "Invalid VAT number for France: it should look like FRAB123456789.",
        ),
        // Another country's number doesn't make a French business.
        (
            "FR",
            &[("business_name", "Atelier"), ("tax_id", "DE123456789")],
            "Invalid VAT number for France",
        ),
        (
            "DE",
            &[("business", "on"), ("business_name", "GmbH")],
            "Enter the VAT number of your business in Germany.",
        ),
        (
            "DE",
            &[("business", "on"), ("tax_id", "DE123456789")],
            "Your business name is incomplete.",
        ),
    ];
    for (country, extra, message) in cases {
        // Shown when the total is updated, and when paying anyway.
        let mut update = form(country, extra);
        update.push(("action", "update"));
        let (status, page) = post(&url, &update).await;
        assert_eq!(status, 200);
        if message.contains("VAT number for France") {
            assert!(page.contains(message), "update: {message}");
        }
        let mut pay = form(country, extra);
        pay.push(("shown_total", "842"));
        let (status, page) = post(&url, &pay).await;
        assert_eq!(status, 400, "{country} {extra:?}");
        assert!(page.contains(message), "{message}\n{page}");
        assert!(page.contains("name=card_number"), "the form is shown again");
    }
    let still = retrieve(&client, s.id.as_str(), &[]).await;
    assert_eq!(still.status, Some(CheckoutSessionStatus::Open));
    assert_eq!(still.payment_status, CheckoutSessionPaymentStatus::Unpaid);
    assert!(still.payment_intent.is_none() && still.customer_details.is_none());
    assert_eq!(
        still.automatic_tax.status,
        Some(TaxStatus::RequiresLocationInputs)
    );
    let charges = ListEvent::new()
        .type_("charge.*")
        .send(&client)
        .await
        .unwrap();
    assert!(charges.data.is_empty());
    sim.shutdown().await;
}
