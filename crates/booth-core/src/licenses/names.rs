//! What a license request names, each parsed once: the key, an instance's id and name, and
//! the activation limit a seller types.

use crate::error::{Error, Result};
use std::fmt;

/// The most activations one key may allow.
pub const MAX_ACTIVATIONS: u32 = 1000;

/// A seller's "how many computers": "off" is no license keys, else 1 to 1000. Nothing at
/// all is a mistake, not "off": the window's switch on with its number cleared must not
/// quietly stop the keys.
pub fn parse_activation_limit(input: &str) -> Result<Option<u32>> {
    let t = input.trim();
    if t.is_empty() {
        return Err(Error::invalid(
            "licenses",
            format!("give how many computers a key may activate (1 to {MAX_ACTIVATIONS}), or turn license keys off"),
        ));
    }
    if t.eq_ignore_ascii_case("off") || t.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    match t.parse::<u32>() {
        Ok(n) if (1..=MAX_ACTIVATIONS).contains(&n) => Ok(Some(n)),
        _ => Err(Error::invalid(
            "licenses",
            format!("license keys allow 1 to {MAX_ACTIVATIONS} activations, or \"off\""),
        )),
    }
}

/// A license key: 36 characters, upper-case hex in the 8-4-4-4-12 shape, 122 random bits.
/// Read in any case, with spaces around it forgiven (buyers paste them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseKey(String);

impl LicenseKey {
    pub fn generate() -> LicenseKey {
        LicenseKey(
            uuid::Uuid::new_v4()
                .hyphenated()
                .to_string()
                .to_ascii_uppercase(),
        )
    }

    pub fn parse(input: &str) -> Result<LicenseKey> {
        let t = input.trim();
        // Checked by length first: a megabyte of input is refused without being read.
        let parsed = (t.len() == 36)
            .then(|| uuid::Uuid::try_parse(t).ok())
            .flatten();
        match parsed {
            Some(u) => Ok(LicenseKey(u.hyphenated().to_string().to_ascii_uppercase())),
            None => Err(Error::invalid(
                "license_key",
                "a license key is 36 characters like 38B1460A-5104-4067-A91D-77B872934D51",
            )),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LicenseKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An activation's id, as the API gives it: a lower-case UUID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceId(String);

impl InstanceId {
    pub fn generate() -> InstanceId {
        InstanceId(uuid::Uuid::new_v4().hyphenated().to_string())
    }

    pub fn parse(input: &str) -> Result<InstanceId> {
        let t = input.trim();
        let parsed = (t.len() == 36)
            .then(|| uuid::Uuid::try_parse(t).ok())
            .flatten();
        match parsed {
            Some(u) => Ok(InstanceId(u.hyphenated().to_string())),
            None => Err(Error::invalid(
                "instance_id",
                "an instance id is the 36-character id its activation gave",
            )),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for InstanceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What the app calls the computer it activates: 1–100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceName(String);

impl InstanceName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(input: &str) -> Result<InstanceName> {
        let t = input.trim();
        if t.is_empty()
            || t.len() > 4 * Self::MAX_CHARS
            || t.chars().count() > Self::MAX_CHARS
            || t.chars().any(char::is_control)
        {
            return Err(Error::invalid(
                "instance_name",
                format!(
                    "an instance name is 1–{} characters without control characters",
                    Self::MAX_CHARS
                ),
            ));
        }
        Ok(InstanceName(t.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ids_names_and_limits_parse_once() {
        let key = LicenseKey::generate();
        assert_eq!(key.as_str().len(), 36);
        assert_eq!(key.as_str(), key.as_str().to_ascii_uppercase());
        let pasted = format!("  {}\n", key.as_str().to_ascii_lowercase());
        assert_eq!(LicenseKey::parse(&pasted).unwrap(), key);
        for bad in [
            "",
            "not a key",
            &key.as_str()[..35],
            &format!("{}0", key.as_str()),
            &"A".repeat(1 << 20),
            "38B1460A5104406 7A91D77B872934D51xx",
            "{38B1460A-5104-4067-A91D-77B872934D5}",
        ] {
            let e = LicenseKey::parse(bad).unwrap_err();
            assert!(e.to_string().starts_with("license_key:"), "{bad:.40}: {e}");
        }
        let id = InstanceId::generate();
        assert_eq!(InstanceId::parse(&id.as_str().to_uppercase()).unwrap(), id);
        assert!(InstanceId::parse("../../etc/passwd").is_err());

        assert_eq!(
            InstanceName::parse(" Ana's MacBook ").unwrap().as_str(),
            "Ana's MacBook"
        );
        assert!(InstanceName::parse(&"é".repeat(100)).is_ok());
        for bad in ["", "  ", "a\u{0}b", "line\nbreak", &"x".repeat(101)] {
            assert!(InstanceName::parse(bad).is_err(), "{bad:?}");
        }

        assert_eq!(parse_activation_limit("off").unwrap(), None);
        assert_eq!(parse_activation_limit(" 3 ").unwrap(), Some(3));
        for bad in ["", "  ", "0", "-1", "1001", "2.5", "two"] {
            let e = parse_activation_limit(bad).unwrap_err();
            assert!(e.to_string().starts_with("licenses:"), "{bad}: {e}");
        }
    }
}
