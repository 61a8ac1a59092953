//! The activity log, read back: what a caller may see, page by page, as CSV, and how long it
//! is kept. (Events are written with the change they describe, in `db/activity_store.rs`.)

pub mod export;
pub mod query;
pub mod retention;
