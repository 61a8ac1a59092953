//! Security keys and passkeys (WebAuthn, verified by webauthn-rs): registering and removing
//! them, and checking their answers as a second login factor or as a passwordless sign-in.
//!
//! Every credential is registered as a webauthn-rs `Passkey`: user verification (a PIN or a
//! fingerprint) is required, so a key is a factor of its own and, bound to this site's origin,
//! one a phishing page cannot relay. A ceremony's state lives in the server-side session and is
//! taken out before its answer is checked, so that an answer is accepted once.

use webauthn_rs::prelude::{
    CreationChallengeResponse, DiscoverableAuthentication, Passkey, PasskeyAuthentication,
    PasskeyRegistration, PublicKeyCredential, RegisterPublicKeyCredential, Url, Uuid, Webauthn,
    WebauthnBuilder,
};
use webauthn_rs_proto::ResidentKeyRequirement;

use crate::domain::event::{Action, Event};
use crate::error::{AppError, FieldErrors};
use crate::server::db;
use crate::server::db::activity_store::audited;
use crate::server::identity::auth_session::{AuthSession, Ceremony};
use crate::server::identity::caller::Caller;
use crate::server::infra::config::Config;
use crate::server::web::state::AppState;

/// The longest name of a key.
pub const NAME_MAX: usize = 64;

/// One of the user's keys, as the Security page lists it.
pub struct KeyInfo {
    pub id: i64,
    pub name: String,
    /// It can sign in without a password.
    pub passwordless: bool,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// The relying party this server is for WebAuthn: the public URL's host (or, when that is a
/// loopback address, `localhost` on the same port, since a WebAuthn relying party is named by
/// a domain and browsers refuse an IP address). `None` when the panel is reached by another IP
/// address: keys cannot be offered there.
pub fn relying_party(config: &Config) -> Option<Webauthn> {
    let mut origin = Url::parse(&config.link_base()).ok()?;
    let host = match origin.domain() {
        Some(domain) => domain.to_owned(),
        None => {
            let ip: std::net::IpAddr = origin.host_str()?.trim_matches(['[', ']']).parse().ok()?;
            if !ip.is_loopback() {
                return None;
            }
            "localhost".to_owned()
        }
    };
    origin.set_host(Some(&host)).ok()?;
    WebauthnBuilder::new(&host, &origin)
        .and_then(|builder| builder.rp_name("Steward").build())
        .ok()
}

fn webauthn(state: &AppState) -> Result<Webauthn, AppError> {
    relying_party(&state.config)
        .ok_or_else(|| AppError::field("form", crate::key!("security.keys.error.unavailable")))
}

/// A stored credential, or an internal error (it was written by this code).
fn passkey_of(row: &db::passkey_store::PasskeyRow) -> Result<Passkey, AppError> {
    serde_json::from_str(&row.credential).map_err(|e| AppError::from(anyhow::Error::new(e)))
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, AppError> {
    serde_json::to_string(value).map_err(|e| AppError::from(anyhow::Error::new(e)))
}

/// The answer a browser sent, or the error every unreadable answer gets.
fn answer<T: serde::de::DeserializeOwned>(json: &str, refused: AppError) -> Result<T, AppError> {
    serde_json::from_str(json).map_err(|_| refused)
}

fn key_refused() -> AppError {
    AppError::field("form", crate::key!("security.keys.error.refused"))
}

pub async fn list(state: &AppState, user_id: i64) -> Result<Vec<KeyInfo>, AppError> {
    Ok(db::passkey_store::list(&state.db, user_id)
        .await?
        .into_iter()
        .map(|row| KeyInfo {
            id: row.id,
            name: row.name,
            passwordless: row.discoverable,
            created_at: row.created_at,
            last_used_at: row.last_used_at,
        })
        .collect())
}

/// Whether keys can be used on this server at all (see [`relying_party`]).
pub fn available(state: &AppState) -> bool {
    relying_party(&state.config).is_some()
}

/// The options for registering a new key, as the JSON `navigator.credentials.create` takes
/// (after `PublicKeyCredential.parseCreationOptionsFromJSON`). The user's keys are excluded, and
/// a discoverable credential is asked for (preferred), so that the key can sign in without a
/// password.
pub async fn registration_options(
    state: &AppState,
    session: &AuthSession,
    caller: &Caller,
) -> Result<String, AppError> {
    let webauthn = webauthn(state)?;
    let fresh = Uuid::new_v4().as_bytes().to_vec();
    let handle = db::passkey_store::ensure_handle(&state.db, caller.user_id(), &fresh).await?;
    let handle = Uuid::from_slice(&handle).map_err(|e| AppError::from(anyhow::Error::new(e)))?;
    let mut exclude = Vec::new();
    for row in db::passkey_store::list(&state.db, caller.user_id()).await? {
        exclude.push(passkey_of(&row)?.cred_id().clone());
    }
    let login_id = caller.login_id();
    let (mut options, registration): (CreationChallengeResponse, PasskeyRegistration) = webauthn
        .start_passkey_registration(handle, &login_id, &login_id, Some(exclude))
        .map_err(|e| AppError::from(anyhow::Error::new(e)))?;
    if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
        selection.resident_key = Some(ResidentKeyRequirement::Preferred);
    }
    session
        .begin_ceremony(Ceremony::Register, &registration)
        .await?;
    to_json(&options)
}

/// The name the user gives a key: spaces collapsed, at most [`NAME_MAX`] characters, not empty.
fn key_name(problems: &mut FieldErrors, name: &str) -> String {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        problems.add("name", crate::key!("security.keys.error.name_missing"));
    } else if name.chars().count() > NAME_MAX || name.chars().any(char::is_control) {
        problems.add("name", crate::key!("security.error.app_name"));
    }
    name
}

/// Registers the key that answered [`registration_options`], after checking the password.
/// The first second factor of a user turns two-factor authentication on: the recovery codes
/// that come with it are returned, to be shown once.
pub async fn register(
    state: &AppState,
    session: &AuthSession,
    caller: &Caller,
    name: &str,
    password: String,
    credential: &str,
) -> Result<Option<Vec<String>>, AppError> {
    let mut problems = FieldErrors::default();
    let name = key_name(&mut problems, name);
    problems.into_result()?;
    let registration: PasskeyRegistration = session
        .take_ceremony(Ceremony::Register)
        .await?
        .ok_or_else(|| AppError::field("form", crate::key!("security.error.start_again")))?;
    let answer: RegisterPublicKeyCredential = answer(credential, key_refused())?;
    let webauthn = webauthn(state)?;
    let password_ok =
        crate::server::identity::own_password::password_matches(state, caller.user_id(), password);
    if !crate::server::identity::attempts::check_own_secret(state, caller, password_ok, |ok| *ok)
        .await?
    {
        return Err(AppError::field(
            "password",
            crate::key!("password.error.wrong_current"),
        ));
    }
    let passkey = webauthn
        .finish_passkey_registration(&answer, &registration)
        .map_err(|e| {
            tracing::info!(user_id = caller.user_id(), error = %e, "security key refused at registration");
            key_refused()
        })?;
    let discoverable = answer
        .extensions
        .cred_props
        .as_ref()
        .and_then(|props| props.rk)
        .unwrap_or(false);
    let first = !db::two_factor_store::find(&state.db, caller.user_id())
        .await?
        .is_some_and(|row| row.totp_enabled);
    let codes = first.then(|| crate::server::identity::two_factor::fresh_recovery_codes(state));
    let stored = to_json(&passkey)?;
    let new = db::passkey_store::NewPasskey {
        credential_id: passkey.cred_id().as_slice(),
        name: &name,
        credential: &stored,
        discoverable,
        sign_count: 0,
    };
    let event = Event::by(caller, Action::PasskeyAdd, name.clone());
    let hashes = codes.as_ref().map(|(_, hashes)| hashes.as_slice());
    let added = audited(&state.db, &event, async {
        Ok(db::passkey_store::add(&state.db, &event, caller.user_id(), &new, hashes).await?)
    })
    .await?;
    if !added {
        return Err(AppError::field(
            "form",
            crate::key!("security.keys.error.registered"),
        ));
    }
    tracing::info!(user_id = caller.user_id(), "security key added");
    Ok(codes.map(|(codes, _)| codes))
}

/// Removes key `id` with the password; the user's last key also needs a code (from an app, or
/// a recovery code). A key that is the user's only second factor is not removed: turning
/// two-factor authentication off is its own action.
pub async fn remove(
    state: &AppState,
    caller: &Caller,
    id: i64,
    password: String,
    code: &str,
) -> Result<(), AppError> {
    let event = Event::by(caller, Action::PasskeyRemove, format!("key {id}"));
    audited(&state.db, &event, async {
        let keys = db::passkey_store::list(&state.db, caller.user_id()).await?;
        if !keys.iter().any(|k| k.id == id) {
            return Err(AppError::NotFound);
        }
        let last_key = keys.len() == 1;
        if last_key
            && db::two_factor_store::authenticators(&state.db, caller.user_id())
                .await?
                .is_empty()
        {
            return Err(AppError::field(
                "form",
                crate::key!("security.keys.error.last_factor"),
            ));
        }
        let user_id = caller.user_id();
        let code_ok = async {
            if last_key {
                crate::server::identity::two_factor::verify_second_factor(
                    state, &event, user_id, code,
                )
                .await
            } else {
                Ok(true)
            }
        };
        crate::server::identity::two_factor::check_password_and_code(
            state, caller, password, code_ok,
        )
        .await?;
        if !db::passkey_store::remove(&state.db, &event, user_id, id).await? {
            return Err(AppError::NotFound);
        }
        tracing::info!(user_id, "security key removed");
        Ok(())
    })
    .await
}

/// The options for a key as the second login step of `user_id` (whose password was right):
/// the JSON `navigator.credentials.get` takes, listing the user's keys.
pub async fn second_factor_options(
    state: &AppState,
    session: &AuthSession,
    user_id: i64,
) -> Result<String, AppError> {
    let webauthn = webauthn(state)?;
    let mut keys = Vec::new();
    for row in db::passkey_store::list(&state.db, user_id).await? {
        keys.push(passkey_of(&row)?);
    }
    if keys.is_empty() {
        return Err(AppError::field(
            "form",
            crate::key!("security.keys.error.none"),
        ));
    }
    let (options, authentication) = webauthn
        .start_passkey_authentication(&keys)
        .map_err(|e| AppError::from(anyhow::Error::new(e)))?;
    session
        .begin_ceremony(Ceremony::SecondFactor, &authentication)
        .await?;
    to_json(&options)
}

/// Checks a key's answer as the second login step of `user_id`: only that user's keys, once,
/// with a counter that never goes back.
pub async fn accept_second_factor(
    state: &AppState,
    session: &AuthSession,
    user_id: i64,
    credential: &str,
) -> Result<bool, AppError> {
    let Some(authentication): Option<PasskeyAuthentication> =
        session.take_ceremony(Ceremony::SecondFactor).await?
    else {
        return Ok(false);
    };
    let Ok(answer) = serde_json::from_str::<PublicKeyCredential>(credential) else {
        return Ok(false);
    };
    let Some(row) = db::passkey_store::by_credential_id(&state.db, answer.get_credential_id())
        .await?
        .filter(|row| row.user_id == user_id)
    else {
        return Ok(false);
    };
    let webauthn = webauthn(state)?;
    match webauthn.finish_passkey_authentication(&answer, &authentication) {
        Ok(result) => store_use(state, row, &result).await,
        Err(e) => {
            tracing::info!(user_id, error = %e, "security key answer refused");
            Ok(false)
        }
    }
}

/// Saves a key after an accepted answer; `false` if its counter did not move on since the last
/// one stored (a cloned key, or the same answer twice at once).
async fn store_use(
    state: &AppState,
    row: db::passkey_store::PasskeyRow,
    result: &webauthn_rs::prelude::AuthenticationResult,
) -> Result<bool, AppError> {
    let mut passkey = passkey_of(&row)?;
    passkey.update_credential(result);
    let stored = to_json(&passkey)?;
    let counter = i64::from(result.counter());
    let saved = db::passkey_store::record_use(&state.db, row.id, &stored, counter).await?;
    if !saved {
        tracing::warn!(
            user_id = row.user_id,
            "security key answer with a counter that did not move on"
        );
    }
    Ok(saved)
}

/// The options for signing in with a passkey: no user is named, the authenticator offers the
/// passkeys it holds for this site.
pub async fn passwordless_options(
    state: &AppState,
    session: &AuthSession,
) -> Result<String, AppError> {
    let webauthn = webauthn(state)?;
    let (mut options, authentication) = webauthn
        .start_discoverable_authentication()
        .map_err(|e| AppError::from(anyhow::Error::new(e)))?;
    // For a button, not for the browser's autofill list.
    options.mediation = None;
    session
        .begin_ceremony(Ceremony::Passwordless, &authentication)
        .await?;
    to_json(&options)
}

/// Checks a passkey's answer to [`passwordless_options`]: the user it belongs to, or `None`.
/// The credential must be registered, and to the user the authenticator names (webauthn-rs
/// leaves that to the caller).
pub async fn accept_passwordless(
    state: &AppState,
    session: &AuthSession,
    credential: &str,
) -> Result<Option<i64>, AppError> {
    let Some(authentication): Option<DiscoverableAuthentication> =
        session.take_ceremony(Ceremony::Passwordless).await?
    else {
        return Ok(None);
    };
    let Ok(answer) = serde_json::from_str::<PublicKeyCredential>(credential) else {
        return Ok(None);
    };
    let webauthn = webauthn(state)?;
    let Ok((handle, credential_id)) = webauthn.identify_discoverable_authentication(&answer) else {
        return Ok(None);
    };
    let Some(row) = db::passkey_store::by_credential_id(&state.db, credential_id).await? else {
        return Ok(None);
    };
    let owner = db::passkey_store::user_of_handle(&state.db, handle.as_bytes()).await?;
    if owner != Some(row.user_id) {
        tracing::info!(
            user_id = row.user_id,
            "passkey answer naming another user refused"
        );
        return Ok(None);
    }
    let passkey = passkey_of(&row)?;
    match webauthn.finish_discoverable_authentication_v2(&answer, authentication, &passkey) {
        Ok(result) => {
            let user_id = row.user_id;
            Ok(store_use(state, row, &result).await?.then_some(user_id))
        }
        Err(e) => {
            tracing::info!(user_id = row.user_id, error = %e, "passkey answer refused");
            Ok(None)
        }
    }
}
