//! Unsubscribing from update mailings (`/u/{token}`): GET asks, POST does it (RFC 8058).

use crate::app::Ctx;
use crate::http::{internal_error, query_param, store, unknown_link};
use bytes::Bytes;
use warp::reply::Response;

/// GET shows a confirmation with a button: link scanners fetch links, and must not
/// unsubscribe anyone by doing so.
pub(crate) async fn unsubscribe_page(token: String, query: String, app: Ctx) -> Response {
    match app.shop.unsubscribe_email(&token).await {
        Ok(Some(email)) => {
            let post_url = unsubscribe_post_url(&token, &query);
            let unsubscribed = app.shop.is_unsubscribed(&email).await.unwrap_or(false);
            app.pages
                .unsubscribe(&store(&app).await, &email, unsubscribed, &post_url)
        }
        Ok(None) => unknown_link(&app).await,
        Err(e) => internal_error(&app, e).await,
    }
}

/// POST unsubscribes: mail clients' one-click (RFC 8058, body `List-Unsubscribe=One-Click`)
/// and the page's button; the page's other button (`action=resubscribe`) undoes it.
pub(crate) async fn unsubscribe_post(
    token: String,
    query: String,
    body: Bytes,
    app: Ctx,
) -> Response {
    let form = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body).unwrap_or_default();
    let resubscribe = form
        .iter()
        .any(|(k, v)| k == "action" && v == "resubscribe");
    let mailing_id = query_param(&query, "m").and_then(|m| m.parse().ok());
    let result = if resubscribe {
        app.shop.resubscribe(&token).await
    } else {
        app.shop.unsubscribe(&token, mailing_id).await
    };
    match result {
        Ok(Some(email)) => {
            let post_url = unsubscribe_post_url(&token, &query);
            app.pages
                .unsubscribe(&store(&app).await, &email, !resubscribe, &post_url)
        }
        Ok(None) => unknown_link(&app).await,
        Err(e) => internal_error(&app, e).await,
    }
}

fn unsubscribe_post_url(token: &str, query: &str) -> String {
    match query_param(query, "m").and_then(|m| m.parse::<i64>().ok()) {
        Some(m) => format!("/u/{token}?m={m}"),
        None => format!("/u/{token}"),
    }
}
