//! Showing a generated secret exactly once (SECURITY.md rule 22).
//!
//! A write that generates a secret stashes it, sealed with the server key, and redirects to a
//! page that takes it: the take deletes it in the same statement, so a reload, a back
//! navigation or a second request finds nothing. Unread stashes expire after ten minutes.

use serde::{Serialize, de::DeserializeOwned};

use crate::domain::event::Action;
use crate::domain::event::Event;
use crate::error::AppError;
use crate::server::db;
use crate::server::identity::caller::Caller;
use crate::server::web::state::AppState;

const TTL_SECONDS: i64 = 600;

/// Stores `payload` for `caller` to see once; returns the id of the page that shows it.
pub async fn stash<T: Serialize>(
    state: &AppState,
    caller: &Caller,
    payload: &T,
) -> Result<String, AppError> {
    let id = crate::server::infra::secrets::random_hex(16);
    let json = serde_json::to_vec(payload).map_err(|e| AppError::from(anyhow::Error::new(e)))?;
    let sealed = state.server_key.encrypt(&json, &format!("reveal:{id}"))?;
    db::reveal_store::insert(&state.db, &id, caller.user_id(), &sealed, TTL_SECONDS).await?;
    Ok(id)
}

/// The payload, the first time only; `None` afterwards, for another user, or once expired.
pub async fn take<T: DeserializeOwned>(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<Option<T>, AppError> {
    // The event names the page, never what it showed.
    let event = Event::by(caller, Action::SecretReveal, "one-time secret page");
    let Some(sealed) = db::reveal_store::take(&state.db, &event, id, caller.user_id()).await?
    else {
        return Ok(None);
    };
    let json = state.server_key.decrypt(&sealed, &format!("reveal:{id}"))?;
    Ok(Some(
        serde_json::from_slice(&json).map_err(|e| AppError::from(anyhow::Error::new(e)))?,
    ))
}
