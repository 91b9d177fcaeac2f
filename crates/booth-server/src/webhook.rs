//! Stripe's webhook: verified, handled once, answered so Stripe retries what failed.

use crate::app::Ctx;
use booth_core::Error;
use bytes::Bytes;
use warp::http::{header, HeaderValue, StatusCode};
use warp::reply::Response;

pub(crate) async fn webhook(signature: Option<String>, body: Bytes, app: Ctx) -> Response {
    let reply = |status: StatusCode, text: &str| {
        let mut r = Response::new(serde_json::json!({ "message": text }).to_string().into());
        *r.status_mut() = status;
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        r
    };
    let Some(sig) = signature else {
        return reply(StatusCode::BAD_REQUEST, "missing Stripe-Signature header");
    };
    let Ok(payload) = std::str::from_utf8(&body) else {
        return reply(StatusCode::BAD_REQUEST, "body is not UTF-8");
    };
    match app.shop.handle_webhook(payload, &sig).await {
        Ok(()) => reply(StatusCode::OK, "ok"),
        Err(e @ Error::Invalid { .. }) => {
            tracing::warn!(error = %e, "webhook rejected");
            reply(StatusCode::BAD_REQUEST, &e.to_string())
        }
        Err(e) => {
            // A 5xx makes Stripe retry later, which is what we want for anything transient.
            tracing::error!(error = %e, "webhook failed; Stripe will retry");
            reply(
                StatusCode::INTERNAL_SERVER_ERROR,
                "temporary failure; retry later",
            )
        }
    }
}
