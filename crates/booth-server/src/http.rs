//! What the handlers share: the message pages (errors, unknown links, revoked purchases),
//! redirects, header values, query parameters, and the page for whatever no route took.

use crate::app::App;
use crate::pages::{self, Message};
use booth_core::Error;
use bytes::Bytes;
use std::convert::Infallible;
use warp::http::{header, HeaderValue, StatusCode};
use warp::reply::Response;

pub(crate) async fn store(app: &App) -> booth_core::settings::StoreInfo {
    app.shop
        .store_info()
        .await
        .unwrap_or_else(|_| booth_core::settings::StoreInfo {
            store_name: "Shop".into(),
            from_address: String::new(),
            support_email: String::new(),
        })
}

pub(crate) async fn message(app: &App, m: Message) -> Response {
    app.pages.message(&store(app).await, m)
}

/// A 429 page for a client over one of its allowances, with when to try again.
pub(crate) async fn too_many_requests(
    app: &App,
    title: &str,
    wait: &str,
    retry_after: &'static str,
) -> Response {
    let m =
        Message::new(StatusCode::TOO_MANY_REQUESTS, title, wait).action("Back to the shop", "/");
    let mut res = message(app, m).await;
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static(retry_after));
    res
}

/// The seller paused sales: a friendly 503 for the pages that sell, with when to look
/// again. Links buyers already have keep working.
pub(crate) async fn back_soon(app: &App) -> Response {
    let m = Message::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "Back soon",
        "The shop isn't taking new orders for a little while. Please come back later.",
    )
    .detail("Already bought something? Your download links still work.")
    .action("Lost your link?", "/library")
    .tone("info");
    let mut res = message(app, m).await;
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("3600"));
    res
}

/// True when sales are paused (a failed read counts as open: never stop sales for it).
pub(crate) async fn paused(app: &App) -> bool {
    app.shop.sales_paused().await.unwrap_or(false)
}

pub(crate) async fn internal_error(app: &App, e: Error) -> Response {
    tracing::error!(error = %e, code = e.code(), "request failed");
    message(
        app,
        Message::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong",
            "We couldn't complete this request. Please try again in a moment.",
        )
        .detail("If it keeps happening, contact the seller."),
    )
    .await
}

pub(crate) async fn unknown_link(app: &App) -> Response {
    message(
        app,
        Message::new(StatusCode::NOT_FOUND, "This link doesn't work", "We couldn't find a purchase for this link. Check that you copied the whole link from your receipt email.")
            .action("Go to the shop", "/"),
    )
    .await
}

pub(crate) async fn revoked_page(app: &App, refunded: bool) -> Response {
    let (title, text) = if refunded {
        (
            "This purchase was refunded",
            "This purchase was refunded, so its downloads are no longer available.",
        )
    } else {
        (
            "Access to this purchase was revoked",
            "The seller has turned off downloads for this purchase.",
        )
    };
    let info = store(app).await;
    let mut m = Message::new(StatusCode::FORBIDDEN, title, text);
    if !info.support_email.is_empty() {
        m = m.detail(format!("Questions? Write to {}.", info.support_email));
    }
    message(app, m).await
}

pub(crate) fn query_param(raw: &str, key: &str) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(raw)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

pub(crate) fn redirect(url: &str) -> Response {
    let mut res = Response::new(Default::default());
    *res.status_mut() = StatusCode::SEE_OTHER;
    res.headers_mut()
        .insert(header::LOCATION, header_value(url.to_string()));
    res.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    res
}

/// The string itself becomes the header's bytes (no copy).
pub(crate) fn header_value(s: String) -> HeaderValue {
    HeaderValue::from_maybe_shared(Bytes::from(s))
        .unwrap_or_else(|_| HeaderValue::from_static("invalid"))
}

/// Whatever no route took: our own page, never warp's plain text.
pub(crate) async fn recover(rej: warp::Rejection) -> Result<Response, Infallible> {
    let (status, title, text) = if rej.is_not_found() {
        (
            StatusCode::NOT_FOUND,
            "Page not found",
            "There's nothing at this address.",
        )
    } else if rej.find::<warp::reject::PayloadTooLarge>().is_some() {
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            "Too much data",
            "That request was too large.",
        )
    } else if rej.find::<warp::reject::MethodNotAllowed>().is_some() {
        (
            StatusCode::METHOD_NOT_ALLOWED,
            "Not allowed",
            "That kind of request isn't supported here.",
        )
    } else if rej.find::<warp::reject::LengthRequired>().is_some() {
        (
            StatusCode::LENGTH_REQUIRED,
            "Length required",
            "Send a Content-Length with the request.",
        )
    } else {
        (
            StatusCode::BAD_REQUEST,
            "Bad request",
            "The request couldn't be understood.",
        )
    };
    let body = format!(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>{title}</title>\
         <body style=\"font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1f2330\">\
         <h1>{title}</h1><p>{text}</p><p><a href=\"/\">Go to the shop</a></p></body></html>"
    );
    Ok(pages::html(status, body))
}
