//! OVHcloud applications and consumer keys (SECURITY.md rule 22).
//!
//! An application (application key + secret) belongs to an Administrator; it is inert by
//! itself. It asks for a consumer key with a list of access rules; a logged-in user of the same
//! top-level account (unless the operator allows any) sees whose application it is, reviews the
//! rules on the validation page and grants the key to their own identity. From then on the key,
//! signed with the application secret, acts as that user with that user's privilege, within its
//! rules. It stops when revoked (by its user, the application's owner or an Administrator of the
//! account it acts in), when its application is deleted, when the user is disabled or removed or
//! their password or privilege changes, when the application's owner stops being an enabled
//! Administrator (or their password changes), and when the key it was minted through stops. The
//! secret is shown once and kept sealed with the server key; of a consumer key only a SHA-256 is
//! kept.

mod ovh_key_callers;

pub use ovh_key_callers::*;

mod ovh_access_rules;
#[cfg(test)]
mod ovh_key_tests;
mod ovh_validation;

pub use ovh_access_rules::*;
pub use ovh_validation::*;

use serde::{Deserialize, Serialize};

use crate::domain::event::Action;
use crate::domain::event::Event;
use crate::domain::event::Outcome;
use crate::domain::{Description, Role, WebAddress, credential};
use crate::error::AppError;
use crate::server::db;
use crate::server::db::activity_store::audited;
use crate::server::db::activity_store::record;
use crate::server::identity::caller;
use crate::server::identity::caller::Caller;
use crate::server::identity::caller::Via;
use crate::server::identity::capabilities::Admin;
use crate::server::identity::capabilities::{KeyHolder, SessionOnly};
use crate::server::identity::events::Who;
use crate::server::infra::config::OvhCrossAccount;
use crate::server::web::state::AppState;

/// How long a requested consumer key waits for its validation.
pub const PENDING_TTL_SECONDS: i64 = 3600;
/// What the application secret is sealed with: bound to its application key.
fn context(application_key: &str) -> String {
    format!("ovh-app:{application_key}")
}

/// A new application; the secret is in clear only here, to be shown once.
#[derive(Debug, Clone)]
pub struct CreatedApplication {
    pub id: i64,
    pub application_key: String,
    pub application_secret: String,
}

/// Creates an application for `user_id`.
pub async fn create_application(
    state: &AppState,
    holder: KeyHolder<'_>,
    name: &str,
    description: &str,
) -> Result<CreatedApplication, AppError> {
    let (who, user_id) = (holder.who(), holder.user_id());
    let target = name.trim().to_owned();
    let event = Event::for_user(
        &state.db,
        who,
        user_id,
        Action::OvhApplicationCreate,
        target,
    )
    .await?;
    let work = create_application_as(state, user_id, name, description, &event);
    audited(&state.db, &event, work).await
}

async fn create_application_as(
    state: &AppState,
    user_id: i64,
    name: &str,
    description: &str,
    event: &Event,
) -> Result<CreatedApplication, AppError> {
    // Only an Administrator's application works (see `caller`): nobody else is given one.
    let owner = db::user_store::find_caller(&state.db, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if owner.disabled || !(owner.is_holder || owner.role == Role::Administrator) {
        return Err(AppError::field("user", crate::key!("ovh.error.not_admin")));
    }
    let mut problems = crate::error::FieldErrors::default();
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty()
        || name.chars().count() > MAX_APPLICATION_NAME
        || name.chars().any(char::is_control)
    {
        problems.add("name", crate::key!("ovh.error.name"));
    }
    let description = problems.check("description", Description::parse(description));
    problems.into_result()?;
    let Some(description) = description else {
        return Err(AppError::field("form", crate::key!("error.correct_form")));
    };
    let application_key = crate::server::infra::secrets::random_hex(8);
    let application_secret = credential::secret(crate::server::infra::secrets::pick);
    let sealed = state
        .server_key
        .encrypt(application_secret.as_bytes(), &context(&application_key))?;
    let id = db::ovh_key_store::insert_application(
        &state.db,
        event,
        &db::ovh_key_store::NewApplication {
            user_id,
            name: &name,
            description: description.as_str(),
            application_key: &application_key,
            secret_sealed: &sealed,
        },
    )
    .await?;
    tracing::info!(user_id, application = id, "OVHcloud application created");
    Ok(CreatedApplication {
        id,
        application_key,
        application_secret,
    })
}

pub async fn delete_application(
    state: &AppState,
    holder: KeyHolder<'_>,
    id: i64,
) -> Result<(), AppError> {
    let (who, user_id) = (holder.who(), holder.user_id());
    let target = format!("application {id}");
    let event = Event::for_user(
        &state.db,
        who,
        user_id,
        Action::OvhApplicationDelete,
        target,
    )
    .await?;
    audited(&state.db, &event, async {
        if db::ovh_key_store::delete_application(&state.db, &event, user_id, id).await? {
            tracing::info!(user_id, application = id, "OVHcloud application deleted");
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    })
    .await
}

pub async fn revoke_consumer_key(
    state: &AppState,
    holder: KeyHolder<'_>,
    id: i64,
) -> Result<(), AppError> {
    let (who, user_id) = (holder.who(), holder.user_id());
    let target = format!("consumer key {id}");
    let event = Event::for_user(
        &state.db,
        who,
        user_id,
        Action::OvhConsumerKeyRevoke,
        target,
    )
    .await?;
    audited(
        &state.db,
        &event,
        revoke_consumer_key_as(state, user_id, id, &event),
    )
    .await
}

async fn revoke_consumer_key_as(
    state: &AppState,
    user_id: i64,
    id: i64,
    event: &Event,
) -> Result<(), AppError> {
    if db::ovh_key_store::revoke(&state.db, event, user_id, id).await? {
        tracing::info!(
            user_id,
            consumer_key_id = id,
            "OVHcloud consumer key revoked"
        );
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Where the keys an Administrator oversees act: the account they work in, and its
/// sub-accounts when it is a top-level account.
fn oversight(admin: Admin<'_>) -> (i64, bool) {
    let caller = admin.caller();
    (caller.account_pk(), caller.parent_pk().is_none())
}

/// The granted keys acting in the accounts `admin` oversees, whichever application holds them.
pub async fn keys_acting_in(
    state: &AppState,
    admin: Admin<'_>,
) -> Result<Vec<db::ovh_key_store::ActingKeyRow>, AppError> {
    let (account_pk, with_sub_accounts) = oversight(admin);
    Ok(db::ovh_key_store::list_acting_in(&state.db, account_pk, with_sub_accounts).await?)
}

/// Revokes key `id` acting in an account `admin` oversees, and every key minted through it;
/// any other key is not found.
pub async fn revoke_acting_in(state: &AppState, admin: Admin<'_>, id: i64) -> Result<(), AppError> {
    let (account_pk, with_sub_accounts) = oversight(admin);
    let event = Event::by(
        admin.caller(),
        Action::OvhConsumerKeyRevoke,
        format!("consumer key {id}"),
    );
    audited(&state.db, &event, async {
        if db::ovh_key_store::revoke_acting_in(&state.db, &event, account_pk, with_sub_accounts, id)
            .await?
        {
            tracing::info!(
                account_pk,
                consumer_key_id = id,
                "OVHcloud consumer key revoked by an Administrator"
            );
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    })
    .await
}

/// An application found by its key, with its secret unsealed to check a signature.
pub struct Application {
    pub id: i64,
    /// The owner can still act and is an Administrator: otherwise the application does nothing.
    pub owner_active: bool,
    pub account_pk: i64,
    /// The top-level account above the owner's account.
    pub owner_root_pk: i64,
    /// The owner's security stamp now: keys granted under another one no longer work.
    pub owner_stamp: String,
    pub secret: String,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// Whether `input` has the shape of an application key Steward hands out.
pub fn is_application_key(input: &str) -> bool {
    input.len() == 16 && input.bytes().all(|b| b.is_ascii_hexdigit())
}

pub async fn find_application(
    state: &AppState,
    application_key: &str,
) -> Result<Option<Application>, AppError> {
    if !is_application_key(application_key) {
        return Ok(None);
    }
    let Some(row) = db::ovh_key_store::find_application(&state.db, application_key).await? else {
        return Ok(None);
    };
    let clear = state
        .server_key
        .decrypt(&row.secret_sealed, &context(application_key))?;
    let secret = String::from_utf8(clear)
        .map_err(|_| anyhow::anyhow!("a sealed OVHcloud application secret is not UTF-8"))?;
    Ok(Some(Application {
        id: row.id,
        owner_active: row.owner_active,
        account_pk: row.account_pk,
        owner_root_pk: row.owner_root_pk,
        owner_stamp: row.owner_stamp,
        secret,
    }))
}

/// A consumer key just made: the key in clear (to hand to the application once) and the
/// handle of its validation page.
#[derive(Debug, Clone)]
pub struct NewConsumerKey {
    pub consumer_key: String,
    pub validation_id: String,
}

/// Records a pending consumer key of `application_id` with `rules`.
pub async fn request_consumer_key(
    state: &AppState,
    application_id: i64,
    rules: &[AccessRule],
    redirection: &str,
    allowed_ips: Option<&str>,
) -> Result<NewConsumerKey, AppError> {
    let redirection = match redirection.trim() {
        "" => String::new(),
        given => WebAddress::parse(given)
            .map_err(|e| AppError::field("redirection", crate::i18n::MessageKey::key(&e)))?
            .to_string(),
    };
    db::ovh_key_store::delete_stale_pending(&state.db, db::now() - PENDING_TTL_SECONDS).await?;
    let key = NewKey {
        application_id,
        rules,
        redirection: &redirection,
        allowed_ips,
    };
    insert_key(state, None, &key, None).await
}

/// A consumer key of `application` valid at once, acting as `user_id` with `rules`, minted
/// through key `parent_key_id`: it works only as long as that key does, and is deleted with it.
pub async fn create_validated_key(
    state: &AppState,
    event: &Event,
    application: &Application,
    parent_key_id: i64,
    user_id: i64,
    rules: &[AccessRule],
) -> Result<String, AppError> {
    let stamp = db::user_store::find_caller(&state.db, user_id)
        .await?
        .ok_or(AppError::NotFound)?
        .security_stamp;
    let granted = Granted {
        user_id,
        user_stamp: &stamp,
        owner_stamp: &application.owner_stamp,
        parent_key_id: Some(parent_key_id),
    };
    let created = audited(
        &state.db,
        event,
        insert_key(
            state,
            Some(event),
            &NewKey {
                application_id: application.id,
                rules,
                redirection: "",
                allowed_ips: None,
            },
            Some(granted),
        ),
    )
    .await?;
    tracing::info!(
        application = application.id,
        user_id,
        parent_key_id,
        "OVHcloud consumer key created"
    );
    Ok(created.consumer_key)
}

/// Whom a key valid at once acts as, under which stamps, minted through which key.
struct Granted<'a> {
    user_id: i64,
    user_stamp: &'a str,
    owner_stamp: &'a str,
    parent_key_id: Option<i64>,
}

/// What a new consumer key is given.
struct NewKey<'a> {
    application_id: i64,
    rules: &'a [AccessRule],
    redirection: &'a str,
    /// A stored `IpPolicy`: the ranges the key works from.
    allowed_ips: Option<&'a str>,
}

async fn insert_key(
    state: &AppState,
    event: Option<&Event>,
    key: &NewKey<'_>,
    granted: Option<Granted<'_>>,
) -> Result<NewConsumerKey, AppError> {
    let NewKey {
        application_id,
        rules,
        redirection,
        allowed_ips,
    } = *key;
    let consumer_key = credential::secret(crate::server::infra::secrets::pick);
    let validation_id = crate::server::infra::secrets::random_hex(16);
    db::ovh_key_store::insert_consumer_key(
        &state.db,
        event,
        &db::ovh_key_store::NewConsumerKey {
            application_id,
            key_hash: &crate::server::infra::secrets::token_hash(&consumer_key),
            validation_id: &validation_id,
            access_rules: &rules_json(rules)?,
            redirection,
            granted: granted.as_ref().map(|g| (g.user_id, g.user_stamp)),
            parent_key_id: granted.as_ref().and_then(|g| g.parent_key_id),
            owner_stamp: granted.as_ref().map(|g| g.owner_stamp),
            allowed_ips,
        },
    )
    .await?;
    Ok(NewConsumerKey {
        consumer_key,
        validation_id,
    })
}

/// A granted consumer key, before its user is checked.
#[derive(Debug, Clone)]
pub struct GrantedKey {
    pub id: i64,
    pub user_id: i64,
    pub user_stamp: String,
    pub rules: Vec<AccessRule>,
    /// The key it was minted through, if any.
    pub parent_key_id: Option<i64>,
    /// The application owner's security stamp when it was granted.
    pub owner_stamp: Option<String>,
    /// The ranges it works from (a stored `IpPolicy`); `None`: anywhere the account allows.
    pub allowed_ips: Option<String>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// A consumer key as found by its key, before its user is checked.
#[derive(Debug, Clone)]
pub enum ConsumerKey {
    /// Not validated yet.
    Pending,
    Granted(GrantedKey),
}

impl ConsumerKey {
    fn of(row: db::ovh_key_store::ConsumerKeyCheck) -> Self {
        match (row.user_id, row.user_stamp) {
            (Some(user_id), Some(user_stamp)) => Self::Granted(GrantedKey {
                id: row.id,
                user_id,
                user_stamp,
                rules: rules_from(&row.access_rules),
                parent_key_id: row.parent_key_id,
                owner_stamp: row.owner_stamp,
                allowed_ips: row.allowed_ips,
                created_at: row.created_at,
                last_used_at: row.last_used_at,
            }),
            _ => Self::Pending,
        }
    }
}

/// The key `consumer_key` of `application_id`, or `None` (unknown, revoked, or another
/// application's).
pub async fn find_consumer_key(
    state: &AppState,
    application_id: i64,
    consumer_key: &str,
) -> Result<Option<ConsumerKey>, AppError> {
    if consumer_key.is_empty() || consumer_key.len() > 128 {
        return Ok(None);
    }
    let hash = crate::server::infra::secrets::token_hash(consumer_key);
    let Some(row) = db::ovh_key_store::find_consumer_key(&state.db, &hash).await? else {
        return Ok(None);
    };
    if row.application_id != application_id {
        return Ok(None);
    }
    Ok(Some(ConsumerKey::of(row)))
}
