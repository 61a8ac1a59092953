//! The provider-compatible APIs: the account, sub-account and user APIs of OVHcloud, Tencent
//! Cloud CAM, Gcore and Vobiz, so that those providers' official clients work against Steward
//! (see `../shared/COMPAT.md`). Each dialect authenticates its own way, then calls the same
//! services as the panel: one set of rules, privileges and password policy.

pub mod gcore;
pub mod openapi;
pub mod rate_limit;
pub mod vobiz;

use axum::Router;
use axum::extract::DefaultBodyLimit;

use super::state::AppState;

/// The largest request body any of these APIs accepts; a larger one gets the dialect's own
/// error shape.
pub const MAX_BODY: usize = 64 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", axum::routing::get(openapi::document))
        .merge(gcore::routes())
        .merge(vobiz::routes())
        .layer(DefaultBodyLimit::max(MAX_BODY))
}
