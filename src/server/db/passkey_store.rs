//! Security keys and passkeys: each user's WebAuthn credentials and the random handle their
//! authenticators know them by.

use crate::domain::event::Event;
use crate::server::db::Db;
use crate::server::db::now;
use crate::{audited_tx, execute, execute_audited, on_db};

/// One of a user's security keys or passkeys.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PasskeyRow {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    /// webauthn-rs's `Passkey`, as JSON.
    pub credential: String,
    /// Registered as discoverable: it can sign in without a password.
    pub discoverable: bool,
    pub sign_count: i64,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

const COLUMNS: &str =
    "id, user_id, name, credential, discoverable, sign_count, created_at, last_used_at";

/// The user's keys, oldest first.
pub async fn list(db: &Db, user_id: i64) -> Result<Vec<PasskeyRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM webauthn_credentials WHERE user_id = $1 ORDER BY id");
    on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(user_id)
        .fetch_all(pool)
        .await)
}

/// The key with this credential id, whoever it belongs to.
pub async fn by_credential_id(
    db: &Db,
    credential_id: &[u8],
) -> Result<Option<PasskeyRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM webauthn_credentials WHERE credential_id = $1");
    on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(credential_id)
        .fetch_optional(pool)
        .await)
}

/// The user's handle, if they ever registered a key.
pub async fn handle(db: &Db, user_id: i64) -> Result<Option<Vec<u8>>, sqlx::Error> {
    const SQL: &str = "SELECT webauthn_handle FROM users WHERE id = $1";
    let row: Option<(Option<Vec<u8>>,)> = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(user_id)
        .fetch_optional(pool)
        .await)?;
    Ok(row.and_then(|(handle,)| handle))
}

/// Gives the user `handle` unless they have one already; the handle they end up with.
pub async fn ensure_handle(db: &Db, user_id: i64, handle: &[u8]) -> Result<Vec<u8>, sqlx::Error> {
    execute!(
        db,
        "UPDATE users SET webauthn_handle = $2 WHERE id = $1 AND webauthn_handle IS NULL",
        user_id,
        handle
    )?;
    Ok(self::handle(db, user_id).await?.unwrap_or_default())
}

/// The user whose authenticators know them by `handle`.
pub async fn user_of_handle(db: &Db, handle: &[u8]) -> Result<Option<i64>, sqlx::Error> {
    const SQL: &str = "SELECT id FROM users WHERE webauthn_handle = $1";
    let row: Option<(i64,)> = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(handle)
        .fetch_optional(pool)
        .await)?;
    Ok(row.map(|(id,)| id))
}

/// A key that has just been registered.
pub struct NewPasskey<'a> {
    pub credential_id: &'a [u8],
    pub name: &'a str,
    pub credential: &'a str,
    pub discoverable: bool,
    pub sign_count: i64,
}

/// Stores a new key; with `recovery_codes`, the user had no second factor and this turns
/// two-factor authentication on, with fresh recovery codes. `false` if the credential id is
/// registered already (to anyone).
pub async fn add(
    db: &Db,
    event: &Event,
    user_id: i64,
    new: &NewPasskey<'_>,
    recovery_codes: Option<&[String]>,
) -> Result<bool, sqlx::Error> {
    let at = now();
    audited_tx!(db, event, |conn| async {
        let taken: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM webauthn_credentials WHERE credential_id = $1")
                .bind(new.credential_id)
                .fetch_optional(&mut *conn)
                .await?;
        if taken.is_some() {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO webauthn_credentials
                 (user_id, credential_id, name, credential, discoverable, sign_count, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(user_id)
        .bind(new.credential_id)
        .bind(new.name)
        .bind(new.credential)
        .bind(new.discoverable)
        .bind(new.sign_count)
        .bind(at)
        .execute(&mut *conn)
        .await?;
        if let Some(hashes) = recovery_codes {
            sqlx::query("UPDATE users SET totp_enabled = TRUE, updated_at = $2 WHERE id = $1")
                .bind(user_id)
                .bind(at)
                .execute(&mut *conn)
                .await?;
            sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *conn)
                .await?;
            for hash in hashes {
                sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                    .bind(user_id)
                    .bind(hash)
                    .execute(&mut *conn)
                    .await?;
            }
        }
        Ok::<bool, sqlx::Error>(true)
    }
    .await)
}

/// Stores the key as it stands after an accepted assertion, only if its counter moved on (or
/// the authenticator keeps none, as synced passkeys): of two requests carrying the same
/// assertion, one wins. Whether it was stored.
pub async fn record_use(
    db: &Db,
    id: i64,
    credential: &str,
    sign_count: i64,
) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE webauthn_credentials
                       SET credential = $2, sign_count = $3, last_used_at = $4
                       WHERE id = $1 AND (sign_count < $3 OR $3 = 0)";
    Ok(execute!(db, SQL, id, credential, sign_count, now())? == 1)
}

/// Removes key `id` of the user; whether it was there.
pub async fn remove(db: &Db, event: &Event, user_id: i64, id: i64) -> Result<bool, sqlx::Error> {
    const SQL: &str = "DELETE FROM webauthn_credentials WHERE id = $2 AND user_id = $1";
    Ok(execute_audited!(db, event, SQL, user_id, id)? == 1)
}

/// Whether the account requires its Administrators to sign in with a key.
pub async fn required_of_admins(db: &Db, account_pk: i64) -> Result<bool, sqlx::Error> {
    const SQL: &str = "SELECT require_key_admins FROM accounts WHERE id = $1";
    let (required,): (bool,) = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(account_pk)
        .fetch_one(pool)
        .await)?;
    Ok(required)
}
