//! The public shop over HTTP (warp): the buyer's side only. Nothing here can change the
//! shop's settings or catalog; the seller's tools live in the CLI and the desktop app.
//!
//! `routes.rs` is the route table; the handlers are per area (`storefront`, `checkout`,
//! `download`, `webhook`, `unsubscribe`), with the helpers they share in `http.rs`.

mod app;
mod checkout;
mod claim;
mod client;
mod conn;
mod deadline;
mod download;
mod feeds;
mod filecache;
mod http;
mod library;
mod licenses;
mod pages;
mod range;
mod ratelimit;
mod request;
mod routes;
mod slots;
mod storefront;
mod unsubscribe;
mod webhook;

pub use client::{Vouched, Vouching};
pub use pages::PAGE_TEMPLATES;
pub use ratelimit::UNKNOWN_SHARE;
pub use routes::routes;

use booth_core::Shop;
use std::time::Duration;

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
