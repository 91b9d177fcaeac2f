//! What every handler is given: the shop, its pages, the rate limiters and the file cache.

use crate::client::{Client, Vouching};
use crate::filecache;
use crate::pages::Pages;
use crate::ratelimit::RateLimiter;
use booth_core::Shop;
use std::net::IpAddr;
use std::sync::Arc;

/// Memory for small files' contents (see filecache.rs).
pub(crate) const FILE_CACHE_BYTES: usize = 32 << 20;

pub(crate) struct App {
    pub(crate) shop: Shop,
    pub(crate) pages: Pages,
    pub(crate) checkout_limiter: RateLimiter,
    /// Success-page lookups of sessions the shop has no record of: one bucket for all.
    pub(crate) unlisted_lookups: RateLimiter,
    /// "Lost your link?" requests per buyer (library.rs).
    pub(crate) library_limiter: RateLimiter,
    /// License API requests per client (licenses.rs).
    pub(crate) license_limiter: RateLimiter,
    pub(crate) files: filecache::FileCache,
    pub(crate) vouching: Vouching,
}

/// The one key of `unlisted_lookups`.
pub(crate) const UNLISTED: Client = Client::Known(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
/// Stripe lookups of unlisted sessions per minute, shop-wide.
pub(crate) const UNLISTED_PER_MINUTE: u32 = 6;

/// "Lost your link?" requests a buyer may make in `LIBRARY_WINDOW` (the core also limits
/// the emails each address gets, whoever asks).
pub(crate) const LIBRARY_PER_WINDOW: u32 = 5;
pub(crate) const LIBRARY_WINDOW: std::time::Duration = std::time::Duration::from_secs(600);

pub(crate) type Ctx = Arc<App>;
