//! One file per page.

pub mod forced;
pub mod groups;
pub mod login;
pub mod not_found;
pub mod overview;
pub mod placeholder;
pub mod reveal;
pub mod security;
pub mod signup;
pub mod user_edit;
pub mod user_new;
pub mod users;
