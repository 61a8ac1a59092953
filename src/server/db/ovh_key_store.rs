//! OVHcloud applications and consumer keys. The application secret signs requests, so the
//! server needs it in clear: it is kept sealed with the server key. Of a consumer key only a
//! SHA-256 is kept.

use crate::domain::event::Event;
use crate::domain::event::Outcome;
use crate::server::db::Db;
use crate::server::db::now;
use crate::{audited_tx, execute, execute_audited, on_db};

pub struct NewApplication<'a> {
    pub user_id: i64,
    pub name: &'a str,
    pub description: &'a str,
    pub application_key: &'a str,
    pub secret_sealed: &'a [u8],
}

/// Inserts the application and returns its id.
pub async fn insert_application(
    db: &Db,
    event: &Event,
    new: &NewApplication<'_>,
) -> Result<i64, sqlx::Error> {
    const SQL: &str = "INSERT INTO ovh_applications (user_id, name, description, application_key, secret_sealed, created_at)
                       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
    audited_tx!(db, event, |conn| sqlx::query_scalar(SQL)
        .bind(new.user_id)
        .bind(new.name)
        .bind(new.description)
        .bind(new.application_key)
        .bind(new.secret_sealed)
        .bind(now())
        .fetch_one(&mut *conn)
        .await)
}

/// An application as its owner's list shows it: never the secret.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApplicationRow {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub application_key: String,
    pub created_at: i64,
    pub consumer_keys: i64,
}

/// The user's applications, newest first.
pub async fn list_applications(db: &Db, user_id: i64) -> Result<Vec<ApplicationRow>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_as(
        "SELECT a.id, a.name, a.description, a.application_key, a.created_at,
                (SELECT COUNT(*) FROM ovh_consumer_keys k WHERE k.application_id = a.id) AS consumer_keys
         FROM ovh_applications a WHERE a.user_id = $1 ORDER BY a.created_at DESC, a.id DESC"
    )
    .bind(user_id)
    .fetch_all(pool)
    .await
    })
}

/// Application `id`, whoever owns it (the application of a key the caller can see).
pub async fn application(db: &Db, id: i64) -> Result<Option<ApplicationRow>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_as(
            "SELECT a.id, a.name, a.description, a.application_key, a.created_at,
                    (SELECT COUNT(*) FROM ovh_consumer_keys k WHERE k.application_id = a.id) AS consumer_keys
             FROM ovh_applications a WHERE a.id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await
    })
}

/// Deletes one of the user's applications and, with it, every consumer key it requested.
pub async fn delete_application(
    db: &Db,
    event: &Event,
    user_id: i64,
    id: i64,
) -> Result<bool, sqlx::Error> {
    let n = execute_audited!(
        db,
        event,
        "DELETE FROM ovh_applications WHERE user_id = $1 AND id = $2",
        user_id,
        id
    )?;
    Ok(n == 1)
}

/// What checking a signature needs of an application.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApplicationCheck {
    pub id: i64,
    pub user_id: i64,
    pub secret_sealed: Vec<u8>,
    /// The owner can still act and is an Administrator (see [`OWNER_ACTIVE`]).
    pub owner_active: bool,
    /// The owner's account, whose rate limit counts the requests for consumer keys.
    pub account_pk: i64,
    /// The top-level account above the owner's account (itself when it has no parent).
    pub owner_root_pk: i64,
    pub owner_stamp: String,
}

pub async fn find_application(
    db: &Db,
    application_key: &str,
) -> Result<Option<ApplicationCheck>, sqlx::Error> {
    let sql = format!(
        "SELECT a.id, a.user_id, a.secret_sealed, {OWNER_ACTIVE} AS owner_active,
                o.account_id AS account_pk, COALESCE(oa.parent_id, oa.id) AS owner_root_pk,
                o.security_stamp AS owner_stamp
         FROM ovh_applications a {OWNER_JOINS}
         WHERE a.application_key = $1"
    );
    on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(application_key)
        .fetch_optional(pool)
        .await)
}

pub struct NewConsumerKey<'a> {
    pub application_id: i64,
    pub key_hash: &'a str,
    pub validation_id: &'a str,
    pub access_rules: &'a str,
    pub redirection: &'a str,
    /// Set for a key that is valid at once (granted to this user with this stamp).
    pub granted: Option<(i64, &'a str)>,
    /// The key it is minted through, whose deletion deletes it.
    pub parent_key_id: Option<i64>,
    /// The application owner's security stamp, for a key valid at once.
    pub owner_stamp: Option<&'a str>,
    /// The ranges the key works from (a stored `IpPolicy`), when the request named some.
    pub allowed_ips: Option<&'a str>,
}

/// Inserts a consumer key, recording `event` with it when there is one (a pending request by
/// an application is recorded when a user grants it).
pub async fn insert_consumer_key(
    db: &Db,
    event: Option<&Event>,
    new: &NewConsumerKey<'_>,
) -> Result<i64, sqlx::Error> {
    const SQL: &str = "INSERT INTO ovh_consumer_keys (application_id, key_hash, validation_id, access_rules,
                                                      redirection, user_id, user_stamp, created_at, validated_at,
                                                      parent_key_id, owner_stamp, allowed_ips)
                       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id";
    let at = now();
    let (user_id, stamp) = match new.granted {
        Some((user, stamp)) => (Some(user), Some(stamp)),
        None => (None, None),
    };
    crate::in_tx!(db, |conn| {
        let id: i64 = sqlx::query_scalar(SQL)
            .bind(new.application_id)
            .bind(new.key_hash)
            .bind(new.validation_id)
            .bind(new.access_rules)
            .bind(new.redirection)
            .bind(user_id)
            .bind(stamp)
            .bind(at)
            .bind(user_id.map(|_| at))
            .bind(new.parent_key_id)
            .bind(new.owner_stamp)
            .bind(new.allowed_ips)
            .fetch_one(&mut *conn)
            .await?;
        if let Some(event) = event {
            crate::record_in_tx!(conn, event, Outcome::Success, "")?;
        }
        Ok::<i64, sqlx::Error>(id)
    })
}

/// What checking a consumer key needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConsumerKeyCheck {
    pub id: i64,
    pub application_id: i64,
    pub access_rules: String,
    pub user_id: Option<i64>,
    pub user_stamp: Option<String>,
    pub parent_key_id: Option<i64>,
    /// The application owner's security stamp when the key was granted.
    pub owner_stamp: Option<String>,
    pub allowed_ips: Option<String>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

const SELECT_CHECK: &str = "SELECT id, application_id, access_rules, user_id, user_stamp,
                                   parent_key_id, owner_stamp, allowed_ips, created_at,
                                   last_used_at
                            FROM ovh_consumer_keys";

pub async fn find_consumer_key(
    db: &Db,
    key_hash: &str,
) -> Result<Option<ConsumerKeyCheck>, sqlx::Error> {
    let sql = format!("{SELECT_CHECK} WHERE key_hash = $1");
    on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(key_hash)
        .fetch_optional(pool)
        .await)
}

/// Consumer key `id`, to check the keys a key was minted through.
pub async fn find_consumer_key_by_id(
    db: &Db,
    id: i64,
) -> Result<Option<ConsumerKeyCheck>, sqlx::Error> {
    let sql = format!("{SELECT_CHECK} WHERE id = $1");
    on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(pool)
        .await)
}

/// The user an application belongs to, as a person granting one of its keys must see them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OwnerRow {
    pub owner_user_id: i64,
    pub owner_account_code: String,
    /// The company of a main account, the name of a sub-account.
    pub owner_company: String,
    pub owner_login: Option<String>,
    /// The top-level account above the owner's account (itself when it has no parent).
    pub owner_root_pk: i64,
    /// The owner can still act and is an Administrator (see [`OWNER_ACTIVE`]).
    pub owner_active: bool,
    pub owner_stamp: String,
}

/// Whether an application's owner `o` (joined by [`OWNER_JOINS`]) may still have working keys:
/// not disabled, in an enabled account (and parent), and an Administrator (the holder always is).
const OWNER_ACTIVE: &str = "(NOT o.disabled AND oa.enabled AND COALESCE(op.enabled, TRUE)
        AND (o.is_holder OR og.role = 'ADMIN'))";

/// The columns of [`OwnerRow`], for a query that joins [`OWNER_JOINS`] to `ovh_applications a`.
const OWNER_COLUMNS: &str = "o.id AS owner_user_id, oa.code AS owner_account_code,
        oa.company AS owner_company, o.login AS owner_login,
        COALESCE(oa.parent_id, oa.id) AS owner_root_pk, o.security_stamp AS owner_stamp";

const OWNER_JOINS: &str = "JOIN users o ON o.id = a.user_id
        JOIN accounts oa ON oa.id = o.account_id
        LEFT JOIN accounts op ON op.id = oa.parent_id
        JOIN user_groups og ON og.id = o.group_id";

/// A consumer key as its validation page shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ValidationRow {
    pub id: i64,
    pub application_name: String,
    pub application_description: String,
    pub access_rules: String,
    pub redirection: String,
    pub user_id: Option<i64>,
    pub created_at: i64,
    #[sqlx(flatten)]
    pub owner: OwnerRow,
}

pub async fn find_by_validation(
    db: &Db,
    validation_id: &str,
) -> Result<Option<ValidationRow>, sqlx::Error> {
    let sql = format!(
        "SELECT k.id, a.name AS application_name, a.description AS application_description,
                k.access_rules, k.redirection, k.user_id, k.created_at, {OWNER_COLUMNS},
                {OWNER_ACTIVE} AS owner_active
         FROM ovh_consumer_keys k JOIN ovh_applications a ON a.id = k.application_id
         {OWNER_JOINS}
         WHERE k.validation_id = $1"
    );
    on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(validation_id)
        .fetch_optional(pool)
        .await)
}

/// The owner of the application that requested consumer key `key_id`.
pub async fn owner_of_key(db: &Db, key_id: i64) -> Result<Option<OwnerRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {OWNER_COLUMNS}, {OWNER_ACTIVE} AS owner_active
         FROM ovh_consumer_keys k JOIN ovh_applications a ON a.id = k.application_id
         {OWNER_JOINS}
         WHERE k.id = $1"
    );
    on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(key_id)
        .fetch_optional(pool)
        .await)
}

/// Grants a pending key (requested after `not_before`) to `user_id`, under the user's and the
/// application owner's current stamps; false when there is no such pending key any more.
pub async fn grant(
    db: &Db,
    event: &Event,
    key_id: i64,
    user_id: i64,
    user_stamp: &str,
    owner_stamp: &str,
    not_before: i64,
) -> Result<bool, sqlx::Error> {
    let n = execute_audited!(
        db,
        event,
        "UPDATE ovh_consumer_keys SET user_id = $2, user_stamp = $3, owner_stamp = $4, validated_at = $5
         WHERE id = $1 AND user_id IS NULL AND created_at >= $6",
        key_id,
        user_id,
        user_stamp,
        owner_stamp,
        now(),
        not_before
    )?;
    Ok(n == 1)
}

/// Forgets keys that were requested before `before` and never validated.
pub async fn delete_stale_pending(db: &Db, before: i64) -> Result<(), sqlx::Error> {
    execute!(
        db,
        "DELETE FROM ovh_consumer_keys WHERE user_id IS NULL AND created_at < $1",
        before
    )?;
    Ok(())
}

/// A consumer key as the API keys page lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConsumerKeyRow {
    pub id: i64,
    pub application_id: i64,
    pub application_name: String,
    pub application_key: String,
    pub access_rules: String,
    /// The account code and login of the user the key acts as (none while pending).
    pub account_code: Option<String>,
    pub login: Option<String>,
    pub granted: bool,
    pub created_at: i64,
    pub validated_at: Option<i64>,
    pub last_used_at: Option<i64>,
    /// The ranges it works from (a stored `IpPolicy`); `None`: anywhere the account allows.
    pub allowed_ips: Option<String>,
}

/// The keys requested by the user's applications or acting as the user, newest first.
pub async fn list_consumer_keys(db: &Db, user_id: i64) -> Result<Vec<ConsumerKeyRow>, sqlx::Error> {
    on_db!(db, |pool| sqlx::query_as(
        "SELECT k.id, k.application_id, a.name AS application_name, a.application_key,
                k.access_rules, ac.code AS account_code, u.login,
                (k.user_id IS NOT NULL) AS granted, k.created_at, k.validated_at, k.last_used_at,
                k.allowed_ips
         FROM ovh_consumer_keys k
         JOIN ovh_applications a ON a.id = k.application_id
         LEFT JOIN users u ON u.id = k.user_id
         LEFT JOIN accounts ac ON ac.id = u.account_id
         WHERE a.user_id = $1 OR k.user_id = $1
         ORDER BY k.created_at DESC, k.id DESC"
    )
    .bind(user_id)
    .fetch_all(pool)
    .await)
}

/// Revokes a key requested by one of the user's applications or acting as the user, and with
/// it every key minted through it.
pub async fn revoke(db: &Db, event: &Event, user_id: i64, id: i64) -> Result<bool, sqlx::Error> {
    let n = execute_audited!(
        db,
        event,
        "DELETE FROM ovh_consumer_keys WHERE id = $2
           AND (user_id = $1 OR application_id IN (SELECT id FROM ovh_applications WHERE user_id = $1))",
        user_id,
        id
    )?;
    Ok(n == 1)
}

/// A consumer key acting in an account, as its Administrators list it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ActingKeyRow {
    pub id: i64,
    pub application_name: String,
    pub application_key: String,
    pub access_rules: String,
    #[sqlx(flatten)]
    pub owner: OwnerRow,
    /// The account code and login of the user the key acts as.
    pub account_code: String,
    pub login: Option<String>,
    /// The key it was minted through, if any.
    pub parent_key_id: Option<i64>,
    pub created_at: i64,
    pub validated_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

/// The most keys the Administrators' list shows.
pub const MAX_ACTING_KEYS: i64 = 1000;

/// Where a key acts: as a user of account `$1`, or with `$2`, of one of its sub-accounts.
const ACTING_IN: &str = "(ac.id = $1 OR ($2 AND ac.parent_id = $1))";

/// The granted keys acting as a user of `account_pk` (and, with `with_sub_accounts`, of one of
/// its sub-accounts), whichever application holds them, newest first.
pub async fn list_acting_in(
    db: &Db,
    account_pk: i64,
    with_sub_accounts: bool,
) -> Result<Vec<ActingKeyRow>, sqlx::Error> {
    let sql = format!(
        "SELECT k.id, a.name AS application_name, a.application_key, k.access_rules,
                {OWNER_COLUMNS}, {OWNER_ACTIVE} AS owner_active,
                ac.code AS account_code, u.login, k.parent_key_id,
                k.created_at, k.validated_at, k.last_used_at
         FROM ovh_consumer_keys k
         JOIN users u ON u.id = k.user_id
         JOIN accounts ac ON ac.id = u.account_id
         JOIN ovh_applications a ON a.id = k.application_id
         {OWNER_JOINS}
         WHERE {ACTING_IN}
         ORDER BY k.created_at DESC, k.id DESC
         LIMIT {MAX_ACTING_KEYS}"
    );
    on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(account_pk)
        .bind(with_sub_accounts)
        .fetch_all(pool)
        .await)
}

/// Revokes key `id` if it acts as a user of `account_pk` (or, with `with_sub_accounts`, of one
/// of its sub-accounts), and with it every key minted through it.
pub async fn revoke_acting_in(
    db: &Db,
    event: &Event,
    account_pk: i64,
    with_sub_accounts: bool,
    id: i64,
) -> Result<bool, sqlx::Error> {
    let sql = format!(
        "DELETE FROM ovh_consumer_keys WHERE id = $3 AND user_id IN (
            SELECT u.id FROM users u JOIN accounts ac ON ac.id = u.account_id WHERE {ACTING_IN})"
    );
    let n = execute_audited!(db, event, &sql, account_pk, with_sub_accounts, id)?;
    Ok(n == 1)
}

/// Notes that the key was used, at most once a minute.
pub async fn touch(db: &Db, id: i64) -> Result<(), sqlx::Error> {
    let at = now();
    execute!(
        db,
        "UPDATE ovh_consumer_keys SET last_used_at = $2
         WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $3)",
        id,
        at,
        at - 60
    )?;
    Ok(())
}

/// The ids of the account's sub-accounts, in creation order.
pub async fn sub_account_ids(db: &Db, parent_pk: i64) -> Result<Vec<i64>, sqlx::Error> {
    on_db!(db, |pool| sqlx::query_scalar(
        "SELECT id FROM accounts WHERE parent_id = $1 ORDER BY id"
    )
    .bind(parent_pk)
    .fetch_all(pool)
    .await)
}

/// The logins of the account's delegated users (never the holder).
pub async fn logins(db: &Db, account_pk: i64) -> Result<Vec<String>, sqlx::Error> {
    on_db!(db, |pool| sqlx::query_scalar(
        "SELECT login FROM users WHERE account_id = $1 AND NOT is_holder AND login IS NOT NULL
         ORDER BY login_key"
    )
    .bind(account_pk)
    .fetch_all(pool)
    .await)
}
