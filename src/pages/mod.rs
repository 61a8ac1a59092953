//! One file per page.

pub mod login;
pub mod not_found;
pub mod overview;
pub mod placeholder;
pub mod signup;
