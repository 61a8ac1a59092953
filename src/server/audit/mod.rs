//! The activity log: recording events, reading them back page by page, and the CSV export.

pub mod record;
