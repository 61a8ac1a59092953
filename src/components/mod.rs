//! View pieces shared by several pages.

pub mod change_password;
pub mod copy;
pub mod form;
pub mod language;
pub mod password;
pub mod shell;
