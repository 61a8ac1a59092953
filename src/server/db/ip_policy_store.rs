//! Each account's IP rules, kept as one stored policy beside the account (see
//! `domain::ip_rules`); the caller's and the login's queries read it with the account.

use crate::domain::event::Event;
use crate::server::db::Db;
use crate::{execute_audited, on_db};

/// The stored policy of `account_pk`; `None` when every address may come in.
pub async fn get(db: &Db, account_pk: i64) -> Result<Option<String>, sqlx::Error> {
    let row: Option<Option<String>> = on_db!(db, |pool| {
        sqlx::query_scalar("SELECT ip_policy FROM accounts WHERE id = $1")
            .bind(account_pk)
            .fetch_optional(pool)
            .await
    })?;
    Ok(row.flatten())
}

/// Replaces the policy of `account_pk` (`None`: open), with `event`.
pub async fn set(
    db: &Db,
    event: &Event,
    account_pk: i64,
    stored: Option<&str>,
) -> Result<(), sqlx::Error> {
    execute_audited!(
        db,
        event,
        "UPDATE accounts SET ip_policy = $2 WHERE id = $1",
        account_pk,
        stored
    )
    .map(|_| ())
}
