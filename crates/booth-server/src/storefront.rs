//! The storefront and the product pages.

use crate::app::{App, Ctx};
use crate::http::{internal_error, message, store};
use crate::pages::Message;
use warp::http::StatusCode;
use warp::reply::Response;

pub(crate) async fn storefront(app: Ctx) -> Response {
    match app.shop.list_products(true).await {
        Ok(products) => app.pages.storefront(&store(&app).await, &products),
        Err(e) => internal_error(&app, e).await,
    }
}

pub(crate) async fn product_page(slug: String, app: Ctx) -> Response {
    match app.shop.product(&slug).await {
        Ok(Some(p)) if p.active && !p.files.is_empty() => {
            // A lost count only dims the dashboard's funnel; never fail the page for it.
            if let Err(e) = app.shop.record_visit(p.id).await {
                tracing::warn!(error = %e, "couldn't count a product page visit");
            }
            app.pages.product(&store(&app).await, &p)
        }
        Ok(_) => not_for_sale(&app).await,
        Err(e) => internal_error(&app, e).await,
    }
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
