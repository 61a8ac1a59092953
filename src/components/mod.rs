//! View pieces shared by several pages: the frame, form fields, tables, waiting for data.

pub mod app_shell;
pub mod async_content;
pub mod breadcrumb;
pub mod card;
pub mod change_password_form;
pub mod confirm_form;
pub mod copy_button;
pub mod credential_name_fields;
pub mod credential_table;
pub mod data_table;
pub mod error_message;
pub mod form_action;
pub mod form_errors;
pub mod hydration;
pub mod key_section;
pub mod labels;
pub mod language_switch;
pub mod loading;
pub mod new_password_field;
pub mod pagination;
pub mod query_notice;
pub mod select_field;
pub mod standalone_page;
pub mod text_field;
pub mod two_factor_section;
pub mod webauthn;
