//! The operator's commands (`steward ...`) that work on the database directly.

pub mod backup;
pub mod key_rotation;
pub mod operator;
pub mod user_rescue;
