//! Logins as the user sees them: started with the browser and address they came from, listed on
//! the Security page, and ended one by one.

use crate::domain::event::Action;
use crate::domain::event::Event;
use crate::error::AppError;
use crate::server::db;
use crate::server::db::activity_store::audited;
use crate::server::db::now;
use crate::server::db::session_store::NewSession;
use crate::server::identity::auth_session::AuthSession;
use crate::server::identity::caller::Caller;
use crate::server::web::state::AppState;

/// "Last seen" is written, and the session renewed, at most this often, so that reading a page
/// stays a read; more often when the idle timeout is short, so that a session in use is always
/// renewed before it would expire.
fn touch_every(idle: std::time::Duration) -> i64 {
    i64::try_from(idle.as_secs() / 4).map_or(60, |quarter| quarter.min(60))
}

/// Where a request comes from. The address is the socket's, or behind a trusted proxy the
/// client's as the proxy says (`STEWARD_TRUSTED_PROXIES`); a forwarding header from anyone
/// else is not believed (SECURITY.md rule 24).
#[derive(Debug, Clone, Default)]
pub struct Client {
    pub ip: String,
    pub user_agent: String,
}

/// Starts a logged-in session for `user_id` under a new id, with its visible record.
pub async fn start(
    state: &AppState,
    session: &AuthSession,
    client: &Client,
    user_id: i64,
    stamp: &str,
) -> Result<(), AppError> {
    let handle = crate::server::infra::secrets::random_hex(16);
    let user_agent: String = client.user_agent.chars().take(512).collect();
    let new = NewSession {
        id: &handle,
        user_id,
        stamp,
        user_agent: &user_agent,
        ip: &client.ip,
    };
    db::session_store::insert(&state.db, &new).await?;
    session.log_in(user_id, stamp, &handle).await?;
    let idle = i64::try_from(state.config.session_idle.as_secs()).unwrap_or(1800);
    db::session_store::prune(&state.db, now() - idle).await?;
    Ok(())
}

/// Whether the session's record still exists (it was not ended from the list); notes that it
/// was seen and keeps the session alive, so that the idle timeout only ends a session left idle.
pub async fn still_open(
    state: &AppState,
    session: &AuthSession,
    handle: &str,
    user_id: i64,
) -> Result<bool, AppError> {
    match db::session_store::last_seen(&state.db, handle, user_id).await? {
        None => Ok(false),
        Some(seen) => {
            if now() - seen >= touch_every(state.config.session_idle) {
                db::session_store::touch(&state.db, handle).await?;
                session.keep_alive();
            }
            Ok(true)
        }
    }
}

/// Logs out: the record and the session itself are deleted.
pub async fn end_current(state: &AppState, session: &AuthSession) -> Result<(), AppError> {
    if let Some(user) = session.user().await?
        && let Some((account_pk, root_pk, login_id)) =
            db::user_store::identity(&state.db, user.user_id).await?
    {
        let mut event = Event::login(
            account_pk,
            root_pk,
            Some(user.user_id),
            &login_id,
            Action::Logout,
        );
        event.via = "session";
        db::session_store::delete(&state.db, &event, &user.handle, user.user_id).await?;
    }
    session.log_out().await?;
    Ok(())
}

pub struct SessionInfo {
    pub id: String,
    pub user_agent: String,
    pub ip: String,
    pub started_at: i64,
    pub last_seen_at: i64,
    pub current: bool,
}

pub async fn list(
    state: &AppState,
    caller: &Caller,
    current: &str,
) -> Result<Vec<SessionInfo>, AppError> {
    let idle = i64::try_from(state.config.session_idle.as_secs()).unwrap_or(1800);
    let rows = db::session_store::list(&state.db, caller.user_id(), now() - idle).await?;
    Ok(rows
        .into_iter()
        .map(|r| SessionInfo {
            current: r.id == current,
            id: r.id,
            user_agent: r.user_agent,
            ip: r.ip,
            started_at: r.started_at,
            last_seen_at: r.last_seen_at,
        })
        .collect())
}

/// Ends one of the caller's own sessions; another user's is simply not found.
pub async fn end(state: &AppState, caller: &Caller, id: &str) -> Result<(), AppError> {
    let event = Event::by(caller, Action::SessionEnd, caller.login_id());
    audited(&state.db, &event, async {
        if db::session_store::delete(&state.db, &event, id, caller.user_id()).await? {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    })
    .await
}

pub async fn end_others(state: &AppState, caller: &Caller, current: &str) -> Result<(), AppError> {
    let event = Event::by(caller, Action::SessionsEndOthers, caller.login_id());
    db::session_store::delete_all_but(&state.db, &event, caller.user_id(), Some(current)).await?;
    Ok(())
}
