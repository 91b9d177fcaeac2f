//! Update feeds (`/feeds/{slug}/…`): the JSON feed, a Sparkle appcast and a Tauri updater
//! endpoint for a product, and the downloads they link to, which are the purchase's own
//! downloads (download.rs), counted the same. Each needs `?key=` (a usable license key)
//! or `?token=` (the purchase's link token). Rules: booth-core's updates/.

use crate::app::Ctx;
use crate::client::Client;
use crate::conn;
use crate::download::download;
use crate::http::query_param;
use booth_core::licenses::Refusal;
use booth_core::updates::FeedDenied;
use booth_core::{Error, Shop};
use serde_json::json;
use warp::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use warp::reply::Response;

/// `GET /feeds/{slug}/versions.json` (the JSON feed) or `…/appcast.xml` (Sparkle).
pub(crate) async fn feed(
    slug: String,
    name: String,
    query: String,
    app: Ctx,
    who: Client,
) -> Response {
    let appcast = match name.as_str() {
        "versions.json" => false,
        "appcast.xml" => true,
        _ => {
            return error(
                StatusCode::NOT_FOUND,
                "A feed is versions.json, appcast.xml or tauri/{file}.",
            )
        }
    };
    if !app.license_limiter.allow(who) {
        return too_many();
    }
    let q = |k: &str| query_param(&query, k);
    let (key, token) = (q("key"), q("token"));
    let feed = match app
        .shop
        .update_feed(&slug, key.as_deref(), token.as_deref())
        .await
    {
        Ok(Ok(feed)) => feed,
        Ok(Err(denied)) => return refused(denied),
        Err(e) => return failed(e),
    };
    if !appcast {
        let json = app.shop.feed_json(&feed).to_string();
        return reply(StatusCode::OK, "application/json", json);
    }
    match app.shop.feed_appcast(&feed, q("file").as_deref()) {
        Ok(xml) => reply(StatusCode::OK, "application/rss+xml; charset=utf-8", xml),
        Err(e) => failed(e),
    }
}

/// A Tauri updater endpoint: `/feeds/{slug}/tauri/{file}` where `{file}` may be
/// `{{target}}-{{arch}}`, found in the file's name.
pub(crate) async fn tauri(
    slug: String,
    file: String,
    query: String,
    app: Ctx,
    who: Client,
) -> Response {
    if !app.license_limiter.allow(who) {
        return too_many();
    }
    let q = |k: &str| query_param(&query, k);
    let feed = match app
        .shop
        .update_feed(&slug, q("key").as_deref(), q("token").as_deref())
        .await
    {
        Ok(Ok(feed)) => feed,
        Ok(Err(denied)) => return refused(denied),
        Err(e) => return failed(e),
    };
    let file = percent_encoding::percent_decode_str(&file)
        .decode_utf8_lossy()
        .to_string();
    match app.shop.feed_tauri(&feed, &file) {
        Ok(v) => reply(StatusCode::OK, "application/json", v.to_string()),
        Err(e) => failed(e),
    }
}

/// A download through a feed: the purchase's own download of the file's newest version.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn feed_download(
    slug: String,
    file: String,
    query: String,
    method: Method,
    headers: HeaderMap,
    app: Ctx,
    peer: Option<conn::PeerAddr>,
) -> Response {
    let who = Client::of(peer.map(|p| p.0.ip()), &headers, app.vouching.get());
    if !app.license_limiter.allow(who) {
        return too_many();
    }
    let q = |k: &str| query_param(&query, k);
    match feed_token(&app.shop, &slug, q("key"), q("token")).await {
        Ok(token) => download(token, file, method, headers, app, peer).await,
        Err(res) => res,
    }
}

async fn feed_token(
    shop: &Shop,
    slug: &str,
    key: Option<String>,
    token: Option<String>,
) -> Result<String, Response> {
    match shop
        .feed_download(slug, key.as_deref(), token.as_deref())
        .await
    {
        Ok(Ok(token)) => Ok(token.as_str().to_string()),
        Ok(Err(denied)) => Err(refused(denied)),
        Err(e) => Err(failed(e)),
    }
}

fn refused(denied: FeedDenied) -> Response {
    match denied {
        FeedDenied::Unknown => error(
            StatusCode::NOT_FOUND,
            "No purchase of this product has that license key or token.",
        ),
        FeedDenied::Refused(why) => error(
            StatusCode::FORBIDDEN,
            match why {
                Refusal::Refunded => "This purchase was refunded.",
                Refusal::Revoked => "This purchase was revoked.",
                why => why.message(),
            },
        ),
    }
}

fn failed(e: Error) -> Response {
    match e {
        Error::Invalid { field, message } => {
            error(StatusCode::BAD_REQUEST, &format!("{field}: {message}"))
        }
        Error::NotFound(m) => error(StatusCode::NOT_FOUND, &m),
        e => {
            tracing::error!(error = %e, "an update feed failed");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "The shop could not answer; try again shortly.",
            )
        }
    }
}

fn too_many() -> Response {
    let mut res = error(
        StatusCode::TOO_MANY_REQUESTS,
        "Too many requests: at most 60 a minute.",
    );
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
    res
}

fn error(status: StatusCode, message: &str) -> Response {
    reply(
        status,
        "application/json",
        json!({ "error": message }).to_string(),
    )
}

fn reply(status: StatusCode, content_type: &'static str, body: String) -> Response {
    let mut res = Response::new(body.into());
    *res.status_mut() = status;
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // Each answer carries the asker's own key in its links.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    res
}
