//! Tencent Cloud CAM access keys. The SecretKey signs requests (TC3-HMAC-SHA256), so the
//! server needs it in clear to check them: it is kept sealed with the server key.

use crate::domain::event::Event;
use crate::server::db::Db;
use crate::server::db::now;
use crate::{audited_tx, execute, execute_audited, on_db};

pub struct NewKey<'a> {
    pub user_id: i64,
    pub secret_id: &'a str,
    pub secret_key_sealed: &'a [u8],
    /// The user's security stamp now: the key stops working when it changes.
    pub user_stamp: &'a str,
    pub description: &'a str,
    /// The most keys the user may hold, this one included.
    pub max_keys: i64,
}

/// Inserts the key and returns its id, or `None` when the user holds `max_keys` already
/// (counted after taking the user's row, so parallel requests cannot both slip under it).
pub async fn insert(db: &Db, event: &Event, new: &NewKey<'_>) -> Result<Option<i64>, sqlx::Error> {
    const SQL: &str = "INSERT INTO tencent_access_keys
                           (user_id, secret_id, secret_key_sealed, user_stamp, created_at, description)
                       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
    audited_tx!(db, event, |conn| async {
        sqlx::query("UPDATE users SET id = id WHERE id = $1")
            .bind(new.user_id)
            .execute(&mut *conn)
            .await?;
        let held: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM tencent_access_keys WHERE user_id = $1")
                .bind(new.user_id)
                .fetch_one(&mut *conn)
                .await?;
        if held >= new.max_keys {
            return Ok(None);
        }
        let id: i64 = sqlx::query_scalar(SQL)
            .bind(new.user_id)
            .bind(new.secret_id)
            .bind(new.secret_key_sealed)
            .bind(new.user_stamp)
            .bind(now())
            .bind(new.description)
            .fetch_one(&mut *conn)
            .await?;
        Ok::<Option<i64>, sqlx::Error>(Some(id))
    }
    .await)
}

/// Makes one of the user's keys active or inactive; false when they have no such key.
pub async fn set_active(
    db: &Db,
    event: &Event,
    user_id: i64,
    id: i64,
    active: bool,
) -> Result<bool, sqlx::Error> {
    let n = execute_audited!(
        db,
        event,
        "UPDATE tencent_access_keys SET active = $3 WHERE user_id = $1 AND id = $2",
        user_id,
        id,
        active
    )?;
    Ok(n == 1)
}

/// A key as its owner's list shows it: never the SecretKey.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KeyRow {
    pub id: i64,
    pub secret_id: String,
    pub created_at: i64,
    /// Inactive keys sign nothing.
    pub active: bool,
    pub description: String,
    pub last_used_at: Option<i64>,
}

/// The user's keys, newest first.
pub async fn list_for_user(db: &Db, user_id: i64) -> Result<Vec<KeyRow>, sqlx::Error> {
    on_db!(db, |pool| sqlx::query_as(
        "SELECT id, secret_id, created_at, active, description, last_used_at
         FROM tencent_access_keys WHERE user_id = $1 ORDER BY created_at DESC, id DESC"
    )
    .bind(user_id)
    .fetch_all(pool)
    .await)
}

/// How many keys the user has.
pub async fn count_for_user(db: &Db, user_id: i64) -> Result<i64, sqlx::Error> {
    on_db!(db, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM tencent_access_keys WHERE user_id = $1"
    )
    .bind(user_id)
    .fetch_one(pool)
    .await)
}

/// Deletes one of the user's keys; false when they have no such key.
pub async fn delete(db: &Db, event: &Event, user_id: i64, id: i64) -> Result<bool, sqlx::Error> {
    let n = execute_audited!(
        db,
        event,
        "DELETE FROM tencent_access_keys WHERE user_id = $1 AND id = $2",
        user_id,
        id
    )?;
    Ok(n == 1)
}

/// What checking a signature needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KeyCheck {
    pub id: i64,
    pub user_id: i64,
    pub secret_key_sealed: Vec<u8>,
    pub user_stamp: String,
}

pub async fn find_for_check(db: &Db, secret_id: &str) -> Result<Option<KeyCheck>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_as(
            "SELECT id, user_id, secret_key_sealed, user_stamp FROM tencent_access_keys
         WHERE secret_id = $1 AND active",
        )
        .bind(secret_id)
        .fetch_optional(pool)
        .await
    })
}

/// Notes that the key was used, at most once a minute.
pub async fn touch(db: &Db, id: i64) -> Result<(), sqlx::Error> {
    let at = now();
    execute!(
        db,
        "UPDATE tencent_access_keys SET last_used_at = $2
         WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $3)",
        id,
        at,
        at - 60
    )?;
    Ok(())
}

/// The login of the delegated user `user_id` of this account (CAM names users by number);
/// `None` for the holder, another account's user, or nobody.
pub async fn login_of(
    db: &Db,
    account_pk: i64,
    user_id: i64,
) -> Result<Option<String>, sqlx::Error> {
    on_db!(db, |pool| sqlx::query_scalar(
        "SELECT login FROM users WHERE id = $1 AND account_id = $2 AND NOT is_holder"
    )
    .bind(user_id)
    .bind(account_pk)
    .fetch_optional(pool)
    .await)
}
