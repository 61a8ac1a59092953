//! The outbox: mail queued with the change that sends it, then delivered by `mail::delivery`.

use crate::on_db;
use crate::server::db::Db;
use crate::server::db::now;

/// A mail to queue; `sealed` holds its bodies, sealed with the server key.
#[derive(Debug, Clone)]
pub struct NewMail<'a> {
    pub id: &'a str,
    pub account_pk: i64,
    pub kind: &'a str,
    pub recipient: &'a str,
    pub subject: &'a str,
    pub sealed: &'a [u8],
}

/// Queues `mail` on `conn`, inside the caller's transaction: it is sent if and only if the
/// change it belongs to is committed.
#[macro_export]
macro_rules! queue_mail_in_tx {
    ($conn:expr, $mail:expr) => {{
        let mail: &$crate::server::db::mail_store::NewMail<'_> = $mail;
        let at = $crate::server::db::now();
        sqlx::query(
            "INSERT INTO mail_outbox (id, account_id, kind, recipient, subject, sealed, state,
                                      attempts, next_attempt_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'queued', 0, $7, $7)",
        )
        .bind(mail.id)
        .bind(mail.account_pk)
        .bind(mail.kind)
        .bind(mail.recipient)
        .bind(mail.subject)
        .bind(mail.sealed)
        .bind(at)
        .execute(&mut *$conn)
        .await
        .map(|_| ())
    }};
}

/// A queued mail due for an attempt.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueMail {
    pub id: String,
    pub recipient: String,
    pub subject: String,
    pub sealed: Option<Vec<u8>>,
    pub attempts: i32,
    pub next_attempt_at: i64,
}

/// The queued mails whose attempt is due, oldest first.
pub async fn due(db: &Db, limit: i64) -> Result<Vec<DueMail>, sqlx::Error> {
    const SQL: &str = "SELECT id, recipient, subject, sealed, attempts, next_attempt_at
                       FROM mail_outbox WHERE state = 'queued' AND next_attempt_at <= $1
                       ORDER BY created_at, id LIMIT $2";
    on_db!(db, |pool| {
        sqlx::query_as(SQL)
            .bind(now())
            .bind(limit)
            .fetch_all(pool)
            .await
    })
}

/// Takes `mail` for one attempt: moves its next attempt to `lease_until`, unless another server
/// took it first. Whether this server has it.
pub async fn claim(db: &Db, mail: &DueMail, lease_until: i64) -> Result<bool, sqlx::Error> {
    const SQL: &str = "UPDATE mail_outbox SET next_attempt_at = $3
                       WHERE id = $1 AND state = 'queued' AND next_attempt_at = $2";
    on_db!(db, |pool| {
        sqlx::query(SQL)
            .bind(&mail.id)
            .bind(mail.next_attempt_at)
            .bind(lease_until)
            .execute(pool)
            .await
            .map(|r| r.rows_affected() == 1)
    })
}

/// The SMTP server took it: its bodies (and the link in them) are no longer kept.
pub async fn mark_sent(db: &Db, id: &str) -> Result<(), sqlx::Error> {
    const SQL: &str = "UPDATE mail_outbox SET state = 'sent', sent_at = $2, sealed = NULL,
                              attempts = attempts + 1, last_error = NULL
                       WHERE id = $1";
    on_db!(db, |pool| {
        sqlx::query(SQL)
            .bind(id)
            .bind(now())
            .execute(pool)
            .await
            .map(|_| ())
    })
}

/// The attempt failed with `error`: tried again at `retry_at`, or given up (`None`), when its
/// bodies go.
pub async fn mark_failed(
    db: &Db,
    id: &str,
    error: &str,
    retry_at: Option<i64>,
) -> Result<(), sqlx::Error> {
    const RETRY: &str = "UPDATE mail_outbox SET attempts = attempts + 1, last_error = $2,
                                next_attempt_at = $3
                         WHERE id = $1";
    const GIVE_UP: &str = "UPDATE mail_outbox SET attempts = attempts + 1, last_error = $2,
                                  state = 'failed', sealed = NULL
                           WHERE id = $1";
    on_db!(db, |pool| {
        match retry_at {
            Some(at) => sqlx::query(RETRY).bind(id).bind(error).bind(at),
            None => sqlx::query(GIVE_UP).bind(id).bind(error),
        }
        .execute(pool)
        .await
        .map(|_| ())
    })
}

/// A mail as Administrators see it: never its bodies.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MailRow {
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub state: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

/// The latest mail of `account_pk`, newest first.
pub async fn recent(db: &Db, account_pk: i64, limit: i64) -> Result<Vec<MailRow>, sqlx::Error> {
    const SQL: &str = "SELECT kind, recipient, subject, state, attempts, last_error, created_at,
                              sent_at
                       FROM mail_outbox WHERE account_id = $1
                       ORDER BY created_at DESC, id DESC LIMIT $2";
    on_db!(db, |pool| {
        sqlx::query_as(SQL)
            .bind(account_pk)
            .bind(limit)
            .fetch_all(pool)
            .await
    })
}

/// Forgets mail sent or given up before `before` (what is still queued stays); how many went.
pub async fn prune(db: &Db, before: i64) -> Result<u64, sqlx::Error> {
    on_db!(db, |pool| {
        sqlx::query("DELETE FROM mail_outbox WHERE state <> 'queued' AND created_at < $1")
            .bind(before)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
    })
}
