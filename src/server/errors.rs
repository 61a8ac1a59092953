//! Turning internal failures into what a user may see.

use crate::error::AppError;

/// Logs the whole error chain under the request's id (or a fresh reference outside a request)
/// and returns an opaque error carrying only that reference.
pub fn internal(err: anyhow::Error) -> AppError {
    // The request's id when there is one: the user quotes what `X-Request-Id` also says.
    let reference =
        super::http::current_request_id().unwrap_or_else(crate::server::secrets::reference_id);
    tracing::error!(reference = %reference, error = ?err, "internal error");
    AppError::Internal { reference }
}

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        if crate::server::db::is_unavailable(&err) {
            tracing::warn!(error = %err, "database unavailable");
            AppError::Unavailable
        } else {
            internal(anyhow::Error::new(err))
        }
    }
}
