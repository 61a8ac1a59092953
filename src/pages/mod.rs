//! One file per page.

pub mod activity;
pub mod api_keys;
pub mod forced;
pub mod groups;
pub mod login;
pub mod not_found;
pub mod overview;
pub mod ovh;
pub mod reveal;
pub mod security;
pub mod signup;
pub mod sub_accounts;
pub mod tencent_keys;
pub mod user_edit;
pub mod user_new;
pub mod users;
