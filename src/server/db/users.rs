//! Users: the account holder and delegated users, who log in and hold sessions.

use super::{Db, now};
use crate::on_db;

/// What login needs to decide: the hash, and whether the user may log in at all.
#[derive(Debug, sqlx::FromRow)]
pub struct LoginCandidate {
    pub user_id: i64,
    pub password_hash: String,
    pub status: String,
    pub account_enabled: bool,
    pub security_stamp: String,
}

/// Finds the user who would log in as `account_code` (the holder) or `account_code/login`.
pub async fn find_login_candidate(
    db: &Db,
    account_code: &str,
    login_key: Option<&str>,
) -> Result<Option<LoginCandidate>, sqlx::Error> {
    const SQL: &str =
        "SELECT u.id AS user_id, u.password_hash, u.status, a.enabled AS account_enabled,
                              u.security_stamp
                       FROM users u JOIN accounts a ON a.id = u.account_id
                       WHERE a.code = $1
                         AND ((CAST($2 AS TEXT) IS NULL AND u.is_holder)
                              OR u.login_key = CAST($2 AS TEXT))";
    on_db!(db, |pool| {
        sqlx::query_as(SQL)
            .bind(account_code)
            .bind(login_key)
            .fetch_optional(pool)
            .await
    })
}

/// Everything the panel shows about the person behind a session.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CallerRow {
    pub user_id: i64,
    pub account_pk: i64,
    pub account_code: String,
    pub company: String,
    pub account_enabled: bool,
    pub account_created_at: i64,
    pub is_holder: bool,
    pub login: Option<String>,
    pub email: String,
    pub status: String,
    pub security_stamp: String,
}

pub async fn find_caller(db: &Db, user_id: i64) -> Result<Option<CallerRow>, sqlx::Error> {
    const SQL: &str =
        "SELECT u.id AS user_id, a.id AS account_pk, a.code AS account_code, a.company,
                              a.enabled AS account_enabled, a.created_at AS account_created_at,
                              u.is_holder, u.login, u.email, u.status, u.security_stamp
                       FROM users u JOIN accounts a ON a.id = u.account_id
                       WHERE u.id = $1";
    on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(user_id)
        .fetch_optional(pool)
        .await)
}

/// Notes a successful login, and stores a stronger hash when the parameters have risen.
pub async fn record_login(
    db: &Db,
    user_id: i64,
    new_hash: Option<&str>,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "UPDATE users SET last_login_at = $2,
                              password_hash = COALESCE(CAST($3 AS TEXT), password_hash)
                       WHERE id = $1";
    on_db!(db, |pool| {
        sqlx::query(SQL)
            .bind(user_id)
            .bind(now())
            .bind(new_hash)
            .execute(pool)
            .await
            .map(|_| ())
    })
}
