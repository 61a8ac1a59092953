//! The HTTP edge: application state, request metadata and headers, language negotiation,
//! metrics, and turning internal failures into what a user may see.

pub mod failures;
pub mod headers;
pub mod health;
pub mod input_guard;
pub mod metrics;
pub mod negotiation;
pub mod request_meta;
pub mod state;
