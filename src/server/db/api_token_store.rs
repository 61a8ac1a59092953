//! Personal API tokens. Only a hash of each secret is kept.

use crate::domain::Role;
use crate::domain::event::Event;
use crate::server::db::Db;
use crate::server::db::now;
use crate::{audited_tx, execute, execute_audited, on_db};

pub struct NewToken<'a> {
    pub user_id: i64,
    pub name: &'a str,
    pub description: &'a str,
    pub role: &'a str,
    pub secret_hash: &'a str,
    pub user_stamp: &'a str,
    pub expires_at: Option<i64>,
    /// The ranges the token works from (a stored `IpPolicy`); `None`: anywhere the account's
    /// rules allow.
    pub allowed_ips: Option<&'a str>,
}

/// Inserts the token and returns its id (the part before `_`).
pub async fn insert(db: &Db, event: &Event, new: &NewToken<'_>) -> Result<i64, sqlx::Error> {
    const SQL: &str =
        "INSERT INTO api_tokens (user_id, name, description, role, secret_hash, user_stamp,
                                               expires_at, created_at, allowed_ips)
                       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
    audited_tx!(db, event, |conn| sqlx::query_scalar(SQL)
        .bind(new.user_id)
        .bind(new.name)
        .bind(new.description)
        .bind(new.role)
        .bind(new.secret_hash)
        .bind(new.user_stamp)
        .bind(new.expires_at)
        .bind(now())
        .bind(new.allowed_ips)
        .fetch_one(&mut *conn)
        .await)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub description: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub expires_at: Option<i64>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub allowed_ips: Option<String>,
}

/// The user's tokens, newest first.
pub async fn list_for_user(db: &Db, user_id: i64) -> Result<Vec<TokenRow>, sqlx::Error> {
    on_db!(db, |pool| sqlx::query_as(
        "SELECT id, name, description, role, expires_at, created_at, last_used_at, allowed_ips
         FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id DESC"
    )
    .bind(user_id)
    .fetch_all(pool)
    .await)
}

/// Revokes one of the user's tokens; false when they have no such token.
pub async fn delete(db: &Db, event: &Event, user_id: i64, id: i64) -> Result<bool, sqlx::Error> {
    let n = execute_audited!(
        db,
        event,
        "DELETE FROM api_tokens WHERE user_id = $1 AND id = $2",
        user_id,
        id
    )?;
    Ok(n == 1)
}

/// What checking a presented token needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenCheck {
    pub user_id: i64,
    pub secret_hash: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub user_stamp: String,
    pub expires_at: Option<i64>,
    pub allowed_ips: Option<String>,
}

pub async fn find_for_check(db: &Db, id: i64) -> Result<Option<TokenCheck>, sqlx::Error> {
    on_db!(db, |pool| sqlx::query_as(
        "SELECT user_id, secret_hash, role, user_stamp, expires_at, allowed_ips
         FROM api_tokens WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(pool)
    .await)
}

/// Notes that the token was used, at most once a minute (a write per request would cost more
/// than the answer is worth).
pub async fn touch(db: &Db, id: i64) -> Result<(), sqlx::Error> {
    let at = now();
    execute!(
        db,
        "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $3)",
        id,
        at,
        at - 60
    )?;
    Ok(())
}

/// A token with its user, as an account-wide list shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountTokenRow {
    pub id: i64,
    pub user_id: i64,
    pub login: Option<String>,
    pub email: String,
    pub name: String,
    pub description: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub expires_at: Option<i64>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub allowed_ips: Option<String>,
}

const SELECT_ACCOUNT_TOKENS: &str =
    "SELECT t.id, t.user_id, u.login, u.email, t.name, t.description, t.role, t.expires_at,
            t.created_at, t.last_used_at, t.allowed_ips
     FROM api_tokens t JOIN users u ON u.id = t.user_id";

/// The tokens of the account's users (all of them, or only `user_id`'s), newest first.
pub async fn list_for_account(
    db: &Db,
    account_pk: i64,
    user_id: Option<i64>,
) -> Result<Vec<AccountTokenRow>, sqlx::Error> {
    let sql = format!(
        "{SELECT_ACCOUNT_TOKENS} WHERE u.account_id = $1 AND (CAST($2 AS BIGINT) IS NULL OR t.user_id = $2)
         ORDER BY t.created_at DESC, t.id DESC"
    );
    on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(account_pk)
        .bind(user_id)
        .fetch_all(pool)
        .await)
}

/// Token `id` of one of the account's users.
pub async fn find_in_account(
    db: &Db,
    account_pk: i64,
    id: i64,
) -> Result<Option<AccountTokenRow>, sqlx::Error> {
    let sql = format!("{SELECT_ACCOUNT_TOKENS} WHERE u.account_id = $1 AND t.id = $2");
    on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(account_pk)
        .bind(id)
        .fetch_optional(pool)
        .await)
}
