//! Managing an account: delegated users, sub-accounts, API tokens and provider keys, one-time
//! reveals. Every rule once; callers reach these services only with a capability.

pub mod api_tokens;
pub mod directory;
pub mod ip_rule_settings;
pub mod ovh_keys;
pub mod reveals;
pub mod sub_account_input;
pub mod sub_accounts;
pub mod tencent_keys;
pub mod users;
