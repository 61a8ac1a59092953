//! The validation page of a requested consumer key: who asks, and granting it to a user.

use super::*;
use crate::server::mail::messages::NoticeAbout;
use crate::server::mail::notices;

/// Who an application belongs to, named on its validation page before anyone grants it.
#[derive(Debug, Clone)]
pub struct Owner {
    /// `1234-567-89`: the owner's account.
    pub account_id: String,
    /// The company of a main account, the name of a sub-account.
    pub company: String,
    /// `1234-567-89` (the holder) or `1234-567-89/login`.
    pub login_id: String,
}

impl Owner {
    pub fn of(row: &db::ovh_key_store::OwnerRow) -> Self {
        let login_id = match &row.owner_login {
            Some(login) => format!("{}/{login}", row.owner_account_code),
            None => row.owner_account_code.clone(),
        };
        Self {
            account_id: row.owner_account_code.clone(),
            company: row.owner_company.clone(),
            login_id,
        }
    }
}

/// Why a user may not grant an application's key, whatever they click.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantRefusal {
    /// The application belongs to another top-level account, and the operator does not allow
    /// grants across accounts (`STEWARD_OVH_CROSS_ACCOUNT`).
    CrossAccount,
    /// The application's owner is disabled or no longer an Administrator.
    OwnerInactive,
}

impl GrantRefusal {
    /// The refusal as the person sees it.
    pub fn error(self) -> AppError {
        match self {
            Self::CrossAccount => {
                AppError::field("application", crate::key!("ovh.error.cross_account"))
            }
            Self::OwnerInactive => {
                AppError::field("application", crate::key!("ovh.error.owner_inactive"))
            }
        }
    }

    /// The refusal as the activity log keeps it.
    pub(super) fn detail(self) -> &'static str {
        match self {
            Self::CrossAccount => "refused: the application belongs to another account",
            Self::OwnerInactive => {
                "refused: the application's owner is not an active Administrator"
            }
        }
    }
}

/// Why `granter` may not grant a key of `owner`'s application, if they may not.
pub(super) fn refusal(
    state: &AppState,
    owner: &db::ovh_key_store::OwnerRow,
    granter: &db::user_store::CallerRow,
) -> Option<GrantRefusal> {
    let granter_root = granter.parent_pk.unwrap_or(granter.account_pk);
    let across = owner.owner_root_pk != granter_root;
    if across && state.config.ovh_cross_account == OvhCrossAccount::Deny {
        Some(GrantRefusal::CrossAccount)
    } else if !owner.owner_active {
        Some(GrantRefusal::OwnerInactive)
    } else {
        None
    }
}

/// A pending key as its validation page shows it.
#[derive(Debug, Clone)]
pub struct Validation {
    pub key_id: i64,
    pub application_name: String,
    pub application_description: String,
    pub owner: Owner,
    pub rules: Vec<AccessRule>,
    /// Where the browser goes once the key is granted. Checked when the key was requested, and
    /// again here for keys requested before that check existed.
    pub redirection: Option<WebAddress>,
    /// Already granted (to the user asking; anyone else finds nothing).
    pub granted: bool,
    /// Why the user asking may not grant it, if they may not.
    pub refusal: Option<GrantRefusal>,
}

pub(super) fn is_validation_id(input: &str) -> bool {
    input.len() == 32 && input.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The key behind validation page `validation_id`, as `user_id` may see it: pending (and not
/// expired), or already granted to them.
pub async fn validation(
    state: &AppState,
    user_id: i64,
    validation_id: &str,
) -> Result<Validation, AppError> {
    if !is_validation_id(validation_id) {
        return Err(AppError::NotFound);
    }
    let row = db::ovh_key_store::find_by_validation(&state.db, validation_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let fresh = row.created_at >= db::now() - PENDING_TTL_SECONDS;
    let visible = match row.user_id {
        None => fresh,
        Some(owner) => owner == user_id,
    };
    if !visible {
        return Err(AppError::NotFound);
    }
    let granter = db::user_store::find_caller(&state.db, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let granted = row.user_id.is_some();
    Ok(Validation {
        key_id: row.id,
        owner: Owner::of(&row.owner),
        refusal: if granted {
            None
        } else {
            refusal(state, &row.owner, &granter)
        },
        application_name: row.application_name,
        application_description: row.application_description,
        rules: rules_from(&row.access_rules),
        redirection: WebAddress::parse(&row.redirection).ok(),
        granted,
    })
}

/// Grants the pending key behind `validation_id` to `user_id` (who must still be able to act);
/// returns where to send the browser next, if the application gave an address.
pub async fn grant(
    state: &AppState,
    session: SessionOnly<'_>,
    validation_id: &str,
) -> Result<Option<String>, AppError> {
    let (who, user_id) = (Who::Caller(session.caller()), session.caller().user_id());
    let event = Event::for_user(&state.db, who, user_id, Action::OvhConsumerKeyGrant, "").await?;
    let found = audited(&state.db, &event, async {
        let found = validation(state, user_id, validation_id).await?;
        if found.granted {
            return Err(AppError::field(
                "form",
                crate::key!("ovh.error.already_authorized"),
            ));
        }
        Ok(found)
    })
    .await?;
    let event = event.about(format!("consumer key {}", found.key_id));
    grant_key(state, &event, found.key_id, user_id).await?;
    Ok(found.redirection.map(|to| to.to_string()))
}

/// Grants the pending key `consumer_key` to `user_id` (for scripts at the command line), with
/// the same checks as the validation page.
pub async fn grant_by_key(
    state: &AppState,
    holder: KeyHolder<'_>,
    consumer_key: &str,
) -> Result<(), AppError> {
    let (who, user_id) = (holder.who(), holder.user_id());
    let event = Event::for_user(&state.db, who, user_id, Action::OvhConsumerKeyGrant, "").await?;
    let key_id = audited(&state.db, &event, async {
        let hash = crate::server::infra::secrets::token_hash(consumer_key);
        let row = db::ovh_key_store::find_consumer_key(&state.db, &hash)
            .await?
            .ok_or(AppError::NotFound)?;
        if row.user_id.is_some() {
            return Err(AppError::field(
                "key",
                crate::key!("ovh.error.already_authorized"),
            ));
        }
        Ok(row.id)
    })
    .await?;
    let event = event.about(format!("consumer key {key_id}"));
    grant_key(state, &event, key_id, user_id).await
}

/// Grants pending key `key_id` to `user_id`, unless a [`GrantRefusal`] applies; records the
/// grant or its refusal as `event`.
pub(super) async fn grant_key(
    state: &AppState,
    event: &Event,
    key_id: i64,
    user_id: i64,
) -> Result<(), AppError> {
    let checked = async {
        let user = db::user_store::find_caller(&state.db, user_id)
            .await?
            .filter(|u| !u.disabled && u.account_enabled && u.parent_enabled)
            .ok_or(AppError::NotFound)?;
        let owner = db::ovh_key_store::owner_of_key(&state.db, key_id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok::<_, AppError>((user, owner))
    };
    let (user, owner) = audited(&state.db, event, checked).await?;
    if let Some(refused) = refusal(state, &owner, &user) {
        record(&state.db, event, Outcome::Failure, refused.detail()).await?;
        tracing::info!(
            user_id,
            consumer_key_id = key_id,
            refusal = refused.detail(),
            "OVHcloud consumer key grant refused"
        );
        return Err(refused.error());
    }
    let not_before = db::now() - PENDING_TTL_SECONDS;
    let about = NoticeAbout::CredentialCreated(&event.target);
    let noticed = notices::attach(state, event.clone(), user_id, about).await;
    let granted = db::ovh_key_store::grant(
        &state.db,
        &noticed,
        key_id,
        user_id,
        &user.security_stamp,
        &owner.owner_stamp,
        not_before,
    );
    audited(&state.db, event, async {
        if granted.await? {
            tracing::info!(
                user_id,
                consumer_key_id = key_id,
                "OVHcloud consumer key authorized"
            );
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    })
    .await
}
