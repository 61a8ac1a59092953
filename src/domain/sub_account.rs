//! What a sub-account is made of: its name, contact details, API rate limit, permissions and
//! KYC settings. Each field is parsed with a message a person can act on.

use std::fmt;

/// A sub-account's name: unique among its parent's sub-accounts, ignoring case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubAccountName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidSubAccountName {
    #[error("Enter a name for the sub-account.")]
    Empty,
    #[error("A name has at most 100 characters.")]
    TooLong,
    #[error("A name cannot contain control characters.")]
    ControlCharacter,
}

impl crate::i18n::MessageKey for InvalidSubAccountName {
    fn key(&self) -> &'static str {
        match self {
            Self::Empty => crate::key!("field.sub_name.empty"),
            Self::TooLong => crate::key!("field.sub_name.too_long"),
            Self::ControlCharacter => crate::key!("field.sub_name.control"),
        }
    }
}

impl SubAccountName {
    pub const MAX_LEN: usize = 100;

    /// Trims the name and collapses runs of white space.
    pub fn parse(input: &str) -> Result<Self, InvalidSubAccountName> {
        if input.chars().any(|c| c.is_control() && !c.is_whitespace()) {
            return Err(InvalidSubAccountName::ControlCharacter);
        }
        let name = input.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err(InvalidSubAccountName::Empty);
        }
        if name.chars().count() > Self::MAX_LEN {
            return Err(InvalidSubAccountName::TooLong);
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form compared for uniqueness.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

impl fmt::Display for SubAccountName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A phone number in E.164 form: `+` then 2 to 15 digits, the first not 0. Spaces, dots,
/// dashes and brackets people type are dropped first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Enter the phone number in international format, such as +33 1 23 45 67 89.")]
pub struct InvalidPhone;

impl crate::i18n::MessageKey for InvalidPhone {
    fn key(&self) -> &'static str {
        crate::key!("field.phone.invalid")
    }
}

impl Phone {
    pub fn parse(input: &str) -> Result<Self, InvalidPhone> {
        let compact: String = input
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')'))
            .collect();
        let digits = compact.strip_prefix('+').ok_or(InvalidPhone)?;
        let valid = (2..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        if valid {
            Ok(Self(compact))
        } else {
            Err(InvalidPhone)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// API requests per minute made with the sub-account's credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit(u32);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Enter a whole number of requests per minute from 1 to 100000.")]
pub struct InvalidRateLimit;

impl crate::i18n::MessageKey for InvalidRateLimit {
    fn key(&self) -> &'static str {
        crate::key!("field.rate_limit.invalid")
    }
}

impl RateLimit {
    pub const MIN: u32 = 1;
    pub const MAX: u32 = 100_000;
    pub const DEFAULT: RateLimit = RateLimit(1000);

    pub fn new(value: i64) -> Result<Self, InvalidRateLimit> {
        u32::try_from(value)
            .ok()
            .filter(|v| (Self::MIN..=Self::MAX).contains(v))
            .map(Self)
            .ok_or(InvalidRateLimit)
    }

    /// From a form: empty means the default.
    pub fn parse(input: &str) -> Result<Self, InvalidRateLimit> {
        let input = input.trim();
        if input.is_empty() {
            return Ok(Self::DEFAULT);
        }
        input
            .parse::<i64>()
            .map_err(|_| InvalidRateLimit)
            .and_then(Self::new)
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

/// Who the sub-account is for: the account's own use, or a customer who must pass KYC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KycMode {
    #[default]
    PersonalUse,
    CustomerUse,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Choose personal use or customer use.")]
pub struct InvalidKycMode;

impl crate::i18n::MessageKey for InvalidKycMode {
    fn key(&self) -> &'static str {
        crate::key!("field.kyc_mode.invalid")
    }
}

impl KycMode {
    pub const ALL: [KycMode; 2] = [KycMode::PersonalUse, KycMode::CustomerUse];

    pub fn code(self) -> &'static str {
        match self {
            Self::PersonalUse => "personal_use",
            Self::CustomerUse => "customer_use",
        }
    }

    /// The catalogue key of the mode's name in the interface.
    pub fn key(self) -> &'static str {
        match self {
            Self::PersonalUse => crate::key!("kyc.personal_use"),
            Self::CustomerUse => crate::key!("kyc.customer_use"),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::PersonalUse => "Personal use",
            Self::CustomerUse => "Customer use (KYC required)",
        }
    }

    /// Empty means the default, personal use.
    pub fn parse(input: &str) -> Result<Self, InvalidKycMode> {
        match input.trim() {
            "" | "personal_use" => Ok(Self::PersonalUse),
            "customer_use" => Ok(Self::CustomerUse),
            _ => Err(InvalidKycMode),
        }
    }
}

/// The legal form of the business behind a sub-account; optional.
pub const BUSINESS_TYPES: [(&str, &str); 10] = [
    ("individual", "Individual"),
    ("proprietorship", "Proprietorship"),
    ("private_limited", "Private limited company"),
    ("llp", "Limited liability partnership"),
    ("partnership", "Partnership"),
    ("public_limited", "Public limited company"),
    ("trust", "Trust"),
    ("society", "Society"),
    ("huf", "Hindu undivided family"),
    ("government", "Government"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Choose a business type from the list.")]
pub struct InvalidBusinessType;

impl crate::i18n::MessageKey for InvalidBusinessType {
    fn key(&self) -> &'static str {
        crate::key!("field.business_type.invalid")
    }
}

/// The business type's code, `""` when none is given.
pub fn parse_business_type(input: &str) -> Result<&'static str, InvalidBusinessType> {
    let input = input.trim();
    if input.is_empty() {
        return Ok("");
    }
    BUSINESS_TYPES
        .iter()
        .find(|(code, _)| *code == input)
        .map(|(code, _)| *code)
        .ok_or(InvalidBusinessType)
}

pub fn business_type_label(code: &str) -> &'static str {
    BUSINESS_TYPES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("", |(_, label)| *label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_compared_without_case() {
        let name = SubAccountName::parse("  Team \t Blue ").unwrap();
        assert_eq!(name.as_str(), "Team Blue");
        assert_eq!(name.key(), "team blue");
        assert_eq!(
            SubAccountName::parse("   "),
            Err(InvalidSubAccountName::Empty)
        );
        assert_eq!(
            SubAccountName::parse(&"x".repeat(101)),
            Err(InvalidSubAccountName::TooLong)
        );
        assert_eq!(
            SubAccountName::parse("a\u{7}b"),
            Err(InvalidSubAccountName::ControlCharacter)
        );
    }

    #[test]
    fn phones_must_be_e164() {
        assert_eq!(
            Phone::parse("+33 1 23-45.67 (89)").unwrap().as_str(),
            "+33123456789"
        );
        assert_eq!(
            Phone::parse("+919876543210").unwrap().as_str(),
            "+919876543210"
        );
        for bad in [
            "0123456789",
            "+0123",
            "+1",
            "+1234567890123456",
            "+33 abc",
            "",
            "+",
        ] {
            assert_eq!(Phone::parse(bad), Err(InvalidPhone), "{bad:?}");
        }
    }

    #[test]
    fn rate_limits_are_bounded() {
        assert_eq!(RateLimit::parse("").unwrap(), RateLimit::DEFAULT);
        assert_eq!(RateLimit::parse(" 1 ").unwrap().get(), 1);
        assert_eq!(RateLimit::parse("100000").unwrap().get(), 100_000);
        for bad in ["0", "100001", "-5", "1.5", "lots", "99999999999999999999"] {
            assert_eq!(RateLimit::parse(bad), Err(InvalidRateLimit), "{bad:?}");
        }
    }

    #[test]
    fn kyc_modes_and_business_types_come_from_fixed_lists() {
        assert_eq!(KycMode::parse("").unwrap(), KycMode::PersonalUse);
        assert_eq!(
            KycMode::parse("customer_use").unwrap(),
            KycMode::CustomerUse
        );
        assert!(KycMode::parse("business").is_err());
        assert_eq!(parse_business_type("").unwrap(), "");
        assert_eq!(parse_business_type("llp").unwrap(), "llp");
        assert_eq!(business_type_label("huf"), "Hindu undivided family");
        assert!(parse_business_type("corporation").is_err());
    }
}
