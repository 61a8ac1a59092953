//! Privileges: every user is in one group, and a group has a role.
//!
//! - None: read access to every section.
//! - User: write access to every section except user management (users and groups).
//! - Administrator: write access everywhere, user management included.
//!
//! The account holder is always an Administrator, whatever group they are in.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Role {
    None,
    User,
    Administrator,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Choose the privilege None, User or Administrator.")]
pub struct InvalidRole;

impl crate::i18n::MessageKey for InvalidRole {
    fn key(&self) -> &'static str {
        crate::key!("field.role.invalid")
    }
}

impl Role {
    pub const ALL: [Role; 3] = [Role::None, Role::User, Role::Administrator];

    /// The name stored in the database and spoken by the OVHcloud API.
    pub fn code(self) -> &'static str {
        match self {
            Self::None => "UNPRIVILEGED",
            Self::User => "REGULAR",
            Self::Administrator => "ADMIN",
        }
    }

    /// Accepts the stored codes, OVHcloud's `NONE`, and the names the panel shows.
    pub fn parse(input: &str) -> Result<Self, InvalidRole> {
        match input.trim().to_ascii_uppercase().as_str() {
            "UNPRIVILEGED" | "NONE" => Ok(Self::None),
            "REGULAR" | "USER" => Ok(Self::User),
            "ADMIN" | "ADMINISTRATOR" => Ok(Self::Administrator),
            _ => Err(InvalidRole),
        }
    }

    /// The catalogue key of the role's name in the interface.
    pub fn key(self) -> &'static str {
        match self {
            Self::None => crate::key!("role.none"),
            Self::User => crate::key!("role.user"),
            Self::Administrator => crate::key!("role.administrator"),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::None => "None",
            Self::User => "User",
            Self::Administrator => "Administrator",
        }
    }

    /// Adding, editing, disabling and removing users, and managing groups.
    #[must_use]
    pub fn can_manage_users(self) -> bool {
        self == Self::Administrator
    }

    /// Changing anything outside user management (sub-accounts, API keys, settings).
    #[must_use]
    pub fn can_write(self) -> bool {
        self != Self::None
    }
}

impl Role {
    /// What a user may do: the account's holder is always an Administrator, whatever their
    /// group says; everyone else has their group's role.
    pub fn of_member(is_holder: bool, group_role: Role) -> Role {
        if is_holder {
            Role::Administrator
        } else {
            group_role
        }
    }

    /// The name of the built-in group that has this role (see [`BUILT_IN_GROUPS`]).
    pub fn built_in_group(self) -> &'static str {
        match self {
            Role::Administrator => BUILT_IN_GROUPS[0].0,
            Role::User => BUILT_IN_GROUPS[1].0,
            Role::None => BUILT_IN_GROUPS[2].0,
        }
    }
}

/// A stored role code (the database's CHECK keeps them to the three codes), for rows that
/// decode straight into a [`Role`].
impl TryFrom<String> for Role {
    type Error = InvalidRole;

    fn try_from(code: String) -> Result<Self, InvalidRole> {
        Self::parse(&code)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The three groups every account has and nobody can delete.
pub const BUILT_IN_GROUPS: [(&str, Role, &str); 3] = [
    (
        "ADMIN",
        Role::Administrator,
        "Administrators: full access, user management included.",
    ),
    (
        "DEFAULT",
        Role::User,
        "Users: write access to everything except user management.",
    ),
    ("UNPRIVILEGED", Role::None, "Read-only access."),
];

/// A user's state as the panel and the OVHcloud API show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum UserStatus {
    Ok,
    Disabled,
    PasswordChangeRequired,
}

impl UserStatus {
    /// Disabled wins: a disabled user cannot log in, whatever else is pending.
    pub fn from_flags(disabled: bool, password_change_required: bool) -> Self {
        match (disabled, password_change_required) {
            (true, _) => Self::Disabled,
            (false, true) => Self::PasswordChangeRequired,
            (false, false) => Self::Ok,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Ok => "OK",
            Self::Disabled => "DISABLED",
            Self::PasswordChangeRequired => "PASSWORD_CHANGE_REQUIRED",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [Self::Ok, Self::Disabled, Self::PasswordChangeRequired]
            .into_iter()
            .find(|s| s.code() == code)
    }

    /// The catalogue key of the status's name in the interface.
    pub fn key(self) -> &'static str {
        match self {
            Self::Ok => crate::key!("status.ok"),
            Self::Disabled => crate::key!("status.disabled"),
            Self::PasswordChangeRequired => crate::key!("status.password_change_required"),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Ok => "Active",
            Self::Disabled => "Disabled",
            Self::PasswordChangeRequired => "Password change required",
        }
    }
}

/// A group's name: `[A-Za-z0-9._-]`, 1 to 32 characters, unique in its account whatever the case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("A group name has 1 to 32 letters a-z, digits, dots, dashes or underscores.")]
pub struct InvalidGroupName;

impl crate::i18n::MessageKey for InvalidGroupName {
    fn key(&self) -> &'static str {
        crate::key!("field.group_name.invalid")
    }
}

impl GroupName {
    pub fn parse(input: &str) -> Result<Self, InvalidGroupName> {
        let name = input.trim();
        let valid = (1..=32).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if valid {
            Ok(Self(name.to_owned()))
        } else {
            Err(InvalidGroupName)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn key(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

/// A free-text description: at most 255 characters, no control characters except spaces.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Description(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("A description has at most 255 characters and no control characters.")]
pub struct InvalidDescription;

impl crate::i18n::MessageKey for InvalidDescription {
    fn key(&self) -> &'static str {
        crate::key!("field.description.invalid")
    }
}

impl Description {
    pub const MAX_LEN: usize = 255;

    pub fn parse(input: &str) -> Result<Self, InvalidDescription> {
        let text = input.trim();
        if text.chars().count() > Self::MAX_LEN || text.chars().any(char::is_control) {
            return Err(InvalidDescription);
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_administrators_manage_users_and_only_none_cannot_write() {
        assert!(Role::Administrator.can_manage_users());
        assert!(!Role::User.can_manage_users());
        assert!(!Role::None.can_manage_users());
        assert!(Role::User.can_write());
        assert!(!Role::None.can_write());
    }

    #[test]
    fn roles_parse_from_codes_ovh_names_and_labels() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.code()), Ok(role));
            assert_eq!(Role::parse(role.label()), Ok(role));
        }
        assert_eq!(Role::parse("none"), Ok(Role::None));
        assert_eq!(Role::parse("root"), Err(InvalidRole));
    }

    #[test]
    fn a_disabled_user_is_disabled_whatever_else_is_pending() {
        assert_eq!(UserStatus::from_flags(true, true), UserStatus::Disabled);
        assert_eq!(
            UserStatus::from_flags(false, true),
            UserStatus::PasswordChangeRequired
        );
        assert_eq!(UserStatus::from_flags(false, false), UserStatus::Ok);
        assert_eq!(
            UserStatus::parse("PASSWORD_CHANGE_REQUIRED"),
            Some(UserStatus::PasswordChangeRequired)
        );
    }

    #[test]
    fn group_names_and_descriptions_have_limits() {
        assert!(GroupName::parse("ops-team_2").is_ok());
        assert_eq!(GroupName::parse("ops team"), Err(InvalidGroupName));
        assert_eq!(GroupName::parse(&"g".repeat(33)), Err(InvalidGroupName));
        assert_eq!(GroupName::parse("Ops").unwrap().key(), "ops");
        assert!(Description::parse(&"é".repeat(255)).is_ok());
        assert_eq!(
            Description::parse(&"x".repeat(256)),
            Err(InvalidDescription)
        );
        assert_eq!(Description::parse("line\nbreak"), Err(InvalidDescription));
    }

    #[test]
    fn each_role_names_the_built_in_group_that_has_it() {
        for role in [Role::Administrator, Role::User, Role::None] {
            let (_, group_role, _) = BUILT_IN_GROUPS
                .iter()
                .find(|(name, _, _)| *name == role.built_in_group())
                .expect("a built-in group");
            assert_eq!(*group_role, role);
        }
    }
}
