//! The interface language a user chose.

use crate::server::db::Db;
use crate::{execute, on_db};

/// The language code saved for `user_id`, if they ever chose one.
pub async fn get(db: &Db, user_id: i64) -> Result<Option<String>, sqlx::Error> {
    const SQL: &str = "SELECT language FROM users WHERE id = $1";
    let found: Option<(Option<String>,)> = on_db!(db, |pool| {
        sqlx::query_as(SQL).bind(user_id).fetch_optional(pool).await
    })?;
    Ok(found.and_then(|(language,)| language))
}

pub async fn set(db: &Db, user_id: i64, code: &str) -> Result<(), sqlx::Error> {
    execute!(
        db,
        "UPDATE users SET language = $1 WHERE id = $2",
        code,
        user_id
    )?;
    Ok(())
}
