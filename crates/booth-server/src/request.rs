//! What a buyer's link or form asks for, read once into booth-core's `CheckoutRequest`:
//! the products, a pay-what-you-want amount, a code, and the referral. Only the server
//! prices it; a price in a form is never read.

use booth_core::domain::Referral;
use booth_core::quote::CheckoutRequest;

/// The longest query string or form read; longer ones are read as empty (a link that long
/// is not a buyer's).
const MAX_INPUT: usize = 4096;

pub(crate) fn query_pairs(raw: &str) -> Vec<(String, String)> {
    pairs(raw.as_bytes())
}

pub(crate) fn pairs(raw: &[u8]) -> Vec<(String, String)> {
    if raw.len() > MAX_INPUT {
        return Vec::new();
    }
    serde_urlencoded::from_bytes(raw).unwrap_or_default()
}

pub(crate) fn checkout_request(slugs: Vec<String>, pairs: &[(String, String)]) -> CheckoutRequest {
    let get = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    CheckoutRequest {
        slugs,
        amount: get("amount"),
        code: get("code"),
        referral: Referral::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
        consent: get("consent"),
    }
}
