//! The visible record of each login: what the Security page lists and ends.

use crate::domain::event::Event;
use crate::server::db::Db;
use crate::server::db::now;
use crate::{execute, execute_audited, on_db};

pub struct NewSession<'a> {
    pub id: &'a str,
    pub user_id: i64,
    pub stamp: &'a str,
    pub user_agent: &'a str,
    pub ip: &'a str,
}

pub async fn insert(db: &Db, new: &NewSession<'_>) -> Result<(), sqlx::Error> {
    const SQL: &str =
        "INSERT INTO user_sessions (id, user_id, stamp, user_agent, ip, started_at, last_seen_at)
                       VALUES ($1, $2, $3, $4, $5, $6, $6)";
    execute!(
        db,
        SQL,
        new.id,
        new.user_id,
        new.stamp,
        new.user_agent,
        new.ip,
        now()
    )
    .map(|_| ())
}

/// When the session was last seen, or `None` when it has been ended.
pub async fn last_seen(db: &Db, id: &str, user_id: i64) -> Result<Option<i64>, sqlx::Error> {
    const SQL: &str = "SELECT last_seen_at FROM user_sessions WHERE id = $1 AND user_id = $2";
    on_db!(db, |pool| sqlx::query_scalar(SQL)
        .bind(id)
        .bind(user_id)
        .fetch_optional(pool)
        .await)
}

pub async fn touch(db: &Db, id: &str) -> Result<(), sqlx::Error> {
    execute!(
        db,
        "UPDATE user_sessions SET last_seen_at = $2 WHERE id = $1",
        id,
        now()
    )
    .map(|_| ())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub id: String,
    pub user_agent: String,
    pub ip: String,
    pub started_at: i64,
    pub last_seen_at: i64,
}

/// The user's live sessions: seen since `since` and started under their current stamp (those
/// from before a password or privilege change are over), most recent first.
pub async fn list(db: &Db, user_id: i64, since: i64) -> Result<Vec<SessionRow>, sqlx::Error> {
    const SQL: &str = "SELECT s.id, s.user_agent, s.ip, s.started_at, s.last_seen_at
                       FROM user_sessions s JOIN users u ON u.id = s.user_id AND u.security_stamp = s.stamp
                       WHERE s.user_id = $1 AND s.last_seen_at >= $2
                       ORDER BY s.last_seen_at DESC, s.id";
    on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(user_id)
        .bind(since)
        .fetch_all(pool)
        .await)
}

/// Ends one of the user's sessions; false when it is not theirs or already gone.
pub async fn delete(db: &Db, event: &Event, id: &str, user_id: i64) -> Result<bool, sqlx::Error> {
    Ok(execute_audited!(
        db,
        event,
        "DELETE FROM user_sessions WHERE id = $1 AND user_id = $2",
        id,
        user_id
    )? == 1)
}

/// Forgets session `id` of `user_id` without an event of its own (whoever ends it has recorded
/// why).
pub async fn forget(db: &Db, id: &str, user_id: i64) -> Result<(), sqlx::Error> {
    execute!(
        db,
        "DELETE FROM user_sessions WHERE id = $1 AND user_id = $2",
        id,
        user_id
    )
    .map(|_| ())
}

/// Ends every session of the user but `keep` (none when `keep` is `None`).
pub async fn delete_all_but(
    db: &Db,
    event: &Event,
    user_id: i64,
    keep: Option<&str>,
) -> Result<(), sqlx::Error> {
    const SQL: &str =
        "DELETE FROM user_sessions WHERE user_id = $1 AND id <> COALESCE(CAST($2 AS TEXT), '')";
    crate::audited_tx!(db, event, |conn| sqlx::query(SQL)
        .bind(user_id)
        .bind(keep)
        .execute(&mut *conn)
        .await
        .map(|_| ()))
}

/// Forgets records unseen since `before` (their sessions have timed out).
pub async fn prune(db: &Db, before: i64) -> Result<(), sqlx::Error> {
    execute!(
        db,
        "DELETE FROM user_sessions WHERE last_seen_at < $1",
        before
    )
    .map(|_| ())
}

/// How many logins are live across all users: seen since `seen_since`, started since
/// `started_since`, and under their user's current stamp.
pub async fn count_live(db: &Db, seen_since: i64, started_since: i64) -> Result<i64, sqlx::Error> {
    const SQL: &str = "SELECT COUNT(*)
                       FROM user_sessions s JOIN users u ON u.id = s.user_id AND u.security_stamp = s.stamp
                       WHERE s.last_seen_at >= $1 AND s.started_at >= $2";
    on_db!(db, |pool| sqlx::query_scalar(SQL)
        .bind(seen_since)
        .bind(started_since)
        .fetch_one(pool)
        .await)
}
