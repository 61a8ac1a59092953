//! Steward's rules as plain Rust: no web framework, no database. Each type is built by a `parse`
//! that refuses bad input with a message a person can act on.

pub mod account_id;
pub mod actions;
pub mod activity_query;
pub mod company;
pub mod credential;
pub mod email;
pub mod event;
pub mod generated;
#[cfg(feature = "ssr")]
pub mod ip_rules;
pub mod limits;
pub mod login_id;
pub mod navigation;
pub mod password_policy;
pub mod privilege;
pub mod sub_account;
pub mod throttle_policy;
#[cfg(feature = "ssr")]
pub mod totp;
pub mod user_agent;
pub mod web_address;

pub use account_id::AccountId;
pub use company::CompanyName;
pub use email::Email;
pub use login_id::{LoginId, LoginName};
pub use privilege::{Description, GroupName, Role, UserStatus};
pub use sub_account::{KycMode, Phone, RateLimit, SubAccountName};
pub use web_address::WebAddress;
