//! The Security page: two-factor authentication and the list of sessions.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolmentView {
    /// The seed in base32, grouped by four, for typing into an app by hand.
    pub key: String,
    pub uri: String,
    /// An inline SVG drawn on the server.
    pub qr_svg: String,
}

/// One of the caller's authenticator apps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthenticatorView {
    pub id: i64,
    /// Empty: the default name, shown in the page's language.
    pub name: String,
    pub added: i64,
    pub last_used: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorView {
    pub enabled: bool,
    /// A seed waiting for its first code: the first app, or another one.
    pub pending: Option<EnrolmentView>,
    pub authenticators: Vec<AuthenticatorView>,
    pub recovery_codes_left: i64,
    /// The account's policy, and whether the caller may change it (Administrators).
    pub policy: TwoFactorPolicy,
    pub can_set_policy: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorPolicy {
    pub administrators: bool,
    pub everyone: bool,
    /// Administrators must sign in with a security key or passkey.
    pub keys_for_administrators: bool,
}

#[server(endpoint = "two_factor_status")]
pub async fn two_factor_status() -> Result<TwoFactorView, AppError> {
    let (state, caller) = crate::server::identity::current::authenticate_for_enrolment().await?;
    let status = crate::server::identity::two_factor::status(&state, &caller).await?;
    Ok(TwoFactorView {
        enabled: status.enabled,
        pending: status.pending.map(|p| EnrolmentView {
            key: p.key,
            uri: p.uri,
            qr_svg: p.qr_svg,
        }),
        authenticators: status
            .authenticators
            .into_iter()
            .map(|a| AuthenticatorView {
                id: a.id,
                name: a.name,
                added: a.created_at,
                last_used: a.last_used_at,
            })
            .collect(),
        recovery_codes_left: status.recovery_codes_left,
        policy: TwoFactorPolicy {
            administrators: status.policy.administrators,
            everyone: status.policy.everyone,
            keys_for_administrators: status.policy.keys_for_administrators,
        },
        can_set_policy: caller.role().can_manage_users(),
    })
}

/// Sets who in the account must use two-factor authentication (checkboxes: present means on).
#[server(endpoint = "set_two_factor_policy")]
pub async fn set_two_factor_policy(
    #[server(default)] administrators: Option<String>,
    #[server(default)] everyone: Option<String>,
    #[server(default)] keys: Option<String>,
) -> Result<(), AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    let admin = caller.admin()?;
    let policy = crate::server::identity::two_factor::Policy {
        administrators: administrators.is_some(),
        everyone: everyone.is_some(),
        keys_for_administrators: keys.is_some(),
    };
    crate::server::identity::two_factor::set_policy(&state, admin, policy).await
}

/// Starts enrolment: a new secret to scan, not active until confirmed with a code.
#[server(endpoint = "begin_two_factor")]
pub async fn begin_two_factor() -> Result<(), AppError> {
    let (state, caller) = crate::server::identity::current::authenticate_for_enrolment().await?;
    crate::server::identity::two_factor::begin(&state, &caller).await
}

/// Confirms the new authenticator app with a code: the first turns two-factor authentication on
/// (the recovery codes are shown once); another is added to the list.
#[server(endpoint = "confirm_two_factor")]
pub async fn confirm_two_factor(
    password: String,
    code: String,
    #[server(default)] name: String,
) -> Result<(), AppError> {
    let (state, caller) = crate::server::identity::current::authenticate_for_enrolment().await?;
    let codes =
        crate::server::identity::two_factor::confirm(&state, &caller, password, &code, &name)
            .await?;
    match codes {
        Some(codes) => reveal_codes(&state, &caller, codes).await,
        None => {
            leptos_axum::redirect("/security?authenticator=added");
            Ok(())
        }
    }
}

/// Removes one of the caller's authenticator apps (not the last), with the password and a code.
#[server(endpoint = "remove_authenticator")]
pub async fn remove_authenticator(id: i64, password: String, code: String) -> Result<(), AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    crate::server::identity::two_factor::remove_authenticator(&state, &caller, id, password, &code)
        .await?;
    leptos_axum::redirect("/security?authenticator=removed");
    Ok(())
}

#[server(endpoint = "disable_two_factor")]
pub async fn disable_two_factor(password: String, code: String) -> Result<(), AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    crate::server::identity::two_factor::disable(&state, &caller, password, &code).await
}

/// Replaces the recovery codes; the new ones are shown once.
#[server(endpoint = "new_recovery_codes")]
pub async fn new_recovery_codes(password: String, code: String) -> Result<(), AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    let codes =
        crate::server::identity::two_factor::new_recovery_codes(&state, &caller, password, &code)
            .await?;
    reveal_codes(&state, &caller, codes).await
}

#[cfg(feature = "ssr")]
async fn reveal_codes(
    state: &crate::server::web::state::AppState,
    caller: &crate::server::identity::caller::Caller,
    codes: Vec<String>,
) -> Result<(), AppError> {
    let id = crate::server::manage::reveals::stash(
        state,
        caller,
        &crate::api::reveal_fns::Revealed::RecoveryCodes { codes },
    )
    .await?;
    leptos_axum::redirect(&format!("/reveal/{id}"));
    Ok(())
}

/// One of the caller's sessions, as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub id: String,
    /// "Firefox on Linux".
    pub browser: String,
    pub ip: String,
    pub started: i64,
    pub last_seen: i64,
    /// The session this request comes from.
    pub current: bool,
}

/// The caller's handle of their own current session.
#[cfg(feature = "ssr")]
async fn current_handle() -> Result<String, AppError> {
    let session = crate::server::identity::current::session().await?;
    Ok(session.user().await?.map(|u| u.handle).unwrap_or_default())
}

#[server(endpoint = "list_sessions")]
pub async fn list_sessions() -> Result<Vec<SessionView>, AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    let current = current_handle().await?;
    let sessions = crate::server::identity::sessions::list(&state, &caller, &current).await?;
    Ok(sessions
        .into_iter()
        .map(|s| SessionView {
            browser: crate::domain::user_agent::describe_in(
                &s.user_agent,
                crate::server::web::negotiation::request_lang(),
            ),
            ip: s.ip,
            started: s.started_at,
            last_seen: s.last_seen_at,
            current: s.current,
            id: s.id,
        })
        .collect())
}

/// Ends one of the caller's sessions: that browser is logged out on its next request.
#[server(endpoint = "end_session")]
pub async fn end_session(id: String) -> Result<(), AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    crate::server::identity::sessions::end(&state, &caller, &id).await
}

#[server(endpoint = "end_other_sessions")]
pub async fn end_other_sessions() -> Result<(), AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    let current = current_handle().await?;
    crate::server::identity::sessions::end_others(&state, &caller, &current).await
}
