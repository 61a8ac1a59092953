//! Single-use links to choose a new password, kept as hashes of their tokens, and the users they
//! are for.

use crate::on_db;
use crate::server::db::Db;
use crate::server::db::now;

/// Who a recovery link is for, and where to send it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RecoveryTarget {
    pub user_id: i64,
    pub account_pk: i64,
    pub root_pk: i64,
    pub account_code: String,
    pub company: String,
    pub login: Option<String>,
    pub email: String,
    pub language: Option<String>,
    /// Neither the user nor their account (or its parent) is disabled.
    pub usable: bool,
}

impl RecoveryTarget {
    /// What the user logs in as: `ACCOUNT-ID/login`, or the account ID for the holder.
    pub fn login_id(&self) -> String {
        match &self.login {
            Some(login) => format!("{}/{login}", self.account_code),
            None => self.account_code.clone(),
        }
    }
}

const RECOVERY_TARGET: &str =
    "SELECT u.id AS user_id, a.id AS account_pk, COALESCE(a.parent_id, a.id) AS root_pk,
            a.code AS account_code, a.company, u.login, u.email, u.language,
            (NOT u.disabled AND a.enabled AND COALESCE(p.enabled, TRUE)) AS usable
     FROM users u
     JOIN accounts a ON a.id = u.account_id
     LEFT JOIN accounts p ON p.id = a.parent_id";

/// The user a login ID names (`account_code`, and `login_key` unless it is the holder).
pub async fn recovery_target(
    db: &Db,
    account_code: &str,
    login_key: Option<&str>,
) -> Result<Option<RecoveryTarget>, sqlx::Error> {
    let sql = format!(
        "{RECOVERY_TARGET} WHERE a.code = $1
                             AND ((CAST($2 AS TEXT) IS NULL AND u.is_holder)
                                  OR u.login_key = CAST($2 AS TEXT))"
    );
    on_db!(db, |pool| {
        sqlx::query_as(&sql)
            .bind(account_code)
            .bind(login_key)
            .fetch_optional(pool)
            .await
    })
}

/// [`recovery_target`] by the user's id.
pub async fn recovery_target_by_id(
    db: &Db,
    user_id: i64,
) -> Result<Option<RecoveryTarget>, sqlx::Error> {
    let sql = format!("{RECOVERY_TARGET} WHERE u.id = $1");
    on_db!(db, |pool| {
        sqlx::query_as(&sql)
            .bind(user_id)
            .fetch_optional(pool)
            .await
    })
}

/// Records a new link's token hash inside the caller's transaction, with the address it is
/// mailed to (`None` for a link handed over another way) and its purpose (`reset`,
/// `invitation`).
#[macro_export]
macro_rules! insert_password_reset_in_tx {
    ($conn:expr, $token_hash:expr, $user_id:expr, $expires_at:expr, $email:expr, $purpose:expr) => {
        sqlx::query(
            "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at, email, purpose)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind($token_hash)
        .bind($user_id)
        .bind($crate::server::db::now())
        .bind($expires_at)
        .bind($email)
        .bind($purpose)
        .execute(&mut *$conn)
        .await
        .map(|_| ())
    };
}

/// The user a link that is still usable belongs to, and whether it is an invitation.
pub async fn user_of(db: &Db, token_hash: &str) -> Result<Option<(i64, bool)>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_as(
            "SELECT user_id, (purpose = 'invitation') FROM password_resets
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now())
        .fetch_optional(pool)
        .await
    })
}

/// Uses the link up, with every other link of its user, inside the caller's transaction; yields
/// whether it was still usable (of two concurrent uses, one wins).
#[macro_export]
macro_rules! use_password_reset_in_tx {
    ($conn:expr, $token_hash:expr, $user_id:expr) => {
        async {
            let at = $crate::server::db::now();
            let used = sqlx::query(
                "UPDATE password_resets SET used_at = $3
                 WHERE token_hash = $1 AND user_id = $2 AND used_at IS NULL AND expires_at > $3",
            )
            .bind($token_hash)
            .bind($user_id)
            .bind(at)
            .execute(&mut *$conn)
            .await?
            .rows_affected();
            sqlx::query(
                "UPDATE password_resets SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL",
            )
            .bind($user_id)
            .bind(at)
            .execute(&mut *$conn)
            .await?;
            Ok::<bool, sqlx::Error>(used == 1)
        }
        .await
    };
}

/// Marks the address a usable link `token_hash` of `user_id` was mailed to as verified, if it
/// is still the user's, inside the caller's transaction (which must then use the link up).
#[macro_export]
macro_rules! verify_mailed_address_in_tx {
    ($conn:expr, $token_hash:expr, $user_id:expr) => {{
        let at = $crate::server::db::now();
        sqlx::query(
            "UPDATE users SET email_verified_at = COALESCE(email_verified_at, $3)
             WHERE id = $2 AND email = (SELECT r.email FROM password_resets r
                                        WHERE r.token_hash = $1 AND r.user_id = $2
                                          AND r.used_at IS NULL AND r.expires_at > $3)",
        )
        .bind($token_hash)
        .bind($user_id)
        .bind(at)
        .execute(&mut *$conn)
        .await
        .map(|_| ())
    }};
}

/// Sends a link: records its token hash and queues its mail, with `event`, in one transaction.
pub async fn issue_by_mail(
    db: &Db,
    event: &crate::domain::event::Event,
    token_hash: &str,
    user_id: i64,
    expires_at: i64,
    mail: &crate::server::db::mail_store::NewMail<'_>,
    allowance: Allowance,
) -> Result<bool, sqlx::Error> {
    crate::audited_tx!(db, event, |conn| {
        async {
            // Taking the user's row first makes two requests for one user count one after the
            // other (PostgreSQL's row lock; a SQLite write transaction is alone anyway), so a
            // burst in parallel cannot send more than the allowance.
            sqlx::query("UPDATE users SET id = id WHERE id = $1")
                .bind(user_id)
                .execute(&mut *conn)
                .await?;
            let recent: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM password_resets WHERE user_id = $1 AND created_at >= $2",
            )
            .bind(user_id)
            .bind(allowance.since)
            .fetch_one(&mut *conn)
            .await?;
            if recent >= allowance.most {
                return Ok(false);
            }
            crate::insert_password_reset_in_tx!(
                conn,
                token_hash,
                user_id,
                expires_at,
                Some(mail.recipient),
                "reset"
            )?;
            crate::queue_mail_in_tx!(conn, mail)?;
            Ok(true)
        }
        .await
    })
}

/// At most `most` links made since `since`.
#[derive(Debug, Clone, Copy)]
pub struct Allowance {
    pub since: i64,
    pub most: i64,
}

/// Makes a link for the operator to hand over, with `event`.
pub async fn issue(
    db: &Db,
    event: &crate::domain::event::Event,
    token_hash: &str,
    user_id: i64,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    crate::audited_tx!(db, event, |conn| {
        crate::insert_password_reset_in_tx!(
            conn,
            token_hash,
            user_id,
            expires_at,
            None::<&str>,
            "reset"
        )
    })
}

/// Uses the link up and sets the new password in one transaction: every other link of the user
/// is used up too, every session ends (a new security stamp), the login is unlocked, the
/// address the link was mailed to is verified (if still the user's), and `event` is recorded. `false` when the link was no longer usable (nothing changed).
pub async fn reset_password(
    db: &Db,
    event: &crate::domain::event::Event,
    token_hash: &str,
    user_id: i64,
    password_hash: &str,
) -> Result<bool, sqlx::Error> {
    let stamp = crate::server::infra::secrets::security_stamp();
    crate::audited_tx!(db, event, |conn| {
        async {
            // Before the link is used up: the link's mailbox answered, so its address is theirs.
            crate::verify_mailed_address_in_tx!(conn, token_hash, user_id)?;
            if !crate::use_password_reset_in_tx!(conn, token_hash, user_id)? {
                return Ok(false);
            }
            sqlx::query(
                "UPDATE users SET password_hash = $2, password_change_required = FALSE,
                                  password_updated_at = $3, updated_at = $3, security_stamp = $4,
                                  invited_at = NULL
                 WHERE id = $1",
            )
            .bind(user_id)
            .bind(password_hash)
            .bind(now())
            .bind(&stamp)
            .execute(&mut *conn)
            .await?;
            sqlx::query("DELETE FROM login_failures WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *conn)
                .await?;
            Ok::<bool, sqlx::Error>(true)
        }
        .await
    })
}

/// A link an Administrator sends: an invitation, or sign-in details.
#[derive(Debug, Clone, Copy)]
pub struct IssuedLink<'a> {
    pub token_hash: &'a str,
    pub user_id: i64,
    pub expires_at: i64,
    /// `invitation` or `reset`.
    pub purpose: &'a str,
    /// The user's invitation is pending from now on.
    pub invited: bool,
}

/// Sends `link`: every earlier link of its user is used up, the link is recorded, the user
/// marked invited when it is an invitation, and its mail queued, with `event`, in one
/// transaction.
pub async fn issue_invitation(
    db: &Db,
    event: &crate::domain::event::Event,
    link: &IssuedLink<'_>,
    mail: &crate::server::db::mail_store::NewMail<'_>,
    per_recipient: Option<Allowance>,
) -> Result<bool, sqlx::Error> {
    let IssuedLink {
        token_hash,
        user_id,
        expires_at,
        purpose,
        invited,
    } = *link;
    crate::audited_tx!(db, event, |conn| {
        async {
            if let Some(allowance) = per_recipient {
                // The user's row first: two sends for one user count one after the other.
                sqlx::query("UPDATE users SET id = id WHERE id = $1")
                    .bind(user_id)
                    .execute(&mut *conn)
                    .await?;
                let recent: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM mail_outbox
                     WHERE recipient = $1 AND created_at >= $2
                       AND kind IN ('invitation', 'sign_in_details')",
                )
                .bind(mail.recipient)
                .bind(allowance.since)
                .fetch_one(&mut *conn)
                .await?;
                if recent >= allowance.most {
                    return Ok(false);
                }
            }
            let at = now();
            sqlx::query(
                "UPDATE password_resets SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL",
            )
            .bind(user_id)
            .bind(at)
            .execute(&mut *conn)
            .await?;
            crate::insert_password_reset_in_tx!(
                conn,
                token_hash,
                user_id,
                expires_at,
                Some(mail.recipient),
                purpose
            )?;
            if invited {
                sqlx::query("UPDATE users SET invited_at = $2 WHERE id = $1")
                    .bind(user_id)
                    .bind(at)
                    .execute(&mut *conn)
                    .await?;
            }
            crate::queue_mail_in_tx!(conn, mail)?;
            Ok(true)
        }
        .await
    })
}

/// Withdraws `user_id`'s pending invitation: its links are used up and the user, who never
/// chose a password, is removed, with `event`. `false` when there was no pending invitation.
pub async fn revoke_invitation(
    db: &Db,
    event: &crate::domain::event::Event,
    account_pk: i64,
    user_id: i64,
) -> Result<bool, sqlx::Error> {
    crate::audited_tx!(db, event, |conn| {
        async {
            let removed = sqlx::query(
                "DELETE FROM users WHERE id = $1 AND account_id = $2 AND NOT is_holder
                                     AND invited_at IS NOT NULL",
            )
            .bind(user_id)
            .bind(account_pk)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            Ok::<bool, sqlx::Error>(removed == 1)
        }
        .await
    })
}
