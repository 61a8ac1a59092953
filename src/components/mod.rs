//! View pieces shared by several pages.

pub mod copy;
pub mod form;
pub mod password;
pub mod shell;
