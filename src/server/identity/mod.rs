//! Who the caller is: the caller and its capabilities, sessions, logins, failed-attempt limits and
//! two-factor authentication.

pub mod attempts;
pub mod auth_session;
pub mod caller;
pub mod logins;
pub mod sessions;
pub mod two_factor;
