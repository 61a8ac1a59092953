//! The activity log as a CSV download (`GET /activity.csv`).

use crate::domain::activity_query::ActivityQuery;
use crate::error::AppError;
use crate::server::audit::query::{narrowing, scope_of};
use crate::server::db;
use crate::server::web::state::AppState;

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
        match crate::server::identity::current::authenticate_request(&state, &session, &headers)
            .await
        {
            Ok(caller) => caller,
            Err(e) => return refused(e),
        };
    let (narrowing, _) = match narrowing(
        caller.account_id(),
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
