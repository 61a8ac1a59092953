//! The caller's own password: checking it, and changing it.

use crate::domain::event::{Action, Event};
use crate::error::{AppError, FieldErrors};
use crate::server::db;
use crate::server::db::activity_store::audited;
use crate::server::identity::caller::Caller;
use crate::server::identity::capabilities::SessionOnly;
use crate::server::mail::messages::NoticeAbout;
use crate::server::mail::notices;
use crate::server::web::state::AppState;

/// Whether `password` is the user's current password.
pub async fn password_matches(
    state: &AppState,
    user_id: i64,
    password: String,
) -> Result<bool, AppError> {
    let stored = db::user_store::password_hash(&state.db, user_id).await?;
    Ok(state.hasher.verify(password, stored).await?.ok())
}

/// Changes the caller's own password after checking the current one. All their sessions end;
/// the returned stamp lets the current one continue under a new id.
pub async fn change_own_password(
    state: &AppState,
    session: SessionOnly<'_>,
    current: String,
    new: String,
    confirm: &str,
) -> Result<String, AppError> {
    let caller = session.caller();
    let event = Event::by(caller, Action::PasswordChange, caller.login_id());
    let work = change_own_password_as(state, caller, current, new, confirm, &event);
    audited(&state.db, &event, work).await
}

async fn change_own_password_as(
    state: &AppState,
    caller: &Caller,
    current: String,
    new: String,
    confirm: &str,
    event: &Event,
) -> Result<String, AppError> {
    let mut problems = FieldErrors::default();
    let current_ok = crate::server::identity::attempts::check_own_secret(
        state,
        caller,
        password_matches(state, caller.user_id(), current.clone()),
        |ok| *ok,
    )
    .await?;
    if !current_ok {
        problems.add(
            "current_password",
            crate::key!("password.error.wrong_current"),
        );
    }
    if new == current {
        problems.add("new_password", crate::key!("password.error.same"));
    }
    let login = caller.login().unwrap_or_default();
    let context = [
        login,
        caller.email(),
        caller.account_id().as_str(),
        caller.company(),
    ];
    state
        .check_password(&mut problems, "new_password", &new, &context)
        .await?;
    if new != confirm {
        problems.add("confirm_password", crate::key!("password.error.differ"));
    }
    problems.into_result()?;
    let hash = state.hasher.hash(new).await?;
    let event = notices::attach(
        state,
        event.clone(),
        caller.user_id(),
        NoticeAbout::PasswordChanged,
    )
    .await;
    db::user_store::set_password(
        &state.db,
        &event,
        caller.account_pk(),
        caller.user_id(),
        &hash,
        false,
    )
    .await?
    .ok_or(AppError::NotFound)
}
