//! "Lost your link?" (`/library`): a buyer asks for the links of every purchase made with
//! their email, and gets them by email (booth-core's shop/library.rs). The page answers the
//! same whether or not the address ever bought.

use crate::app::Ctx;
use crate::client::Client;
use crate::http::{internal_error, store, too_many_requests};
use booth_core::Error;
use bytes::Bytes;
use warp::http::StatusCode;
use warp::reply::Response;

pub(crate) async fn library_page(app: Ctx) -> Response {
    app.pages
        .library(&store(&app).await, StatusCode::OK, "", false, None)
}

pub(crate) async fn library_post(body: Bytes, app: Ctx, who: Client) -> Response {
    if !app.library_limiter.allow(who) {
        return too_many_requests(
            &app,
            "Too many requests",
            "Please wait a few minutes before asking for your links again.",
            "600",
        )
        .await;
    }
    let form = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body).unwrap_or_default();
    let email = form
        .iter()
        .find(|(k, _)| k == "email")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    let store = store(&app).await;
    match app.shop.send_library(email).await {
        Ok(_) => app.pages.library(&store, StatusCode::OK, email, true, None),
        Err(Error::Invalid { message, .. }) => {
            // Echo what was typed, but never more than the field holds.
            let typed: String = email.chars().take(254).collect();
            let problem = sentence(&message);
            app.pages.library(
                &store,
                StatusCode::BAD_REQUEST,
                &typed,
                false,
                Some(&problem),
            )
        }
        Err(e) => internal_error(&app, e).await,
    }
}

/// "the part before the @ is not valid" as the form shows it: "The part … is not valid."
fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    let first = chars.next().map(|c| c.to_uppercase().collect::<String>());
    format!(
        "{}{}.",
        first.unwrap_or_default(),
        chars.as_str().trim_end_matches('.')
    )
}
