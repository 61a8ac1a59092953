//! Company names: what a main account is called. Unique across Steward, ignoring case.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidCompanyName {
    #[error("Enter the company name.")]
    Empty,
    #[error("A company name has at most 100 characters.")]
    TooLong,
    #[error("A company name cannot contain control characters.")]
    ControlCharacter,
}

impl crate::i18n::MessageKey for InvalidCompanyName {
    fn key(&self) -> &'static str {
        match self {
            Self::Empty => crate::key!("field.company.empty"),
            Self::TooLong => crate::key!("field.company.too_long"),
            Self::ControlCharacter => crate::key!("field.company.control"),
        }
    }
}

impl CompanyName {
    pub const MAX_LEN: usize = 100;

    /// Trims the name and collapses runs of white space, so that "Acme  Corp" and "Acme Corp"
    /// are the same company.
    pub fn parse(input: &str) -> Result<Self, InvalidCompanyName> {
        if input.chars().any(|c| c.is_control() && !c.is_whitespace()) {
            return Err(InvalidCompanyName::ControlCharacter);
        }
        let name = input.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err(InvalidCompanyName::Empty);
        }
        if name.chars().count() > Self::MAX_LEN {
            return Err(InvalidCompanyName::TooLong);
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form compared for uniqueness: "ACME" and "acme" are the same company.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

impl fmt::Display for CompanyName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_inner_space_collapsed() {
        assert_eq!(
            CompanyName::parse("  Acme \t Corp ").unwrap().as_str(),
            "Acme Corp"
        );
    }

    #[test]
    fn the_key_ignores_case_including_non_ascii() {
        assert_eq!(
            CompanyName::parse("ÉCOLE Acme").unwrap().key(),
            CompanyName::parse("école acme").unwrap().key()
        );
    }

    #[test]
    fn empty_long_and_control_character_names_are_refused() {
        assert_eq!(CompanyName::parse("   "), Err(InvalidCompanyName::Empty));
        assert_eq!(
            CompanyName::parse(&"x".repeat(101)),
            Err(InvalidCompanyName::TooLong)
        );
        assert!(CompanyName::parse(&"é".repeat(100)).is_ok());
        assert_eq!(
            CompanyName::parse("Acme\u{7}"),
            Err(InvalidCompanyName::ControlCharacter)
        );
    }
}
