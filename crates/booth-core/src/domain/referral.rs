//! Where a sale came from: `?ref=` and the `utm_` parameters on the link a buyer used.

use serde::Serialize;

/// The longest value kept; anything longer is a mangled link, not a campaign name.
const MAX_LEN: usize = 64;

/// The referral parameters of a link, each checked once. A value that isn't a plausible
/// tag (too long, control characters, markup) is dropped rather than refused: a mangled
/// link must never stop a sale, and nothing a link carries is stored unchecked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct Referral {
    #[serde(rename = "ref")]
    pub ref_: Option<String>,
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
}

/// The query parameter names, in the order `Referral`'s fields have them.
pub const PARAMS: [&str; 4] = ["ref", "utm_source", "utm_medium", "utm_campaign"];

impl Referral {
    /// Reads the referral parameters out of a query string's pairs; others are ignored.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Referral {
        let mut r = Referral::default();
        for (k, v) in pairs {
            let slot = match k {
                "ref" => &mut r.ref_,
                "utm_source" => &mut r.utm_source,
                "utm_medium" => &mut r.utm_medium,
                "utm_campaign" => &mut r.utm_campaign,
                _ => continue,
            };
            if slot.is_none() {
                *slot = tag(v);
            }
        }
        r
    }

    /// The values in `PARAMS` order.
    pub fn values(&self) -> [Option<&str>; 4] {
        [
            self.ref_.as_deref(),
            self.utm_source.as_deref(),
            self.utm_medium.as_deref(),
            self.utm_campaign.as_deref(),
        ]
    }

    /// The pairs present, for carrying on to the next link (a Buy button, Checkout).
    pub fn pairs(&self) -> Vec<(&'static str, &str)> {
        PARAMS
            .iter()
            .zip(self.values())
            .filter_map(|(k, v)| v.map(|v| (*k, v)))
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.values().iter().all(Option::is_none)
    }

    /// The one name the dashboard groups by: `ref` if the link had one, else
    /// `utm_source`; "" for a sale that came with neither (shown as "direct").
    pub fn source(&self) -> &str {
        self.ref_
            .as_deref()
            .or(self.utm_source.as_deref())
            .unwrap_or("")
    }
}

/// A tag as kept: trimmed, lower-cased (so "Newsletter" and "newsletter" are one source),
/// 1–64 characters of letters, digits, space and `. _ - + /`; anything else is None.
fn tag(v: &str) -> Option<String> {
    let v = v.trim();
    let ok = !v.is_empty()
        && v.chars().count() <= MAX_LEN
        && v.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '.' | '_' | '-' | '+' | '/'));
    ok.then(|| v.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_plausible_tags_and_drops_the_rest() {
        let r = Referral::from_pairs([
            ("ref", " Newsletter "),
            ("utm_source", "<script>"),
            ("utm_medium", &"x".repeat(65)),
            ("utm_campaign", "spring-2026"),
            ("other", "ignored"),
        ]);
        assert_eq!(r.ref_.as_deref(), Some("newsletter"));
        assert_eq!(r.utm_source, None);
        assert_eq!(r.utm_medium, None);
        assert_eq!(r.utm_campaign.as_deref(), Some("spring-2026"));
        assert_eq!(r.source(), "newsletter");
        assert_eq!(
            r.pairs(),
            vec![("ref", "newsletter"), ("utm_campaign", "spring-2026")]
        );
    }

    #[test]
    fn the_first_value_wins_and_utm_source_names_a_sale_without_ref() {
        let r = Referral::from_pairs([("utm_source", "mastodon"), ("utm_source", "other")]);
        assert_eq!(r.source(), "mastodon");
        assert!(Referral::from_pairs([("ref", "\u{0}")]).is_empty());
        assert_eq!(Referral::default().source(), "");
    }
}
