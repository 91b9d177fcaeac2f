//! The storefront and the product pages. A product page shows what the buyer would pay
//! (booth-core's quote: pay what you want, a code from `?code=`), carries the link's
//! referral on to its Buy form, and, when there is nothing to pay, asks for an email
//! instead (claim.rs).

use crate::app::{App, Ctx};
use crate::http::{back_soon, internal_error, message, paused, store};
use crate::pages::Message;
use crate::request::{checkout_request, query_pairs};
use booth_core::catalog::Product;
use booth_core::domain::Money;
use booth_core::quote::{amount_cap, CheckoutRequest};
use booth_core::Error;
use serde_json::{json, Value};
use warp::http::StatusCode;
use warp::reply::Response;

pub(crate) async fn storefront(app: Ctx) -> Response {
    if paused(&app).await {
        return back_soon(&app).await;
    }
    match app.shop.list_products(true).await {
        Ok(products) => app.pages.storefront(&store(&app).await, &products),
        Err(e) => internal_error(&app, e).await,
    }
}

pub(crate) async fn product_page(
    slug: String,
    query: String,
    lang: Option<String>,
    app: Ctx,
) -> Response {
    if paused(&app).await {
        return back_soon(&app).await;
    }
    let req = checkout_request(vec![slug.clone()], &query_pairs(&query));
    match app.shop.product(&slug).await {
        Ok(Some(p)) if p.for_sale() => {
            // A lost count only dims the dashboard's funnel; never fail the page for it.
            if let Err(e) = app.shop.record_visit(p.id, &req.referral).await {
                tracing::warn!(error = %e, "couldn't count a product page visit");
            }
            offer_page(&app, &p, &req, lang.as_deref(), None).await
        }
        Ok(_) => not_for_sale(&app).await,
        Err(e) => internal_error(&app, e).await,
    }
}

/// The product page for `req`: its price as quoted, or `problem` (a refused amount or
/// code, shown beside its field with 400), or the email form when it costs nothing.
pub(crate) async fn offer_page(
    app: &App,
    p: &Product,
    req: &CheckoutRequest,
    accept_language: Option<&str>,
    problem: Option<&Error>,
) -> Response {
    let quote = app.shop.quote(req).await;
    let consent = match app.shop.consent_for(accept_language.unwrap_or("")).await {
        Ok(c) => c,
        Err(e) => return internal_error(app, e).await,
    };
    let (status, error) = match (problem, &quote) {
        (Some(e), _) | (None, Err(e)) => match e {
            Error::Invalid { field, message } => (
                if problem.is_some() {
                    StatusCode::BAD_REQUEST
                } else {
                    StatusCode::OK
                },
                Some(json!({"field": field, "message": sentence(message)})),
            ),
            Error::NotFound(_) => return not_for_sale(app).await,
            e => {
                tracing::warn!(error = %e, "couldn't price a product page");
                (StatusCode::OK, None)
            }
        },
        (None, Ok(_)) => (StatusCode::OK, None),
    };
    let free = matches!(&quote, Ok(q) if q.is_free());
    // Beside the field the page shows; anything else above the button.
    let error = error.map(|mut e| {
        let at = match e["field"].as_str() {
            Some("amount") if p.min_price_minor.is_some() && !free => "amount",
            Some("code") if p.min_price_minor.is_none() && !free => "code",
            Some("email") if free => "email",
            Some("consent") if !free && consent.is_some() => "consent",
            _ => "form",
        };
        e["field"] = json!(at);
        e
    });
    let currency = p.price().currency;
    let offer = match &quote {
        Ok(q) => json!({
            "total": q.money(q.total_minor).format(),
            "subtotal": q.money(q.subtotal_minor).format(),
            "free": q.is_free(),
            "discount": q.discount.as_ref().map(|d| json!({
                "code": d.discount.code,
                "label": d.discount.describe(),
                "amount": q.money(d.amount_minor).format(),
            })),
        }),
        // A refused code or amount: the plain price, with the problem beside its field.
        Err(_) => {
            json!({"total": p.price().format(), "subtotal": p.price().format(), "free": false})
        }
    };
    let pwyw = p.min_price_minor.map(|min| {
        json!({
            "min": Money::new(min, currency).format(),
            "free_ok": min == 0,
            "suggested_plain": p.price().plain(),
            "max_plain": Money::new(amount_cap(p), currency).plain(),
            "step": if currency.exponent() == 0 { "1".to_string() } else { format!("0.{:0>w$}", 1, w = currency.exponent() as usize) },
            "currency": currency.code().to_uppercase(),
        })
    });
    let typed = |v: &Option<String>| v.as_deref().map(|s| s.chars().take(32).collect::<String>());
    let hidden: Vec<Value> = req
        .referral
        .pairs()
        .into_iter()
        .map(|(k, v)| json!({"name": k, "value": v}))
        .collect();
    let ctx = json!({
        "offer": offer,
        "pwyw": pwyw,
        "error": error,
        "consent": consent.map(|w| json!({"id": w.id, "lang": w.lang, "text": w.text})),
        "form": {
            "amount": typed(&req.amount),
            "code": typed(&req.code),
            "hidden": hidden,
        },
    });
    app.pages.product(&store(app).await, p, status, ctx)
}

/// "amount: the minimum is €5.00" as the page shows it: "The minimum is €5.00."
pub(crate) fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    let first = chars.next().map(|c| c.to_uppercase().collect::<String>());
    format!(
        "{}{}.",
        first.unwrap_or_default(),
        chars.as_str().trim_end_matches('.')
    )
}

pub(crate) async fn not_for_sale(app: &App) -> Response {
    message(
        app,
        Message::new(
            StatusCode::NOT_FOUND,
            "Product not found",
            "This product doesn't exist or is no longer for sale.",
        )
        .action("See what's for sale", "/"),
    )
    .await
}
