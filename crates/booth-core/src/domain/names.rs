//! Names and secrets in links: product slugs, purchase and unsubscribe tokens, the
//! shop's public address.

use super::*;

/// A product's URL name: lowercase letters, digits and single dashes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Slug(String);

impl Slug {
    pub fn parse(input: &str) -> Result<Slug> {
        let s = input.trim();
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-')
            && !s.contains("--");
        if !ok {
            return Err(Error::invalid(
                "slug",
                "use 1–64 lowercase letters, digits and single dashes, e.g. my-ebook",
            ));
        }
        Ok(Slug(s.to_string()))
    }

    /// Derives a slug from a product name ("The Book, 2nd ed." -> "the-book-2nd-ed").
    pub fn from_name(name: &str) -> Result<Slug> {
        let mut out = String::new();
        for c in name.chars().flat_map(char::to_lowercase) {
            if c.is_ascii_alphanumeric() {
                out.push(c);
            } else if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        }
        let trimmed: String = out.trim_end_matches('-').chars().take(64).collect();
        Slug::parse(trimmed.trim_end_matches('-'))
            .map_err(|_| Error::invalid("slug", "couldn't make a slug from the name; pass --slug"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A discount code as buyers type it: 3–32 letters, digits, `-` and `_`, matched without
/// regard to case and kept upper-case ("launch" is LAUNCH), as Stripe's promotion codes are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiscountCode(String);

impl DiscountCode {
    pub fn parse(input: &str) -> Result<DiscountCode> {
        let s = input.trim();
        let ok = (3..=32).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !ok {
            return Err(Error::invalid(
                "code",
                "a code is 3–32 letters (A–Z), digits, dashes or underscores, e.g. LAUNCH",
            ));
        }
        Ok(DiscountCode(s.to_ascii_uppercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DiscountCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A purchase's secret link token: 32 lowercase hex digits of a UUID v4 (122 random bits).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PurchaseToken(String);

impl PurchaseToken {
    pub fn generate() -> PurchaseToken {
        PurchaseToken(uuid::Uuid::new_v4().simple().to_string())
    }

    pub fn parse(input: &str) -> Result<PurchaseToken> {
        let s = input.trim();
        if s.len() == 32 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            Ok(PurchaseToken(s.to_string()))
        } else {
            Err(Error::invalid(
                "token",
                "a purchase token is 32 lowercase hex digits",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PurchaseToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A buyer address's unsubscribe token, for `List-Unsubscribe` links: 32 lowercase hex
/// digits (UUID v4). Its own secret, so the links that mailbox providers and third-party
/// services read from headers can't download anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsubscribeToken(String);

impl UnsubscribeToken {
    pub fn generate() -> UnsubscribeToken {
        UnsubscribeToken(uuid::Uuid::new_v4().simple().to_string())
    }

    /// This shape, or a purchase token's (links in mail sent before unsubscribing had its
    /// own token carried those, and must keep working).
    pub fn parse(input: &str) -> Result<UnsubscribeToken> {
        let s = input.trim();
        if s.len() == 32 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            Ok(UnsubscribeToken(s.to_string()))
        } else {
            Err(Error::invalid("token", "not an unsubscribe link"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The address buyers reach the shop at: http(s)://host[:port][/path], no trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl(String);

impl PublicUrl {
    pub fn parse(value: &str) -> Result<PublicUrl> {
        let value = value.trim();
        let u = url::Url::parse(value).map_err(|_| {
            Error::invalid(
                "public_url",
                "a public URL looks like https://shop.example.com",
            )
        })?;
        let ok = matches!(u.scheme(), "http" | "https")
            && u.host_str().is_some()
            && u.query().is_none()
            && u.fragment().is_none()
            && u.username().is_empty()
            && u.password().is_none()
            && !value.contains(char::is_whitespace);
        if !ok {
            return Err(Error::invalid(
                "public_url",
                "a public URL is http(s)://host[:port][/path], without a query, fragment or login",
            ));
        }
        Ok(PublicUrl(value.trim_end_matches('/').to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}
