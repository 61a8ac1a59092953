//! E-mail addresses, checked for shape only (a link mailed to the address verifies that it is
//! the user's: `server::identity::email_verification`).

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Enter an e-mail address such as name@example.com.")]
pub struct InvalidEmail;

impl crate::i18n::MessageKey for InvalidEmail {
    fn key(&self) -> &'static str {
        crate::key!("field.email.invalid")
    }
}

impl Email {
    pub fn parse(input: &str) -> Result<Self, InvalidEmail> {
        let email = input.trim();
        let (local, domain) = email.split_once('@').ok_or(InvalidEmail)?;
        let well_formed = !local.is_empty()
            && local.len() <= 64
            && email.len() <= 254
            && !domain.contains('@')
            && domain.contains('.')
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            })
            && !email.chars().any(|c| c.is_whitespace() || c.is_control())
            && !local.contains(['<', '>', '(', ')', '[', ']', ',', ';', ':', '\\', '"']);
        if well_formed {
            Ok(Self(email.to_owned()))
        } else {
            Err(InvalidEmail)
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_addresses_are_accepted_and_trimmed() {
        for ok in [
            "jane@acme.example",
            " j.smith+ops@mail.acme.co.uk ",
            "zoë@exämple.fr",
        ] {
            assert_eq!(Email::parse(ok).unwrap().as_str(), ok.trim());
        }
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for bad in [
            "",
            "jane",
            "@acme.example",
            "jane@",
            "jane@acme",
            "jane@@acme.example",
            "ja ne@acme.example",
            "jane@acme..example",
            "jane@-acme.example",
            "<jane>@a.example",
        ] {
            assert_eq!(Email::parse(bad), Err(InvalidEmail), "{bad:?}");
        }
        assert!(Email::parse(&format!("{}@a.example", "x".repeat(65))).is_err());
    }
}

/// What a verification link can still do, as the page it opens shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum VerificationLink {
    /// It would verify this address.
    Pending { email: String },
    /// It was used, and the address it verified is still the user's, verified.
    Verified,
    /// Used up, expired, unknown, or for an address the user no longer has.
    Expired,
}
