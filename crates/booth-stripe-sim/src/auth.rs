//! Who may use the API: whoever holds this simulator's own secret key, and nobody else.
//! (It used to take any `sk_test_` key, so any program on the machine could list buyers
//! and refund purchases.)

use sha2::{Digest, Sha256};
use warp::http::HeaderMap;

use crate::wire::ApiError;

/// What a generated key starts with: a test key, as Stripe's look, marked as ours.
const GENERATED_PREFIX: &str = "sk_test_sim_";

/// A fresh key: `sk_test_sim_` + 32 alphanumerics (~190 bits) from rand's CSPRNG.
pub fn generate_key() -> String {
    crate::state::new_id(GENERATED_PREFIX, 32)
}

/// Checks a key the caller chose (`booth stripe-sim --secret-key`): a test key, long
/// enough not to be guessed, and only characters that travel in a header unchanged.
pub fn validate_key(key: &str) -> Result<(), String> {
    let rest = key
        .strip_prefix("sk_test_")
        .ok_or("the simulator's secret key must start with sk_test_")?;
    if rest.len() < 16 {
        return Err(
            "the simulator's secret key needs at least 16 characters after sk_test_".into(),
        );
    }
    if !rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err("the simulator's secret key may hold only letters, digits and _".into());
    }
    Ok(())
}

/// Accepts the request if it carries `expected`, by Bearer or Basic auth as Stripe does;
/// otherwise Stripe's 401 with the key masked.
pub fn check(h: &HeaderMap, expected: &str) -> Result<(), ApiError> {
    let unauthorized = |m: String| ApiError {
        status: 401,
        ..ApiError::invalid(m, None)
    };
    let Some(raw) = h.get("authorization").and_then(|v| v.to_str().ok()) else {
        return Err(unauthorized("You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.".into()));
    };
    let key = if let Some(k) = raw.strip_prefix("Bearer ") {
        k.trim().to_string()
    } else if let Some(b) = raw.strip_prefix("Basic ") {
        let dec = b64decode(b.trim())
            .and_then(|d| String::from_utf8(d).ok())
            .unwrap_or_default();
        dec.split(':').next().unwrap_or_default().to_string()
    } else {
        return Err(unauthorized(
            "Invalid API Key provided: the Authorization header must use Bearer or Basic auth."
                .into(),
        ));
    };
    if !same_key(&key, expected) {
        return Err(unauthorized(format!(
            "Invalid API Key provided: {}",
            redact(&key)
        )));
    }
    Ok(())
}

/// Whether two keys are equal, in a time that doesn't depend on where they differ: both
/// are hashed first, so timing could reveal at most how much of two SHA-256 digests
/// agree, which says nothing about the key.
fn same_key(given: &str, expected: &str) -> bool {
    let (a, b) = (Sha256::digest(given), Sha256::digest(expected));
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// `sk_test_****abcd`, as Stripe shows a wrong key: the kind, then only the last 4.
fn redact(key: &str) -> String {
    let prefix = ["sk_test_", "sk_live_", "rk_test_", "rk_live_"]
        .into_iter()
        .find(|p| key.starts_with(p))
        .unwrap_or("");
    // By chars: a key decoded from Basic auth may hold any UTF-8.
    let rest: Vec<char> = key[prefix.len()..].chars().collect();
    let shown = if rest.len() > 4 { 4 } else { 0 };
    let tail: String = rest[rest.len() - shown..].iter().collect();
    // A 60 KB key needn't come back as 60 KB of stars.
    let stars = "*".repeat((rest.len() - shown).min(32));
    format!("{prefix}{stars}{tail}")
}

/// Minimal base64 (standard alphabet) for HTTP Basic auth.
fn b64decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.trim_end_matches('=').bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        } as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bearer(key: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("authorization", format!("Bearer {key}").parse().unwrap());
        h
    }

    #[test]
    fn basic_auth_decodes() {
        assert_eq!(b64decode("c2tfdGVzdF94Og==").unwrap(), b"sk_test_x:");
    }

    #[test]
    fn only_the_simulators_own_key_is_accepted() {
        let key = generate_key();
        assert!(key.starts_with("sk_test_sim_") && key.len() == 12 + 32);
        assert_ne!(key, generate_key());
        assert!(validate_key(&key).is_ok());
        assert!(check(&bearer(&key), &key).is_ok());
        for wrong in [
            "sk_test_made_up_by_someone",
            "sk_test_",
            &key[..key.len() - 1],
        ] {
            let e = check(&bearer(wrong), &key).unwrap_err();
            assert_eq!((e.status, e.kind), (401, "invalid_request_error"));
        }
        let e = check(&bearer("sk_test_made_up_by_someone"), &key).unwrap_err();
        assert_eq!(
            e.message,
            "Invalid API Key provided: sk_test_**************eone"
        );
    }

    #[test]
    fn masking_never_panics_and_hides_all_but_four() {
        assert_eq!(redact("sk_test_"), "sk_test_");
        assert_eq!(redact("sk_test_abcd"), "sk_test_****");
        assert_eq!(redact("nope"), "****");
        // Multi-byte characters (Basic auth decodes any UTF-8) are counted, not sliced.
        assert_eq!(redact("ééééééé"), "***éééé");
        assert!(redact(&"x".repeat(60_000)).len() < 40);
    }

    #[test]
    fn chosen_keys_are_checked() {
        assert!(validate_key("sk_test_0123456789abcdef").is_ok());
        assert!(validate_key("sk_live_0123456789abcdef").is_err());
        assert!(validate_key("sk_test_short").is_err());
        assert!(validate_key("sk_test_0123456789abcdef\n").is_err());
    }
}
