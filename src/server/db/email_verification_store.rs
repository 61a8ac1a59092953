//! Single-use links that verify a user's e-mail address, kept as hashes of their tokens.

use crate::domain::event::Event;
use crate::on_db;
use crate::server::db::Db;
use crate::server::db::mail_store::NewMail;
use crate::server::db::now;

/// How many links `user_id` was sent since `since`.
pub async fn count_since(db: &Db, user_id: i64, since: i64) -> Result<i64, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM email_verifications WHERE user_id = $1 AND created_at >= $2",
        )
        .bind(user_id)
        .bind(since)
        .fetch_one(pool)
        .await
    })
}

/// Records a link for `email` and queues its mail, with `event`, in one transaction.
pub async fn issue(
    db: &Db,
    event: &Event,
    token_hash: &str,
    user_id: i64,
    email: &str,
    expires_at: i64,
    mail: &NewMail<'_>,
) -> Result<(), sqlx::Error> {
    crate::audited_tx!(db, event, |conn| {
        async {
            sqlx::query(
                "INSERT INTO email_verifications (token_hash, user_id, email, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(token_hash)
            .bind(user_id)
            .bind(email)
            .bind(now())
            .bind(expires_at)
            .execute(&mut *conn)
            .await?;
            crate::queue_mail_in_tx!(conn, mail)
        }
        .await
    })
}

/// The user and address of a link that can still be used: unused, unexpired, and for the
/// address the user still has.
pub async fn pending(db: &Db, token_hash: &str) -> Result<Option<(i64, String)>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_as(
            "SELECT v.user_id, v.email FROM email_verifications v
             JOIN users u ON u.id = v.user_id AND u.email = v.email
             WHERE v.token_hash = $1 AND v.used_at IS NULL AND v.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now())
        .fetch_optional(pool)
        .await
    })
}

/// A link, as its page shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LinkRow {
    pub email: String,
    /// Unused, unexpired, and for the user's current address.
    pub usable: bool,
    pub used: bool,
    /// The user's current address is the link's, and it is verified.
    pub verified: bool,
}

/// The link `token_hash`, whatever became of it.
pub async fn lookup(db: &Db, token_hash: &str) -> Result<Option<LinkRow>, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_as(
            "SELECT v.email,
                    (v.used_at IS NULL AND v.expires_at > $2 AND u.email = v.email) AS usable,
                    (v.used_at IS NOT NULL) AS used,
                    (u.email = v.email AND u.email_verified_at IS NOT NULL) AS verified
             FROM email_verifications v JOIN users u ON u.id = v.user_id
             WHERE v.token_hash = $1",
        )
        .bind(token_hash)
        .bind(now())
        .fetch_optional(pool)
        .await
    })
}

/// Uses the link up and marks its address verified, with `event`, in one transaction; every
/// other link of the user is used up too. `false` when the link was no longer usable (of two
/// concurrent uses, one wins) or the user's address has changed since.
pub async fn confirm(
    db: &Db,
    event: &Event,
    token_hash: &str,
    user_id: i64,
) -> Result<bool, sqlx::Error> {
    crate::audited_tx!(db, event, |conn| {
        async {
            let at = now();
            let verified = sqlx::query(
                "UPDATE users SET email_verified_at = COALESCE(email_verified_at, $3)
                 WHERE id = $2 AND email = (SELECT v.email FROM email_verifications v
                                            WHERE v.token_hash = $1 AND v.user_id = $2
                                              AND v.used_at IS NULL AND v.expires_at > $3)",
            )
            .bind(token_hash)
            .bind(user_id)
            .bind(at)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if verified != 1 {
                return Ok(false);
            }
            sqlx::query(
                "UPDATE email_verifications SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL",
            )
            .bind(user_id)
            .bind(at)
            .execute(&mut *conn)
            .await?;
            Ok::<bool, sqlx::Error>(true)
        }
        .await
    })
}

/// Whether `user_id`'s current address is verified.
pub async fn is_verified(db: &Db, user_id: i64) -> Result<bool, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query_scalar("SELECT (email_verified_at IS NOT NULL) FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(pool)
            .await
            .map(|v: Option<bool>| v.unwrap_or(false))
    })
}
