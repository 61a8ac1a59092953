//! Counting failed logins per user, atomically: concurrent failures are all counted.

use super::{Db, now};
use crate::{execute, on_db};

/// Adds one failure and returns how many there now are in a row. One upsert statement, so
/// fifty wrong passwords sent at once count fifty.
pub async fn record_failure(db: &Db, user_id: i64) -> Result<i64, sqlx::Error> {
    const SQL: &str =
        "INSERT INTO login_failures (user_id, failures, last_failure_at) VALUES ($1, 1, $2)
                       ON CONFLICT (user_id) DO UPDATE
                       SET failures = login_failures.failures + 1, last_failure_at = $2
                       RETURNING failures";
    let at = now();
    on_db!(db, |pool| sqlx::query_scalar(SQL)
        .bind(user_id)
        .bind(at)
        .fetch_one(pool)
        .await)
}

/// A successful login starts the count again.
pub async fn clear(db: &Db, user_id: i64) -> Result<(), sqlx::Error> {
    execute!(db, "DELETE FROM login_failures WHERE user_id = $1", user_id).map(|_| ())
}

/// Failures in a row and the time of the last one (zeros when there are none).
pub async fn get(db: &Db, user_id: i64) -> Result<(i64, i64), sqlx::Error> {
    const SQL: &str = "SELECT failures, last_failure_at FROM login_failures WHERE user_id = $1";
    let row: Option<(i64, i64)> = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(user_id)
        .fetch_optional(pool)
        .await)?;
    Ok(row.unwrap_or((0, 0)))
}
