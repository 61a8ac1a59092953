//! The activity table: events are written by [`record_in_tx!`] inside the transaction of the
//! change they describe (or by [`insert`] for events that change nothing else, such as a failed
//! attempt), read a page at a time by [`list`], and pruned by [`prune`].

use crate::domain::event::Event;
use crate::domain::event::Outcome;
use crate::error::AppError;
use crate::on_db;
use crate::server::db::Db;
use std::future::Future;

/// The statement that writes one event; binds are in [`record_in_tx!`]'s order.
pub const INSERT: &str = "INSERT INTO activity (at, account_id, root_id, actor_user_id, actor, actor_key, via, key_id,
                                               acting_from, action, target, target_key, result, detail, ip, user_agent)
                          VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)";

/// Writes `$event` with `$outcome` on `$conn`, a connection inside an open transaction (see
/// [`crate::in_tx!`]), and queues the event's notice when it has one; yields
/// `Result<(), sqlx::Error>`.
#[macro_export]
macro_rules! record_in_tx {
    ($conn:expr, $event:expr, $outcome:expr, $detail:expr) => {{
        let event: &$crate::domain::event::Event = $event;
        let outcome: $crate::domain::event::Outcome = $outcome;
        let written = sqlx::query($crate::server::db::activity_store::INSERT)
            .bind($crate::server::db::now())
            .bind(event.account_pk)
            .bind(event.root_pk)
            .bind(event.actor_user_id)
            .bind(&event.actor)
            .bind(event.actor.to_lowercase())
            .bind(event.via)
            .bind(&event.key_id)
            .bind(&event.acting_from)
            .bind(event.action.code())
            .bind(&event.target)
            .bind(event.target.to_lowercase())
            .bind(outcome.code())
            .bind($detail)
            .bind(&event.request.ip)
            .bind(&event.request.user_agent)
            .execute(&mut *$conn)
            .await
            .map(|_| ());
        match (written, &event.notice) {
            (Ok(()), Some(notice)) => {
                $crate::queue_mail_in_tx!(
                    $conn,
                    &$crate::server::db::mail_store::NewMail {
                        id: &notice.id,
                        account_pk: notice.account_pk,
                        kind: notice.kind,
                        recipient: &notice.recipient,
                        subject: &notice.subject,
                        sealed: &notice.sealed,
                    }
                )
            }
            (written, _) => written,
        }
    }};
}

/// Runs `$body` in a write transaction like [`crate::in_tx!`] and, when it succeeds with a
/// value that [`Happened`](crate::domain::event::Happened), records `$event` as a success
/// in the same transaction: the change and its event are written together or not at all.
#[macro_export]
macro_rules! audited_tx {
    ($db:expr, $event:expr, |$conn:ident| $body:expr) => {
        $crate::in_tx!($db, |$conn| {
            match $body {
                Ok(value) => {
                    if $crate::domain::event::Happened::happened(&value) {
                        $crate::record_in_tx!(
                            $conn,
                            $event,
                            $crate::domain::event::Outcome::Success,
                            ""
                        )?;
                    }
                    Ok(value)
                }
                Err(e) => Err(e),
            }
        })
    };
}

/// Runs one statement like [`crate::execute!`], in a transaction that also records `$event`
/// when the statement touched a row; yields `Result<u64, sqlx::Error>`.
#[macro_export]
macro_rules! execute_audited {
    ($db:expr, $event:expr, $sql:expr $(, $bind:expr)* $(,)?) => {
        $crate::audited_tx!($db, $event, |conn| {
            sqlx::query($sql)$(.bind($bind))*.execute(&mut *conn).await.map(|r| r.rows_affected())
        })
    };
}

/// Writes one event on its own: an attempt that changed nothing, or a login.
pub async fn insert(
    db: &Db,
    event: &Event,
    outcome: Outcome,
    detail: &str,
) -> Result<(), sqlx::Error> {
    crate::in_tx!(db, |conn| record_in_tx!(conn, event, outcome, detail))
}

/// Whose events a reader may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// A top-level account and all its sub-accounts.
    Root(i64),
    /// One account.
    Account(i64),
    /// One user's own events.
    User(i64),
}

/// What a page of the activity log is narrowed to; every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Narrowing {
    /// A login ID, lower-cased: exact match.
    pub actor: Option<String>,
    pub action: Option<&'static str>,
    /// Lower-cased: the target starts with it.
    pub target: Option<String>,
    /// Unix seconds, inclusive.
    pub from: Option<i64>,
    /// Unix seconds, exclusive.
    pub until: Option<i64>,
}

/// Where a page starts: after the event `(at, id)`, newest first.
pub type Cursor = (i64, i64);

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Row {
    pub id: i64,
    pub at: i64,
    pub account_id: i64,
    pub account_code: Option<String>,
    pub actor: String,
    pub via: String,
    pub key_id: Option<String>,
    pub acting_from: Option<String>,
    pub action: String,
    pub target: String,
    pub result: String,
    pub detail: String,
    pub ip: String,
    pub user_agent: String,
}

enum Bind {
    Int(i64),
    Text(String),
}

/// The query for one page: the scope and each filter is an equality or a range on one of the
/// indexes of `0007_activity.sql`, and the order follows the index, so a page costs the same
/// with a thousand events as with a million.
fn page_query(
    scope: Scope,
    narrowing: &Narrowing,
    after: Option<Cursor>,
    limit: i64,
) -> (String, Vec<Bind>) {
    let mut binds = Vec::new();
    let mut bind = |value: Bind| {
        binds.push(value);
        format!("${}", binds.len())
    };
    let mut conditions = vec![match scope {
        Scope::Root(pk) => format!("e.root_id = {}", bind(Bind::Int(pk))),
        Scope::Account(pk) => format!("e.account_id = {}", bind(Bind::Int(pk))),
        Scope::User(id) => format!("e.actor_user_id = {}", bind(Bind::Int(id))),
    }];
    if let Some(actor) = &narrowing.actor {
        conditions.push(format!("e.actor_key = {}", bind(Bind::Text(actor.clone()))));
    }
    if let Some(action) = narrowing.action {
        conditions.push(format!(
            "e.action = {}",
            bind(Bind::Text(action.to_owned()))
        ));
    }
    if let Some(target) = &narrowing.target {
        // A prefix as a range, which both databases answer from the index (LIKE would need
        // escaping and, on PostgreSQL, a special operator class).
        let low = bind(Bind::Text(target.clone()));
        let high = bind(Bind::Text(format!("{target}\u{10FFFF}")));
        conditions.push(format!("e.target_key >= {low} AND e.target_key < {high}"));
    }
    if let Some(from) = narrowing.from {
        conditions.push(format!("e.at >= {}", bind(Bind::Int(from))));
    }
    if let Some(until) = narrowing.until {
        conditions.push(format!("e.at < {}", bind(Bind::Int(until))));
    }
    if let Some((at, id)) = after {
        let at = bind(Bind::Int(at));
        let id = bind(Bind::Int(id));
        conditions.push(format!("(e.at < {at} OR (e.at = {at} AND e.id < {id}))"));
    }
    let limit = bind(Bind::Int(limit));
    let sql = format!(
        "SELECT e.id, e.at, e.account_id, a.code AS account_code, e.actor, e.via, e.key_id, e.acting_from,
                e.action, e.target, e.result, e.detail, e.ip, e.user_agent
         FROM activity e LEFT JOIN accounts a ON a.id = e.account_id
         WHERE {}
         ORDER BY e.at DESC, e.id DESC
         LIMIT {limit}",
        conditions.join(" AND ")
    );
    (sql, binds)
}

/// Up to `limit` events of `scope` matching `narrowing`, newest first, after `after`.
pub async fn list(
    db: &Db,
    scope: Scope,
    narrowing: &Narrowing,
    after: Option<Cursor>,
    limit: i64,
) -> Result<Vec<Row>, sqlx::Error> {
    let (sql, binds) = page_query(scope, narrowing, after, limit);
    on_db!(db, |pool| {
        let mut query = sqlx::query_as::<_, Row>(&sql);
        for value in binds {
            query = match value {
                Bind::Int(v) => query.bind(v),
                Bind::Text(v) => query.bind(v),
            };
        }
        query.fetch_all(pool).await
    })
}

/// How SQLite would run a page query: for the test that keeps every page on an index.
pub async fn sqlite_plan(
    db: &Db,
    scope: Scope,
    narrowing: &Narrowing,
    after: Option<Cursor>,
) -> Result<Vec<String>, sqlx::Error> {
    let (sql, binds) = page_query(scope, narrowing, after, 50);
    match db {
        Db::Sqlite(pool) => {
            let explain = format!("EXPLAIN QUERY PLAN {sql}");
            let mut query = sqlx::query_as::<_, (i64, i64, i64, String)>(&explain);
            for value in binds {
                query = match value {
                    Bind::Int(v) => query.bind(v),
                    Bind::Text(v) => query.bind(v),
                };
            }
            Ok(query
                .fetch_all(pool)
                .await?
                .into_iter()
                .map(|(_, _, _, detail)| detail)
                .collect())
        }
        Db::Postgres(_) => Ok(Vec::new()),
    }
}

/// Deletes up to `batch` events older than `before`; returns how many went. Small batches keep
/// each write transaction short while the server goes on.
pub async fn prune(db: &Db, before: i64, batch: i64) -> Result<u64, sqlx::Error> {
    const SQL: &str =
        "DELETE FROM activity WHERE id IN (SELECT id FROM activity WHERE at < $1 LIMIT $2)";
    crate::execute!(db, SQL, before, batch)
}

/// Runs `work`, whose writes record `event` on success, and records `event` as a failure when
/// it is refused. An outage is not recorded: the database that would hold the event is the one
/// that failed.
pub async fn audited<T>(
    db: &Db,
    event: &Event,
    work: impl Future<Output = Result<T, AppError>>,
) -> Result<T, AppError> {
    let result = work.await;
    if let Err(err) = &result {
        failed(db, event, err).await;
    }
    result
}

/// Records `event` as refused with `err`.
pub async fn failed(db: &Db, event: &Event, err: &AppError) {
    let Some(reason) = failure_reason(err) else {
        return;
    };
    // What failed sends no notice.
    let event = Event {
        notice: None,
        ..event.clone()
    };
    if let Err(e) = insert(db, &event, Outcome::Failure, &reason).await {
        tracing::error!(error = %e, action = event.action.code(), "cannot record a failed attempt");
    }
}

/// Why an attempt failed, in words that hold no input: the fields refused, not their values.
fn failure_reason(err: &AppError) -> Option<String> {
    Some(match err {
        AppError::Invalid(fields) => {
            let mut names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
            names.dedup();
            format!("invalid: {}", names.join(", "))
        }
        AppError::LoginFailed => "wrong credentials".to_owned(),
        AppError::Unauthenticated => "not logged in".to_owned(),
        AppError::Forbidden => "forbidden".to_owned(),
        AppError::PasswordChangeRequired => "password change required".to_owned(),
        AppError::TwoFactorRequired => "two-factor enrolment required".to_owned(),
        AppError::NotFound => "not found".to_owned(),
        AppError::Disabled => "disabled".to_owned(),
        AppError::TooManyAttempts => "locked".to_owned(),
        AppError::RateLimited { .. } => "rate limited".to_owned(),
        AppError::Busy { .. } => "busy".to_owned(),
        AppError::Internal { reference } => format!("internal error {reference}"),
        AppError::Unavailable | AppError::Transport(_) => return None,
    })
}

/// Records an event that changes nothing else (a login, a reveal) as `outcome`.
pub async fn record(
    db: &Db,
    event: &Event,
    outcome: Outcome,
    detail: &str,
) -> Result<(), AppError> {
    insert(db, event, outcome, detail)
        .await
        .map_err(AppError::from)
}
