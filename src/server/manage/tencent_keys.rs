//! Tencent Cloud CAM access keys: a SecretId (`AKID` and 32 letters or digits) and a SecretKey
//! (32 letters or digits, about 190 bits) that sign requests to the CAM-compatible API. A key
//! acts as its user, with the user's role; it stops working when deleted, when the user is
//! disabled or removed, or when their password or privilege changes. The SecretKey is shown
//! once and kept sealed with the server key (SECURITY.md rule 22).

use crate::domain::Role;
use crate::domain::event::Action;
use crate::domain::event::Event;
use crate::error::AppError;
use crate::server::db;
use crate::server::db::activity_store::audited;
use crate::server::identity::caller;
use crate::server::identity::caller::Caller;
use crate::server::identity::caller::Via;
use crate::server::identity::capabilities::KeyHolder;
use crate::server::mail::messages::NoticeAbout;
use crate::server::mail::notices;
use crate::server::web::state::AppState;

pub const SECRET_ID_PREFIX: &str = "AKID";
const ID_LEN: usize = 32;
const KEY_LEN: usize = 32;
const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A new key; the SecretKey is in clear only here, to be shown once.
#[derive(Debug, Clone)]
pub struct CreatedKey {
    pub id: i64,
    pub secret_id: String,
    pub secret_key: String,
}

fn random_text(len: usize) -> String {
    (0..len)
        .map(|_| char::from(ALPHABET[crate::server::infra::secrets::pick(ALPHABET.len())]))
        .collect()
}

/// Whether `input` has the shape of a SecretId Steward hands out (checked before any database
/// work).
pub fn is_secret_id(input: &str) -> bool {
    input
        .strip_prefix(SECRET_ID_PREFIX)
        .is_some_and(|rest| rest.len() == ID_LEN && rest.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// What the SecretKey is sealed with: bound to its SecretId, so a sealed key moved to another
/// row does not open.
fn context(secret_id: &str) -> String {
    format!("tencent:{secret_id}")
}

/// Creates a key for `user_id`, acting with that user's role.
pub async fn create(state: &AppState, holder: KeyHolder<'_>) -> Result<CreatedKey, AppError> {
    create_limited(state, holder, "", i64::MAX)
        .await?
        .ok_or_else(|| anyhow::anyhow!("a user holds i64::MAX access keys").into())
}

/// [`create`] with a description, unless the user holds `max` keys already (`None`).
pub async fn create_limited(
    state: &AppState,
    holder: KeyHolder<'_>,
    description: &str,
    max: i64,
) -> Result<Option<CreatedKey>, AppError> {
    let (who, user_id) = (holder.who(), holder.user_id());
    let event = Event::for_user(&state.db, who, user_id, Action::TencentKeyCreate, "").await?;
    let new = (description, max);
    audited(&state.db, &event, create_as(state, user_id, &event, new)).await
}

async fn create_as(
    state: &AppState,
    user_id: i64,
    event: &Event,
    (description, max_keys): (&str, i64),
) -> Result<Option<CreatedKey>, AppError> {
    let stamp = db::user_store::find_caller(&state.db, user_id)
        .await?
        .ok_or(AppError::NotFound)?
        .security_stamp;
    let secret_id = format!("{SECRET_ID_PREFIX}{}", random_text(ID_LEN));
    let secret_key = random_text(KEY_LEN);
    let sealed = state
        .server_key
        .encrypt(secret_key.as_bytes(), &context(&secret_id))?;
    let event = event.about(secret_id.clone());
    let about = NoticeAbout::CredentialCreated(&secret_id);
    let event = notices::attach(state, event.clone(), user_id, about).await;
    let new = db::tencent_key_store::NewKey {
        user_id,
        secret_id: &secret_id,
        secret_key_sealed: &sealed,
        user_stamp: &stamp,
        description,
        max_keys,
    };
    let Some(id) = db::tencent_key_store::insert(&state.db, &event, &new).await? else {
        return Ok(None);
    };
    tracing::info!(user_id, key = id, "Tencent Cloud access key created");
    Ok(Some(CreatedKey {
        id,
        secret_id,
        secret_key,
    }))
}

/// The user's own keys, newest first.
pub async fn list(
    state: &AppState,
    user_id: i64,
) -> Result<Vec<db::tencent_key_store::KeyRow>, AppError> {
    Ok(db::tencent_key_store::list_for_user(&state.db, user_id).await?)
}

/// Deletes one of the user's own keys: it stops working with this statement.
pub async fn delete(state: &AppState, holder: KeyHolder<'_>, id: i64) -> Result<(), AppError> {
    let (who, user_id) = (holder.who(), holder.user_id());
    let target = format!("access key {id}");
    let event = Event::for_user(&state.db, who, user_id, Action::TencentKeyDelete, target).await?;
    audited(&state.db, &event, async {
        if db::tencent_key_store::delete(&state.db, &event, user_id, id).await? {
            tracing::info!(user_id, key = id, "Tencent Cloud access key deleted");
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    })
    .await
}

/// Makes one of the user's own keys active or inactive (an inactive key signs nothing).
pub async fn set_active(
    state: &AppState,
    holder: KeyHolder<'_>,
    id: i64,
    active: bool,
) -> Result<(), AppError> {
    let (who, user_id) = (holder.who(), holder.user_id());
    let state_word = if active { "active" } else { "inactive" };
    let target = format!("access key {id} {state_word}");
    let event = Event::for_user(&state.db, who, user_id, Action::TencentKeyUpdate, target).await?;
    audited(&state.db, &event, async {
        if db::tencent_key_store::set_active(&state.db, &event, user_id, id, active).await? {
            tracing::info!(
                user_id,
                key = id,
                active,
                "Tencent Cloud access key updated"
            );
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    })
    .await
}

/// A key found by its SecretId, with its SecretKey unsealed to check a signature.
pub struct KeyForCheck {
    pub id: i64,
    user_id: i64,
    user_stamp: String,
    pub secret_key: String,
}

impl std::fmt::Debug for KeyForCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyForCheck")
            .field("id", &self.id)
            .field("user_id", &self.user_id)
            .finish_non_exhaustive()
    }
}

/// The key with this SecretId, or `None` when there is none (or the id is malformed).
pub async fn find(state: &AppState, secret_id: &str) -> Result<Option<KeyForCheck>, AppError> {
    if !is_secret_id(secret_id) {
        return Ok(None);
    }
    let Some(row) = db::tencent_key_store::find_for_check(&state.db, secret_id).await? else {
        return Ok(None);
    };
    let clear = state
        .server_key
        .decrypt(&row.secret_key_sealed, &context(secret_id))?;
    let secret_key = String::from_utf8(clear)
        .map_err(|_| anyhow::anyhow!("a sealed Tencent SecretKey is not UTF-8"))?;
    Ok(Some(KeyForCheck {
        id: row.id,
        user_id: row.user_id,
        user_stamp: row.user_stamp,
        secret_key,
    }))
}

/// The caller a key whose signature checked stands for: `None` when its user or account can
/// no longer act, or the user's password or privilege changed since the key was made.
pub async fn caller(state: &AppState, key: &KeyForCheck) -> Result<Option<Caller>, AppError> {
    let caller = caller::api_caller(
        state,
        key.user_id,
        Some(&key.user_stamp),
        Via::TencentAccessKey(key.id),
        Role::Administrator,
    )
    .await?;
    if caller.is_some() {
        db::tencent_key_store::touch(&state.db, key.id).await?;
    }
    Ok(caller)
}

/// How many API credentials the user holds: Tencent access keys and personal API tokens
/// (CAM's DeleteUser refuses to remove a user who has keys unless forced).
pub async fn credentials_held(state: &AppState, user_id: i64) -> Result<i64, AppError> {
    let keys = db::tencent_key_store::count_for_user(&state.db, user_id).await?;
    let tokens = db::api_token_store::list_for_user(&state.db, user_id)
        .await?
        .len();
    Ok(keys.saturating_add(i64::try_from(tokens).unwrap_or(i64::MAX)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_ids_have_one_shape() {
        let id = format!("{SECRET_ID_PREFIX}{}", random_text(ID_LEN));
        assert!(is_secret_id(&id), "{id}");
        assert_eq!(id.len(), 36);
        assert!(!is_secret_id("AKID"));
        assert!(!is_secret_id(&format!("AKID{}", "a".repeat(31))));
        assert!(!is_secret_id(&format!("AKID{}", "a".repeat(33))));
        assert!(!is_secret_id(&format!("AKID{}-", "a".repeat(31))));
        assert!(!is_secret_id(&format!("XKID{}", "a".repeat(32))));
        let key = random_text(KEY_LEN);
        assert_eq!(key.len(), 32);
        assert!(key.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(random_text(KEY_LEN), key);
    }
}
