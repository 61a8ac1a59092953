//! Account IDs in the OVHcloud style: nine digits shown as `1234-567-89`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An account ID. Always nine ASCII digits; displayed as `1234-567-89`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AccountId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("An account ID has the form 1234-567-89.")]
pub struct InvalidAccountId;

impl crate::i18n::MessageKey for InvalidAccountId {
    fn key(&self) -> &'static str {
        crate::key!("field.account_id.invalid")
    }
}

impl AccountId {
    /// Accepts `1234-567-89`, and the same digits without dashes or with surrounding spaces,
    /// since people paste IDs from e-mails and spreadsheets.
    pub fn parse(input: &str) -> Result<Self, InvalidAccountId> {
        let trimmed = input.trim();
        let digits: String = trimmed.chars().filter(|c| *c != '-').collect();
        let dashes_in_place = trimmed.len() == 9 || {
            let b = trimmed.as_bytes();
            trimmed.len() == 11 && b[4] == b'-' && b[8] == b'-'
        };
        if !dashes_in_place || digits.len() != 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidAccountId);
        }
        Ok(Self(format!(
            "{}-{}-{}",
            &digits[0..4],
            &digits[4..7],
            &digits[7..9]
        )))
    }

    /// A new random ID from nine random digits; the first is never zero so that the ID never
    /// looks truncated when a spreadsheet drops a leading zero.
    pub fn from_random(mut next_digit: impl FnMut() -> u8) -> Self {
        let mut digits = String::with_capacity(9);
        for i in 0..9 {
            let d = next_digit() % 10;
            let d = if i == 0 && d == 0 {
                1 + next_digit() % 9
            } else {
                d
            };
            digits.push(char::from(b'0' + d));
        }
        Self(format!(
            "{}-{}-{}",
            &digits[0..4],
            &digits[4..7],
            &digits[7..9]
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The nine digits without dashes (used as a context word by the password policy).
    pub fn digits(&self) -> String {
        self.0.replace('-', "")
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for AccountId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for AccountId {
    type Error = InvalidAccountId;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<AccountId> for String {
    fn from(id: AccountId) -> Self {
        id.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dashed_id_parses_and_formats_back_the_same() {
        let id = AccountId::parse("1234-567-89").unwrap();
        assert_eq!(id.to_string(), "1234-567-89");
        assert_eq!(id.digits(), "123456789");
    }

    #[test]
    fn digits_without_dashes_and_surrounding_spaces_are_accepted() {
        assert_eq!(
            AccountId::parse(" 123456789 ").unwrap().as_str(),
            "1234-567-89"
        );
    }

    #[test]
    fn malformed_ids_are_refused() {
        for bad in [
            "",
            "1234-567-8",
            "1234-567-890",
            "12345678",
            "1234567890",
            "abcd-efg-hi",
            "12-34567-89",
            "1234--567-89",
            "1234-567-8a",
            "١٢٣٤-٥٦٧-٨٩",
            "1234-567-89/x",
        ] {
            assert_eq!(AccountId::parse(bad), Err(InvalidAccountId), "{bad:?}");
        }
    }

    #[test]
    fn random_ids_have_the_right_shape_and_no_leading_zero() {
        let mut zeros = std::iter::repeat(0u8);
        let id = AccountId::from_random(|| zeros.next().unwrap_or(0));
        assert_eq!(AccountId::parse(id.as_str()).unwrap(), id);
        assert!(!id.as_str().starts_with('0'));
        let mut seq = (0u8..).map(|n| n.wrapping_mul(7));
        let id = AccountId::from_random(|| seq.next().unwrap_or(3));
        assert_eq!(id.as_str().len(), 11);
    }

    #[test]
    fn serde_round_trips_and_refuses_bad_ids() {
        let id: AccountId = serde_json::from_str("\"4321-765-98\"").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"4321-765-98\"");
        assert!(serde_json::from_str::<AccountId>("\"nope\"").is_err());
    }
}
