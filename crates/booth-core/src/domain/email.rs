//! A buyer's email address.

use super::*;

/// A buyer's email address, trimmed and checked. Never contains characters that could
/// break out of a mail header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Email> {
        let s = input.trim();
        let bad = |m: &str| Err(Error::invalid("email", m.to_string()));
        if s.is_empty() {
            return bad("an email address is required");
        }
        if s.len() > 254 {
            return bad("an email address can't be longer than 254 characters");
        }
        if s.chars()
            .any(|c| c.is_control() || c.is_whitespace() || "<>,;\"()[]\\".contains(c))
        {
            return bad("an email address can't contain spaces or <>,;\"()[]\\");
        }
        let Some((local, domain)) = s.rsplit_once('@') else {
            return bad("an email address needs an @");
        };
        if local.is_empty() || local.len() > 64 || local.contains('@') {
            return bad("the part before the @ is not valid");
        }
        let domain_ok = domain.contains('.')
            && domain
                .split('.')
                .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'));
        if !domain_ok {
            return bad("the part after the @ is not a valid domain");
        }
        // lettre is what will send to it: make sure it agrees.
        if s.parse::<lettre::Address>().is_err() {
            return bad("this is not a valid email address");
        }
        Ok(Email(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    /// An address a payment provider collected for a paid purchase. Never refused: a
    /// paid purchase is recorded whatever its email. Used as it is when only our own
    /// stricter parser disagrees; an address nobody could mail (empty, too long, control
    /// characters that could break a mail header or a seller's terminal) is kept in a
    /// printable form, with the reason it can't be mailed.
    pub fn from_payment_provider(input: &str) -> (Email, Option<String>) {
        if let Ok(e) = Email::parse(input) {
            return (e, None);
        }
        let s = input.trim();
        let problem = if s.is_empty() {
            Some("the payment provider sent no email address")
        } else if s.chars().count() > 254 {
            Some("the address is longer than an email address can be")
        } else if s.chars().any(|c| c.is_control()) {
            Some("the address contains control characters")
        } else {
            None
        };
        // Printable whatever it held: control characters become U+FFFD.
        let shown: String = s
            .chars()
            .take(320)
            .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
            .collect();
        (Email(shown), problem.map(String::from))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
