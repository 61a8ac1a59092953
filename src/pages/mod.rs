//! The pages, one file each (`*_page.rs`), and the sections the API keys page is made of.

pub mod activity_page;
pub mod api_keys_page;
pub mod forced_step_page;
pub mod groups_page;
pub mod ip_rules_page;
pub mod login_page;
pub mod mail_section;
pub mod not_found_page;
pub mod overview_page;
pub mod ovh_authorize_page;
pub mod ovh_keys_section;
pub mod recovery_page;
pub mod reveal_page;
pub mod security_page;
pub mod signup_page;
pub mod sub_accounts_page;
pub mod tencent_keys_section;
pub mod user_edit_page;
pub mod user_new_page;
pub mod users_page;
pub mod verify_email_page;
