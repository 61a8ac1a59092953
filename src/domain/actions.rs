//! What the activity log records: the closed list of actions, each with a stable code (stored
//! and used in filters and CSV files) and a group for the Activity page's filter.

use serde::{Deserialize, Serialize};

macro_rules! actions {
    ($($variant:ident => $code:literal, $label:expr,)*) => {
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

            /// The catalogue key of what the Activity page calls it.
            pub fn label_key(self) -> &'static str {
                match self {
                    $(Action::$variant => $label,)*
                }
            }
        }
    };
}

actions! {
    SignUp => "account.sign_up", crate::key!("activity.action.account_sign_up"),
    Login => "login", crate::key!("activity.action.login"),
    LoginCode => "login.code", crate::key!("activity.action.login_code"),
    LoginKey => "login.key", crate::key!("activity.action.login_key"),
    LoginPasskey => "login.passkey", crate::key!("activity.action.login_passkey"),
    RecoveryCodeUsed => "login.recovery_code", crate::key!("activity.action.login_recovery_code"),
    Logout => "logout", crate::key!("activity.action.logout"),
    PasswordChange => "password.change", crate::key!("activity.action.password_change"),
    PasswordResetRequest => "password.reset_request", crate::key!("activity.action.password_reset_request"),
    PasswordReset => "password.reset", crate::key!("activity.action.password_reset"),
    EmailVerifyRequest => "email.verify_request", crate::key!("activity.action.email_verify_request"),
    EmailVerify => "email.verify", crate::key!("activity.action.email_verify"),
    TwoFactorEnable => "two_factor.enable", crate::key!("activity.action.two_factor_enable"),
    TwoFactorDisable => "two_factor.disable", crate::key!("activity.action.two_factor_disable"),
    TwoFactorAdd => "two_factor.add_authenticator", crate::key!("activity.action.two_factor_add_authenticator"),
    TwoFactorRemove => "two_factor.remove_authenticator", crate::key!("activity.action.two_factor_remove_authenticator"),
    PasskeyAdd => "two_factor.add_key", crate::key!("activity.action.two_factor_add_key"),
    PasskeyRemove => "two_factor.remove_key", crate::key!("activity.action.two_factor_remove_key"),
    RecoveryCodesRenew => "two_factor.recovery_codes", crate::key!("activity.action.two_factor_recovery_codes"),
    TwoFactorPolicy => "two_factor.policy", crate::key!("activity.action.two_factor_policy"),
    SessionEnd => "session.end", crate::key!("activity.action.session_end"),
    SessionsEndOthers => "session.end_others", crate::key!("activity.action.session_end_others"),
    UserCreate => "user.create", crate::key!("activity.action.user_create"),
    UserUpdate => "user.update", crate::key!("activity.action.user_update"),
    UserDisable => "user.disable", crate::key!("activity.action.user_disable"),
    UserEnable => "user.enable", crate::key!("activity.action.user_enable"),
    UserDelete => "user.delete", crate::key!("activity.action.user_delete"),
    UserPasswordReset => "user.password_reset", crate::key!("activity.action.user_password_reset"),
    UserUnlock => "user.unlock", crate::key!("activity.action.user_unlock"),
    UserInvite => "user.invite", crate::key!("activity.action.user_invite"),
    InvitationRevoke => "user.invitation_revoke", crate::key!("activity.action.user_invitation_revoke"),
    InvitationAccept => "user.invitation_accept", crate::key!("activity.action.user_invitation_accept"),
    SignInDetailsSend => "user.sign_in_details", crate::key!("activity.action.user_sign_in_details"),
    UserValidity => "user.validity", crate::key!("activity.action.user_validity"),
    SignInPolicy => "account.sign_in_policy", crate::key!("activity.action.account_sign_in_policy"),
    IpRulesUpdate => "account.ip_rules", crate::key!("activity.action.account_ip_rules"),
    IpRefused => "access.ip_refused", crate::key!("activity.action.access_ip_refused"),
    GroupCreate => "group.create", crate::key!("activity.action.group_create"),
    GroupUpdate => "group.update", crate::key!("activity.action.group_update"),
    GroupDelete => "group.delete", crate::key!("activity.action.group_delete"),
    SubAccountCreate => "sub_account.create", crate::key!("activity.action.sub_account_create"),
    SubAccountUpdate => "sub_account.update", crate::key!("activity.action.sub_account_update"),
    SubAccountDisable => "sub_account.disable", crate::key!("activity.action.sub_account_disable"),
    SubAccountEnable => "sub_account.enable", crate::key!("activity.action.sub_account_enable"),
    SubAccountKyc => "sub_account.kyc_complete", crate::key!("activity.action.sub_account_kyc_complete"),
    SubAccountDelete => "sub_account.delete", crate::key!("activity.action.sub_account_delete"),
    SubAccountManage => "sub_account.manage", crate::key!("activity.action.sub_account_manage"),
    CredentialsCreate => "credentials.create", crate::key!("activity.action.credentials_create"),
    CredentialsRotate => "credentials.rotate", crate::key!("activity.action.credentials_rotate"),
    SecretReveal => "credentials.reveal", crate::key!("activity.action.credentials_reveal"),
    TokenCreate => "token.create", crate::key!("activity.action.token_create"),
    TokenRevoke => "token.revoke", crate::key!("activity.action.token_revoke"),
    TencentKeyCreate => "tencent_key.create", crate::key!("activity.action.tencent_key_create"),
    TencentKeyDelete => "tencent_key.delete", crate::key!("activity.action.tencent_key_delete"),
    TencentKeyUpdate => "tencent_key.update", crate::key!("activity.action.tencent_key_update"),
    OvhApplicationCreate => "ovh_application.create", crate::key!("activity.action.ovh_application_create"),
    OvhApplicationDelete => "ovh_application.delete", crate::key!("activity.action.ovh_application_delete"),
    OvhConsumerKeyRequest => "ovh_consumer_key.request", crate::key!("activity.action.ovh_consumer_key_request"),
    OvhConsumerKeyGrant => "ovh_consumer_key.grant", crate::key!("activity.action.ovh_consumer_key_grant"),
    OvhConsumerKeyRevoke => "ovh_consumer_key.revoke", crate::key!("activity.action.ovh_consumer_key_revoke"),
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
