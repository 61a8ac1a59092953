//! The provider-compatible APIs: the account, sub-account and user APIs of OVHcloud, Tencent
//! Cloud CAM, Gcore and Vobiz, so that those providers' official clients work against Steward
//! (see `../shared/COMPAT.md`). Each dialect (one folder each) authenticates its own way through
//! `kit/`, then calls the same services as the panel: one set of rules, privileges and password
//! policy.

pub mod gcore;
pub mod kit;
pub mod openapi;
#[cfg(test)]
mod openapi_tests;
pub mod ovh;
pub mod tencent;
pub mod vobiz;

use axum::Router;
use axum::extract::DefaultBodyLimit;

use crate::server::web::state::AppState;

/// The largest request body any of these APIs accepts; a larger one gets the dialect's own
/// error shape.
pub const MAX_BODY: usize = 64 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", axum::routing::get(openapi::document))
        .merge(gcore::routes())
        .merge(vobiz::routes())
        .merge(ovh::routes())
        .merge(tencent::routes())
        .layer(DefaultBodyLimit::max(MAX_BODY))
}
