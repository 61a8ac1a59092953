//! Vobiz sub-accounts (`vobiz-python`): `/api/v1/accounts/{auth_id}/sub-accounts/`, with the
//! main account's API credentials in `X-Auth-ID` / `X-Auth-Token`. Errors are `{"error": ...}`.

use crate::compat::kit;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::AppError;
use crate::server::db::sub_account_store::SubAccountRow;
use crate::server::identity::caller;
use crate::server::identity::caller::Caller;
use crate::server::identity::caller::Presented;
use crate::server::infra::format::date;
use crate::server::infra::format::rfc3339;
use crate::server::manage::sub_accounts;
use crate::server::manage::sub_accounts::SubAccountInput;
use crate::server::web::state::AppState;

pub fn routes() -> Router<AppState> {
    const LIST: &str = "/api/v1/accounts/{auth_id}/sub-accounts/";
    Router::new()
        .route(LIST, post(create).get(list))
        .route(
            "/api/v1/accounts/{auth_id}/sub-accounts",
            post(create).get(list),
        )
        .route(
            "/api/v1/accounts/{auth_id}/sub-accounts/{id}",
            get(show).put(update).delete(remove),
        )
        .route(
            "/api/v1/accounts/{auth_id}/sub-accounts/{id}/",
            get(show).put(update).delete(remove),
        )
}

/// A refusal, answered in Vobiz's shape: `{"error": "..."}` with its status.
#[derive(Debug)]
struct Refusal(StatusCode, String);

fn error(status: StatusCode, message: impl Into<String>) -> Refusal {
    Refusal(status, message.into())
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (self.0, axum::Json(json!({ "error": self.1 }))).into_response()
    }
}

impl From<AppError> for Refusal {
    fn from(err: AppError) -> Self {
        from_app_error(err)
    }
}

impl From<sqlx::Error> for Refusal {
    fn from(err: sqlx::Error) -> Self {
        from_app_error(err.into())
    }
}

type Answer = Result<Response, Refusal>;

fn from_app_error(err: AppError) -> Refusal {
    match err {
        AppError::Invalid(fields) => {
            let text = kit::fields_in_english(&fields);
            error(StatusCode::BAD_REQUEST, text)
        }
        AppError::Unauthenticated | AppError::LoginFailed => error(
            StatusCode::UNAUTHORIZED,
            "Invalid X-Auth-ID or X-Auth-Token.",
        ),
        AppError::Forbidden => error(StatusCode::FORBIDDEN, err.message(crate::i18n::Lang::En)),
        AppError::NotFound => error(StatusCode::NOT_FOUND, "Sub-account not found."),
        AppError::Unavailable | AppError::Busy { .. } => error(
            StatusCode::SERVICE_UNAVAILABLE,
            err.message(crate::i18n::Lang::En),
        ),
        AppError::RateLimited { .. } => error(
            StatusCode::TOO_MANY_REQUESTS,
            err.message(crate::i18n::Lang::En),
        ),
        other => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            other.message(crate::i18n::Lang::En),
        ),
    }
}

/// The main account behind the credentials, which must be the account named in the path.
async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    path_auth_id: &str,
) -> Result<Caller, Refusal> {
    let Some(presented @ Presented::Account { .. }) = caller::presented(headers) else {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            "Send the account's X-Auth-ID and X-Auth-Token headers.",
        ));
    };
    let Presented::Account { auth_id, .. } = &presented else {
        return Err(error(StatusCode::UNAUTHORIZED, "Invalid credentials."));
    };
    let caller = caller::caller_from_credential(state, &presented)
        .await?
        .ok_or_else(|| {
            error(
                StatusCode::UNAUTHORIZED,
                "Invalid X-Auth-ID or X-Auth-Token.",
            )
        })?;
    if auth_id != path_auth_id {
        return Err(error(StatusCode::NOT_FOUND, "Account not found."));
    }
    if caller.parent_pk().is_some() {
        return Err(error(
            StatusCode::FORBIDDEN,
            "A sub-account cannot manage sub-accounts.",
        ));
    }
    kit::admit::<Vobiz>(state, caller).await
}

/// Vobiz's answers to the refusals every dialect shares.
struct Vobiz;

impl kit::Dialect for Vobiz {
    type Refusal = Refusal;

    fn two_factor_pending() -> Refusal {
        error(StatusCode::FORBIDDEN, kit::TWO_FACTOR_PENDING)
    }

    fn rate_limited() -> Refusal {
        error(
            StatusCode::TOO_MANY_REQUESTS,
            "Rate limit exceeded: too many API requests this minute.",
        )
    }
}

fn parse_body<T: serde::de::DeserializeOwned>(
    body: Result<Bytes, BytesRejection>,
) -> Result<T, Refusal> {
    kit::json_body(body).map_err(|bad| error(bad.status, bad.message))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Permissions {
    calls: Option<bool>,
    cdr: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SubAccountBody {
    name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    description: Option<String>,
    rate_limit: Option<i64>,
    permissions: Option<Permissions>,
    password: Option<String>,
    enabled: Option<bool>,
    kyc_mode: Option<String>,
    business_type: Option<String>,
}

impl SubAccountBody {
    /// The form, with what the body leaves out taken from `current` (an update) or the
    /// defaults (a creation).
    fn into_input(self, current: Option<&SubAccountRow>) -> SubAccountInput {
        let keep = |new: Option<String>, old: fn(&SubAccountRow) -> String| {
            new.unwrap_or_else(|| current.map(old).unwrap_or_default())
        };
        let permissions = self.permissions.unwrap_or_default();
        SubAccountInput {
            name: keep(self.name, |c| c.name.clone()),
            description: keep(self.description, |c| c.description.clone()),
            email: keep(self.email, |c| c.contact_email.clone()),
            phone: keep(self.phone, |c| c.phone.clone()),
            rate_limit: self
                .rate_limit
                .or(current.map(|c| c.rate_limit))
                .map(|r| r.to_string())
                .unwrap_or_default(),
            calls: permissions
                .calls
                .unwrap_or(current.is_none_or(|c| c.allow_calls)),
            cdr: permissions
                .cdr
                .unwrap_or(current.is_none_or(|c| c.allow_cdr)),
            enabled: self.enabled.unwrap_or(current.is_none_or(|c| c.enabled)),
            kyc_mode: keep(self.kyc_mode, |c| c.kyc_mode.clone()),
            business_type: keep(self.business_type, |c| c.business_type.clone()),
            password: self.password.unwrap_or_default(),
            claims_company: false,
        }
    }
}

/// A sub-account in Vobiz's shape; the token is given only at creation.
fn sub_account_json(
    row: &SubAccountRow,
    parent: &Caller,
    parent_auth_id: &str,
    token: Option<&str>,
) -> Value {
    let text = |s: &str| if s.is_empty() { Value::Null } else { json!(s) };
    let auth_id = row.auth_id.clone().unwrap_or_default();
    json!({
        "name": row.name,
        "email": text(&row.contact_email),
        "phone": text(&row.phone),
        "description": text(&row.description),
        "permissions": { "calls": row.allow_calls, "cdr": row.allow_cdr },
        "rate_limit": row.rate_limit,
        "id": row.id.to_string(),
        "parent_account_id": parent.account_pk().to_string(),
        "parent_auth_id": parent_auth_id,
        "auth_id": auth_id,
        "auth_token": token.unwrap_or("<redacted>"),
        "api_id": row.code,
        "email_verified": row.email_verified,
        "enabled": row.enabled,
        "is_active": row.enabled,
        "kyc_mode": row.kyc_mode,
        "business_type": text(&row.business_type),
        "kyc_calls_blocked": row.kyc_calls_blocked,
        "created": date(row.created_at),
        "modified": date(row.updated_at.max(row.created_at)),
        "created_at": rfc3339(row.created_at),
        "updated_at": rfc3339(row.updated_at.max(row.created_at)),
        "last_used": Value::Null,
        "account": format!("/api/v1/accounts/{parent_auth_id}/"),
        "resource_uri": format!("/api/v1/accounts/{parent_auth_id}/sub-accounts/{}", row.id),
    })
}

/// A signed access/refresh pair for the new sub-account: sealed with the server key, so that
/// only this server can have made them.
fn session_tokens(state: &AppState, sub_account: i64) -> Result<Value, AppError> {
    let now = crate::server::db::now();
    let seal = |kind: &str, ttl: i64| -> Result<String, AppError> {
        let claims = json!({ "sub": sub_account, "typ": kind, "exp": now + ttl });
        let sealed = state
            .server_key
            .encrypt(claims.to_string().as_bytes(), "vobiz-token")?;
        Ok(hex::encode(sealed))
    };
    Ok(json!({
        "access_token": seal("access", 1800)?,
        "refresh_token": seal("refresh", 30 * 86400)?,
        "token_type": "bearer",
        "expires_in": 1800,
    }))
}

async fn create(
    State(state): State<AppState>,
    Path(auth_id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Answer {
    let caller = authenticate(&state, &headers, &auth_id).await?;
    let body: SubAccountBody = parse_body(body)?;
    let parent = caller.admin()?.caller().account_pk();
    let created =
        sub_accounts::create(&state, caller.main_account_admin()?, body.into_input(None)).await?;
    let row = sub_accounts::find(&state, parent, created.id).await?;
    let tokens = session_tokens(&state, created.id)?;
    Ok((
        StatusCode::CREATED,
        axum::Json(json!({
            "message": "Sub-account created successfully",
            "sub_account": sub_account_json(&row, &caller, &auth_id, Some(&created.auth_token)),
            "auth_credentials": { "auth_id": created.auth_id, "auth_token": created.auth_token },
            "tokens": tokens,
        })),
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
struct ListQuery {
    page: Option<String>,
    size: Option<String>,
    active_only: Option<String>,
}

/// A page number or size from the query string: a whole number from 1.
fn number(value: Option<&str>, default: i64) -> Result<i64, Refusal> {
    match value.map(str::trim) {
        None | Some("") => Ok(default),
        Some(v) => v.parse::<i64>().ok().filter(|n| *n >= 1).ok_or_else(|| {
            error(
                StatusCode::BAD_REQUEST,
                "page and size are whole numbers from 1.",
            )
        }),
    }
}

async fn list(
    State(state): State<AppState>,
    Path(auth_id): Path<String>,
    Query(query): Query<ListQuery>,
    headers: HeaderMap,
) -> Answer {
    let caller = authenticate(&state, &headers, &auth_id).await?;
    let page = number(query.page.as_deref(), 1)?;
    let size = number(query.size.as_deref(), 25)?.min(100);
    // The Python client sends booleans as `True` / `False`.
    let active_only = query
        .active_only
        .as_deref()
        .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "true" | "1" | "yes"));
    let offset = (page - 1).saturating_mul(size);
    let (rows, total) =
        sub_accounts::list(&state, caller.account_pk(), "", active_only, size, offset).await?;
    let items: Vec<Value> = rows
        .iter()
        .map(|r| sub_account_json(r, &caller, &auth_id, None))
        .collect();
    Ok(axum::Json(json!({
        "sub_accounts": items,
        "total": total,
        "page": page,
        "size": size,
    }))
    .into_response())
}

/// The sub-account id in the path: a number, else not found.
fn sub_id(id: &str) -> Result<i64, Refusal> {
    id.parse()
        .map_err(|_| error(StatusCode::NOT_FOUND, "Sub-account not found."))
}

async fn show(
    State(state): State<AppState>,
    Path((auth_id, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Answer {
    let caller = authenticate(&state, &headers, &auth_id).await?;
    let row = sub_accounts::find(&state, caller.account_pk(), sub_id(&id)?).await?;
    Ok(axum::Json(sub_account_json(&row, &caller, &auth_id, None)).into_response())
}

async fn update(
    State(state): State<AppState>,
    Path((auth_id, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Answer {
    let caller = authenticate(&state, &headers, &auth_id).await?;
    let id = sub_id(&id)?;
    let body: SubAccountBody = parse_body(body)?;
    let parent = caller.admin()?.caller().account_pk();
    let current = sub_accounts::find(&state, parent, id).await?;
    let enabled = body.enabled;
    let input = body.into_input(Some(&current));
    sub_accounts::update(&state, caller.main_account_admin()?, id, input).await?;
    if let Some(enabled) = enabled.filter(|e| *e != current.enabled) {
        sub_accounts::set_enabled(&state, caller.main_account_admin()?, id, enabled).await?;
    }
    let row = sub_accounts::find(&state, parent, id).await?;
    Ok(axum::Json(json!({
        "message": "Sub-account updated successfully",
        "sub_account": sub_account_json(&row, &caller, &auth_id, None),
    }))
    .into_response())
}

async fn remove(
    State(state): State<AppState>,
    Path((auth_id, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Answer {
    let caller = authenticate(&state, &headers, &auth_id).await?;
    let id = sub_id(&id)?;
    let parent = caller.admin()?.caller().account_pk();
    let current = sub_accounts::find(&state, parent, id).await?;
    sub_accounts::delete(&state, caller.main_account_admin()?, id, &current.name).await?;
    Ok(axum::Json(json!({ "message": "Sub-account deleted successfully" })).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bad input: bodies are read without panicking and refusals never repeat a value.
    mod properties {
        use super::*;
        use crate::compat::kit::bad_input;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn bodies_are_accepted_or_refused_without_repeating_them(
                (secret, bytes) in bad_input::body(&[
                    "name", "email", "phone", "description", "rate_limit", "permissions",
                    "calls", "cdr", "password", "enabled", "kyc_mode", "business_type",
                ]),
            ) {
                bad_input::check_body::<SubAccountBody>(&secret, &bytes)?;
                bad_input::check_body::<Permissions>(&secret, &bytes)?;
                if let Ok(body) = parse_body::<SubAccountBody>(Ok(Bytes::from(bytes))) {
                    let _ = body.into_input(None);
                }
            }
        }
    }
}
