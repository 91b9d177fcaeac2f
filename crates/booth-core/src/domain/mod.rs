//! Domain newtypes: each parses its input once, so the rest of the code can trust it.

mod email;
mod money;
mod names;
mod referral;
mod size;
#[cfg(test)]
mod tests;

pub use email::Email;
pub use money::{Currency, Money, MAX_AMOUNT_MINOR};
pub use names::{DiscountCode, PublicUrl, PurchaseToken, Slug, UnsubscribeToken};
pub use referral::{Referral, PARAMS as REFERRAL_PARAMS};
pub use size::{format_size, ByteSize};

use crate::error::{Error, Result};
use serde::Serialize;
use std::fmt;

/// How many times each file of a purchase may be downloaded; `None` is unlimited.
pub fn parse_download_limit(input: &str) -> Result<Option<u32>> {
    let s = input.trim().to_ascii_lowercase();
    if s == "unlimited" || s == "none" {
        return Ok(None);
    }
    match s.parse::<u32>() {
        Ok(n) if (1..=1_000_000).contains(&n) => Ok(Some(n)),
        _ => Err(Error::invalid(
            "limit",
            "a download limit is a whole number from 1 to 1000000, or 'unlimited'",
        )),
    }
}

/// Text made safe to put in HTML, inside elements or quoted attributes.
pub fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}
