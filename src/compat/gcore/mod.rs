//! Gcore IAM (`gcore` 0.59.0): clients (accounts), API tokens and users, authenticated with a
//! personal API token in `Authorization: APIKey <id>_<secret>`.
//!
//! A Gcore client is a Steward account (its numeric id); a Gcore user is a Steward user. Gcore's
//! roles map onto Steward's privileges: Administrators (1) = Administrator, Engineers (5) =
//! User, Users (2) = None.

use crate::compat::kit;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::domain::{CompanyName, Role};
use crate::error::AppError;
use crate::server::db;
use crate::server::identity::caller;
use crate::server::identity::caller::Caller;
use crate::server::identity::caller::Presented;
use crate::server::infra::format::rfc3339;
use crate::server::manage::api_tokens;
use crate::server::manage::api_tokens::NewTokenInput;
use crate::server::manage::sub_accounts;
use crate::server::manage::sub_accounts::SubAccountInput;
use crate::server::manage::users;
use crate::server::web::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/iam/clients/create", post(create_client))
        .route("/iam/clients/me", get(me))
        .route(
            "/iam/v2/clients/{client_id}/tokens",
            post(create_token).get(list_tokens),
        )
        .route(
            "/iam/v2/clients/{client_id}/tokens/{token_id}",
            get(get_token).delete(delete_token),
        )
        .route("/iam/users", get(list_users))
        .route("/iam/users/{user_id}", get(get_user).patch(update_user))
        .route("/iam/clients/invite_user", post(invite_user))
        .route(
            "/iam/clients/{client_id}/client-users/{user_id}",
            axum::routing::delete(delete_user),
        )
}

pub const COMPANY_TAKEN: &str = "Company with this name already exists";

/// A refusal in Gcore's shape: `{"message": ...}`, or `{"errors": {field: [..]}}` for
/// validation. A conflict tells the client not to retry.
#[derive(Debug)]
enum Refusal {
    Message(StatusCode, String),
    Fields(StatusCode, Value),
}

type Answer = Result<Response, Refusal>;

fn refuse(status: StatusCode, message: impl Into<String>) -> Refusal {
    Refusal::Message(status, message.into())
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            Self::Message(status, message) => (status, json!({ "message": message })),
            Self::Fields(status, errors) => (status, json!({ "errors": errors })),
        };
        let mut response = (status, axum::Json(body)).into_response();
        if status == StatusCode::CONFLICT {
            response
                .headers_mut()
                .insert("x-should-retry", HeaderValue::from_static("false"));
        }
        response
    }
}

impl From<AppError> for Refusal {
    fn from(err: AppError) -> Self {
        match err {
            AppError::Invalid(fields) => {
                let mut errors = serde_json::Map::new();
                for f in fields {
                    let message = f.message(crate::i18n::Lang::En);
                    let entry = errors
                        .entry(f.field)
                        .or_insert_with(|| Value::Array(Vec::new()));
                    if let Value::Array(list) = entry {
                        list.push(Value::String(message));
                    }
                }
                Self::Fields(StatusCode::BAD_REQUEST, Value::Object(errors))
            }
            AppError::Unauthenticated | AppError::LoginFailed => {
                refuse(StatusCode::UNAUTHORIZED, "Invalid or missing API token.")
            }
            AppError::Forbidden => {
                refuse(StatusCode::FORBIDDEN, err.message(crate::i18n::Lang::En))
            }
            AppError::NotFound => refuse(StatusCode::NOT_FOUND, "Not found."),
            AppError::Unavailable | AppError::Busy { .. } => refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                err.message(crate::i18n::Lang::En),
            ),
            AppError::RateLimited { .. } => refuse(
                StatusCode::TOO_MANY_REQUESTS,
                err.message(crate::i18n::Lang::En),
            ),
            other => refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                other.message(crate::i18n::Lang::En),
            ),
        }
    }
}

impl From<sqlx::Error> for Refusal {
    fn from(err: sqlx::Error) -> Self {
        AppError::from(err).into()
    }
}

/// The user behind the `APIKey` token, counted against their account's rate limit.
async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Caller, Refusal> {
    let Some(presented @ Presented::Token(_)) = caller::presented(headers) else {
        return Err(refuse(
            StatusCode::UNAUTHORIZED,
            "Send an API token as Authorization: APIKey <token>.",
        ));
    };
    let caller = caller::caller_from_credential(state, &presented)
        .await?
        .ok_or_else(|| {
            refuse(
                StatusCode::UNAUTHORIZED,
                "Invalid, expired or revoked API token.",
            )
        })?;
    kit::admit::<Gcore>(state, caller).await
}

/// Gcore's answers to the refusals every dialect shares.
struct Gcore;

impl kit::Dialect for Gcore {
    type Refusal = Refusal;

    fn two_factor_pending() -> Refusal {
        refuse(StatusCode::FORBIDDEN, kit::TWO_FACTOR_PENDING)
    }

    fn rate_limited() -> Refusal {
        refuse(
            StatusCode::TOO_MANY_REQUESTS,
            "Rate limit exceeded: too many API requests this minute.",
        )
    }
}

/// The client id in a path must be the caller's own account.
fn own_client(caller: &Caller, client_id: &str) -> Result<(), Refusal> {
    if client_id.parse::<i64>().ok() == Some(caller.account_pk()) {
        Ok(())
    } else {
        Err(refuse(StatusCode::NOT_FOUND, "Client not found."))
    }
}

fn parse_body<T: serde::de::DeserializeOwned>(
    body: Result<Bytes, BytesRejection>,
) -> Result<T, Refusal> {
    kit::json_body(body).map_err(|bad| refuse(bad.status, bad.message))
}

/// Gcore's role object for a Steward role.
fn role_json(role: Role) -> Value {
    match role {
        Role::Administrator => json!({ "id": 1, "name": "Administrators" }),
        Role::User => json!({ "id": 5, "name": "Engineers" }),
        Role::None => json!({ "id": 2, "name": "Users" }),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RoleBody {
    id: Option<i64>,
    name: Option<String>,
}

/// The Steward role for Gcore's role object (by id, else by name).
fn role_from(body: &RoleBody) -> Result<Role, Refusal> {
    let by_id = match body.id {
        Some(1) => Some(Role::Administrator),
        Some(5) => Some(Role::User),
        Some(2) => Some(Role::None),
        Some(_) => None,
        None => match body.name.as_deref() {
            Some("Administrators") => Some(Role::Administrator),
            Some("Engineers") => Some(Role::User),
            Some("Users") => Some(Role::None),
            _ => None,
        },
    };
    by_id.ok_or_else(|| {
        Refusal::Fields(
            StatusCode::BAD_REQUEST,
            json!({ "role": ["Use the role Administrators (1), Engineers (5) or Users (2)."] }),
        )
    })
}

/// The built-in group of a role.
fn group_of(role: Role) -> &'static str {
    match role {
        Role::Administrator => "ADMIN",
        Role::User => "DEFAULT",
        Role::None => "UNPRIVILEGED",
    }
}

fn member_role(row: &db::user_store::MemberRow) -> Role {
    if row.is_holder {
        Role::Administrator
    } else {
        Role::parse(&row.role).unwrap_or(Role::None)
    }
}

fn user_json(row: &db::user_store::MemberRow, caller: &Caller) -> Value {
    let role = member_role(row);
    json!({
        "id": row.id,
        "activated": true,
        "auth_types": ["password"],
        "client": caller.account_pk(),
        "client_and_roles": [{
            "client_company_name": caller.company(),
            "client_id": caller.account_pk(),
            "user_id": row.id,
            "user_roles": [role_json(role)["name"].clone()],
        }],
        "company": caller.company(),
        "deleted": false,
        "email": row.email,
        "groups": [role_json(role)],
        "is_active": !row.disabled,
        "lang": "en",
        "name": if row.description.is_empty() { Value::Null } else { json!(row.description) },
        "phone": Value::Null,
        "reseller": 0,
        "sso_auth": false,
        "two_fa": row.totp_enabled,
        "user_type": "common",
        "login": row.login.as_deref().map_or_else(|| caller.account_id().to_string(), |l| format!("{}/{l}", caller.account_id())),
    })
}

fn token_json(row: &db::api_token_store::AccountTokenRow, caller: &Caller) -> Value {
    let now = db::now();
    json!({
        "id": row.id,
        "name": row.name,
        "description": if row.description.is_empty() { Value::Null } else { json!(row.description) },
        "created": rfc3339(row.created_at),
        "deleted": false,
        "exp_date": row.expires_at.map(rfc3339),
        "expired": row.expires_at.is_some_and(|at| at <= now),
        "last_usage": rfc3339(row.last_used_at.unwrap_or(row.created_at)),
        "client_user": {
            "client_id": caller.account_pk(),
            "deleted": false,
            "role": role_json(Role::parse(&row.role).unwrap_or(Role::None)),
            "user_email": row.email,
            "user_id": row.user_id,
            "user_name": row.login.clone().unwrap_or_else(|| caller.account_id().to_string()),
        },
    })
}

#[derive(Debug, Deserialize)]
struct CreateClientBody {
    company: Option<String>,
}

/// `POST /iam/clients/create {company}`: a sub-account of the caller's account, named by a
/// company name no other account has.
async fn create_client(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Answer {
    let caller = authenticate(&state, &headers).await?;
    let body: CreateClientBody = parse_body(body)?;
    let admin = caller.main_account_admin()?;
    let company = CompanyName::parse(body.company.as_deref().unwrap_or_default()).map_err(|e| {
        Refusal::Fields(
            StatusCode::BAD_REQUEST,
            json!({ "company": [e.to_string()] }),
        )
    })?;
    let taken = || {
        Refusal::Fields(
            StatusCode::BAD_REQUEST,
            json!({ "company": [COMPANY_TAKEN] }),
        )
    };
    // Names of accounts made elsewhere (sign-up, the panel) are found here; two clients created
    // at once with one name are told apart by the claim `create` inserts with the account.
    if db::account_store::company_taken(&state.db, &company.key()).await? {
        return Err(taken());
    }
    let input = SubAccountInput {
        name: company.as_str().to_owned(),
        calls: true,
        cdr: true,
        enabled: true,
        claims_company: true,
        ..Default::default()
    };
    match sub_accounts::create(&state, admin, input).await {
        Ok(created) => Ok((
            StatusCode::CREATED,
            axum::Json(json!({ "id": created.id, "company": created.name })),
        )
            .into_response()),
        Err(e) if e.conflict().is_some() => Err(taken()),
        Err(e) => Err(e.into()),
    }
}

/// `GET /iam/clients/me`: the caller's account.
async fn me(State(state): State<AppState>, headers: HeaderMap) -> Answer {
    let caller = authenticate(&state, &headers).await?;
    let (members, _) = db::user_store::list_members(&state.db, caller.account_pk(), 100, 0).await?;
    let has_admin = members
        .iter()
        .any(|m| !m.disabled && member_role(m) == Role::Administrator);
    Ok(axum::Json(json!({
        "id": caller.account_pk(),
        "bill_type": "prepay",
        "capabilities": [],
        "companyName": caller.company(),
        "currentUser": caller.user_id(),
        "deleted": false,
        "email": caller.email(),
        "entryBaseDomain": Value::Null,
        "freeFeatures": {},
        "paidFeatures": {},
        "serviceStatuses": {},
        "has_active_admin": has_admin,
        "is_test": false,
        "name": caller.company(),
        "status": "active",
        "custom_id": caller.account_id().to_string(),
        "users": members.iter().map(|m| user_json(m, &caller)).collect::<Vec<_>>(),
    }))
    .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ClientUserBody {
    role: RoleBody,
}

#[derive(Debug, Deserialize)]
struct CreateTokenBody {
    #[serde(default)]
    client_user: ClientUserBody,
    #[serde(default)]
    exp_date: Option<String>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: Option<String>,
}

/// An RFC 3339 time (`2026-12-31T23:59:59Z`; fractions and `+hh:mm` offsets allowed) as Unix
/// seconds.
fn parse_time(input: &str) -> Result<i64, &'static str> {
    const MESSAGE: &str =
        "Give exp_date as an RFC 3339 time, such as 2026-12-31T23:59:59Z, or null.";
    let input = input.trim();
    let (date, rest) = input.split_once(['T', 't', ' ']).ok_or(MESSAGE)?;
    let (clock, offset) = match rest.find(['Z', 'z', '+', '-']) {
        Some(i) => rest.split_at(i),
        None => return Err(MESSAGE),
    };
    let number = |s: &str| s.parse::<u8>().map_err(|_| MESSAGE);
    let mut d = date.splitn(3, '-');
    let (Some(y), Some(m), Some(day)) = (d.next(), d.next(), d.next()) else {
        return Err(MESSAGE);
    };
    let year: i32 = y.parse().map_err(|_| MESSAGE)?;
    let month = time::Month::try_from(number(m)?).map_err(|_| MESSAGE)?;
    let date = time::Date::from_calendar_date(year, month, number(day)?).map_err(|_| MESSAGE)?;
    let clock = clock.split('.').next().unwrap_or_default();
    let mut c = clock.splitn(3, ':');
    let (Some(h), Some(mi), Some(se)) = (c.next(), c.next(), c.next()) else {
        return Err(MESSAGE);
    };
    let at = date
        .with_hms(number(h)?, number(mi)?, number(se)?)
        .map_err(|_| MESSAGE)?
        .assume_utc()
        .unix_timestamp();
    let shift = match offset {
        "Z" | "z" => 0,
        _ => {
            let sign = if offset.starts_with('-') { -1 } else { 1 };
            let (oh, om) = offset[1..].split_once(':').ok_or(MESSAGE)?;
            sign * (i64::from(number(oh)?) * 3600 + i64::from(number(om)?) * 60)
        }
    };
    Ok(at - shift)
}

async fn create_token(
    State(state): State<AppState>,
    Path(client_id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Answer {
    let caller = authenticate(&state, &headers).await?;
    own_client(&caller, &client_id)?;
    let body: CreateTokenBody = parse_body(body)?;
    let role = role_from(&body.client_user.role)?;
    let expires_at = body.exp_date.as_deref().map(parse_time).transpose();
    let input = NewTokenInput {
        name: body.name,
        description: body.description.unwrap_or_default(),
        role: role.code().to_owned(),
        expires: String::new(),
    };
    let created =
        api_tokens::create_expiring(&state, caller.own_keys(), caller.role(), input, expires_at)
            .await?;
    let row = db::api_token_store::find_in_account(&state.db, caller.account_pk(), created.id)
        .await?
        .ok_or_else(|| refuse(StatusCode::NOT_FOUND, "Not found."))?;
    let mut answer = token_json(&row, &caller);
    answer["token"] = json!(created.token);
    Ok((StatusCode::CREATED, axum::Json(answer)).into_response())
}

/// Administrators see every token of the account; others their own.
fn token_scope(caller: &Caller) -> Option<i64> {
    (!caller.role().can_manage_users()).then_some(caller.user_id())
}

async fn list_tokens(
    State(state): State<AppState>,
    Path(client_id): Path<String>,
    headers: HeaderMap,
) -> Answer {
    let caller = authenticate(&state, &headers).await?;
    own_client(&caller, &client_id)?;
    let rows =
        db::api_token_store::list_for_account(&state.db, caller.account_pk(), token_scope(&caller))
            .await?;
    let items: Vec<Value> = rows.iter().map(|r| token_json(r, &caller)).collect();
    Ok(axum::Json(items).into_response())
}

/// Token `token_id` as the caller may see it.
async fn visible_token(
    state: &AppState,
    caller: &Caller,
    token_id: &str,
) -> Result<db::api_token_store::AccountTokenRow, Refusal> {
    let not_found = || refuse(StatusCode::NOT_FOUND, "API token not found.");
    let id: i64 = token_id.parse().map_err(|_| not_found())?;
    db::api_token_store::find_in_account(&state.db, caller.account_pk(), id)
        .await?
        .filter(|row| token_scope(caller).is_none_or(|user| user == row.user_id))
        .ok_or_else(not_found)
}

async fn get_token(
    State(state): State<AppState>,
    Path((client_id, token_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Answer {
    let caller = authenticate(&state, &headers).await?;
    own_client(&caller, &client_id)?;
    let row = visible_token(&state, &caller, &token_id).await?;
    Ok(axum::Json(token_json(&row, &caller)).into_response())
}

async fn delete_token(
    State(state): State<AppState>,
    Path((client_id, token_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Answer {
    let caller = authenticate(&state, &headers).await?;
    own_client(&caller, &client_id)?;
    let row = visible_token(&state, &caller, &token_id).await?;
    api_tokens::revoke(&state, caller.keys_of(row.user_id)?, row.id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Deserialize)]
struct Page {
    limit: Option<String>,
    offset: Option<String>,
}

async fn list_users(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(page): Query<Page>,
) -> Answer {
    let caller = authenticate(&state, &headers).await?;
    let number = |v: Option<&str>, default: i64, min: i64| -> Result<i64, Refusal> {
        match v.map(str::trim) {
            None | Some("") => Ok(default),
            Some(v) => v.parse::<i64>().ok().filter(|n| *n >= min).ok_or_else(|| {
                refuse(
                    StatusCode::BAD_REQUEST,
                    "limit and offset are whole numbers.",
                )
            }),
        }
    };
    let limit = number(page.limit.as_deref(), 100, 1)?.min(1000);
    let offset = number(page.offset.as_deref(), 0, 0)?;
    let (rows, count) =
        db::user_store::list_members(&state.db, caller.account_pk(), limit, offset).await?;
    Ok(axum::Json(json!({
        "count": count,
        "results": rows.iter().map(|r| user_json(r, &caller)).collect::<Vec<_>>(),
    }))
    .into_response())
}

/// User `user_id` of the caller's account.
async fn member(
    state: &AppState,
    caller: &Caller,
    user_id: &str,
) -> Result<db::user_store::MemberRow, Refusal> {
    let not_found = || refuse(StatusCode::NOT_FOUND, "User not found.");
    let id: i64 = user_id.parse().map_err(|_| not_found())?;
    db::user_store::find_member(&state.db, caller.account_pk(), id)
        .await?
        .ok_or_else(not_found)
}

async fn get_user(
    State(state): State<AppState>,
    Path(user_id): Path<String>,
    headers: HeaderMap,
) -> Answer {
    let caller = authenticate(&state, &headers).await?;
    let row = member(&state, &caller, &user_id).await?;
    Ok(axum::Json(user_json(&row, &caller)).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct UpdateUserBody {
    email: Option<String>,
    name: Option<String>,
    phone: Option<String>,
    lang: Option<String>,
    auth_types: Option<Vec<String>>,
}

/// `PATCH /iam/users/{id}`: e-mail and name (kept as the description), through the same
/// service as the panel's edit form. The holder is changed only in the panel.
async fn update_user(
    State(state): State<AppState>,
    Path(user_id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Answer {
    let caller = authenticate(&state, &headers).await?;
    let body: UpdateUserBody = parse_body(body)?;
    let admin = caller.admin()?;
    let row = member(&state, &caller, &user_id).await?;
    let Some(login) = row.login.clone() else {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "The account holder is changed only in the panel.",
        ));
    };
    let _ = (body.phone, body.lang, body.auth_types);
    let email = body.email.unwrap_or_else(|| row.email.clone());
    let description = body.name.unwrap_or_else(|| row.description.clone());
    let group = users::find(&state, &caller, &login).await?.group_name;
    users::update_user(&state, admin, &login, &email, &group, &description).await?;
    let row = member(&state, &caller, &user_id).await?;
    Ok(axum::Json(user_json(&row, &caller)).into_response())
}

#[derive(Debug, Deserialize)]
struct InviteBody {
    client_id: Option<i64>,
    email: Option<String>,
    #[serde(default)]
    user_role: RoleBody,
    #[serde(default)]
    name: Option<String>,
}

/// The login an invited user gets: their e-mail's local part, in login characters.
fn login_from_email(email: &str) -> String {
    let local = email.split('@').next().unwrap_or_default();
    let login: String = local
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .take(24)
        .collect();
    if login.is_empty() {
        "user".to_owned()
    } else {
        login
    }
}

/// `POST /iam/clients/invite_user`: adds a user with a generated password nobody sees and a
/// required change; an Administrator hands them a password with "Reset password" in the panel.
async fn invite_user(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Answer {
    let caller = authenticate(&state, &headers).await?;
    let body: InviteBody = parse_body(body)?;
    let admin = caller.admin()?;
    if body.client_id != Some(caller.account_pk()) {
        return Err(refuse(StatusCode::NOT_FOUND, "Client not found."));
    }
    let role = role_from(&body.user_role)?;
    let email = body.email.unwrap_or_default();
    let base = login_from_email(&email);
    // A taken login gets a numbered one: `jo`, then `jo2`, `jo3`...
    for n in 1..=20 {
        let login = if n == 1 {
            base.clone()
        } else {
            format!("{base}{n}")
        };
        let input = users::NewUserInput {
            login: &login,
            email: &email,
            group: group_of(role),
            description: body.name.as_deref().unwrap_or_default(),
            password: users::generate_password(),
            require_change: true,
        };
        match users::create_user(&state, admin, input).await {
            Ok(created) => {
                let row = users::find(&state, &caller, &created.login).await?;
                return Ok(axum::Json(json!({ "status": "ok", "user_id": row.id })).into_response());
            }
            Err(e) if e.conflict().is_some() && n < 20 => {
                continue;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(refuse(
        StatusCode::CONFLICT,
        "No free login for this e-mail address.",
    ))
}

async fn delete_user(
    State(state): State<AppState>,
    Path((client_id, user_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Answer {
    let caller = authenticate(&state, &headers).await?;
    own_client(&caller, &client_id)?;
    let admin = caller.admin()?;
    let row = member(&state, &caller, &user_id).await?;
    let Some(login) = row.login else {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "The account holder cannot be removed.",
        ));
    };
    users::remove_user(&state, admin, &login).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_times_are_read_as_rfc_3339() {
        assert_eq!(parse_time("2026-11-22T12:00:00Z"), Ok(1_795_348_800));
        assert_eq!(parse_time("2026-11-22T12:00:00.123456Z"), Ok(1_795_348_800));
        assert_eq!(parse_time("2026-11-22T14:00:00+02:00"), Ok(1_795_348_800));
        assert_eq!(parse_time("2026-11-22T10:00:00-02:00"), Ok(1_795_348_800));
        for bad in [
            "",
            "2026-11-22",
            "2026-02-30T00:00:00Z",
            "2026-11-22T25:00:00Z",
            "soon",
            "2026-11-22T12:00:00",
        ] {
            assert!(parse_time(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn gcore_roles_map_both_ways() {
        for role in Role::ALL {
            let body: RoleBody = serde_json::from_value(role_json(role)).unwrap();
            assert_eq!(role_from(&body).unwrap(), role);
        }
        assert!(
            role_from(&RoleBody {
                id: Some(3009),
                name: None
            })
            .is_err()
        );
        assert_eq!(login_from_email("jo.smith+x@example.com"), "jo.smithx");
        assert_eq!(login_from_email("@example.com"), "user");
    }

    /// Bad input: bodies and expiry times are read without panicking, refusals never repeat a
    /// value, and what Steward writes it reads back.
    mod properties {
        use super::*;
        use crate::compat::kit::bad_input;
        use crate::domain::LoginName;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn bodies_are_accepted_or_refused_without_repeating_them(
                (secret, bytes) in bad_input::body(&[
                    "company", "client_user", "role", "id", "name", "exp_date", "description",
                    "email", "phone", "lang", "auth_types", "client_id", "user_role",
                ]),
            ) {
                bad_input::check_body::<CreateClientBody>(&secret, &bytes)?;
                bad_input::check_body::<CreateTokenBody>(&secret, &bytes)?;
                bad_input::check_body::<UpdateUserBody>(&secret, &bytes)?;
                bad_input::check_body::<InviteBody>(&secret, &bytes)?;
                bad_input::check_body::<RoleBody>(&secret, &bytes)?;
                if let Ok(body) = parse_body::<CreateTokenBody>(Ok(Bytes::from(bytes.clone()))) {
                    let _ = role_from(&body.client_user.role);
                    if let Some(Err(message)) = body.exp_date.as_deref().map(parse_time) {
                        bad_input::check_message(&secret, message)?;
                    }
                }
                if let Ok(body) = parse_body::<InviteBody>(Ok(Bytes::from(bytes))) {
                    let _ = role_from(&body.user_role);
                    let login = login_from_email(body.email.as_deref().unwrap_or_default());
                    prop_assert!(LoginName::parse(&login).is_ok(), "{:?}", login);
                }
            }

            #[test]
            fn any_expiry_text_is_read_without_panicking(
                input in prop_oneof![
                    any::<String>(),
                    "[0-9]{1,6}-[0-9]{1,3}-[0-9]{1,3}[Tt ][0-9]{1,3}:[0-9]{1,3}:[0-9]{1,3}(\\.[0-9]{0,9})?([Zz]|[+-][0-9]{0,3}:?[0-9]{0,3})?",
                ],
            ) {
                let _ = parse_time(&input);
            }

            #[test]
            fn an_expiry_time_reads_back_whatever_its_offset(
                at in -62_000_000_000i64..250_000_000_000,
                offset_minutes in -(23 * 60 + 59)..=(23 * 60 + 59i64),
            ) {
                prop_assert_eq!(parse_time(&rfc3339(at)), Ok(at));
                let local = rfc3339(at + offset_minutes * 60);
                let sign = if offset_minutes < 0 { '-' } else { '+' };
                let shifted = format!(
                    "{}{sign}{:02}:{:02}",
                    local.trim_end_matches('Z'),
                    offset_minutes.abs() / 60,
                    offset_minutes.abs() % 60
                );
                prop_assert_eq!(parse_time(&shifted), Ok(at), "{}", shifted);
            }

            #[test]
            fn an_invited_user_always_gets_a_valid_login(email in any::<String>()) {
                let login = login_from_email(&email);
                prop_assert!(LoginName::parse(&login).is_ok(), "{:?}", login);
            }
        }
    }
}
