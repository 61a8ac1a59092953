//! The activity log: who did what, to what, when, from where, and whether it worked.
//!
//! A service describes its change as an [`Event`] and hands it to the database function that
//! makes the change, which writes both in one transaction ([`crate::audited_tx!`]). When the
//! change is refused, [`audited`] writes the event as a failure instead, so every attempt leaves
//! exactly one event. An event holds names and ids, never a secret or a value the user typed
//! into a password or code field.

use std::future::Future;

use crate::api::activity_fns::ActivityQuery;
use crate::domain::AccountId;
use crate::error::{AppError, FieldError};
use crate::server::db;
use crate::server::db::Db;
use crate::server::identity::caller::Caller;
use crate::server::identity::caller::Via;
use crate::server::web::http::RequestMeta;
use crate::server::web::http::current_request;
use crate::server::web::state::AppState;

pub use crate::domain::actions::Action;

/// Whether an attempt worked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
}

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "failure",
        }
    }
}

/// Who acts on an account: an authenticated caller, or the operator at the server's command line.
#[derive(Debug, Clone, Copy)]
pub enum Who<'a> {
    Caller(&'a Caller),
    CommandLine,
}

/// One event, before it is written: everything but its time and result.
#[derive(Debug, Clone)]
pub struct Event {
    /// The account where it happened.
    pub account_pk: i64,
    /// The top-level account above it (itself when it has no parent).
    pub root_pk: i64,
    pub actor_user_id: Option<i64>,
    /// The actor's login ID, `command line`, or the login ID someone tried to log in as.
    pub actor: String,
    /// How the actor was authenticated: `session`, `token`, `account-credentials`,
    /// `ovh-consumer-key`, `tencent-access-key`, `password` (a login) or `cli`; prefixed by the
    /// API dialect when the request came through one (`ovh/ovh-consumer-key`).
    pub via: &'static str,
    pub key_id: Option<String>,
    /// The caller's own account ID while they act in one of its sub-accounts.
    pub acting_from: Option<String>,
    pub action: Action,
    pub target: String,
    pub request: RequestMeta,
}

impl Event {
    /// `caller` does `action` to `target`, in the account they work in.
    pub fn by(caller: &Caller, action: Action, target: impl Into<String>) -> Self {
        let request = current_request();
        let (method, key_id) = match caller.via {
            Via::Session => ("session", None),
            Via::Token(id) => ("token", Some(format!("token {id}"))),
            Via::AccountCredentials => ("account-credentials", None),
            Via::OvhConsumerKey(id) => ("ovh-consumer-key", Some(format!("consumer key {id}"))),
            Via::TencentAccessKey(id) => ("tencent-access-key", Some(format!("access key {id}"))),
        };
        Self {
            account_pk: caller.account_pk,
            root_pk: caller.parent_pk.unwrap_or(caller.account_pk),
            actor_user_id: Some(caller.user_id),
            actor: caller.login_id(),
            via: via_label(request.dialect, method),
            key_id,
            acting_from: caller
                .acting_from
                .as_ref()
                .map(|home| home.account_id.as_str().to_owned()),
            action,
            target: bounded(target.into()),
            request,
        }
    }

    /// Someone logging in (or signing up) to `account_pk`: the user when the login ID named one.
    pub fn login(
        account_pk: i64,
        root_pk: i64,
        user_id: Option<i64>,
        login_id: &str,
        action: Action,
    ) -> Self {
        let request = current_request();
        Self {
            account_pk,
            root_pk,
            actor_user_id: user_id,
            actor: login_id.to_owned(),
            via: "password",
            key_id: None,
            acting_from: None,
            action,
            target: bounded(login_id.to_owned()),
            request,
        }
    }

    /// `who` does `action` to `target` in `account_pk` (a top-level account, or the one the
    /// caller works in).
    pub fn of(who: Who<'_>, account_pk: i64, action: Action, target: impl Into<String>) -> Self {
        match who {
            Who::Caller(caller) => Self::by(caller, action, target),
            Who::CommandLine => Self::command_line(account_pk, account_pk, action, target),
        }
    }

    /// `who` does `action` to `target`, one of `user_id`'s own credentials: in the user's
    /// account (looked up for the command line, which has no caller).
    pub async fn for_user(
        db: &Db,
        who: Who<'_>,
        user_id: i64,
        action: Action,
        target: impl Into<String>,
    ) -> Result<Self, AppError> {
        match who {
            Who::Caller(caller) => Ok(Self::by(caller, action, target)),
            Who::CommandLine => {
                let (account_pk, root_pk, _) = db::user_store::identity(db, user_id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                Ok(Self::command_line(account_pk, root_pk, action, target))
            }
        }
    }

    /// A new top-level account: filled in by the database once the account exists (see
    /// [`Event::in_new_account`]).
    pub fn sign_up(via: &'static str) -> Self {
        Self {
            account_pk: 0,
            root_pk: 0,
            actor_user_id: None,
            actor: String::new(),
            via,
            key_id: None,
            acting_from: None,
            action: Action::SignUp,
            target: String::new(),
            request: current_request(),
        }
    }

    /// This event, in the account `account_pk` just created, by its holder.
    pub fn in_new_account(&self, account_pk: i64, holder_user_id: i64, account_id: &str) -> Self {
        Self {
            account_pk,
            root_pk: account_pk,
            actor_user_id: Some(holder_user_id),
            actor: account_id.to_owned(),
            target: account_id.to_owned(),
            ..self.clone()
        }
    }

    /// The server's command line acting on `account_pk`.
    pub fn command_line(
        account_pk: i64,
        root_pk: i64,
        action: Action,
        target: impl Into<String>,
    ) -> Self {
        Self {
            account_pk,
            root_pk,
            actor_user_id: None,
            actor: "command line".to_owned(),
            via: "cli",
            key_id: None,
            acting_from: None,
            action,
            target: bounded(target.into()),
            request: current_request(),
        }
    }

    /// The same event about another target (each row of a bulk creation).
    pub fn about(&self, target: impl Into<String>) -> Self {
        Self {
            target: bounded(target.into()),
            ..self.clone()
        }
    }

    /// The same event for another action (a password reset that is also an unlock).
    pub fn doing(&self, action: Action) -> Self {
        Self {
            action,
            ..self.clone()
        }
    }
}

/// The longest target kept: a name or an id, never a whole submitted field.
const MAX_TARGET: usize = 128;

fn bounded(text: String) -> String {
    if text.chars().count() <= MAX_TARGET {
        text
    } else {
        text.chars().take(MAX_TARGET).collect()
    }
}

/// `session`, or `vobiz/account-credentials` for a request through a compatible API.
fn via_label(dialect: &'static str, method: &'static str) -> &'static str {
    match (dialect, method) {
        ("vobiz", "account-credentials") => "vobiz/account-credentials",
        ("vobiz", "token") => "vobiz/token",
        ("gcore", "token") => "gcore/token",
        ("gcore", "account-credentials") => "gcore/account-credentials",
        ("ovh", _) => "ovh/ovh-consumer-key",
        ("tencent", _) => "tencent/tencent-access-key",
        (_, method) => method,
    }
}

/// Whether a database write changed something worth an event: `false` for an update that found
/// nothing to update.
pub trait Happened {
    fn happened(&self) -> bool;
}

impl Happened for () {
    fn happened(&self) -> bool {
        true
    }
}

impl Happened for bool {
    fn happened(&self) -> bool {
        *self
    }
}

impl Happened for u64 {
    fn happened(&self) -> bool {
        *self > 0
    }
}

impl Happened for i64 {
    fn happened(&self) -> bool {
        true
    }
}

impl<T> Happened for Option<T> {
    fn happened(&self) -> bool {
        self.is_some()
    }
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
    if let Err(e) = db::activity_store::insert(db, event, Outcome::Failure, &reason).await {
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
    db::activity_store::insert(db, event, outcome, detail)
        .await
        .map_err(AppError::from)
}

/// What `caller` may read: an Administrator of a top-level account sees it and its
/// sub-accounts, an Administrator of a sub-account (or acting in one) sees that account, and
/// everyone else sees their own events.
pub fn scope_of(caller: &Caller) -> db::activity_store::Scope {
    use db::activity_store::Scope;
    if !caller.role.can_manage_users() {
        Scope::User(caller.user_id)
    } else if caller.parent_pk.is_none() {
        Scope::Root(caller.account_pk)
    } else {
        Scope::Account(caller.account_pk)
    }
}

/// Deletes the events older than `days` days, a batch at a time; returns how many went.
pub async fn prune(db: &Db, days: u32, now: i64) -> Result<u64, sqlx::Error> {
    const BATCH: i64 = 5_000;
    let before = now - i64::from(days) * 86_400;
    let mut total = 0;
    loop {
        let gone = db::activity_store::prune(db, before, BATCH).await?;
        total += gone;
        if gone < BATCH as u64 {
            return Ok(total);
        }
        tokio::task::yield_now().await;
    }
}

/// Prunes the activity log at start-up and then every hour, for as long as the server runs.
pub fn spawn_retention(db: Db, days: u32) {
    tokio::spawn(async move {
        let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every_hour.tick().await;
            match prune(&db, days, db::now()).await {
                Ok(0) => {}
                Ok(gone) => tracing::info!(gone, days, "pruned old activity"),
                Err(e) => tracing::warn!(error = %e, "cannot prune the activity log"),
            }
        }
    });
}

/// How many events a page of the Activity page shows.
pub const PAGE_SIZE: i64 = 50;

/// One page of events, and where the next one starts.
pub struct Page {
    pub events: Vec<db::activity_store::Row>,
    pub next: Option<String>,
}

/// The filter form, checked: every bad field is reported beside itself, and nothing is read.
pub fn narrowing(
    caller: &Caller,
    query: &ActivityQuery,
) -> Result<
    (
        db::activity_store::Narrowing,
        Option<db::activity_store::Cursor>,
    ),
    AppError,
> {
    let mut errors = Vec::new();
    let mut refuse = |field: &str, key: &str| errors.push(FieldError::new(field, key));
    let actor = query.actor.trim();
    let actor = (!actor.is_empty()).then(|| {
        // A bare login means a user of the reader's own account.
        if actor.contains('/') || AccountId::parse(actor).is_ok() {
            actor.to_lowercase()
        } else {
            format!("{}/{}", caller.account_id.as_str(), actor.to_lowercase())
        }
    });
    let action = match query.action.trim() {
        "" => None,
        code => match Action::from_code(code) {
            Some(action) => Some(action.code()),
            None => {
                refuse("action", crate::key!("activity.error.action"));
                None
            }
        },
    };
    let target = query.target.trim();
    let target = (!target.is_empty()).then(|| target.to_lowercase());
    let from = match crate::server::infra::format::day_start(&query.from) {
        Ok(day) => day,
        Err(_) => {
            refuse("from", crate::key!("activity.error.date"));
            None
        }
    };
    let until = match crate::server::infra::format::day_start(&query.to) {
        Ok(day) => day.map(|start| start + 86_400),
        Err(_) => {
            refuse("to", crate::key!("activity.error.date"));
            None
        }
    };
    if let (Some(from), Some(until)) = (from, until)
        && until <= from
    {
        refuse("to", crate::key!("activity.error.range"));
    }
    let after = match query.after.trim() {
        "" => None,
        text => {
            let parsed = text
                .split_once('.')
                .and_then(|(at, id)| Some((at.parse().ok()?, id.parse().ok()?)));
            if parsed.is_none() {
                refuse("form", crate::key!("activity.error.cursor"));
            }
            parsed
        }
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok((
        db::activity_store::Narrowing {
            actor,
            action,
            target,
            from,
            until,
        },
        after,
    ))
}

/// The page of events `caller` may see that `query` asks for.
pub async fn page(
    state: &AppState,
    caller: &Caller,
    query: &ActivityQuery,
) -> Result<Page, AppError> {
    let (narrowing, after) = narrowing(caller, query)?;
    let scope = scope_of(caller);
    let mut events =
        db::activity_store::list(&state.db, scope, &narrowing, after, PAGE_SIZE + 1).await?;
    let more = events.len() > PAGE_SIZE as usize;
    events.truncate(PAGE_SIZE as usize);
    let next = more
        .then(|| events.last().map(|e| format!("{}.{}", e.at, e.id)))
        .flatten();
    Ok(Page { events, next })
}

/// The columns of the CSV download, in order: like every cell, quoted.
pub const CSV_HEADER: &str = "\"time\",\"account\",\"actor\",\"via\",\"key\",\"acting_from\",\"action\",\"target\",\"result\",\"detail\",\"ip\",\"user_agent\"\r\n";

/// The byte order mark that makes spreadsheets read the file as UTF-8 (`?bom=1`).
const BOM: &str = "\u{feff}";

/// Events as CSV lines: every cell quoted (RFC 4180, written by the `csv` crate) and defused.
pub fn csv_rows(rows: &[db::activity_store::Row]) -> std::io::Result<Vec<u8>> {
    let mut writer = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Always)
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::with_capacity(rows.len() * 256));
    for row in rows {
        let cells = [
            crate::server::infra::format::rfc3339(row.at),
            row.account_code.clone().unwrap_or_default(),
            row.actor.clone(),
            row.via.clone(),
            row.key_id.clone().unwrap_or_default(),
            row.acting_from.clone().unwrap_or_default(),
            row.action.clone(),
            row.target.clone(),
            row.result.clone(),
            row.detail.clone(),
            row.ip.clone(),
            row.user_agent.clone(),
        ];
        writer.write_record(cells.iter().map(|c| defuse_formula(c).into_owned()))?;
    }
    writer.into_inner().map_err(|e| e.into_error())
}

/// A spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return
/// as a formula; one that splits cells on `;` or `,` (European settings split on `;`, even
/// inside quotes when the file is pasted) starts a new cell after either. Each such start gets
/// a `'` in front, which makes the spreadsheet take the rest as text (OWASP, CSV injection).
pub fn defuse_formula(value: &str) -> std::borrow::Cow<'_, str> {
    const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];
    let mut out = String::new();
    let mut cell_starts = true;
    for (i, c) in value.char_indices() {
        if cell_starts && TRIGGERS.contains(&c) {
            if out.is_empty() {
                out.reserve(value.len() + 4);
                out.push_str(&value[..i]);
            }
            out.push('\'');
            out.push(c);
            cell_starts = false;
            continue;
        }
        if !out.is_empty() {
            out.push(c);
        }
        // Spaces after a separator do not stop a formula.
        cell_starts = matches!(c, ';' | ',') || (cell_starts && c == ' ');
    }
    if out.is_empty() {
        std::borrow::Cow::Borrowed(value)
    } else {
        std::borrow::Cow::Owned(out)
    }
}

/// What the CSV download takes besides the filter.
#[derive(Debug, Default, serde::Deserialize)]
pub struct CsvOptions {
    /// `1`: start with a byte order mark, for spreadsheets that otherwise guess the encoding.
    #[serde(default)]
    bom: String,
}

impl CsvOptions {
    fn bom(&self) -> bool {
        matches!(self.bom.trim(), "1" | "true" | "yes" | "on")
    }
}

/// `GET /activity.csv?<filter>`: the events the caller may see that match the filter, newest
/// first, streamed a batch at a time, so a large log is never held in memory.
pub async fn csv(
    axum::extract::State(state): axum::extract::State<AppState>,
    session: tower_sessions::Session,
    headers: axum::http::HeaderMap,
    lang: Option<axum::Extension<crate::i18n::Lang>>,
    axum::extract::Query(query): axum::extract::Query<ActivityQuery>,
    axum::extract::Query(options): axum::extract::Query<CsvOptions>,
) -> axum::response::Response {
    let lang = lang.map(|axum::Extension(lang)| lang).unwrap_or_default();
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;
    const BATCH: i64 = 1_000;
    let session = crate::server::identity::auth_session::AuthSession(session);
    let refused = |err: AppError| {
        let status = match err {
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Invalid(_) => StatusCode::BAD_REQUEST,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::RateLimited { retry_after } => {
                let message = err.message(lang);
                return (
                    StatusCode::TOO_MANY_REQUESTS,
                    [(header::RETRY_AFTER, retry_after.to_string())],
                    message,
                )
                    .into_response();
            }
            _ => StatusCode::FORBIDDEN,
        };
        let message = match &err {
            AppError::Invalid(fields) => fields
                .iter()
                .map(|f| format!("{}: {}", f.field, f.message(lang)))
                .collect::<Vec<_>>()
                .join("\n"),
            other => other.message(lang),
        };
        (status, message).into_response()
    };
    let caller =
        match crate::server::web::state::authenticate_request(&state, &session, &headers).await {
            Ok(caller) => caller,
            Err(e) => return refused(e),
        };
    let (narrowing, _) = match narrowing(
        &caller,
        &ActivityQuery {
            after: String::new(),
            ..query
        },
    ) {
        Ok(n) => n,
        Err(e) => return refused(e),
    };
    let scope = scope_of(&caller);
    // The first batch is read before answering, so that a failure is a clean error status.
    let first = match db::activity_store::list(&state.db, scope, &narrowing, None, BATCH).await {
        Ok(rows) => rows,
        Err(e) => return refused(AppError::from(e)),
    };
    struct Batches {
        state: AppState,
        rows: Vec<db::activity_store::Row>,
        header: bool,
        done: bool,
    }
    let start = Batches {
        state,
        rows: first,
        header: true,
        done: false,
    };
    let bom = options.bom();
    let stream = futures::stream::unfold(start, move |mut at| {
        let narrowing = narrowing.clone();
        async move {
            if at.done {
                return None;
            }
            let mut chunk = Vec::new();
            if at.header {
                at.header = false;
                if bom {
                    chunk.extend_from_slice(BOM.as_bytes());
                }
                chunk.extend_from_slice(CSV_HEADER.as_bytes());
            }
            if at.rows.is_empty() {
                at.done = true;
                return Some((Ok::<_, std::io::Error>(chunk), at));
            }
            match csv_rows(&at.rows) {
                Ok(lines) => chunk.extend_from_slice(&lines),
                Err(e) => {
                    tracing::error!(error = %e, "activity CSV cut short");
                    at.done = true;
                    return Some((Err(e), at));
                }
            }
            let full = at.rows.len() as i64 == BATCH;
            let cursor = at.rows.last().map(|r| (r.at, r.id));
            at.rows = if full {
                match db::activity_store::list(&at.state.db, scope, &narrowing, cursor, BATCH).await
                {
                    Ok(rows) => rows,
                    Err(e) => {
                        // The status is sent: end the file short and say so in the log.
                        tracing::error!(error = %e, "activity CSV cut short");
                        return Some((Err(std::io::Error::other("database error")), at));
                    }
                }
            } else {
                Vec::new()
            };
            if at.rows.is_empty() {
                at.done = true;
            }
            Some((Ok(chunk), at))
        }
    });
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"activity.csv\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        axum::body::Body::from_stream(stream),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_formula_is_defused_at_the_start_and_after_each_separator() {
        for (value, defused) in [
            ("plain", "plain"),
            ("", ""),
            ("=1+1", "'=1+1"),
            ("+33 1 23", "'+33 1 23"),
            ("-2", "'-2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("ok;=cmd", "ok;'=cmd"),
            ("a,+b", "a,'+b"),
            ("b; @x", "b; '@x"),
            ("  =x", "  '=x"),
            ("a-b=c", "a-b=c"),
            ("x; y=1", "x; y=1"),
            ("é;=ü", "é;'=ü"),
        ] {
            assert_eq!(defuse_formula(value), defused, "{value:?}");
        }
    }

    #[test]
    fn every_cell_is_quoted_and_quotes_are_doubled() {
        let row = db::activity_store::Row {
            id: 1,
            at: 0,
            account_id: 1,
            account_code: Some("1234-567-89".into()),
            actor: "1234-567-89/bob".into(),
            via: "session".into(),
            key_id: None,
            acting_from: None,
            action: "group.create".into(),
            target: "say \"hi\"; =1".into(),
            result: "success".into(),
            detail: String::new(),
            ip: "127.0.0.1".into(),
            user_agent: "line\nbreak".into(),
        };
        let text = String::from_utf8(csv_rows(&[row]).unwrap()).unwrap();
        assert_eq!(
            text,
            "\"1970-01-01T00:00:00Z\",\"1234-567-89\",\"1234-567-89/bob\",\"session\",\"\",\"\",\
             \"group.create\",\"say \"\"hi\"\"; '=1\",\"success\",\"\",\"127.0.0.1\",\"line\nbreak\"\r\n"
        );
    }

    #[test]
    fn the_header_is_quoted_like_the_rows() {
        let mut writer = csv::WriterBuilder::new()
            .quote_style(csv::QuoteStyle::Always)
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        writer
            .write_record([
                "time",
                "account",
                "actor",
                "via",
                "key",
                "acting_from",
                "action",
                "target",
                "result",
                "detail",
                "ip",
                "user_agent",
            ])
            .unwrap();
        assert_eq!(writer.into_inner().unwrap(), CSV_HEADER.as_bytes());
    }
}
