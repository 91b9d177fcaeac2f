//! `POST /claim/<slug>`: a purchase with nothing to pay (pay what you want at 0, or a code
//! taking the whole price). The buyer gives their email, and the link goes there only
//! (booth-core's shop/free.rs); the page says the same whether the purchase is new or the
//! address already had it.

use crate::app::Ctx;
use crate::checkout::back_to_product;
use crate::client::Client;
use crate::http::{back_soon, internal_error, message, paused, too_many_requests};
use crate::pages::Message;
use crate::request::{checkout_request, pairs};
use crate::storefront::not_for_sale;
use booth_core::Error;
use bytes::Bytes;
use warp::http::StatusCode;
use warp::reply::Response;

pub(crate) async fn claim(
    slug: String,
    body: Bytes,
    lang: Option<String>,
    app: Ctx,
    who: Client,
) -> Response {
    if paused(&app).await {
        return back_soon(&app).await;
    }
    // The same allowance as starting a checkout: a claim is one.
    if !app.checkout_limiter.allow(who) {
        return too_many_requests(
            &app,
            "Too many attempts",
            "Please wait a minute before trying again.",
            "60",
        )
        .await;
    }
    let form = pairs(&body);
    let req = checkout_request(vec![slug], &form);
    let email = form
        .iter()
        .find(|(k, _)| k == "email")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    match app.shop.claim_free(&req, email).await {
        Ok(_) => {
            message(
                &app,
                Message::new(
                    StatusCode::OK,
                    "Check your inbox",
                    "Your download link is on its way by email. It can take a minute to arrive; check your spam folder if it doesn't.",
                )
                .action("Back to the shop", "/"),
            )
            .await
        }
        Err(Error::NotFound(_)) => not_for_sale(&app).await,
        Err(e @ Error::Invalid { .. }) => {
            back_to_product(&app, &req, lang.as_deref(), Some(&e)).await
        }
        Err(e) => internal_error(&app, e).await,
    }
}
