//! Who the caller is: the caller and its capabilities, sessions, logins, failed-attempt limits and
//! two-factor authentication.

pub mod address_check;
pub mod api_rate_limit;
pub mod attempts;
pub mod auth_session;
pub mod caller;
pub mod capabilities;
pub mod current;
pub mod email_verification;
pub mod events;
pub mod language_choice;
pub mod logins;
pub mod own_password;
pub mod passkeys;
pub mod recovery;
pub mod sessions;
pub mod two_factor;
