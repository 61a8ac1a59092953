//! What a person types in the "Account ID" box of the login form: the bare account ID for the
//! account holder, or `ACCOUNT-ID/login` for a delegated user.

use super::account_id::AccountId;
use std::fmt;

/// A delegated user's login name: `[a-zA-Z0-9._-]`, 1 to 32 characters. Compared
/// case-insensitively within an account (see [`LoginName::key`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidLoginName {
    #[error("Enter a login.")]
    Empty,
    #[error("A login has at most 32 characters.")]
    TooLong,
    #[error("A login may contain only letters a-z, digits, dots, dashes and underscores.")]
    BadCharacter,
}

impl crate::i18n::MessageKey for InvalidLoginName {
    fn key(&self) -> &'static str {
        match self {
            Self::Empty => crate::key!("field.login.empty"),
            Self::TooLong => crate::key!("field.login.too_long"),
            Self::BadCharacter => crate::key!("field.login.bad_character"),
        }
    }
}

impl LoginName {
    pub const MAX_LEN: usize = 32;

    pub fn parse(input: &str) -> Result<Self, InvalidLoginName> {
        let login = input.trim();
        if login.is_empty() {
            return Err(InvalidLoginName::Empty);
        }
        if !login
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        {
            return Err(InvalidLoginName::BadCharacter);
        }
        if login.len() > Self::MAX_LEN {
            return Err(InvalidLoginName::TooLong);
        }
        Ok(Self(login.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form used for uniqueness and lookup: logins differ only by more than case.
    pub fn key(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

impl fmt::Display for LoginName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Who is trying to log in: an account, and a user of it unless it is the holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginId {
    pub account: AccountId,
    pub login: Option<LoginName>,
}

impl LoginId {
    /// Parses `1234-567-89` or `1234-567-89/john.smith`. Any failure is reported the same way so
    /// that the login form cannot tell a malformed ID from an unknown one.
    pub fn parse(input: &str) -> Option<Self> {
        let input = input.trim();
        let (account, login) = match input.split_once('/') {
            Some((account, login)) => (account, Some(LoginName::parse(login).ok()?)),
            None => (input, None),
        };
        Some(Self {
            account: AccountId::parse(account).ok()?,
            login,
        })
    }
}

impl fmt::Display for LoginId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.login {
            Some(login) => write!(f, "{}/{}", self.account, login),
            None => write!(f, "{}", self.account),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_account_id_is_the_holder() {
        let id = LoginId::parse("1234-567-89").unwrap();
        assert_eq!(id.account.as_str(), "1234-567-89");
        assert_eq!(id.login, None);
    }

    #[test]
    fn account_slash_login_names_a_delegated_user() {
        let id = LoginId::parse(" 1234-567-89/john.smith ").unwrap();
        assert_eq!(id.login.as_ref().map(LoginName::as_str), Some("john.smith"));
        assert_eq!(id.to_string(), "1234-567-89/john.smith");
    }

    #[test]
    fn logins_are_keyed_case_insensitively() {
        assert_eq!(LoginName::parse("John.Smith").unwrap().key(), "john.smith");
    }

    #[test]
    fn login_length_limits_are_1_to_32() {
        assert!(LoginName::parse(&"a".repeat(32)).is_ok());
        assert_eq!(
            LoginName::parse(&"a".repeat(33)),
            Err(InvalidLoginName::TooLong)
        );
        assert_eq!(LoginName::parse(""), Err(InvalidLoginName::Empty));
    }

    #[test]
    fn logins_with_other_characters_are_refused() {
        for bad in [
            "john smith",
            "john/smith",
            "jöhn",
            "john@x",
            "a+b",
            "x\u{0}",
        ] {
            assert_eq!(
                LoginName::parse(bad),
                Err(InvalidLoginName::BadCharacter),
                "{bad:?}"
            );
        }
        for bad in [
            "1234-567-89/",
            "1234-567-89/a b",
            "nope/john",
            "1234-567-89/a/b",
        ] {
            assert_eq!(LoginId::parse(bad), None, "{bad:?}");
        }
    }

    /// Bad input: whatever is typed in the login box, parsing never panics, and what it
    /// accepts is canonical. `PROPTEST_CASES` sets the number of cases (`make reliability`).
    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn account_id() -> impl Strategy<Value = String> {
            "[0-9]{4}-[0-9]{3}-[0-9]{2}"
        }

        fn login() -> impl Strategy<Value = String> {
            "[a-zA-Z0-9._-]{1,32}"
        }

        proptest! {
            #[test]
            fn any_text_parses_or_is_refused_without_panicking(input in any::<String>()) {
                let _ = LoginName::parse(&input);
                if let Some(id) = LoginId::parse(&input) {
                    // What is accepted prints in canonical form and reads back the same.
                    prop_assert_eq!(LoginId::parse(&id.to_string()), Some(id));
                }
            }

            #[test]
            fn text_near_the_format_never_panics(input in "[ 0-9a-zA-Z/._@+-]{0,48}") {
                if let Some(id) = LoginId::parse(&input) {
                    prop_assert_eq!(LoginId::parse(&id.to_string()), Some(id));
                }
            }

            #[test]
            fn a_valid_login_id_formats_and_parses_back(
                account in account_id(),
                login in proptest::option::of(login()),
                padding in "[ \t]{0,3}",
            ) {
                let text = match &login {
                    Some(login) => format!("{account}/{login}"),
                    None => account.clone(),
                };
                let Some(id) = LoginId::parse(&format!("{padding}{text}{padding}")) else {
                    return Err(TestCaseError::fail(format!("{text:?} was refused")));
                };
                prop_assert_eq!(id.account.as_str(), account.as_str());
                prop_assert_eq!(id.login.as_ref().map(LoginName::as_str), login.as_deref());
                prop_assert_eq!(id.to_string(), text);
            }

            #[test]
            fn a_login_is_accepted_exactly_when_it_has_1_to_32_login_characters(
                input in prop_oneof![login(), any::<String>(), "[a-z.]{30,34}"],
            ) {
                let trimmed = input.trim();
                let valid = (1..=LoginName::MAX_LEN).contains(&trimmed.len())
                    && trimmed
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
                let parsed = LoginName::parse(&input);
                prop_assert_eq!(parsed.is_ok(), valid, "{:?}", input);
                if let Ok(name) = parsed {
                    prop_assert_eq!(name.as_str(), trimmed);
                    prop_assert_eq!(name.key(), trimmed.to_ascii_lowercase());
                }
            }
        }
    }
}
