//! One-time reveals: sealed payloads waiting to be shown once, then deleted.

use crate::domain::event::Event;
use crate::on_db;
use crate::server::db::Db;
use crate::server::db::now;

pub async fn insert(
    db: &Db,
    id: &str,
    user_id: i64,
    sealed: &[u8],
    ttl_seconds: i64,
) -> Result<(), sqlx::Error> {
    let at = now();
    on_db!(db, |pool| {
        // Unread reveals expire; clearing them here keeps the table small without a timer.
        sqlx::query("DELETE FROM reveals WHERE expires_at < $1")
            .bind(at)
            .execute(pool)
            .await?;
        sqlx::query("INSERT INTO reveals (id, user_id, sealed, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(user_id)
            .bind(sealed)
            .bind(at + ttl_seconds)
            .execute(pool)
            .await
            .map(|_| ())
    })
}

/// Deletes and returns the sealed payload, if it exists, belongs to `user_id` and has not
/// expired. One statement, so two concurrent reads cannot both get it.
pub async fn take(
    db: &Db,
    event: &Event,
    id: &str,
    user_id: i64,
) -> Result<Option<Vec<u8>>, sqlx::Error> {
    const SQL: &str =
        "DELETE FROM reveals WHERE id = $1 AND user_id = $2 AND expires_at >= $3 RETURNING sealed";
    crate::audited_tx!(db, event, |conn| {
        sqlx::query_scalar(SQL)
            .bind(id)
            .bind(user_id)
            .bind(now())
            .fetch_optional(&mut *conn)
            .await
    })
}
