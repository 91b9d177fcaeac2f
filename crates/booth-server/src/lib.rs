//! The public shop over HTTP (warp): the buyer's side only. Nothing here can change the
//! shop's settings or catalog; the seller's tools live in the CLI and the desktop app.

mod client;
mod conn;
mod filecache;
mod pages;
mod range;
mod ratelimit;
pub mod runtime;
mod slots;
pub mod tunnel;

pub use client::{Vouched, Vouching};
pub use pages::PAGE_TEMPLATES;
pub use ratelimit::UNKNOWN_SHARE;

use booth_core::downloads::{Denied, Download, DownloadRequest};
use booth_core::resume;
use booth_core::{Error, Fulfilment, Shop};
use bytes::Bytes;
use client::Client;
use futures_util::StreamExt;
use pages::{Message, Pages};
use range::parse_range;
use ratelimit::RateLimiter;
use std::convert::Infallible;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use warp::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use warp::reply::Response;
use warp::Filter;

/// /healthz names the process that answered, so a check through a tunnel knows it
/// reached this Booth and not another server at a recycled address.
pub const INSTANCE_HEADER: &str = "x-booth-instance";

pub fn instance_id() -> &'static str {
    static ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ID.get_or_init(|| uuid::Uuid::new_v4().simple().to_string())
}

#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Checkout sessions one IP may start per `checkout_window`.
    pub checkout_limit: u32,
    pub checkout_window: Duration,
    /// A request's headers must arrive within this (slow-header clients are cut off).
    pub header_timeout: Duration,
    /// A request with a body: the body, and the shop's answer, within this after the
    /// headers (408 after it). A body sent a byte every few seconds never trips `io_timeout`.
    pub request_timeout: Duration,
    /// A connection that can't read or write for this long is closed (a client that stops
    /// reading a download, an idle keep-alive connection).
    pub io_timeout: Duration,
    /// Connections served at once; more are closed at once rather than starve the rest.
    pub max_connections: usize,
    /// How long a stop waits for requests in flight before closing their connections.
    pub shutdown_grace: Duration,
    /// Which header, if any, the running tunnel vouches for the buyer's address in.
    pub vouching: Vouching,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            checkout_limit: 10,
            checkout_window: Duration::from_secs(60),
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            io_timeout: Duration::from_secs(60),
            max_connections: 4096,
            shutdown_grace: Duration::from_secs(10),
            vouching: Vouching::default(),
        }
    }
}

const WEBHOOK_MAX_BYTES: u64 = 256 * 1024;
const FORM_MAX_BYTES: u64 = 16 * 1024;
const CHUNK: usize = 256 * 1024;
/// Memory for small files' contents (see filecache.rs).
const FILE_CACHE_BYTES: usize = 32 << 20;

struct App {
    shop: Shop,
    pages: Pages,
    checkout_limiter: RateLimiter,
    /// Success-page lookups of sessions the shop has no record of: one bucket for all.
    unlisted_lookups: RateLimiter,
    files: filecache::FileCache,
    vouching: Vouching,
}

/// The one key of `unlisted_lookups`.
const UNLISTED: Client = Client::Known(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
/// Stripe lookups of unlisted sessions per minute, shop-wide.
const UNLISTED_PER_MINUTE: u32 = 6;

type Ctx = Arc<App>;

/// Serves the shop on `listener` until `shutdown` resolves.
pub async fn serve(
    shop: Shop,
    listener: tokio::net::TcpListener,
    config: ServerConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) {
    let service = warp::service(routes(shop, config.clone()));
    conn::serve(service, listener, config, shutdown).await;
}

pub fn routes(
    shop: Shop,
    config: ServerConfig,
) -> impl Filter<Extract = (impl warp::Reply,), Error = Infallible> + Clone + Send + Sync + 'static
{
    let app: Ctx = Arc::new(App {
        pages: Pages::new(shop.data_dir()),
        checkout_limiter: RateLimiter::new(config.checkout_limit, config.checkout_window),
        unlisted_lookups: RateLimiter::new(UNLISTED_PER_MINUTE, Duration::from_secs(60)),
        files: filecache::FileCache::new(FILE_CACHE_BYTES),
        vouching: config.vouching.clone(),
        shop,
    });
    let with_app = warp::any().map(move || app.clone());

    let storefront = warp::path::end()
        .and(warp::get())
        .and(with_app.clone())
        .then(storefront);
    let product = warp::path!("p" / String)
        .and(warp::get())
        .and(with_app.clone())
        .then(product_page);
    let buy = warp::path!("buy" / String)
        .and(warp::get())
        .and(with_app.clone())
        .and(client(config.vouching.clone()))
        .then(|slug: String, app: Ctx, who| async move { checkout(app, vec![slug], who).await });
    let cart = warp::path!("cart" / "checkout")
        .and(warp::post())
        .and(warp::body::content_length_limit(FORM_MAX_BYTES))
        .and(warp::body::bytes())
        .and(with_app.clone())
        .and(client(config.vouching.clone()))
        .then(cart_checkout);
    let success = warp::path!("checkout" / "success")
        .and(warp::get())
        .and(warp::query::raw().or(warp::any().map(String::new)).unify())
        .and(with_app.clone())
        .then(checkout_success);
    let cancel = warp::path!("checkout" / "cancel")
        .and(warp::get())
        .and(warp::query::raw().or(warp::any().map(String::new)).unify())
        .and(with_app.clone())
        .then(checkout_cancel);
    let purchase = warp::path!("d" / String)
        .and(warp::get())
        .and(with_app.clone())
        .then(purchase_page);
    let download = warp::path!("d" / String / String)
        .and(warp::get().or(warp::head()).unify())
        .and(warp::method())
        .and(warp::header::headers_cloned())
        .and(with_app.clone())
        .and(warp::ext::optional::<conn::PeerAddr>())
        .then(download);
    let webhook = warp::path!("webhooks" / "stripe")
        .and(warp::post())
        .and(warp::body::content_length_limit(WEBHOOK_MAX_BYTES))
        .and(warp::header::optional::<String>("stripe-signature"))
        .and(warp::body::bytes())
        .and(with_app.clone())
        .then(webhook);
    let unsubscribe_page = warp::path!("u" / String)
        .and(warp::get())
        .and(warp::query::raw().or(warp::any().map(String::new)).unify())
        .and(with_app.clone())
        .then(unsubscribe_page);
    let unsubscribe_post = warp::path!("u" / String)
        .and(warp::post())
        .and(warp::query::raw().or(warp::any().map(String::new)).unify())
        .and(warp::body::content_length_limit(FORM_MAX_BYTES))
        .and(warp::body::bytes())
        .and(with_app.clone())
        .then(unsubscribe_post);
    let health = warp::path!("healthz").and(warp::get()).map(|| {
        let mut r = Response::new("ok".into());
        r.headers_mut()
            .insert(INSTANCE_HEADER, HeaderValue::from_static(instance_id()));
        r
    });

    // Downloads first: by far the busiest route, and every route before it is tried first.
    download
        .or(storefront)
        .unify()
        .or(product)
        .unify()
        .or(buy)
        .unify()
        .or(cart)
        .unify()
        .or(success)
        .unify()
        .or(cancel)
        .unify()
        .or(purchase)
        .unify()
        .or(webhook)
        .unify()
        .or(unsubscribe_page)
        .unify()
        .or(unsubscribe_post)
        .unify()
        .or(health)
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

async fn store(app: &App) -> booth_core::settings::StoreInfo {
    app.shop
        .store_info()
        .await
        .unwrap_or_else(|_| booth_core::settings::StoreInfo {
            store_name: "Shop".into(),
            from_address: String::new(),
            support_email: String::new(),
        })
}

async fn message(app: &App, m: Message) -> Response {
    app.pages.message(&store(app).await, m)
}

async fn internal_error(app: &App, e: Error) -> Response {
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

async fn storefront(app: Ctx) -> Response {
    match app.shop.list_products(true).await {
        Ok(products) => app.pages.storefront(&store(&app).await, &products),
        Err(e) => internal_error(&app, e).await,
    }
}

async fn product_page(slug: String, app: Ctx) -> Response {
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

async fn not_for_sale(app: &App) -> Response {
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

async fn checkout(app: Ctx, slugs: Vec<String>, who: Client) -> Response {
    if !app.checkout_limiter.allow(who) {
        let mut res = message(
            &app,
            Message::new(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many checkout attempts",
                "Please wait a minute before trying again.",
            )
            .action("Back to the shop", "/"),
        )
        .await;
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
        return res;
    }
    match app.shop.start_checkout(&slugs).await {
        Ok(url) => redirect(&url),
        Err(Error::NotFound(_)) => not_for_sale(&app).await,
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
                    format!("/buy/{}", slugs.first().cloned().unwrap_or_default()),
                ),
            )
            .await
        }
        Err(e) => internal_error(&app, e).await,
    }
}

/// A cart: the form repeats `product=<slug>`; any price or amount fields are ignored.
async fn cart_checkout(body: Bytes, app: Ctx, who: Client) -> Response {
    let slugs: Vec<String> = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, _)| k == "product" || k == "product[]")
        .map(|(_, v)| v)
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
    checkout(app, slugs, who).await
}

fn query_param(raw: &str, key: &str) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(raw)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

async fn checkout_success(query: String, app: Ctx) -> Response {
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

async fn checkout_cancel(query: String, app: Ctx) -> Response {
    let first = query_param(&query, "products")
        .and_then(|s| s.split(',').next().map(String::from))
        .filter(|s| !s.is_empty());
    let retry = match first {
        Some(slug) if booth_core::domain::Slug::parse(&slug).is_ok() => format!("/buy/{slug}"),
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

async fn purchase_page(token: String, app: Ctx) -> Response {
    match app.shop.purchase(&token).await {
        Ok(Some(p)) if p.status == "paid" => app.pages.purchase(&store(&app).await, &p),
        Ok(Some(p)) => revoked_page(&app, p.status == "refunded").await,
        Ok(None) => unknown_link(&app).await,
        Err(e) => internal_error(&app, e).await,
    }
}

async fn unknown_link(app: &App) -> Response {
    message(
        app,
        Message::new(StatusCode::NOT_FOUND, "This link doesn't work", "We couldn't find a purchase for this link. Check that you copied the whole link from your receipt email.")
            .action("Go to the shop", "/"),
    )
    .await
}

async fn revoked_page(app: &App, refunded: bool) -> Response {
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

async fn download(
    token: String,
    file: String,
    method: Method,
    headers: HeaderMap,
    app: Ctx,
    peer: Option<conn::PeerAddr>,
) -> Response {
    // From the headers this route has anyway (the busiest route: no second copy of them).
    let who = Client::of(peer.map(|p| p.0.ip()), &headers, app.vouching.get());
    let (Ok(token), Ok(file_id)) = (
        booth_core::domain::PurchaseToken::parse(&token),
        file.parse::<i64>(),
    ) else {
        return unknown_link(&app).await;
    };
    let range_header = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let req = DownloadRequest {
        token: token.clone(),
        file_id,
        range: parse_range(range_header.as_deref()),
        head: method == Method::HEAD,
        ip: who.log_address(),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string(),
        range_header,
    };
    let Download {
        file: serve,
        resume,
    } = match app.shop.authorize_download(req).await {
        Ok(Ok(d)) => d,
        Ok(Err(Denied::UnknownLink)) | Ok(Err(Denied::UnknownFile)) => {
            return unknown_link(&app).await
        }
        Ok(Err(Denied::Refunded)) => return revoked_page(&app, true).await,
        Ok(Err(Denied::Revoked)) => return revoked_page(&app, false).await,
        Ok(Err(Denied::BadRange { size })) => return range_not_satisfiable(size),
        Ok(Err(Denied::LimitReached { limit })) => {
            let info = store(&app).await;
            let mut m = Message::new(
                StatusCode::GONE,
                "Download limit reached",
                &format!("This file has already been downloaded {limit} times, the most this purchase allows."),
            )
            .action("Back to your purchase", format!("/d/{token}"));
            m = m.detail(if info.support_email.is_empty() {
                "Contact the seller and ask them to reset your downloads.".to_string()
            } else {
                format!(
                    "Write to {} and ask the seller to reset your downloads.",
                    info.support_email
                )
            });
            return message(&app, m).await;
        }
        Err(e) => return internal_error(&app, e).await,
    };
    let path = match booth_core::catalog::resolve_stored(app.shop.files_dir(), &serve.stored_path) {
        Ok(p) => p,
        Err(e) => return internal_error(&app, e).await,
    };
    let size = serve.size;
    let len = serve.len();
    let (status, start) = match serve.part {
        None => (StatusCode::OK, 0),
        Some((start, _)) => (StatusCode::PARTIAL_CONTENT, start),
    };
    let res = if method == Method::HEAD {
        Ok(Response::new(Default::default()))
    } else if size <= filecache::MAX_FILE {
        // Taken from a free resume's meter in one piece (its first charge covers it).
        if let Some(mut grant) = resume {
            if !grant.take(len) {
                return internal_error(&app, Error::Internal("resume charge".into())).await;
            }
        }
        let (start, end) = (start as usize, (start + len) as usize);
        match app.files.get(&serve.sha256, &path).await {
            Ok(all) if all.len() as u64 == size => Ok(Response::new(all.slice(start..end).into())),
            Ok(_) => Err(std::io::Error::other(format!(
                "{} isn't the size it was stored with",
                path.display()
            ))),
            Err(e) => Err(e),
        }
    } else {
        stream_range(&path, start, len, resume).await
    };
    let mut res = match res {
        Ok(res) => res,
        Err(e) => return internal_error(&app, Error::Io(e)).await,
    };
    *res.status_mut() = status;
    let h = res.headers_mut();
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(&serve.display_name)),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        header_value(content_disposition(&serve.display_name)),
    );
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    h.insert(header::ETAG, header_value(format!("\"{}\"", serve.sha256)));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if status == StatusCode::PARTIAL_CONTENT {
        h.insert(
            header::CONTENT_RANGE,
            header_value(format!("bytes {start}-{}/{size}", start + len - 1)),
        );
    }
    res
}

/// Streams `len` bytes from `start`. A free resume's bytes are taken from its meter
/// chunk by chunk as they go; once its budget is spent the response stops short (the
/// client sees a cut connection, and its next try counts as a new download).
async fn stream_range(
    path: &std::path::Path,
    start: u64,
    len: u64,
    mut resume: Option<resume::Grant>,
) -> std::io::Result<Response> {
    let mut file = tokio::fs::File::open(path).await?;
    if start > 0 {
        file.seek(std::io::SeekFrom::Start(start)).await?;
    }
    let stream =
        tokio_util::io::ReaderStream::with_capacity(file.take(len), CHUNK).map(move |chunk| {
            let chunk = chunk?;
            let allowed = resume
                .as_mut()
                .is_none_or(|grant| grant.take(chunk.len() as u64));
            if allowed {
                Ok(chunk)
            } else {
                Err(std::io::Error::other(
                    "this resume used up what resuming may cost",
                ))
            }
        });
    Ok(warp::reply::Reply::into_response(warp::reply::stream(
        stream,
    )))
}

fn range_not_satisfiable(size: u64) -> Response {
    let mut res = Response::new(Default::default());
    *res.status_mut() = StatusCode::RANGE_NOT_SATISFIABLE;
    res.headers_mut().insert(
        header::CONTENT_RANGE,
        header_value(format!("bytes */{size}")),
    );
    res
}

/// The string itself becomes the header's bytes (no copy).
fn header_value(s: String) -> HeaderValue {
    HeaderValue::from_maybe_shared(Bytes::from(s))
        .unwrap_or_else(|_| HeaderValue::from_static("invalid"))
}

/// RFC 6266: an ASCII fallback name plus the exact UTF-8 name. Built in one string: this
/// runs on every download.
fn content_disposition(name: &str) -> String {
    let mut out = String::with_capacity(48 + name.len() * 4);
    out.push_str("attachment; filename=\"");
    for c in name.chars() {
        match c {
            '"' | '\\' => {}
            c if c.is_ascii_graphic() || c == ' ' => out.push(c),
            _ => out.push('_'),
        }
    }
    out.push_str("\"; filename*=UTF-8''");
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }
    out
}

fn content_type(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "epub" => "application/epub+zip",
        "mobi" => "application/x-mobipocket-ebook",
        "mp3" => "audio/mpeg",
        "mp4" => "video/mp4",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

async fn webhook(signature: Option<String>, body: Bytes, app: Ctx) -> Response {
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

/// GET shows a confirmation with a button: link scanners fetch links, and must not
/// unsubscribe anyone by doing so.
async fn unsubscribe_page(token: String, query: String, app: Ctx) -> Response {
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
async fn unsubscribe_post(token: String, query: String, body: Bytes, app: Ctx) -> Response {
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

fn redirect(url: &str) -> Response {
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

/// Whatever no route took: our own page, never warp's plain text.
async fn recover(rej: warp::Rejection) -> Result<Response, Infallible> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_disposition_is_safe() {
        assert_eq!(
            content_disposition("book.pdf"),
            "attachment; filename=\"book.pdf\"; filename*=UTF-8''book.pdf"
        );
        let cd = content_disposition("naïve \"x\".pdf");
        assert!(cd.contains("filename=\"na_ve x.pdf\""), "{cd}");
        assert!(
            cd.contains("filename*=UTF-8''na%C3%AFve%20%22x%22.pdf"),
            "{cd}"
        );
        assert_eq!(
            content_disposition("a\\b\n~.zip"),
            "attachment; filename=\"ab_~.zip\"; filename*=UTF-8''a%5Cb%0A~.zip"
        );
    }
}
