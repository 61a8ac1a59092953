//! Personal API tokens: `<id>_<secret>`, acting as their user with at most the token's role.
//! Only a hash of the secret is stored; the token is shown once.

use crate::domain::event::Action;
use crate::domain::event::Event;
use crate::domain::ip_rules::IpPolicy;
use crate::domain::{Description, Role, credential};
use crate::error::{AppError, FieldErrors};
use crate::server::db;
use crate::server::db::activity_store::audited;
use crate::server::identity::capabilities::KeyHolder;
use crate::server::mail::messages::NoticeAbout;
use crate::server::mail::notices;
use crate::server::web::state::AppState;

/// The "New API token" form as submitted.
#[derive(Debug, Clone, Default)]
pub struct NewTokenInput {
    pub name: String,
    pub description: String,
    /// `none`, `user` or `admin` (or the stored codes).
    pub role: String,
    /// `YYYY-MM-DD`, the last day the token works; empty for no expiry.
    pub expires: String,
    /// The addresses it works from, ranges separated by commas; empty for anywhere the
    /// account's IP rules allow.
    pub allowed_ips: String,
}

/// A new token; in clear only here, to be shown once.
#[derive(Debug, Clone)]
pub struct CreatedToken {
    pub id: i64,
    pub name: String,
    pub token: String,
}

pub const NAME_MAX: usize = 64;

/// Creates a token for `user_id` with a role of at most `max_role` (the caller's own).
pub async fn create(
    state: &AppState,
    holder: KeyHolder<'_>,
    max_role: Role,
    input: NewTokenInput,
) -> Result<CreatedToken, AppError> {
    let expires_at = expiry(&input.expires, db::now());
    create_expiring(state, holder, max_role, input, expires_at).await
}

/// [`create`] with the expiry already worked out (an API may give an exact time): `Err` holds
/// the message for the `expires` field.
pub async fn create_expiring(
    state: &AppState,
    holder: KeyHolder<'_>,
    max_role: Role,
    input: NewTokenInput,
    expires_at: Result<Option<i64>, &'static str>,
) -> Result<CreatedToken, AppError> {
    let (who, user_id) = (holder.who(), holder.user_id());
    let target: String = input.name.trim().chars().take(NAME_MAX).collect();
    let event = Event::for_user(&state.db, who, user_id, Action::TokenCreate, target).await?;
    let work = create_token_as(state, user_id, max_role, input, expires_at, &event);
    audited(&state.db, &event, work).await
}

async fn create_token_as(
    state: &AppState,
    user_id: i64,
    max_role: Role,
    input: NewTokenInput,
    expires_at: Result<Option<i64>, &'static str>,
    event: &Event,
) -> Result<CreatedToken, AppError> {
    let mut errors = FieldErrors::default();
    let mut refuse = |field: &str, message: &str| errors.add(field, message);
    let name = input.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        refuse("name", crate::key!("api_keys.error.name_empty"));
    } else if name.chars().count() > NAME_MAX || name.chars().any(char::is_control) {
        refuse("name", crate::key!("api_keys.error.name_too_long"));
    }
    let description = Description::parse(&input.description)
        .map_err(|e| refuse("description", crate::i18n::MessageKey::key(&e)))
        .ok();
    let role = match Role::parse(&input.role) {
        Ok(role) if role <= max_role => Some(role),
        Ok(_) => {
            refuse("role", crate::key!("api_keys.error.role_too_high"));
            None
        }
        Err(_) => {
            refuse("role", crate::key!("api_keys.error.role_invalid"));
            None
        }
    };
    let expires_at = match expires_at {
        Ok(Some(at)) if at <= db::now() => {
            refuse("expires", crate::key!("api_keys.error.expiry_past"));
            None
        }
        Ok(at) => Some(at),
        Err(message) => {
            refuse("expires", message);
            None
        }
    };
    let allowed = match IpPolicy::only_from(&input.allowed_ips) {
        Ok(allowed) => Some(allowed),
        Err(_) => {
            refuse("allowed_ips", crate::key!("api_keys.error.allowed_ips"));
            None
        }
    };
    errors.into_result()?;
    let (Some(description), Some(role), Some(expires_at), Some(allowed)) =
        (description, role, expires_at, allowed)
    else {
        return Err(AppError::field("form", crate::key!("error.correct_form")));
    };
    let stamp = db::user_store::find_caller(&state.db, user_id)
        .await?
        .ok_or(AppError::NotFound)?
        .security_stamp;
    let secret = credential::secret(crate::server::infra::secrets::pick);
    let hash = crate::server::infra::secrets::token_hash(&secret);
    let event = notices::attach(
        state,
        event.clone(),
        user_id,
        NoticeAbout::CredentialCreated(&event.target),
    )
    .await;
    let id = db::api_token_store::insert(
        &state.db,
        &event,
        &db::api_token_store::NewToken {
            user_id,
            name: &name,
            description: description.as_str(),
            role: role.code(),
            secret_hash: &hash,
            user_stamp: &stamp,
            expires_at,
            allowed_ips: allowed.and_then(|a| a.to_stored()).as_deref(),
        },
    )
    .await?;
    tracing::info!(user_id, token = id, "API token created");
    Ok(CreatedToken {
        id,
        name,
        token: credential::personal_token(id, &secret),
    })
}

/// When a token given `input` as its last day stops working (the end of that day, UTC), or
/// `None` for no expiry. The day must not be in the past.
pub fn expiry(input: &str, now: i64) -> Result<Option<i64>, &'static str> {
    const MESSAGE: &str = crate::key!("api_keys.error.expiry_format");
    let Some(start) = crate::server::infra::format::day_start(input).map_err(|_| MESSAGE)? else {
        return Ok(None);
    };
    // The token works through the whole of its last day.
    let end = start + 86_400;
    if end <= now {
        Err(MESSAGE)
    } else {
        Ok(Some(end))
    }
}

/// Revokes one of the user's own tokens: it stops working with this statement.
pub async fn revoke(state: &AppState, holder: KeyHolder<'_>, id: i64) -> Result<(), AppError> {
    let (who, user_id) = (holder.who(), holder.user_id());
    let event = Event::for_user(
        &state.db,
        who,
        user_id,
        Action::TokenRevoke,
        format!("token {id}"),
    )
    .await?;
    audited(&state.db, &event, async {
        if db::api_token_store::delete(&state.db, &event, user_id, id).await? {
            tracing::info!(user_id, token = id, "API token revoked");
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_expiry_date_ends_with_its_day_and_is_never_in_the_past() {
        // 2026-11-22 12:00 UTC
        let now = 1_795_348_800;
        assert_eq!(expiry("", now), Ok(None));
        assert_eq!(expiry("2026-11-22", now), Ok(Some(1_795_392_000)));
        assert_eq!(expiry(" 2026-12-31 ", now), Ok(Some(1_798_761_600)));
        for bad in [
            "2026-11-21",
            "2026-02-30",
            "22/11/2026",
            "2026-13-01",
            "soon",
            "2026-11",
        ] {
            assert!(expiry(bad, now).is_err(), "{bad:?}");
        }
    }
}
