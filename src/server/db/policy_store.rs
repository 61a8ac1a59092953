//! Who may sign in when: each user's validity window, and the account's policies for inactive
//! users and temporary passwords.

use crate::domain::event::Event;
use crate::on_db;
use crate::server::db::Db;

/// Sets `user_id`'s validity window (Unix seconds; `None`: no bound). `false` when the user is
/// not a delegated user of `account_pk`.
pub async fn set_validity(
    db: &Db,
    event: &Event,
    account_pk: i64,
    user_id: i64,
    from: Option<i64>,
    until: Option<i64>,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE users SET valid_from = $3, valid_until = $4, updated_at = $5
                       WHERE id = $2 AND account_id = $1 AND NOT is_holder";
    let at = crate::server::db::now();
    let done = crate::execute_audited!(db, event, SQL, account_pk, user_id, from, until, at)?;
    Ok(done == 1)
}

/// The account's policies, in days (`None`: off).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct Policies {
    pub inactive_days: Option<i32>,
    pub temp_password_days: Option<i32>,
}

pub async fn policies(db: &Db, account_pk: i64) -> Result<Policies, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_as("SELECT inactive_days, temp_password_days FROM accounts WHERE id = $1")
            .bind(account_pk)
            .fetch_optional(pool)
            .await
            .map(Option::unwrap_or_default)
    })
}

pub async fn set_policies(
    db: &Db,
    event: &Event,
    account_pk: i64,
    policies: Policies,
) -> Result<(), sqlx::Error> {
    const SQL: &str =
        "UPDATE accounts SET inactive_days = $2, temp_password_days = $3 WHERE id = $1";
    crate::execute_audited!(
        db,
        event,
        SQL,
        account_pk,
        policies.inactive_days,
        policies.temp_password_days
    )?;
    Ok(())
}

/// A delegated user the inactivity policy holds back.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Inactive {
    pub user_id: i64,
    pub account_pk: i64,
    pub root_pk: i64,
    pub login: String,
    /// Activity since this time (Unix seconds) keeps the user.
    pub active_since: i64,
}

/// Up to `limit` enabled delegated users of accounts with an inactivity policy who have not
/// logged in (nor been added or enabled) for that many days at `now`. Invited users wait for
/// their invitation instead.
pub async fn inactive(db: &Db, now: i64, limit: i64) -> Result<Vec<Inactive>, sqlx::Error> {
    const SQL: &str = "SELECT u.id AS user_id, a.id AS account_pk,
                              COALESCE(a.parent_id, a.id) AS root_pk, u.login,
                              $1 - a.inactive_days * 86400 AS active_since
                       FROM users u JOIN accounts a ON a.id = u.account_id
                       WHERE NOT u.is_holder AND NOT u.disabled AND u.invited_at IS NULL
                         AND a.inactive_days IS NOT NULL
                         AND u.created_at <= $1 - a.inactive_days * 86400
                         AND COALESCE(u.last_login_at, 0) <= $1 - a.inactive_days * 86400
                         AND COALESCE(u.enabled_at, 0) <= $1 - a.inactive_days * 86400
                       ORDER BY u.id LIMIT $2";
    on_db!(db, |pool| {
        sqlx::query_as(SQL)
            .bind(now)
            .bind(limit)
            .fetch_all(pool)
            .await
    })
}

/// Disables `user`, with `event`, if they are still enabled and still inactive: a user who
/// signed in or was enabled since the sweep read them stays, and of two sweeps at once (two
/// servers) one does it. Whether it happened.
pub async fn disable_inactive(
    db: &Db,
    event: &Event,
    user: &Inactive,
    now: i64,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE users SET disabled = TRUE, updated_at = $2, security_stamp = $3
                       WHERE id = $1 AND NOT disabled
                         AND COALESCE(last_login_at, 0) <= $4 AND COALESCE(enabled_at, 0) <= $4";
    let stamp = crate::server::infra::secrets::security_stamp();
    let done =
        crate::execute_audited!(db, event, SQL, user.user_id, now, &stamp, user.active_since)?;
    Ok(done == 1)
}
