//! View pieces shared by several pages.

pub mod app_shell;
pub mod change_password_form;
pub mod copy_button;
pub mod form;
pub mod hydration;
pub mod language_switch;
pub mod new_password_field;
