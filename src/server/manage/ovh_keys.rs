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
use crate::server::identity::capabilities::SessionOnly;
use crate::server::identity::events::Who;
use crate::server::infra::config::OvhCrossAccount;
use crate::server::web::state::AppState;

/// How long a requested consumer key waits for its validation.
pub const PENDING_TTL_SECONDS: i64 = 3600;
/// The most access rules one consumer key may carry.
pub const MAX_RULES: usize = 100;
const MAX_RULE_PATH: usize = 512;
const MAX_APPLICATION_NAME: usize = 64;

/// One access rule: an HTTP method and a path relative to `/1.0`, where `*` matches any run of
/// characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessRule {
    pub method: String,
    pub path: String,
}

pub const METHODS: [&str; 4] = ["GET", "POST", "PUT", "DELETE"];

impl AccessRule {
    /// Checks one rule as requested; the message names the problem without echoing the value.
    pub fn parse(method: &str, path: &str) -> Result<Self, String> {
        let method = method.trim().to_ascii_uppercase();
        if !METHODS.contains(&method.as_str()) {
            return Err("Each access rule's method is GET, POST, PUT or DELETE.".to_owned());
        }
        let path = path.trim();
        if !path.starts_with('/')
            || path.len() > MAX_RULE_PATH
            || path.chars().any(|c| c.is_control() || c.is_whitespace())
        {
            return Err(format!(
                "Each access rule's path starts with / and has at most {MAX_RULE_PATH} characters, without spaces."
            ));
        }
        Ok(Self {
            method,
            path: path.to_owned(),
        })
    }

    pub fn allows(&self, method: &str, path: &str) -> bool {
        self.method == method && glob(&self.path, path)
    }
}

/// Whether any of `rules` allows `method` on `path` (relative to `/1.0`, without the query).
pub fn allowed(rules: &[AccessRule], method: &str, path: &str) -> bool {
    rules.iter().any(|r| r.allows(method, path))
}

/// `pattern` matches `text` in full, `*` matching any run of characters (empty included).
pub fn glob(pattern: &str, text: &str) -> bool {
    let p = pattern.as_bytes();
    let t = text.as_bytes();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&b| b == b'*')
}

/// Every method on every path: what a key made by `createConsumerKey` may do.
pub fn everything() -> Vec<AccessRule> {
    METHODS
        .iter()
        .map(|m| AccessRule {
            method: (*m).to_owned(),
            path: "/*".to_owned(),
        })
        .collect()
}

fn rules_json(rules: &[AccessRule]) -> Result<String, AppError> {
    serde_json::to_string(rules).map_err(|e| AppError::from(anyhow::Error::new(e)))
}

/// The stored rules; a row that cannot be read allows nothing.
pub fn rules_from(json: &str) -> Vec<AccessRule> {
    serde_json::from_str(json).unwrap_or_default()
}

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
    who: Who<'_>,
    user_id: i64,
    name: &str,
    description: &str,
) -> Result<CreatedApplication, AppError> {
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
    if owner.disabled || !(owner.is_holder || Role::parse(&owner.role) == Ok(Role::Administrator)) {
        return Err(AppError::field("user", crate::key!("ovh.error.not_admin")));
    }
    let mut problems = Vec::new();
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty()
        || name.chars().count() > MAX_APPLICATION_NAME
        || name.chars().any(char::is_control)
    {
        problems.push(crate::error::FieldError {
            field: "name".to_owned(),
            key: crate::key!("ovh.error.name").into(),
            args: Vec::new(),
        });
    }
    let description = match Description::parse(description) {
        Ok(d) => Some(d),
        Err(e) => {
            problems.push(crate::error::FieldError {
                field: "description".to_owned(),
                key: crate::i18n::MessageKey::key(&e).into(),
                args: Vec::new(),
            });
            None
        }
    };
    let Some(description) = description.filter(|_| problems.is_empty()) else {
        return Err(AppError::Invalid(problems));
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
    who: Who<'_>,
    user_id: i64,
    id: i64,
) -> Result<(), AppError> {
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
    who: Who<'_>,
    user_id: i64,
    id: i64,
) -> Result<(), AppError> {
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
) -> Result<NewConsumerKey, AppError> {
    let redirection = match redirection.trim() {
        "" => String::new(),
        given => WebAddress::parse(given)
            .map_err(|e| AppError::field("redirection", crate::i18n::MessageKey::key(&e)))?
            .to_string(),
    };
    db::ovh_key_store::delete_stale_pending(&state.db, db::now() - PENDING_TTL_SECONDS).await?;
    insert_key(state, None, application_id, rules, &redirection, None).await
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
        insert_key(state, Some(event), application.id, rules, "", Some(granted)),
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

async fn insert_key(
    state: &AppState,
    event: Option<&Event>,
    application_id: i64,
    rules: &[AccessRule],
    redirection: &str,
    granted: Option<Granted<'_>>,
) -> Result<NewConsumerKey, AppError> {
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

/// The longest chain of keys minted through keys that is followed; a longer one works no more.
/// (Sub-accounts do not nest, so a real chain has two links.)
const MAX_CHAIN: usize = 8;

/// The caller a granted key of `application` stands for, or `None` when the key no longer
/// works: its user or account can no longer act, or the user's password or privilege changed
/// since it was granted; the application's owner is no longer an enabled Administrator under the
/// stamp they had then; it acts in another top-level account than the application's while the
/// operator denies that; or a key it was minted through (and so on up) no longer works.
pub async fn caller(
    state: &AppState,
    application: &Application,
    key: &GrantedKey,
) -> Result<Option<Caller>, AppError> {
    if !application.owner_active
        || key.owner_stamp.as_deref() != Some(application.owner_stamp.as_str())
    {
        return Ok(None);
    }
    let Some(caller) = caller::api_caller(
        state,
        key.user_id,
        Some(&key.user_stamp),
        Via::OvhConsumerKey(key.id),
        Role::Administrator,
    )
    .await?
    else {
        return Ok(None);
    };
    let root = caller.parent_pk().unwrap_or(caller.account_pk());
    if root != application.owner_root_pk && state.config.ovh_cross_account == OvhCrossAccount::Deny
    {
        return Ok(None);
    }
    if !parents_work(state, application, key.parent_key_id).await? {
        return Ok(None);
    }
    db::ovh_key_store::touch(&state.db, key.id).await?;
    Ok(Some(caller))
}

/// Whether key `parent` (if any) and every key above it still work: granted, of the same
/// application under its owner's current stamp, and their users still able to act under the
/// stamps they were granted with.
async fn parents_work(
    state: &AppState,
    application: &Application,
    mut parent: Option<i64>,
) -> Result<bool, AppError> {
    for _ in 0..MAX_CHAIN {
        let Some(id) = parent else {
            return Ok(true);
        };
        let Some(row) = db::ovh_key_store::find_consumer_key_by_id(&state.db, id).await? else {
            return Ok(false);
        };
        if row.application_id != application.id {
            return Ok(false);
        }
        let ConsumerKey::Granted(key) = ConsumerKey::of(row) else {
            return Ok(false);
        };
        if key.owner_stamp.as_deref() != Some(application.owner_stamp.as_str()) {
            return Ok(false);
        }
        let via = Via::OvhConsumerKey(key.id);
        if caller::api_caller(state, key.user_id, Some(&key.user_stamp), via, Role::None)
            .await?
            .is_none()
        {
            return Ok(false);
        }
        parent = key.parent_key_id;
    }
    Ok(false)
}

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
    fn detail(self) -> &'static str {
        match self {
            Self::CrossAccount => "refused: the application belongs to another account",
            Self::OwnerInactive => {
                "refused: the application's owner is not an active Administrator"
            }
        }
    }
}

/// Why `granter` may not grant a key of `owner`'s application, if they may not.
fn refusal(
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

fn is_validation_id(input: &str) -> bool {
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
    who: Who<'_>,
    user_id: i64,
    consumer_key: &str,
) -> Result<(), AppError> {
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
async fn grant_key(
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
    let granted = db::ovh_key_store::grant(
        &state.db,
        event,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_match_with_stars() {
        assert!(glob("/me/*", "/me/identity/user"));
        assert!(glob("/me/*", "/me/"));
        assert!(!glob("/me/*", "/me"));
        assert!(glob("/*", "/anything/at/all"));
        assert!(glob("/me", "/me"));
        assert!(!glob("/me", "/me/x"));
        assert!(glob(
            "/me/identity/user/*/enable",
            "/me/identity/user/bob/enable"
        ));
        assert!(!glob(
            "/me/identity/user/*/enable",
            "/me/identity/user/bob/disable"
        ));
        assert!(glob("*", ""));
        assert!(glob("/a*b*c", "/aXbYbZc"));
        let rule = AccessRule::parse("get", "/me/identity/*").unwrap();
        assert!(rule.allows("GET", "/me/identity/user"));
        assert!(!rule.allows("POST", "/me/identity/user"));
        assert!(AccessRule::parse("PATCH", "/me").is_err());
        assert!(AccessRule::parse("GET", "me").is_err());
        assert!(AccessRule::parse("GET", "/me x").is_err());
        assert!(allowed(&everything(), "DELETE", "/me/subAccount/1"));
    }

    #[test]
    fn stored_rules_round_trip_and_bad_ones_allow_nothing() {
        let json = rules_json(&everything()).unwrap();
        assert_eq!(rules_from(&json), everything());
        assert!(rules_from("not json").is_empty());
    }
}
