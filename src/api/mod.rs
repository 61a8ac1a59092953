//! Server functions: what the pages call. Each one is thin: it authorizes first, calls a service
//! in `server/`, and returns a plain DTO. They run on the server; the browser gets a stub that
//! posts to `/api/<endpoint>`, and without JavaScript a form posts there directly. [`INDEX`] lists
//! them all with the capability each requires.

pub mod activity_fns;
pub mod api_key_fns;
pub mod auth_fns;
pub mod email_fns;
pub mod invitation_fns;
pub mod ip_rule_fns;
pub mod mail_fns;
pub mod ovh_fns;
pub mod passkey_fns;
pub mod recovery_fns;
pub mod reveal_fns;
pub mod security_fns;
pub mod sub_account_fns;
pub mod tencent_key_fns;
pub mod user_fns;
pub mod validity_fns;

/// What a server function requires of its caller, checked first thing: the session or the
/// credential says who is calling, then the function asks for the capability it needs (see
/// `server::identity::capabilities`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requires {
    /// Anyone: signing up, logging in, and what a visitor may ask (who am I, is sign-up open).
    Anyone,
    /// Any logged-in caller (`authenticate`): reads are scoped to what the caller may see.
    Caller,
    /// A logged-in caller the account's policy holds back until they enrol in two-factor
    /// authentication (`authenticate_for_enrolment`).
    Enrolment,
    /// A logged-in caller who must first choose a new password
    /// (`authenticate_for_password_change`).
    PasswordChange,
    /// An Administrator of the account they work in (`Caller::admin`).
    Admin,
    /// An Administrator of a main account (`Caller::main_account_admin`).
    MainAccountAdmin,
    /// A browser session, never an API credential (`Caller::in_session`).
    SessionOnly,
    /// The caller's own credentials (`Caller::own_keys`).
    OwnKeys,
}

/// Every server function, by endpoint, with the capability it requires. A unit test reads the
/// functions' sources and fails when one is missing here or no longer asks for its capability.
pub const INDEX: &[(&str, Requires)] = &[
    ("list_activity", Requires::Caller),
    ("list_api_keys", Requires::Caller),
    ("rotate_account_credentials", Requires::Admin),
    ("create_api_token", Requires::OwnKeys),
    ("revoke_api_token", Requires::OwnKeys),
    ("whoami", Requires::Anyone),
    ("signup_open", Requires::Anyone),
    ("signup", Requires::Anyone),
    ("login", Requires::Anyone),
    ("login_code", Requires::Anyone),
    ("logout", Requires::Anyone),
    ("check_password", Requires::Anyone),
    ("email_status", Requires::Caller),
    ("send_email_verification", Requires::Caller),
    ("email_verification_link", Requires::Anyone),
    ("verify_email", Requires::Anyone),
    ("resend_invitation", Requires::Admin),
    ("revoke_invitation", Requires::Admin),
    ("send_sign_in_details", Requires::Admin),
    ("list_mail", Requires::Admin),
    ("recovery_by_mail", Requires::Anyone),
    ("request_password_reset", Requires::Anyone),
    ("password_reset_link", Requires::Anyone),
    ("complete_password_reset", Requires::Anyone),
    ("list_ovh_keys", Requires::Caller),
    ("list_account_ovh_consumer_keys", Requires::Admin),
    ("revoke_account_ovh_consumer_key", Requires::Admin),
    ("create_ovh_application", Requires::Admin),
    ("delete_ovh_application", Requires::OwnKeys),
    ("revoke_ovh_consumer_key", Requires::OwnKeys),
    ("get_ovh_authorization", Requires::Caller),
    ("authorize_ovh_consumer_key", Requires::SessionOnly),
    ("take_reveal", Requires::Caller),
    ("two_factor_status", Requires::Enrolment),
    ("set_two_factor_policy", Requires::Admin),
    ("begin_two_factor", Requires::Enrolment),
    ("confirm_two_factor", Requires::Enrolment),
    ("disable_two_factor", Requires::Caller),
    ("new_recovery_codes", Requires::Caller),
    ("list_sessions", Requires::Caller),
    ("end_session", Requires::Caller),
    ("end_other_sessions", Requires::Caller),
    ("list_sub_accounts", Requires::Caller),
    ("get_sub_account", Requires::Caller),
    ("create_sub_account", Requires::MainAccountAdmin),
    ("update_sub_account", Requires::MainAccountAdmin),
    ("set_sub_account_enabled", Requires::MainAccountAdmin),
    ("complete_sub_account_kyc", Requires::MainAccountAdmin),
    ("rotate_sub_account_credentials", Requires::MainAccountAdmin),
    ("delete_sub_account", Requires::MainAccountAdmin),
    ("manage_sub_account", Requires::SessionOnly),
    ("stop_managing_sub_account", Requires::PasswordChange),
    ("list_tencent_keys", Requires::Caller),
    ("create_tencent_key", Requires::SessionOnly),
    ("delete_tencent_key", Requires::OwnKeys),
    ("list_users", Requires::Caller),
    ("get_user", Requires::Caller),
    ("list_groups", Requires::Caller),
    ("generate_password", Requires::Admin),
    ("create_user", Requires::Admin),
    ("create_users", Requires::Admin),
    ("update_user", Requires::Admin),
    ("set_user_disabled", Requires::Admin),
    ("reset_user_password", Requires::Admin),
    ("turn_off_user_two_factor", Requires::Admin),
    ("unlock_user", Requires::Admin),
    ("end_user_sessions", Requires::Admin),
    ("remove_user", Requires::Admin),
    ("create_group", Requires::Admin),
    ("delete_group", Requires::Admin),
    ("change_password", Requires::SessionOnly),
    ("set_user_validity", Requires::Admin),
    ("sign_in_policies", Requires::Caller),
    ("set_sign_in_policies", Requires::Admin),
    ("remove_authenticator", Requires::Caller),
    ("ip_rules", Requires::Admin),
    ("set_ip_rules", Requires::Admin),
    ("list_keys", Requires::Enrolment),
    ("key_registration_options", Requires::Enrolment),
    ("add_key", Requires::Enrolment),
    ("remove_key", Requires::Caller),
    ("second_step_methods", Requires::Anyone),
    ("login_key_options", Requires::Anyone),
    ("login_key", Requires::Anyone),
    ("passkey_login_options", Requires::Anyone),
    ("passkey_login", Requires::Anyone),
];

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::{INDEX, Requires};

    /// The call that proves a capability in a function's body.
    fn proof(requires: Requires) -> Option<&'static str> {
        match requires {
            Requires::Anyone => None,
            Requires::Caller => Some("authenticate()"),
            Requires::Enrolment => Some("authenticate_for_enrolment()"),
            Requires::PasswordChange => Some("authenticate_for_password_change()"),
            Requires::Admin => Some(".admin()"),
            Requires::MainAccountAdmin => Some("main_account_admin"),
            Requires::SessionOnly => Some("in_session()"),
            Requires::OwnKeys => Some("own_keys()"),
        }
    }

    #[test]
    fn every_server_function_is_indexed_and_asks_for_its_capability() {
        let sources = [
            include_str!("activity_fns.rs"),
            include_str!("api_key_fns.rs"),
            include_str!("auth_fns.rs"),
            include_str!("email_fns.rs"),
            include_str!("invitation_fns.rs"),
            include_str!("ip_rule_fns.rs"),
            include_str!("mail_fns.rs"),
            include_str!("ovh_fns.rs"),
            include_str!("passkey_fns.rs"),
            include_str!("recovery_fns.rs"),
            include_str!("reveal_fns.rs"),
            include_str!("security_fns.rs"),
            include_str!("sub_account_fns.rs"),
            include_str!("tencent_key_fns.rs"),
            include_str!("user_fns.rs"),
            include_str!("validity_fns.rs"),
        ];
        let mut seen = Vec::new();
        let mut problems = Vec::new();
        for source in sources {
            for part in source.split("#[server(endpoint = \"").skip(1) {
                let Some((name, body)) = part.split_once('"') else {
                    continue;
                };
                seen.push(name);
                match INDEX.iter().find(|(indexed, _)| *indexed == name) {
                    None => problems.push(format!("{name}: not in api::INDEX")),
                    Some((_, requires)) => {
                        if let Some(call) = proof(*requires)
                            && !body.contains(call)
                        {
                            problems.push(format!(
                                "{name}: requires {requires:?} but never calls {call}"
                            ));
                        }
                    }
                }
            }
        }
        for (name, _) in INDEX {
            if !seen.contains(name) {
                problems.push(format!("{name}: indexed, but no such server function"));
            }
        }
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
