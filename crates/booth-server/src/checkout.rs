//! Buying: one product or a cart to Stripe Checkout, and the success and cancel pages it
//! sends the buyer back to.

use crate::app::{App, Ctx, UNLISTED};
use crate::client::Client;
use crate::http::{
    back_soon, internal_error, message, paused, query_param, redirect, too_many_requests,
};
use crate::pages::Message;
use crate::request::{checkout_request, pairs};
use crate::storefront::{not_for_sale, offer_page};
use booth_core::quote::CheckoutRequest;
use booth_core::{CheckoutStart, Error, Fulfilment};
use bytes::Bytes;
use warp::http::StatusCode;
use warp::reply::Response;

pub(crate) async fn checkout(
    app: Ctx,
    req: CheckoutRequest,
    lang: Option<String>,
    who: Client,
) -> Response {
    if paused(&app).await {
        return back_soon(&app).await;
    }
    if !app.checkout_limiter.allow(who) {
        return too_many_requests(
            &app,
            "Too many checkout attempts",
            "Please wait a minute before trying again.",
            "60",
        )
        .await;
    }
    match app.shop.start_checkout(&req).await {
        Ok(CheckoutStart::Pay(url)) => redirect(&url),
        // Nothing to pay: the product page asks for the email the link goes to.
        Ok(CheckoutStart::Free) => back_to_product(&app, &req, lang.as_deref(), None).await,
        Err(Error::NotFound(_)) => not_for_sale(&app).await,
        Err(e @ Error::Invalid { .. }) if req.slugs.len() == 1 => {
            back_to_product(&app, &req, lang.as_deref(), Some(&e)).await
        }
        Err(e @ Error::Invalid { .. }) => {
            message(
                &app,
                Message::new(
                    StatusCode::BAD_REQUEST,
                    "That checkout isn't possible",
                    &e.to_string(),
                )
                .action("Back to the shop", "/"),
            )
            .await
        }
        Err(e @ Error::Payment(_)) => {
            tracing::error!(error = %e, "checkout could not be created");
            message(
                &app,
                Message::new(
                    StatusCode::BAD_GATEWAY,
                    "Checkout is unavailable",
                    "We couldn't reach the payment provider. No charge was made.",
                )
                .action(
                    "Try again",
                    format!("/p/{}", req.slugs.first().cloned().unwrap_or_default()),
                ),
            )
            .await
        }
        Err(e) => internal_error(&app, e).await,
    }
}

/// The product page again, for a refused amount or code (beside its field) or a free claim.
pub(crate) async fn back_to_product(
    app: &App,
    req: &CheckoutRequest,
    lang: Option<&str>,
    e: Option<&Error>,
) -> Response {
    match app.shop.product(&req.slugs[0]).await {
        Ok(Some(p)) => offer_page(app, &p, req, lang, e).await,
        Ok(None) => not_for_sale(app).await,
        Err(e) => internal_error(app, e).await,
    }
}

/// A cart: the form repeats `product=<slug>`, and may carry a code and the referral; any
/// price or amount fields are ignored.
pub(crate) async fn cart_checkout(body: Bytes, app: Ctx, who: Client) -> Response {
    // A cart is checked out from a page Booth doesn't render; its form carries the consent.
    let form = pairs(&body);
    let slugs: Vec<String> = form
        .iter()
        .filter(|(k, _)| k == "product" || k == "product[]")
        .map(|(_, v)| v.clone())
        .collect();
    if slugs.is_empty() {
        return message(
            &app,
            Message::new(
                StatusCode::BAD_REQUEST,
                "Your cart is empty",
                "Choose at least one product to check out.",
            )
            .action("See what's for sale", "/"),
        )
        .await;
    }
    let mut req = checkout_request(slugs, &form);
    req.amount = None;
    checkout(app, req, None, who).await
}

pub(crate) async fn checkout_success(query: String, app: Ctx) -> Response {
    let Some(session_id) = query_param(&query, "session_id") else {
        return message(
            &app,
            Message::new(
                StatusCode::BAD_REQUEST,
                "Missing checkout",
                "This link is missing its checkout reference.",
            )
            .action("Back to the shop", "/"),
        )
        .await;
    };
    let mut answer = app.shop.fulfil(&session_id).await;
    if matches!(answer, Ok(Fulfilment::Unlisted)) && app.unlisted_lookups.allow(UNLISTED) {
        // A session begun before this shop kept its list (an upgrade mid-checkout): worth
        // asking Stripe about, a few times a minute at most, whoever is asking.
        answer = app.shop.fulfil_unlisted(&session_id).await;
    }
    match answer {
        Ok(Fulfilment::Paid(p)) => redirect(&format!("/d/{}", p.token)),
        Ok(Fulfilment::NotBooths | Fulfilment::Unlisted) => {
            message(
                &app,
                Message::new(StatusCode::NOT_FOUND, "Unknown checkout", "We couldn't find that checkout.")
                    .action("Back to the shop", "/"),
            )
            .await
        }
        Ok(Fulfilment::NotPaid) => {
            message(
                &app,
                Message::new(StatusCode::ACCEPTED, "Payment not completed yet", "Your payment hasn't gone through yet. If you completed it, you'll get an email with your download link as soon as it does.")
                    .tone("warning"),
            )
            .await
        }
        Err(e @ (Error::Invalid { .. } | Error::NotFound(_))) => {
            let status = if matches!(e, Error::NotFound(_)) {
                StatusCode::NOT_FOUND
            } else {
                StatusCode::BAD_REQUEST
            };
            message(&app, Message::new(status, "Unknown checkout", "We couldn't find that checkout.").action("Back to the shop", "/")).await
        }
        Err(e) => {
            tracing::warn!(error = %e, session_id, "success page: fulfilment failed");
            message(
                &app,
                Message::new(StatusCode::BAD_GATEWAY, "We couldn't confirm your payment", "We couldn't confirm this payment with the payment provider right now. If you were charged, your download link will arrive by email shortly.")
                    .action("Try again", format!("/checkout/success?session_id={session_id}")),
            )
            .await
        }
    }
}

pub(crate) async fn checkout_cancel(query: String, app: Ctx) -> Response {
    let first = query_param(&query, "products")
        .and_then(|s| s.split(',').next().map(String::from))
        .filter(|s| !s.is_empty());
    let retry = match first {
        Some(slug) if booth_core::domain::Slug::parse(&slug).is_ok() => format!("/p/{slug}"),
        _ => "/".into(),
    };
    message(
        &app,
        Message::new(
            StatusCode::OK,
            "Checkout canceled",
            "No charge was made. Your cart is waiting whenever you're ready.",
        )
        .action("Try again", retry),
    )
    .await
}
