//! Turning internal failures into what a user may see.

use crate::error::AppError;

/// Logs the whole error chain under the request's id (or a fresh reference outside a request)
/// and returns an opaque error carrying only that reference. A failure caused by the database
/// being out of reach is not a bug: it becomes [`unavailable`].
pub fn internal(err: anyhow::Error) -> AppError {
    if let Some(busy) = err.downcast_ref::<crate::server::infra::hashing::Busy>() {
        tracing::warn!("password hashing queue full: request refused");
        return AppError::Busy {
            retry_after: busy.retry_after,
        };
    }
    if caused_by_the_database_being_gone(&err) {
        tracing::warn!(error = %format!("{err:#}"), "database unavailable");
        return unavailable();
    }
    // The request's id when there is one: the user quotes what `X-Request-Id` also says.
    let reference = crate::server::infra::request_scope::reference();
    tracing::error!(reference = %reference, error = ?err, "internal error");
    AppError::Internal { reference }
}

/// Whether a connection failure of the database, or of the session store (which lives in the
/// same database and hides its driver's error behind text), is somewhere in the chain.
fn caused_by_the_database_being_gone(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<sqlx::Error>()
            .is_some_and(crate::server::db::is_unavailable)
            || cause
                .downcast_ref::<tower_sessions::session::Error>()
                .is_some_and(|e| matches!(e, tower_sessions::session::Error::Store(_)))
    })
}

/// The database cannot be reached. Server functions and pages then answer 503 (their failures
/// are 500 otherwise), with the plain message of [`AppError::Unavailable`].
pub fn unavailable() -> AppError {
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::SERVICE_UNAVAILABLE);
    }
    AppError::Unavailable
}

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        if crate::server::db::is_unavailable(&err) {
            tracing::warn!(error = %err, "database unavailable");
            unavailable()
        } else {
            internal(anyhow::Error::new(err))
        }
    }
}

impl From<anyhow::Error> for AppError {
    fn from(err: anyhow::Error) -> Self {
        internal(err)
    }
}
