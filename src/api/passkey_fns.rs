//! Security keys and passkeys: the Security page's list, registering and removing keys, and the
//! two ways to log in with one (as the second step, or without a password). The browser's half
//! of each ceremony is `components::webauthn`; the options and answers travel as JSON text.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// One of the caller's keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyView {
    pub id: i64,
    pub name: String,
    /// It can sign in without a password.
    pub passwordless: bool,
    pub added: i64,
    pub last_used: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeysView {
    /// Keys work on this server (its public address is a domain name, or loopback).
    pub available: bool,
    pub keys: Vec<KeyView>,
    /// The caller has an authenticator app too (a key that is not the last second factor can go).
    pub has_app: bool,
}

#[server(endpoint = "list_keys")]
pub async fn list_keys() -> Result<KeysView, AppError> {
    let (state, caller) = crate::server::identity::current::authenticate_for_enrolment().await?;
    use crate::server::identity::passkeys;
    let keys = passkeys::list(&state, caller.user_id()).await?;
    let has_app = !crate::server::db::two_factor_store::authenticators(&state.db, caller.user_id())
        .await?
        .is_empty();
    Ok(KeysView {
        available: passkeys::available(&state),
        keys: keys
            .into_iter()
            .map(|k| KeyView {
                id: k.id,
                name: k.name,
                passwordless: k.passwordless,
                added: k.created_at,
                last_used: k.last_used_at,
            })
            .collect(),
        has_app,
    })
}

/// The options for registering a key, for `navigator.credentials.create`.
#[server(endpoint = "key_registration_options")]
pub async fn key_registration_options() -> Result<String, AppError> {
    let (state, caller) = crate::server::identity::current::authenticate_for_enrolment().await?;
    caller.in_session()?;
    let session = crate::server::identity::current::session().await?;
    crate::server::identity::passkeys::registration_options(&state, &session, &caller).await
}

/// Registers the key that answered, with the password. Returns where to go next: the recovery
/// codes (shown once) when this key turned two-factor authentication on, else the Security page.
#[server(endpoint = "add_key")]
pub async fn add_key(
    name: String,
    password: String,
    credential: String,
) -> Result<String, AppError> {
    let (state, caller) = crate::server::identity::current::authenticate_for_enrolment().await?;
    caller.in_session()?;
    let session = crate::server::identity::current::session().await?;
    let codes = crate::server::identity::passkeys::register(
        &state,
        &session,
        &caller,
        &name,
        password,
        &credential,
    )
    .await?;
    match codes {
        Some(codes) => {
            let id = crate::server::manage::reveals::stash(
                &state,
                &caller,
                &crate::api::reveal_fns::Revealed::RecoveryCodes { codes },
            )
            .await?;
            Ok(format!("/reveal/{id}"))
        }
        None => Ok("/security?key_added".to_owned()),
    }
}

/// Removes one of the caller's keys with the password (and a code for the last key).
#[server(endpoint = "remove_key")]
pub async fn remove_key(
    id: i64,
    password: String,
    #[server(default)] code: String,
) -> Result<(), AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    crate::server::identity::passkeys::remove(&state, &caller, id, password, &code).await?;
    leptos_axum::redirect("/security?key_removed");
    Ok(())
}

/// How the login waiting for its second step can give it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondStepView {
    /// The user has a security key or passkey (and keys work on this server).
    pub key: bool,
    /// The account requires the key: codes are refused.
    pub key_required: bool,
}

/// Asked by the code page: nothing is said unless the session holds a login past its password.
#[server(endpoint = "second_step_methods")]
pub async fn second_step_methods() -> Result<SecondStepView, AppError> {
    let state = crate::server::web::state::state()?;
    let session = crate::server::identity::current::session().await?;
    let Some(pending) = session.pending_login().await? else {
        return Ok(SecondStepView::default());
    };
    let Some(row) = crate::server::db::user_store::find_caller(&state.db, pending.user_id).await?
    else {
        return Ok(SecondStepView::default());
    };
    let key = row.has_key && crate::server::identity::passkeys::available(&state);
    Ok(SecondStepView {
        key,
        key_required: key && crate::server::identity::caller::key_required(&row),
    })
}

/// The options for a key as the second login step.
#[server(endpoint = "login_key_options")]
pub async fn login_key_options() -> Result<String, AppError> {
    let state = crate::server::web::state::state()?;
    let session = crate::server::identity::current::session().await?;
    let Some(pending) = session.pending_login().await? else {
        return Err(AppError::LoginFailed);
    };
    crate::server::identity::passkeys::second_factor_options(&state, &session, pending.user_id)
        .await
}

/// The second login step with a key. Returns the page to go to.
#[server(endpoint = "login_key")]
pub async fn login_key(
    credential: String,
    #[server(default)] next: Option<String>,
) -> Result<String, AppError> {
    use crate::server::identity::logins;
    let state = crate::server::web::state::state()?;
    let session = crate::server::identity::current::session().await?;
    let client = crate::server::identity::current::client().await;
    let proof = logins::SecondFactor::Key(&credential);
    logins::log_in_second_factor(&state, &session, &client, proof).await?;
    Ok(destination(next))
}

/// The options for signing in with a passkey.
#[server(endpoint = "passkey_login_options")]
pub async fn passkey_login_options() -> Result<String, AppError> {
    let state = crate::server::web::state::state()?;
    let session = crate::server::identity::current::session().await?;
    crate::server::identity::passkeys::passwordless_options(&state, &session).await
}

/// Signs in with a passkey, without a password. `account_id` is what the login field holds
/// (may be empty). Returns the page to go to.
#[server(endpoint = "passkey_login")]
pub async fn passkey_login(
    #[server(default)] account_id: String,
    credential: String,
    #[server(default)] next: Option<String>,
) -> Result<String, AppError> {
    use crate::server::identity::logins;
    let state = crate::server::web::state::state()?;
    let session = crate::server::identity::current::session().await?;
    let client = crate::server::identity::current::client().await;
    logins::log_in_with_passkey(&state, &session, &client, &account_id, &credential).await?;
    let user = session.user().await?.map(|u| u.user_id);
    if let Some(user_id) = user {
        crate::server::web::negotiation::restore_saved_language(&state, user_id).await;
    }
    Ok(destination(next))
}

/// `next` when it is a path on this site, else the overview.
#[cfg(feature = "ssr")]
fn destination(next: Option<String>) -> String {
    next.as_deref()
        .and_then(crate::domain::navigation::local_path)
        .unwrap_or("/")
        .to_owned()
}
