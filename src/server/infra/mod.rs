//! What the server stands on: configuration, private files, random secrets and hashes, the server
//! key, the password-hashing queue, per-client limits, date formats, the public URL and the
//! trusted proxies.

pub mod client_limits;
pub mod config;
pub mod crypto;
pub mod files;
pub mod format;
pub mod hashing;
pub mod mail_config;
pub mod public_url;
pub mod request_scope;
pub mod secrets;
pub mod trusted_proxies;
