//! Who is calling, from inside a server function or a plain route: the session or the credential
//! the request presents, remembered for the rest of the request.

use std::sync::Arc;

use leptos::prelude::use_context;

use crate::error::AppError;
use crate::server::identity::auth_session::AuthSession;
use crate::server::identity::caller;
use crate::server::identity::caller::Caller;
use crate::server::web::state::{AppState, state};

/// The request's session, from inside a server function.
pub async fn session() -> Result<AuthSession, AppError> {
    leptos_axum::extract::<tower_sessions::Session>()
        .await
        .map(AuthSession)
        .map_err(|e| {
            crate::server::web::failures::internal(anyhow::anyhow!("session layer missing: {e}"))
        })
}

/// The authenticated caller, or `Unauthenticated`: the first line of every server function that
/// needs a logged-in user. A user who must first choose a new password gets
/// `PasswordChangeRequired`, and one who must first enrol in two-factor authentication
/// `TwoFactorRequired`, from everything but the functions that do those.
pub async fn authenticate() -> Result<(AppState, Caller), AppError> {
    let (state, caller, _) = authenticate_for_password_change().await?;
    Ok((state, owing_nothing(caller, Owed::Nothing)?))
}

/// What a caller may still owe when a function lets them through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Owed {
    /// Nothing: the caller has chosen their password and enrolled as the account requires.
    Nothing,
    /// Their enrolment in two-factor authentication, which this function performs.
    Enrolment,
}

/// The one rule of the steps a caller owes before anything else opens, for server functions and
/// plain routes alike: first a new password (after a temporary one), then the enrolment the
/// account's policy requires.
fn owing_nothing(caller: Caller, allowed: Owed) -> Result<Caller, AppError> {
    if caller.password_change_required() {
        return Err(AppError::PasswordChangeRequired);
    }
    if allowed == Owed::Nothing && caller.must_enrol_two_factor() {
        return Err(AppError::TwoFactorRequired);
    }
    Ok(caller)
}

/// Like [`authenticate`], but lets through a user who must enrol in two-factor authentication.
pub async fn authenticate_for_enrolment() -> Result<(AppState, Caller), AppError> {
    let (state, caller, _) = authenticate_for_password_change().await?;
    Ok((state, owing_nothing(caller, Owed::Enrolment)?))
}

/// Like [`authenticate`], but lets through a user who must change their password, and hands
/// back the session so that it can be renewed after the change.
pub async fn authenticate_for_password_change() -> Result<(AppState, Caller, AuthSession), AppError>
{
    let state = state()?;
    let session = session().await?;
    match current_caller(&state, &session).await? {
        Some(caller) => Ok((state, caller, session)),
        None => Err(AppError::Unauthenticated),
    }
}

/// Who is calling: the credential the request presents (an API token or account
/// credentials), else the session's user; `None` for an anonymous visitor or a credential
/// that does not hold.
pub async fn current_caller(
    state: &AppState,
    session: &AuthSession,
) -> Result<Option<Caller>, AppError> {
    let parts = use_context::<axum::http::request::Parts>();
    let headers = parts
        .as_ref()
        .map(|parts| parts.headers.clone())
        .unwrap_or_default();
    let Some(memo) = parts.and_then(|parts| parts.extensions.get::<CallerMemo>().cloned()) else {
        return caller_from_request(state, session, &headers).await;
    };
    // Held while the caller is found: a page's resources start together, and all but the first
    // wait here for its answer instead of each looking the caller up again.
    let mut memo = memo.0.lock().await;
    let key = MemoKey::of(session, &headers).await?;
    if let (Some(key), Some((known, caller))) = (&key, memo.as_ref())
        && key == known
    {
        return Ok(Some(caller.clone()));
    }
    let found = caller_from_request(state, session, &headers).await?;
    // Keyed by what the session says after the look-up, which may have ended the session or
    // stopped acting in a sub-account that is gone.
    *memo = match (&found, MemoKey::of(session, &headers).await?) {
        (Some(caller), Some(key)) => Some((key, caller.clone())),
        _ => None,
    };
    Ok(found)
}

/// The caller of one request, once found, for the request's other server functions (a page's
/// resources each call one). Each request gets its own ([`install_caller_memo`]).
#[derive(Clone, Default)]
pub struct CallerMemo(Arc<tokio::sync::Mutex<Option<(MemoKey, Caller)>>>);

/// What a memoised caller was found from. A login, a logout or a switch of sub-account within the
/// request changes the key, so the memo never answers for a different caller.
#[derive(PartialEq, Eq)]
pub enum MemoKey {
    Credential(caller::Presented),
    Session {
        user_id: i64,
        stamp: String,
        handle: String,
        acting_in: Option<i64>,
    },
}

impl MemoKey {
    async fn of(
        session: &AuthSession,
        headers: &axum::http::HeaderMap,
    ) -> Result<Option<Self>, AppError> {
        if let Some(presented) = caller::presented(headers) {
            return Ok(Some(Self::Credential(presented)));
        }
        let Some(user) = session.user().await? else {
            return Ok(None);
        };
        Ok(Some(Self::Session {
            user_id: user.user_id,
            stamp: user.stamp,
            handle: user.handle,
            acting_in: session.acting_in().await?,
        }))
    }
}

/// Middleware: gives the request its own, empty [`CallerMemo`].
pub async fn install_caller_memo(
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    request.extensions_mut().insert(CallerMemo::default());
    next.run(request).await
}

/// [`current_caller`] for a plain axum route, which has the session and headers at hand. A
/// request made with an API credential counts against its account's rate limit, as it does in
/// the provider dialects.
pub async fn caller_from_request(
    state: &AppState,
    session: &AuthSession,
    headers: &axum::http::HeaderMap,
) -> Result<Option<Caller>, AppError> {
    match caller::presented(headers) {
        Some(presented) => {
            let caller = caller::caller_from_credential(state, &presented).await?;
            if let Some(caller) = &caller {
                count_api_request(state, caller).await?;
            }
            Ok(caller)
        }
        None => caller::caller(state, session).await,
    }
}

/// Counts one request of `caller`'s account; over the limit, `RateLimited` (which a server
/// function answers with 429 and `Retry-After`, see `web::input_guard::server_fn_status`; a plain route sets
/// its own).
async fn count_api_request(state: &AppState, caller: &Caller) -> Result<(), AppError> {
    use crate::server::identity::api_rate_limit;
    if api_rate_limit::admit(&state.db, caller.account_pk()).await? {
        return Ok(());
    }
    Err(AppError::RateLimited {
        retry_after: api_rate_limit::retry_after(crate::server::db::now()),
    })
}

/// [`authenticate`] for a plain axum route.
pub async fn authenticate_request(
    state: &AppState,
    session: &AuthSession,
    headers: &axum::http::HeaderMap,
) -> Result<Caller, AppError> {
    let caller = caller_from_request(state, session, headers)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    owing_nothing(caller, Owed::Nothing)
}

/// Where the request comes from: the address `request_meta` settled (the socket's, or the
/// client's behind trusted proxies) and the `User-Agent`.
pub async fn client() -> crate::server::identity::sessions::Client {
    let ip = crate::server::infra::request_scope::current_request().ip;
    let user_agent = leptos_axum::extract::<axum::http::HeaderMap>()
        .await
        .ok()
        .and_then(|headers| {
            headers
                .get(axum::http::header::USER_AGENT)?
                .to_str()
                .ok()
                .map(str::to_owned)
        })
        .unwrap_or_default();
    crate::server::identity::sessions::Client { ip, user_agent }
}
