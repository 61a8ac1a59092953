//! Everything that only runs on the server: configuration, state, database, sessions,
//! authentication, and the HTTP application.

pub mod accounts;
pub mod activity;
pub mod api_tokens;
pub mod app;
pub mod attempts;
pub mod auth;
pub mod client_limits;
pub mod compat;
pub mod config;
pub mod crypto;
pub mod db;
pub mod errors;
pub mod files;
pub mod format;
pub mod http;
pub mod i18n;
pub mod key_rotation;
pub mod metrics;
pub mod ovh;
pub mod passwords;
pub mod reveal;
pub mod secrets;
pub mod session;
pub mod sessions;
pub mod state;
pub mod sub_accounts;
pub mod tencent_keys;
pub mod two_factor;
pub mod users;
