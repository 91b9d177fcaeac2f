//! Post-payment invoices (`invoice_creation`) and tax codes through async-stripe's own
//! types: the session retrieved with `line_items` and `invoice` expanded, the Invoice as
//! the API, the expansion and the `invoice.paid` webhook give it, its hosted page and PDF.

use super::tax::{ebook, form, pay_with_tax, retrieve, taxed_session};
use super::*;
use stripe::ApiErrorsCode;
use stripe_checkout::checkout_session::{
    CreateCheckoutSessionInvoiceCreation,
    CreateCheckoutSessionLineItemsPriceDataTaxBehavior as Behavior,
};
use stripe_product::tax_code::{ListTaxCode, RetrieveTaxCode};
use stripe_shared::{Invoice, InvoiceCustomerTaxExempt, InvoiceStatus};
use stripe_types::Expandable;
use stripe_webhook::EventObject;

fn with_invoice() -> CreateCheckoutSession {
    let mut ic = CreateCheckoutSessionInvoiceCreation::new(true);
    let mut data =
        stripe_checkout::checkout_session::CreateCheckoutSessionInvoiceCreationInvoiceData::new();
    data.description = Some("Thank you for buying from Booth.".into());
    data.footer = Some("Booth test shop".into());
    data.metadata = Some(HashMap::from([("order".to_string(), "o-7".to_string())]));
    ic.invoice_data = Some(data);
    taxed_session(vec![ebook(842, Behavior::Exclusive)]).invoice_creation(ic)
}

async fn get(url: &str) -> reqwest::Response {
    http().get(url).send().await.unwrap()
}

#[tokio::test]
async fn a_paid_session_has_an_invoice_async_stripe_reads_with_its_page_and_pdf() {
    let (sim, client) = start().await;
    let hook = receiver(0, 200).await;
    let endpoint = register(
        &sim,
        &hook.url,
        &["invoice.paid", "checkout.session.completed"],
    )
    .await;
    let secret = endpoint["secret"].as_str().unwrap().to_string();
    let s = with_invoice().send(&client).await.unwrap();
    let ic = s.invoice_creation.as_ref().unwrap();
    assert!(ic.enabled);
    assert_eq!(ic.invoice_data.footer.as_deref(), Some("Booth test shop"));
    assert!(s.invoice.is_none() && s.customer.is_none());
    let (_, status) = pay_with_tax(&s, &form("DE", &[])).await;
    assert_eq!(status, 303);

    // What Booth asks for: the session with its line items and its invoice.
    let done = retrieve(&client, s.id.as_str(), &["line_items", "invoice"]).await;
    assert_eq!(done.line_items.as_ref().unwrap().data.len(), 1);
    assert!(done
        .customer
        .as_ref()
        .unwrap()
        .id()
        .as_str()
        .starts_with("cus_"));
    let Some(Expandable::Object(inv)) = done.invoice.as_ref() else {
        panic!("invoice not expanded: {:?}", done.invoice);
    };
    assert_eq!(inv.status, Some(InvoiceStatus::Paid));
    assert_eq!(inv.number.as_deref(), Some("BOOTHSIM-0001"));
    assert_eq!(
        (
            inv.subtotal,
            inv.total,
            inv.amount_paid,
            inv.amount_remaining
        ),
        (842, 1002, 1002, 0)
    );
    assert_eq!(inv.total_excluding_tax, Some(842));
    assert_eq!(inv.customer_email.as_deref(), Some("buyer@example.com"));
    assert_eq!(inv.customer_name.as_deref(), Some("Ada Buyer"));
    let address = inv.customer_address.as_ref().unwrap();
    assert_eq!(
        (address.country.as_deref(), address.city.as_deref()),
        (Some("DE"), Some("Berlin"))
    );
    assert_eq!(
        inv.customer.as_ref().unwrap().id(),
        done.customer.as_ref().unwrap().id()
    );
    assert_eq!(inv.lines.data[0].amount, 842);
    assert_eq!(inv.lines.data[0].taxes.as_ref().unwrap()[0].amount, 160);
    assert_eq!(inv.total_taxes.as_ref().unwrap()[0].amount, 160);
    assert!(inv.automatic_tax.enabled);
    assert_eq!(inv.footer.as_deref(), Some("Booth test shop"));
    assert_eq!(inv.metadata.as_ref().unwrap()["order"], "o-7");

    // The same invoice from GET /v1/invoices/{id}, read exactly as async-stripe reads it.
    let id = inv.id.as_ref().unwrap().as_str().to_string();
    let raw = http()
        .get(format!("{}v1/invoices/{id}", sim.base_url()))
        .bearer_auth(sim.secret_key())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let fetched: Invoice = miniserde::json::from_str(&raw).expect("Invoice deserialises");
    assert_eq!(fetched.hosted_invoice_url, inv.hosted_invoice_url);

    let page_url = inv.hosted_invoice_url.clone().unwrap();
    assert!(page_url.starts_with(&sim.base_url()));
    let page = get(&page_url).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for needle in [
        "Invoice BOOTHSIM-0001",
        "VAT (19%)",
        "€1.60",
        "€10.02",
        "Berlin",
    ] {
        assert!(html.contains(needle), "invoice page lacks {needle}");
    }
    let pdf = get(inv.invoice_pdf.as_deref().unwrap()).await;
    assert_eq!(pdf.status(), 200);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let bytes = pdf.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-1.4") && bytes.ends_with(b"%%EOF\n"));
    assert!(String::from_utf8_lossy(&bytes).contains("EUR 10.02"));
    assert_eq!(
        get(&format!("{}i/test_nope", sim.base_url()))
            .await
            .status(),
        404
    );

    // invoice.paid, then checkout.session.completed naming the invoice.
    let mut hook = hook;
    let events = hook.verified(2, &secret).await;
    let kinds: Vec<String> = events.iter().map(|(_, e)| e.type_.to_string()).collect();
    assert_eq!(kinds, ["invoice.paid", "checkout.session.completed"]);
    match &events[0].1.data.object {
        EventObject::InvoicePaid(i) => assert_eq!(i.total, 1002),
        other => panic!("not an invoice: {other:?}"),
    }
    match &events[1].1.data.object {
        EventObject::CheckoutSessionCompleted(cs) => {
            assert_eq!(
                cs.invoice.as_ref().unwrap().id().as_ref().unwrap().as_str(),
                id
            )
        }
        other => panic!("not a session: {other:?}"),
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn a_reverse_charged_invoice_names_the_business_and_its_vat_number() {
    let (sim, client) = start().await;
    let s = with_invoice().send(&client).await.unwrap();
    let business = [
        ("business", "on"),
        ("business_name", "Studio Rossi SRL"),
        ("tax_id", "IT01234567890"),
    ];
    let (_, status) = pay_with_tax(&s, &form("IT", &business)).await;
    assert_eq!(status, 303);
    let done = retrieve(&client, s.id.as_str(), &["invoice"]).await;
    let Some(Expandable::Object(inv)) = done.invoice.as_ref() else {
        panic!("invoice not expanded");
    };
    assert_eq!(inv.total, 842);
    assert_eq!(inv.customer_name.as_deref(), Some("Studio Rossi SRL"));
    assert_eq!(
        inv.customer_tax_exempt,
        Some(InvoiceCustomerTaxExempt::Reverse)
    );
    let ids = inv.customer_tax_ids.as_ref().unwrap();
    assert_eq!(ids[0].value.as_deref(), Some("IT01234567890"));
    let html = get(inv.hosted_invoice_url.as_deref().unwrap())
        .await
        .text()
        .await
        .unwrap();
    for needle in [
        "Reverse charge",
        "EU VAT IT01234567890",
        "VAT (reverse charge)",
    ] {
        assert!(html.contains(needle), "invoice page lacks {needle}");
    }
    // A session without invoice_creation gets no invoice.
    let plain = taxed_session(vec![ebook(842, Behavior::Exclusive)])
        .send(&client)
        .await
        .unwrap();
    let (_, status) = pay_with_tax(&plain, &form("DE", &[])).await;
    assert_eq!(status, 303);
    let plain = retrieve(&client, plain.id.as_str(), &["invoice"]).await;
    assert!(plain.invoice.is_none() && plain.customer.is_none());
    sim.shutdown().await;
}

#[tokio::test]
async fn tax_codes_are_listed_and_retrieved_as_async_stripes_types() {
    let (sim, client) = start().await;
    let all = ListTaxCode::new().limit(100).send(&client).await.unwrap();
    assert!(!all.has_more);
    let ids: Vec<&str> = all.data.iter().map(|c| c.id.as_str()).collect();
    for want in [
        "txcd_00000000",
        "txcd_10000000",
        "txcd_10202000",
        "txcd_10302000",
        "txcd_99999999",
    ] {
        assert!(ids.contains(&want), "{want}");
    }
    let first = ListTaxCode::new().limit(2).send(&client).await.unwrap();
    assert!(first.has_more);
    let next = ListTaxCode::new()
        .limit(2)
        .starting_after(first.data[1].id.as_str())
        .send(&client)
        .await
        .unwrap();
    assert_eq!(next.data[0].id.as_str(), ids[2]);
    let book = RetrieveTaxCode::new("txcd_10302000")
        .send(&client)
        .await
        .unwrap();
    assert_eq!(
        book.name,
        "Digital Books - downloaded - non subscription - with permanent rights"
    );
    let software = RetrieveTaxCode::new("txcd_10202000")
        .send(&client)
        .await
        .unwrap();
    assert_eq!(software.name, "Downloadable Software - personal use");
    let general = RetrieveTaxCode::new("txcd_10000000")
        .send(&client)
        .await
        .unwrap();
    assert_eq!(general.name, "General - Electronically Supplied Services");
    let (err, status) = stripe_err(
        RetrieveTaxCode::new("txcd_12345678")
            .send(&client)
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (status, err.code),
        (404, Some(ApiErrorsCode::ResourceMissing))
    );
    assert_eq!(
        err.message.as_deref(),
        Some("No such tax_code: 'txcd_12345678'")
    );
    sim.shutdown().await;
}
