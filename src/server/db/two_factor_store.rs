//! Two-factor authentication state: the authenticator apps' sealed seeds, the pending seed, the
//! last accepted step, recovery codes.

use crate::domain::event::Event;
use crate::server::db::Db;
use crate::server::db::now;
use crate::{audited_tx, execute, execute_audited, on_db};

/// Inside a transaction: deletes a user's recovery codes and inserts `$hashes` instead.
macro_rules! replace_codes {
    ($conn:ident, $user_id:expr, $hashes:expr) => {{
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind($user_id)
            .execute(&mut *$conn)
            .await?;
        for hash in $hashes {
            sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                .bind($user_id)
                .bind(hash)
                .execute(&mut *$conn)
                .await?;
        }
        Ok::<(), sqlx::Error>(())
    }};
}

#[derive(Debug, sqlx::FromRow)]
pub struct TwoFactorRow {
    pub totp_enabled: bool,
    pub totp_pending_sealed: Option<Vec<u8>>,
    pub totp_last_step: Option<i64>,
    pub recovery_codes_left: i64,
}

pub async fn find(db: &Db, user_id: i64) -> Result<Option<TwoFactorRow>, sqlx::Error> {
    const SQL: &str = "SELECT totp_enabled, totp_pending_sealed, totp_last_step,
                              (SELECT COUNT(*) FROM recovery_codes r WHERE r.user_id = u.id AND r.used_at IS NULL)
                                  AS recovery_codes_left
                       FROM users u WHERE id = $1";
    on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(user_id)
        .fetch_optional(pool)
        .await)
}

pub async fn set_pending(db: &Db, user_id: i64, sealed: &[u8]) -> Result<(), sqlx::Error> {
    execute!(
        db,
        "UPDATE users SET totp_pending_sealed = $2 WHERE id = $1",
        user_id,
        sealed
    )
    .map(|_| ())
}

/// One of a user's authenticator apps.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuthenticatorRow {
    pub id: i64,
    /// Empty: the default name, in the reader's language.
    pub name: String,
    pub sealed: Vec<u8>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// The user's authenticator apps, oldest first.
pub async fn authenticators(db: &Db, user_id: i64) -> Result<Vec<AuthenticatorRow>, sqlx::Error> {
    on_db!(db, |pool| sqlx::query_as(
        "SELECT id, name, sealed, created_at, last_used_at FROM totp_authenticators
         WHERE user_id = $1 ORDER BY id"
    )
    .bind(user_id)
    .fetch_all(pool)
    .await)
}

/// A seed confirmed with a code at `step`, sealed, and the name the user gave its app.
pub struct NewAuthenticator<'a> {
    pub sealed: &'a [u8],
    pub name: &'a str,
    pub step: i64,
}

/// Inside a transaction: the user's pending seed becomes authenticator `$new`, its step used.
macro_rules! insert_authenticator {
    ($conn:ident, $user_id:expr, $new:expr) => {{
        let at = now();
        sqlx::query(
            "UPDATE users SET totp_pending_sealed = NULL, totp_enabled = TRUE, updated_at = $3,
                              totp_last_step = CASE WHEN totp_last_step IS NULL OR totp_last_step < $2
                                                    THEN $2 ELSE totp_last_step END
             WHERE id = $1",
        )
        .bind($user_id)
        .bind($new.step)
        .bind(at)
        .execute(&mut *$conn)
        .await?;
        sqlx::query(
            "INSERT INTO totp_authenticators (user_id, name, sealed, created_at, last_used_at)
             VALUES ($1, $2, $3, $4, $4)",
        )
        .bind($user_id)
        .bind($new.name)
        .bind($new.sealed)
        .bind(at)
        .execute(&mut *$conn)
        .await?;
        Ok::<(), sqlx::Error>(())
    }};
}

/// Turns two-factor authentication on with its first authenticator, forgets the pending seed,
/// and stores fresh recovery codes.
pub async fn enable(
    db: &Db,
    event: &Event,
    user_id: i64,
    first: &NewAuthenticator<'_>,
    code_hashes: &[String],
) -> Result<(), sqlx::Error> {
    audited_tx!(db, event, |conn| {
        insert_authenticator!(conn, user_id, first)?;
        replace_codes!(conn, user_id, code_hashes)
    })
}

/// Adds another authenticator to a user who has two-factor authentication on.
pub async fn add_authenticator(
    db: &Db,
    event: &Event,
    user_id: i64,
    new: &NewAuthenticator<'_>,
) -> Result<(), sqlx::Error> {
    audited_tx!(db, event, |conn| insert_authenticator!(conn, user_id, new))
}

/// Removes authenticator `id` of the user unless it is their last one (turning two-factor
/// authentication off is its own action); whether it was removed.
pub async fn remove_authenticator(
    db: &Db,
    event: &Event,
    user_id: i64,
    id: i64,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "DELETE FROM totp_authenticators WHERE id = $2 AND user_id = $1
                         AND (SELECT COUNT(*) FROM totp_authenticators o WHERE o.user_id = $1) > 1";
    Ok(execute_audited!(db, event, SQL, user_id, id)? == 1)
}

/// Notes that authenticator `id` made an accepted code.
pub async fn touch_authenticator(db: &Db, id: i64) -> Result<(), sqlx::Error> {
    execute!(
        db,
        "UPDATE totp_authenticators SET last_used_at = $2 WHERE id = $1",
        id,
        now()
    )
    .map(|_| ())
}

/// Turns two-factor authentication off and forgets the apps, the security keys and the
/// recovery codes; with
/// `end_sessions`, every session of the user ends too.
pub async fn disable(
    db: &Db,
    event: &Event,
    user_id: i64,
    end_sessions: bool,
) -> Result<(), sqlx::Error> {
    let stamp = crate::server::infra::secrets::security_stamp();
    audited_tx!(db, event, |conn| {
        sqlx::query(
            "UPDATE users SET totp_enabled = FALSE, totp_pending_sealed = NULL,
                              totp_last_step = NULL, updated_at = $2,
                              security_stamp = CASE WHEN $3 THEN $4 ELSE security_stamp END
             WHERE id = $1",
        )
        .bind(user_id)
        .bind(now())
        .bind(end_sessions)
        .bind(&stamp)
        .execute(&mut *conn)
        .await?;
        sqlx::query("DELETE FROM totp_authenticators WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
        sqlx::query("DELETE FROM webauthn_credentials WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
        replace_codes!(conn, user_id, &[] as &[String])
    })
}

pub async fn replace_recovery_codes(
    db: &Db,
    event: &Event,
    user_id: i64,
    code_hashes: &[String],
) -> Result<(), sqlx::Error> {
    audited_tx!(db, event, |conn| replace_codes!(conn, user_id, code_hashes))
}

/// Records `step` as used if it is later than the last one: one statement, so of two
/// concurrent submissions of the same code exactly one succeeds.
pub async fn claim_step(db: &Db, user_id: i64, step: i64) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE users SET totp_last_step = $2
                       WHERE id = $1 AND totp_enabled AND (totp_last_step IS NULL OR totp_last_step < $2)";
    Ok(execute!(db, SQL, user_id, step)? == 1)
}

/// Uses a recovery code up, if it exists and is unused.
pub async fn use_recovery_code(
    db: &Db,
    event: &Event,
    user_id: i64,
    code_hash: &str,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE recovery_codes SET used_at = $3
                       WHERE id = (SELECT id FROM recovery_codes
                                   WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL LIMIT 1)
                         AND used_at IS NULL";
    Ok(execute_audited!(db, event, SQL, user_id, code_hash, now())? == 1)
}

/// Who in an account must use two-factor authentication, and of what kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub administrators: bool,
    pub everyone: bool,
    /// Administrators must sign in with a security key or passkey (phishing-resistant).
    pub keys_for_administrators: bool,
}

/// The account's policy.
pub async fn policy(db: &Db, account_pk: i64) -> Result<Policy, sqlx::Error> {
    const SQL: &str = "SELECT require_2fa_admins, require_2fa_all, require_key_admins FROM accounts WHERE id = $1";
    let (administrators, everyone, keys_for_administrators): (bool, bool, bool) =
        on_db!(db, |pool| sqlx::query_as(SQL)
            .bind(account_pk)
            .fetch_one(pool)
            .await)?;
    Ok(Policy {
        administrators,
        everyone,
        keys_for_administrators,
    })
}

pub async fn set_policy(
    db: &Db,
    event: &Event,
    account_pk: i64,
    policy: Policy,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "UPDATE accounts SET require_2fa_admins = $2, require_2fa_all = $3,
                                           require_key_admins = $4
                       WHERE id = $1";
    execute_audited!(
        db,
        event,
        SQL,
        account_pk,
        policy.administrators,
        policy.everyone,
        policy.keys_for_administrators
    )
    .map(|_| ())
}
