//! What the activity log records: the closed list of actions, each with a stable code (stored
//! and used in filters and CSV files) and a group for the Activity page's filter.

use serde::{Deserialize, Serialize};

macro_rules! actions {
    ($($variant:ident => $code:literal, $label:literal,)*) => {
        /// Every kind of event. Codes never change once events carry them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum Action {
            $($variant,)*
        }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant,)*];

            pub fn code(self) -> &'static str {
                match self {
                    $(Action::$variant => $code,)*
                }
            }

            /// What the Activity page calls it.
            pub fn label(self) -> &'static str {
                match self {
                    $(Action::$variant => $label,)*
                }
            }
        }
    };
}

actions! {
    SignUp => "account.sign_up", "Signed up",
    Login => "login", "Logged in",
    LoginCode => "login.code", "Entered a login code",
    RecoveryCodeUsed => "login.recovery_code", "Used a recovery code",
    Logout => "logout", "Logged out",
    PasswordChange => "password.change", "Changed own password",
    TwoFactorEnable => "two_factor.enable", "Turned on two-factor authentication",
    TwoFactorDisable => "two_factor.disable", "Turned off two-factor authentication",
    RecoveryCodesRenew => "two_factor.recovery_codes", "Renewed recovery codes",
    TwoFactorPolicy => "two_factor.policy", "Set the two-factor policy",
    SessionEnd => "session.end", "Ended a session",
    SessionsEndOthers => "session.end_others", "Ended sessions",
    UserCreate => "user.create", "Added a user",
    UserUpdate => "user.update", "Edited a user",
    UserDisable => "user.disable", "Disabled a user",
    UserEnable => "user.enable", "Enabled a user",
    UserDelete => "user.delete", "Removed a user",
    UserPasswordReset => "user.password_reset", "Reset a password",
    GroupCreate => "group.create", "Added a group",
    GroupUpdate => "group.update", "Edited a group",
    GroupDelete => "group.delete", "Deleted a group",
    SubAccountCreate => "sub_account.create", "Created a sub-account",
    SubAccountUpdate => "sub_account.update", "Edited a sub-account",
    SubAccountDisable => "sub_account.disable", "Disabled a sub-account",
    SubAccountEnable => "sub_account.enable", "Enabled a sub-account",
    SubAccountKyc => "sub_account.kyc_complete", "Completed KYC",
    SubAccountDelete => "sub_account.delete", "Deleted a sub-account",
    SubAccountManage => "sub_account.manage", "Started managing a sub-account",
    CredentialsCreate => "credentials.create", "Created account credentials",
    CredentialsRotate => "credentials.rotate", "Rotated account credentials",
    SecretReveal => "credentials.reveal", "Viewed a one-time secret",
    TokenCreate => "token.create", "Created an API token",
    TokenRevoke => "token.revoke", "Revoked an API token",
    TencentKeyCreate => "tencent_key.create", "Created a Tencent Cloud access key",
    TencentKeyDelete => "tencent_key.delete", "Deleted a Tencent Cloud access key",
    OvhApplicationCreate => "ovh_application.create", "Created an OVHcloud application",
    OvhApplicationDelete => "ovh_application.delete", "Deleted an OVHcloud application",
    OvhConsumerKeyRequest => "ovh_consumer_key.request", "Requested an OVHcloud consumer key",
    OvhConsumerKeyGrant => "ovh_consumer_key.grant", "Authorized an OVHcloud consumer key",
    OvhConsumerKeyRevoke => "ovh_consumer_key.revoke", "Revoked an OVHcloud consumer key",
}

impl Action {
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|a| a.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_round_trip() {
        let mut codes: Vec<&str> = Action::ALL.iter().map(|a| a.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), Action::ALL.len());
        for action in Action::ALL {
            assert_eq!(Action::from_code(action.code()), Some(*action));
        }
        assert_eq!(Action::from_code("user.nope"), None);
    }
}
