//! The route table: which path and method go to which handler, in the order warp tries them.

use crate::app::{
    App, Ctx, FILE_CACHE_BYTES, LIBRARY_PER_WINDOW, LIBRARY_WINDOW, UNLISTED_PER_MINUTE,
};
use crate::checkout::{cart_checkout, checkout, checkout_cancel, checkout_success};
use crate::claim::claim;
use crate::client::{Client, Vouching};
use crate::download::{download, purchase_page};
use crate::feeds::{feed, feed_download, tauri};
use crate::http::recover;
use crate::library::{library_page, library_post};
use crate::licenses::{free_activation, license_call, public_key, LICENSE_PER_MINUTE};
use crate::pages::Pages;
use crate::ratelimit::RateLimiter;
use crate::request::{checkout_request, query_pairs};
use crate::storefront::{product_page, storefront};
use crate::unsubscribe::{unsubscribe_page, unsubscribe_post};
use crate::webhook::webhook;
use crate::{conn, filecache, instance_id, ServerConfig, INSTANCE_HEADER};
use booth_core::Shop;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use warp::http::{HeaderMap, HeaderValue};
use warp::reply::Response;
use warp::Filter;

const WEBHOOK_MAX_BYTES: u64 = 256 * 1024;
const FORM_MAX_BYTES: u64 = 16 * 1024;

pub fn routes(
    shop: Shop,
    config: ServerConfig,
) -> impl Filter<Extract = (impl warp::Reply,), Error = Infallible> + Clone + Send + Sync + 'static
{
    let app: Ctx = Arc::new(App {
        pages: Pages::new(shop.data_dir()),
        checkout_limiter: RateLimiter::new(config.checkout_limit, config.checkout_window),
        unlisted_lookups: RateLimiter::new(UNLISTED_PER_MINUTE, Duration::from_secs(60)),
        library_limiter: RateLimiter::new(LIBRARY_PER_WINDOW, LIBRARY_WINDOW),
        license_limiter: RateLimiter::new(LICENSE_PER_MINUTE, Duration::from_secs(60)),
        files: filecache::FileCache::new(FILE_CACHE_BYTES),
        vouching: config.vouching.clone(),
        shop,
    });
    let with_app = warp::any().map(move || app.clone());

    let storefront = warp::path::end()
        .and(warp::get())
        .and(with_app.clone())
        .then(storefront)
        .boxed();
    let lang = || warp::header::optional::<String>("accept-language");
    // The query string, or "" when the URL has none.
    let query = || warp::query::raw().or(warp::any().map(String::new)).unify();
    let product = warp::path!("p" / String)
        .and(warp::get())
        .and(query())
        .and(lang())
        .and(with_app.clone())
        .then(product_page)
        .boxed();
    let buy = warp::path!("buy" / String)
        .and(warp::get())
        .and(query())
        .and(lang())
        .and(with_app.clone())
        .and(client(config.vouching.clone()))
        .then(
            |slug: String, query: String, lang, app: Ctx, who| async move {
                let req = checkout_request(vec![slug], &query_pairs(&query));
                checkout(app, req, lang, who).await
            },
        )
        .boxed();
    let claim = warp::path!("claim" / String)
        .and(warp::post())
        .and(warp::body::content_length_limit(FORM_MAX_BYTES))
        .and(warp::body::bytes())
        .and(lang())
        .and(with_app.clone())
        .and(client(config.vouching.clone()))
        .then(claim)
        .boxed();
    let cart = warp::path!("cart" / "checkout")
        .and(warp::post())
        .and(warp::body::content_length_limit(FORM_MAX_BYTES))
        .and(warp::body::bytes())
        .and(with_app.clone())
        .and(client(config.vouching.clone()))
        .then(cart_checkout)
        .boxed();
    let success = warp::path!("checkout" / "success")
        .and(warp::get())
        .and(query())
        .and(with_app.clone())
        .then(checkout_success)
        .boxed();
    let cancel = warp::path!("checkout" / "cancel")
        .and(warp::get())
        .and(query())
        .and(with_app.clone())
        .then(checkout_cancel)
        .boxed();
    let purchase = warp::path!("d" / String)
        .and(warp::get())
        .and(with_app.clone())
        .then(purchase_page)
        .boxed();
    let download = warp::path!("d" / String / String)
        .and(warp::get().or(warp::head()).unify())
        .and(warp::method())
        .and(warp::header::headers_cloned())
        .and(with_app.clone())
        .and(warp::ext::optional::<conn::PeerAddr>())
        .then(download)
        .boxed();
    let webhook = warp::path!("webhooks" / "stripe")
        .and(warp::post())
        .and(warp::body::content_length_limit(WEBHOOK_MAX_BYTES))
        .and(warp::header::optional::<String>("stripe-signature"))
        .and(warp::body::bytes())
        .and(with_app.clone())
        .then(webhook)
        .boxed();
    let unsubscribe_page = warp::path!("u" / String)
        .and(warp::get())
        .and(query())
        .and(with_app.clone())
        .then(unsubscribe_page)
        .boxed();
    let unsubscribe_post = warp::path!("u" / String)
        .and(warp::post())
        .and(query())
        .and(warp::body::content_length_limit(FORM_MAX_BYTES))
        .and(warp::body::bytes())
        .and(with_app.clone())
        .then(unsubscribe_post)
        .boxed();
    let library_page = warp::path!("library")
        .and(warp::get())
        .and(with_app.clone())
        .then(library_page)
        .boxed();
    let library_post = warp::path!("library")
        .and(warp::post())
        .and(warp::body::content_length_limit(FORM_MAX_BYTES))
        .and(warp::body::bytes())
        .and(with_app.clone())
        .and(client(config.vouching.clone()))
        .then(library_post)
        .boxed();
    // Apps and buyers of software: the license API (one route, the call in the path) and
    // the update feeds (licenses.rs, feeds.rs).
    let license = warp::path!("v1" / "licenses" / String)
        .and(warp::post())
        .and(warp::body::content_length_limit(FORM_MAX_BYTES))
        .and(warp::header::optional::<String>("content-type"))
        .and(warp::body::bytes())
        .and(with_app.clone())
        .and(client(config.vouching.clone()))
        .then(license_call)
        .boxed();
    let public_key = warp::path!("v1" / "licenses" / "public-key")
        .and(warp::get())
        .and(with_app.clone())
        .then(public_key)
        .boxed();
    let free_activation = warp::path!("d" / String / "free-activation")
        .and(warp::post())
        .and(warp::body::content_length_limit(FORM_MAX_BYTES))
        .and(warp::body::bytes())
        .and(with_app.clone())
        .and(client(config.vouching.clone()))
        .then(free_activation)
        .boxed();
    let feed = warp::path!("feeds" / String / String)
        .and(warp::get())
        .and(query())
        .and(with_app.clone())
        .and(client(config.vouching.clone()))
        .then(feed)
        .boxed();
    let tauri = warp::path!("feeds" / String / "tauri" / String)
        .and(warp::get())
        .and(query())
        .and(with_app.clone())
        .and(client(config.vouching.clone()))
        .then(tauri)
        .boxed();
    let feed_download = warp::path!("feeds" / String / "download" / String)
        .and(warp::get().or(warp::head()).unify())
        .and(query())
        .and(warp::method())
        .and(warp::header::headers_cloned())
        .and(with_app.clone())
        .and(warp::ext::optional::<conn::PeerAddr>())
        .then(feed_download)
        .boxed();
    let apps = public_key
        .or(license)
        .unify()
        .or(free_activation)
        .unify()
        .or(feed)
        .unify()
        .or(tauri)
        .unify()
        .or(feed_download)
        .unify()
        .boxed();
    let health = warp::path!("healthz").and(warp::get()).map(|| {
        let mut r = Response::new("ok".into());
        r.headers_mut()
            .insert(INSTANCE_HEADER, HeaderValue::from_static(instance_id()));
        r
    });

    // Downloads first: by far the busiest route, and every route before it is tried first.
    // Every route is boxed, and so is each group: warp's nested `And`/`Or` types grow with
    // every filter, and rustc's time goes into walking them. Unboxed, booth-server took
    // 209 s to build (31 s with twelve routes, before /library made them fourteen); in
    // boxed groups, 17 s, then 118 s with the nine routes of licenses and feeds in two
    // groups; with those boxed one by one, 36 s, and with every route boxed, 29 s.
    let buying = storefront
        .or(product)
        .unify()
        .or(buy)
        .unify()
        .or(claim)
        .unify()
        .or(cart)
        .unify()
        .or(success)
        .unify()
        .or(cancel)
        .unify()
        .or(purchase)
        .unify()
        .boxed();
    let the_rest = webhook
        .or(unsubscribe_page)
        .unify()
        .or(unsubscribe_post)
        .unify()
        .or(library_page)
        .unify()
        .or(library_post)
        .unify()
        .or(health)
        .unify()
        .boxed();
    download
        .or(buying)
        .unify()
        .or(the_rest)
        .unify()
        .or(apps)
        .unify()
        .recover(recover)
        .unify()
        .with(warp::log::custom(|info| {
            tracing::debug!(method = %info.method(), path = info.path(), status = info.status().as_u16(), "request");
        }))
}

/// The buyer, as far as the shop can tell (client.rs): a direct connection's address, or
/// what the running tunnel vouches for.
fn client(vouching: Vouching) -> impl Filter<Extract = (Client,), Error = Infallible> + Clone {
    warp::ext::optional::<conn::PeerAddr>()
        .and(warp::header::headers_cloned())
        .map(move |peer: Option<conn::PeerAddr>, headers: HeaderMap| {
            Client::of(peer.map(|p| p.0.ip()), &headers, vouching.get())
        })
}
