//! The OVHcloud API (`ovh` 1.2.0, `@ovhcloud/node-ovh` 3.0.0) under `/1.0`: the server time,
//! consumer-key requests, sub-accounts, identity users and groups.
//!
//! Signed calls carry `X-Ovh-Application`, `X-Ovh-Consumer`, `X-Ovh-Timestamp` and
//! `X-Ovh-Signature` = `$1$` + SHA-1 of `SECRET+CK+METHOD+URL+BODY+TIMESTAMP`, checked on the
//! raw body. The URL is `http://<Host><path?query>` (python) or `https://<host without
//! port><path?query>` (node); both schemes and both host forms are accepted. Errors are
//! `{"message", "errorCode", "httpCode"}` with the codes the clients map to their exceptions.

use crate::compat::kit;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, OriginalUri, Path, Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::domain::event::Action;
use crate::domain::event::Event;
use crate::domain::{GroupName, Role, UserStatus};
use crate::error::AppError;
use crate::server::db;
use crate::server::identity::caller::Caller;
use crate::server::identity::caller::Via;
use crate::server::infra::format::rfc3339;
use crate::server::manage::ovh_keys as service;
use crate::server::manage::ovh_keys::AccessRule;
use crate::server::manage::ovh_keys::ConsumerKey;
use crate::server::manage::sub_accounts;
use crate::server::manage::sub_accounts::SubAccountInput;
use crate::server::manage::users;
use crate::server::web::state::AppState;

/// Signatures more than this far from the server's time are refused.
pub const MAX_CLOCK_SKEW: i64 = 300;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/1.0/auth/time", json_route(get(time)))
        .route("/1.0/auth/credential", json_route(post(request_credential)))
        .route(
            "/1.0/me/subAccount",
            json_route(get(list_sub_accounts).post(create_sub_account)),
        )
        .route("/1.0/me/subAccount/{id}", json_route(get(get_sub_account)))
        .route(
            "/1.0/me/subAccount/{id}/createConsumerKey",
            json_route(post(create_consumer_key)),
        )
        .route(
            "/1.0/me/identity/user",
            json_route(get(list_users).post(create_user)),
        )
        .route(
            "/1.0/me/identity/user/{login}",
            json_route(get(get_user).put(update_user).delete(delete_user)),
        )
        .route(
            "/1.0/me/identity/user/{login}/enable",
            json_route(post(enable_user)),
        )
        .route(
            "/1.0/me/identity/user/{login}/disable",
            json_route(post(disable_user)),
        )
        .route(
            "/1.0/me/identity/group",
            json_route(get(list_groups).post(create_group)),
        )
        .route(
            "/1.0/me/identity/group/{group}",
            json_route(get(get_group).put(update_group).delete(delete_group)),
        )
        .route("/1.0", json_route(MethodRouter::new()))
        .route("/1.0/{*rest}", json_route(MethodRouter::new()))
}

/// Any other method on a known path, and any unknown path under `/1.0`: OVH's error shape.
fn json_route(router: MethodRouter<AppState>) -> MethodRouter<AppState> {
    router.fallback(unknown)
}

async fn unknown(method: Method) -> Refusal {
    if method == Method::GET
        || method == Method::POST
        || method == Method::PUT
        || method == Method::DELETE
    {
        refuse(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "Got an invalid (or empty) URL.",
        )
    } else {
        refuse(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "This method is not allowed here.",
        )
    }
}

/// A refusal in OVH's shape.
#[derive(Debug)]
pub struct Refusal {
    status: StatusCode,
    code: &'static str,
    message: String,
}

type Answer = Result<Response, Refusal>;

fn refuse(status: StatusCode, code: &'static str, message: impl Into<String>) -> Refusal {
    Refusal {
        status,
        code,
        message: message.into(),
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let http_code = format!(
            "{} {}",
            self.status.as_u16(),
            self.status.canonical_reason().unwrap_or_default()
        );
        (
            self.status,
            axum::Json(json!({
                "message": self.message,
                "errorCode": self.code,
                "httpCode": http_code,
            })),
        )
            .into_response()
    }
}

impl From<AppError> for Refusal {
    fn from(err: AppError) -> Self {
        match err {
            AppError::Invalid(fields) => {
                let text: Vec<String> = fields
                    .iter()
                    .map(|f| format!("{}: {}", f.field, f.message(crate::i18n::Lang::En)))
                    .collect();
                refuse(
                    StatusCode::BAD_REQUEST,
                    "INVALID_PARAMETERS",
                    text.join(" "),
                )
            }
            AppError::Unauthenticated | AppError::LoginFailed => refuse(
                StatusCode::FORBIDDEN,
                "INVALID_CREDENTIAL",
                "This credential is not valid.",
            ),
            AppError::Forbidden
            | AppError::PasswordChangeRequired
            | AppError::TwoFactorRequired
            | AppError::Disabled => refuse(
                StatusCode::FORBIDDEN,
                "FORBIDDEN",
                err.message(crate::i18n::Lang::En),
            ),
            AppError::NotFound => refuse(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                "The requested object does not exist.",
            ),
            AppError::Unavailable | AppError::Busy { .. } => refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "SERVICE_UNAVAILABLE",
                err.message(crate::i18n::Lang::En),
            ),
            AppError::RateLimited { .. } => refuse(
                StatusCode::TOO_MANY_REQUESTS,
                "TOO_MANY_REQUESTS",
                err.message(crate::i18n::Lang::En),
            ),
            other => refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL_SERVER_ERROR",
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

fn ok(value: Value) -> Answer {
    Ok(axum::Json(value).into_response())
}

/// A void result: `200` with the body `null`.
fn done() -> Answer {
    ok(Value::Null)
}

/// What a handler needs of the request to check its signature: method, address, headers and
/// the raw body (over 64 KiB: OVH's error shape).
pub struct Signed {
    method: Method,
    path_and_query: String,
    path: String,
    /// The `Host` header, else the address's authority (HTTP/2).
    host: String,
    headers: HeaderMap,
    body: Bytes,
}

impl FromRequest<AppState> for Signed {
    type Rejection = Refusal;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let uri = req
            .extensions()
            .get::<OriginalUri>()
            .map_or_else(|| req.uri().clone(), |o| o.0.clone());
        let method = req.method().clone();
        let headers = req.headers().clone();
        let body = Bytes::from_request(req, state).await.map_err(|_| {
            refuse(
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                "The request body is over 64 KiB.",
            )
        })?;
        Ok(Self {
            method,
            path_and_query: uri
                .path_and_query()
                .map_or_else(|| uri.path().to_owned(), |pq| pq.as_str().to_owned()),
            path: uri.path().to_owned(),
            host: headers
                .get("host")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
                .or_else(|| uri.authority().map(|a| a.as_str().to_owned()))
                .unwrap_or_default(),
            headers,
            body,
        })
    }
}

impl Signed {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }

    /// The body as JSON of type `T` (an empty body as `{}`), or a 400 that says what is wrong
    /// without echoing any value.
    fn json<T: DeserializeOwned>(&self) -> Result<T, Refusal> {
        let body = if self.body.iter().all(u8::is_ascii_whitespace) {
            Bytes::from_static(b"{}")
        } else {
            self.body.clone()
        };
        kit::json_body(Ok(body))
            .map_err(|bad| refuse(bad.status, "INVALID_PARAMETERS", bad.message))
    }

    /// Whether `presented` is this request's signature with the application's `secret`, the
    /// consumer key and the timestamp as sent, at any of the addresses a client may sign.
    fn signed_with(&self, secret: &str, consumer: &str, timestamp: &str, presented: &str) -> bool {
        let method = self.method.as_str();
        self.signed_urls().iter().any(|url| {
            same(
                presented,
                &signature(secret, consumer, method, url, &self.body, timestamp),
            )
        })
    }

    /// The addresses a client may have signed: `http` or `https`, with the `Host` header as
    /// sent or without its port.
    fn signed_urls(&self) -> Vec<String> {
        let host = self.host.trim();
        let mut hosts = vec![host.to_owned()];
        let bare = host_without_port(host);
        if bare != host {
            hosts.push(bare.to_owned());
        }
        let mut urls = Vec::new();
        for scheme in ["http", "https"] {
            for host in &hosts {
                urls.push(format!("{scheme}://{host}{}", self.path_and_query));
            }
        }
        urls
    }
}

/// `host` without a `:port` (IPv6 literals keep their brackets).
fn host_without_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host.find(']').map_or(host, |end| &host[..=end]);
    }
    host.rsplit_once(':')
        .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
        .map_or(host, |(name, _)| name)
}

/// `$1$` + hex SHA-1 of the signed fields joined by `+`.
pub fn signature(
    secret: &str,
    consumer_key: &str,
    method: &str,
    url: &str,
    body: &[u8],
    timestamp: &str,
) -> String {
    let mut message = Vec::with_capacity(
        secret.len() + consumer_key.len() + method.len() + url.len() + body.len() + 32,
    );
    for (i, part) in [
        secret.as_bytes(),
        consumer_key.as_bytes(),
        method.as_bytes(),
        url.as_bytes(),
        body,
        timestamp.as_bytes(),
    ]
    .iter()
    .enumerate()
    {
        if i > 0 {
            message.push(b'+');
        }
        message.extend_from_slice(part);
    }
    format!("$1${}", hex::encode(sha1(&message)))
}

/// SHA-1, which OVH's `$1$` signature uses.
fn sha1(message: &[u8]) -> [u8; 20] {
    use sha1::{Digest, Sha1};
    Sha1::digest(message).into()
}

fn same(a: &str, b: &str) -> bool {
    crate::server::infra::secrets::same_hash(&a.to_ascii_lowercase(), &b.to_ascii_lowercase())
}

fn invalid_key() -> Refusal {
    refuse(
        StatusCode::FORBIDDEN,
        "INVALID_KEY",
        "This application key is invalid.",
    )
}

fn invalid_credential() -> Refusal {
    refuse(
        StatusCode::FORBIDDEN,
        "INVALID_CREDENTIAL",
        "This credential is not valid: unknown, revoked, or its user can no longer act.",
    )
}

/// The application named by `X-Ovh-Application`, if its owner can still act.
async fn application(state: &AppState, req: &Signed) -> Result<service::Application, Refusal> {
    let key = req.header("x-ovh-application").ok_or_else(invalid_key)?;
    service::find_application(state, key)
        .await?
        .filter(|app| app.owner_active)
        .ok_or_else(invalid_key)
}

/// The caller behind a signed request: the signature, the clock, the consumer key, its user,
/// its access rules and the account's rate limit are all checked, in that order.
async fn authenticate(
    state: &AppState,
    req: &Signed,
) -> Result<(Caller, service::Application), Refusal> {
    let app = application(state, req).await?;
    let consumer = req.header("x-ovh-consumer").ok_or_else(|| {
        refuse(
            StatusCode::FORBIDDEN,
            "NOT_CREDENTIAL",
            "You must login first: send X-Ovh-Consumer, X-Ovh-Timestamp and X-Ovh-Signature.",
        )
    })?;
    let timestamp = req.header("x-ovh-timestamp").unwrap_or_default();
    let Ok(at) = timestamp.parse::<i64>() else {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            "INVALID_SIGNATURE",
            "X-Ovh-Timestamp must be the Unix time in seconds.",
        ));
    };
    let presented = req.header("x-ovh-signature").unwrap_or_default();
    if !req.signed_with(&app.secret, consumer, timestamp, presented) {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            "INVALID_SIGNATURE",
            "Invalid signature.",
        ));
    }
    if at.abs_diff(db::now()) > MAX_CLOCK_SKEW.unsigned_abs() {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            "QUERY_TIME_OUT",
            "Query out of time: X-Ovh-Timestamp is more than 5 minutes from the server's time (see GET /auth/time).",
        ));
    }
    let key = service::find_consumer_key(state, app.id, consumer)
        .await?
        .ok_or_else(invalid_credential)?;
    let ConsumerKey::Granted(key) = key else {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "NOT_CREDENTIAL",
            "This consumer key is waiting for validation: open its validationUrl and authorize it.",
        ));
    };
    let caller = service::caller(state, &app, &key)
        .await?
        .ok_or_else(invalid_credential)?;
    let caller = kit::admit::<Ovh>(state, caller).await?;
    let path = req.path.strip_prefix("/1.0").unwrap_or(&req.path);
    if !service::allowed(&key.rules, req.method.as_str(), path) {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "NOT_GRANTED_CALL",
            "This call has not been granted.",
        ));
    }
    Ok((caller, app))
}

/// OVHcloud's answers to the refusals every dialect shares.
struct Ovh;

impl kit::Dialect for Ovh {
    type Refusal = Refusal;

    fn two_factor_pending() -> Refusal {
        refuse(StatusCode::FORBIDDEN, "FORBIDDEN", kit::TWO_FACTOR_PENDING)
    }

    fn rate_limited() -> Refusal {
        refuse(
            StatusCode::TOO_MANY_REQUESTS,
            "TOO_MANY_REQUESTS",
            "Rate limit exceeded: too many API requests this minute.",
        )
    }
}

/// `GET /auth/time`: the server's Unix time, a bare integer.
async fn time() -> Answer {
    ok(json!(db::now()))
}

#[derive(Debug, Deserialize)]
struct RuleBody {
    method: String,
    path: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CredentialBody {
    access_rules: Option<Vec<RuleBody>>,
    #[serde(default)]
    redirection: Option<String>,
    #[serde(default, rename = "allowedIPs")]
    allowed_ips: Option<Vec<String>>,
}

/// `POST /auth/credential`: a pending consumer key with its access rules, and the Steward page
/// where a logged-in user grants it.
async fn request_credential(State(state): State<AppState>, req: Signed) -> Answer {
    let app = application(&state, &req).await?;
    let body: CredentialBody = req.json()?;
    let bad = |message: String| refuse(StatusCode::BAD_REQUEST, "INVALID_PARAMETERS", message);
    let rules = body.access_rules.unwrap_or_default();
    if rules.is_empty() || rules.len() > service::MAX_RULES {
        return Err(bad(format!(
            "accessRules: give 1 to {} rules of the form {{\"method\": \"GET\", \"path\": \"/me/*\"}}.",
            service::MAX_RULES
        )));
    }
    let rules = rules
        .iter()
        .map(|r| AccessRule::parse(&r.method, &r.path))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad(format!("accessRules: {e}")))?;
    if body.allowed_ips.is_some_and(|ips| !ips.is_empty()) {
        return Err(bad(
            "allowedIPs: restricting a consumer key to addresses is not supported; send null."
                .to_owned(),
        ));
    }
    kit::count::<Ovh>(&state, app.account_pk).await?;
    let redirection = body.redirection.unwrap_or_default();
    let created = service::request_consumer_key(&state, app.id, &rules, redirection.trim()).await?;
    let scheme = if state.config.cookie_secure {
        "https"
    } else {
        "http"
    };
    let host = Some(req.host.trim())
        .filter(|h| !h.is_empty())
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
        })
        .map_or_else(|| state.config.site_addr.to_string(), str::to_owned);
    ok(json!({
        "validationUrl": format!("{scheme}://{host}/ovh/authorize/{}", created.validation_id),
        "consumerKey": created.consumer_key,
        "state": "pendingValidation",
    }))
}

/// A sub-account id from the path: a number, else not found.
fn sub_id(id: &str) -> Result<i64, Refusal> {
    id.parse().map_err(|_| AppError::NotFound.into())
}

async fn list_sub_accounts(State(state): State<AppState>, req: Signed) -> Answer {
    let (caller, _) = authenticate(&state, &req).await?;
    ok(json!(
        db::ovh_key_store::sub_account_ids(&state.db, caller.account_pk()).await?
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SubAccountBody {
    description: Option<String>,
}

/// `POST /me/subAccount {description}`: a sub-account named after its description, or a
/// generated name when the description is empty or another sub-account has that name.
async fn create_sub_account(State(state): State<AppState>, req: Signed) -> Answer {
    let (caller, _) = authenticate(&state, &req).await?;
    let body: SubAccountBody = req.json()?;
    let admin = caller.main_account_admin()?;
    let description = body.description.unwrap_or_default();
    let wanted = description.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut names = Vec::new();
    if !wanted.is_empty() && crate::domain::SubAccountName::parse(&wanted).is_ok() {
        names.push(wanted);
    }
    for _ in 0..5 {
        names.push(format!(
            "Sub-account {}",
            crate::server::infra::secrets::random_hex(4)
        ));
    }
    let last = names.len() - 1;
    for (i, name) in names.into_iter().enumerate() {
        let input = SubAccountInput {
            name,
            description: description.clone(),
            calls: true,
            cdr: true,
            enabled: true,
            ..Default::default()
        };
        match sub_accounts::create(&state, admin, input).await {
            Ok(created) => return ok(json!(created.id)),
            Err(e) if i < last && e.conflict().is_some() => {
                continue;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(refuse(
        StatusCode::CONFLICT,
        "ALREADY_EXISTS",
        "No free sub-account name.",
    ))
}

async fn get_sub_account(
    State(state): State<AppState>,
    Path(id): Path<String>,
    req: Signed,
) -> Answer {
    let (caller, _) = authenticate(&state, &req).await?;
    let row = sub_accounts::find(&state, caller.account_pk(), sub_id(&id)?).await?;
    ok(json!({
        "id": row.id,
        "description": row.description,
        "creationDate": rfc3339(row.created_at),
    }))
}

/// `POST /me/subAccount/{id}/createConsumerKey`: a consumer key of the calling application,
/// valid at once, acting as the sub-account's holder with every method on every path, for as
/// long as the key it was minted through works.
async fn create_consumer_key(
    State(state): State<AppState>,
    Path(id): Path<String>,
    req: Signed,
) -> Answer {
    let (caller, application) = authenticate(&state, &req).await?;
    let Via::OvhConsumerKey(through) = caller.via() else {
        return Err(invalid_credential());
    };
    let parent = caller.admin()?.caller().account_pk();
    let row = sub_accounts::find(&state, parent, sub_id(&id)?).await?;
    let target = format!("{} through consumer key {through}", row.code);
    let event = Event::by(&caller, Action::OvhConsumerKeyGrant, target);
    let key = service::create_validated_key(
        &state,
        &event,
        &application,
        through,
        row.holder_user_id,
        &service::everything(),
    )
    .await?;
    ok(json!({ "consumerKey": key }))
}

async fn list_users(State(state): State<AppState>, req: Signed) -> Answer {
    let (caller, _) = authenticate(&state, &req).await?;
    ok(json!(
        db::ovh_key_store::logins(&state.db, caller.account_pk()).await?
    ))
}

fn user_json(row: &db::user_store::UserRow, caller: &Caller) -> Value {
    json!({
        "login": row.login,
        "email": row.email,
        "group": row.group_name,
        "description": row.description,
        "status": UserStatus::from_flags(row.disabled, row.password_change_required).code(),
        "creation": rfc3339(row.created_at),
        "lastUpdate": rfc3339(row.updated_at.max(row.created_at)),
        "passwordLastUpdate": rfc3339(row.password_updated_at),
        "urn": format!("urn:v1:steward:identity:user:{}/{}", caller.account_id(), row.login),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NewUserBody {
    login: Option<String>,
    email: Option<String>,
    password: Option<String>,
    group: Option<String>,
    description: Option<String>,
}

fn conflict(message: String) -> Refusal {
    refuse(StatusCode::CONFLICT, "ALREADY_EXISTS", message)
}

async fn create_user(State(state): State<AppState>, req: Signed) -> Answer {
    let (caller, _) = authenticate(&state, &req).await?;
    let body: NewUserBody = req.json()?;
    let admin = caller.admin()?;
    let login = body.login.unwrap_or_default();
    let password = body.password.unwrap_or_default();
    if password.is_empty() {
        return Err(AppError::field("password", "Give the user a password.").into());
    }
    let input = users::NewUserInput {
        login: &login,
        email: body.email.as_deref().unwrap_or_default(),
        group: body.group.as_deref().unwrap_or("DEFAULT"),
        description: body.description.as_deref().unwrap_or_default(),
        password,
        require_change: false,
    };
    match users::create_user(&state, admin, input).await {
        Ok(_) => done(),
        Err(e) => match e.conflict() {
            Some(taken) => Err(conflict(taken.message(crate::i18n::Lang::En))),
            None => Err(e.into()),
        },
    }
}

async fn get_user(State(state): State<AppState>, Path(login): Path<String>, req: Signed) -> Answer {
    let (caller, _) = authenticate(&state, &req).await?;
    let row = users::find(&state, &caller, &login).await?;
    ok(user_json(&row, &caller))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct UpdateUserBody {
    description: Option<String>,
    email: Option<String>,
    group: Option<String>,
}

async fn update_user(
    State(state): State<AppState>,
    Path(login): Path<String>,
    req: Signed,
) -> Answer {
    let (caller, _) = authenticate(&state, &req).await?;
    let body: UpdateUserBody = req.json()?;
    let admin = caller.admin()?;
    let row = users::find(&state, &caller, &login).await?;
    users::update_user(
        &state,
        admin,
        &row.login,
        body.email.as_deref().unwrap_or(&row.email),
        body.group.as_deref().unwrap_or(&row.group_name),
        body.description.as_deref().unwrap_or(&row.description),
    )
    .await?;
    done()
}

async fn delete_user(
    State(state): State<AppState>,
    Path(login): Path<String>,
    req: Signed,
) -> Answer {
    let (caller, _) = authenticate(&state, &req).await?;
    let admin = caller.admin()?;
    users::remove_user(&state, admin, &login).await?;
    done()
}

async fn enable_user(
    State(state): State<AppState>,
    Path(login): Path<String>,
    req: Signed,
) -> Answer {
    set_disabled(state, login, req, false).await
}

async fn disable_user(
    State(state): State<AppState>,
    Path(login): Path<String>,
    req: Signed,
) -> Answer {
    set_disabled(state, login, req, true).await
}

async fn set_disabled(state: AppState, login: String, req: Signed, disabled: bool) -> Answer {
    let (caller, _) = authenticate(&state, &req).await?;
    let admin = caller.admin()?;
    users::set_disabled(&state, admin, &login, disabled).await?;
    done()
}

async fn list_groups(State(state): State<AppState>, req: Signed) -> Answer {
    let (caller, _) = authenticate(&state, &req).await?;
    let names: Vec<String> = db::group_store::list(&state.db, caller.account_pk())
        .await?
        .into_iter()
        .map(|g| g.name)
        .collect();
    ok(json!(names))
}

fn group_json(row: &db::group_store::GroupRow) -> Value {
    json!({
        "name": row.name,
        "role": Role::parse(&row.role).map(Role::code).unwrap_or("UNPRIVILEGED"),
        "description": row.description,
        "defaultGroup": row.built_in,
        "creation": rfc3339(row.created_at),
        "lastUpdate": rfc3339(row.updated_at.max(row.created_at)),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct GroupBody {
    name: Option<String>,
    role: Option<String>,
    description: Option<String>,
}

async fn create_group(State(state): State<AppState>, req: Signed) -> Answer {
    let (caller, _) = authenticate(&state, &req).await?;
    let body: GroupBody = req.json()?;
    let admin = caller.admin()?;
    let name = body.name.unwrap_or_default();
    match users::create_group(
        &state,
        admin,
        &name,
        body.role.as_deref().unwrap_or_default(),
        body.description.as_deref().unwrap_or_default(),
    )
    .await
    {
        Ok(()) => done(),
        Err(e) => match e.conflict() {
            Some(taken) => Err(conflict(taken.message(crate::i18n::Lang::En))),
            None => Err(e.into()),
        },
    }
}

/// Group `name` of the caller's account.
async fn group(
    state: &AppState,
    caller: &Caller,
    name: &str,
) -> Result<db::group_store::GroupRow, Refusal> {
    let name = GroupName::parse(name).map_err(|_| Refusal::from(AppError::NotFound))?;
    db::group_store::find_by_name(&state.db, caller.account_pk(), &name.key())
        .await?
        .ok_or_else(|| AppError::NotFound.into())
}

async fn get_group(State(state): State<AppState>, Path(name): Path<String>, req: Signed) -> Answer {
    let (caller, _) = authenticate(&state, &req).await?;
    ok(group_json(&group(&state, &caller, &name).await?))
}

async fn update_group(
    State(state): State<AppState>,
    Path(name): Path<String>,
    req: Signed,
) -> Answer {
    let (caller, _) = authenticate(&state, &req).await?;
    let body: GroupBody = req.json()?;
    let admin = caller.admin()?;
    let current = group(&state, &caller, &name).await?;
    users::update_group(
        &state,
        admin,
        &current.name,
        body.role.as_deref().unwrap_or(&current.role),
        body.description.as_deref().unwrap_or(&current.description),
    )
    .await?;
    done()
}

async fn delete_group(
    State(state): State<AppState>,
    Path(name): Path<String>,
    req: Signed,
) -> Answer {
    let (caller, _) = authenticate(&state, &req).await?;
    let admin = caller.admin()?;
    users::delete_group(&state, admin, &name).await?;
    done()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha1_matches_fips_vectors() {
        assert_eq!(
            hex::encode(sha1(b"abc")),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            hex::encode(sha1(b"")),
            "da39a3ee5e6b4b0d3255bfef95601890afd80709"
        );
        assert_eq!(
            hex::encode(sha1(
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            )),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
        );
        assert_eq!(
            hex::encode(sha1(&[b'a'; 1_000_000])),
            "34aa973cd4c4daa4f61eeb2bdbad27316534016f"
        );
    }

    #[test]
    fn signatures_follow_the_clients() {
        // python: "+".join([secret, ck, method, url, body, ts]) hashed with SHA-1.
        let sig = signature("s", "c", "GET", "http://h/1.0/x", b"", "1");
        assert_eq!(
            sig,
            format!("$1${}", hex::encode(sha1(b"s+c+GET+http://h/1.0/x++1")))
        );
        assert!(same(&sig, &sig.to_ascii_uppercase()));
    }

    #[test]
    fn ports_are_dropped_from_hosts() {
        assert_eq!(host_without_port("127.0.0.1:8080"), "127.0.0.1");
        assert_eq!(host_without_port("example.com"), "example.com");
        assert_eq!(host_without_port("[::1]:8080"), "[::1]");
        assert_eq!(host_without_port("[::1]"), "[::1]");
    }

    /// Bad input: signatures are checked on whatever arrives without panicking, a correctly
    /// signed request verifies, and changing any one signed part makes it fail.
    mod properties {
        use super::*;
        use crate::compat::kit::bad_input;
        use proptest::prelude::*;

        const METHODS: [&str; 4] = ["GET", "POST", "PUT", "DELETE"];

        fn request(method: &str, host: &str, path_and_query: &str, body: &[u8]) -> Signed {
            let path = path_and_query
                .split_once('?')
                .map_or(path_and_query, |(path, _)| path);
            Signed {
                method: Method::from_bytes(method.as_bytes()).unwrap_or(Method::GET),
                path_and_query: path_and_query.to_owned(),
                path: path.to_owned(),
                host: host.to_owned(),
                headers: HeaderMap::new(),
                body: Bytes::copy_from_slice(body),
            }
        }

        /// A call as a client makes it: what it signs and what the server receives.
        #[derive(Debug, Clone)]
        struct Call {
            secret: String,
            consumer: String,
            method: &'static str,
            host: String,
            path_and_query: String,
            body: Vec<u8>,
            timestamp: i64,
            /// The node client signs `https://` and the host without its port.
            node: bool,
        }

        impl Call {
            fn signature(&self) -> String {
                let url = if self.node {
                    format!(
                        "https://{}{}",
                        host_without_port(&self.host),
                        self.path_and_query
                    )
                } else {
                    format!("http://{}{}", self.host, self.path_and_query)
                };
                signature(
                    &self.secret,
                    &self.consumer,
                    self.method,
                    &url,
                    &self.body,
                    &self.timestamp.to_string(),
                )
            }

            fn received(&self) -> Signed {
                request(self.method, &self.host, &self.path_and_query, &self.body)
            }

            fn verifies(&self, req: &Signed, presented: &str) -> bool {
                req.signed_with(
                    &self.secret,
                    &self.consumer,
                    &self.timestamp.to_string(),
                    presented,
                )
            }
        }

        fn call() -> impl Strategy<Value = Call> {
            let body = prop_oneof![
                Just(Vec::new()),
                "\\{\"login\":\"[a-z.]{1,12}\",\"email\":\"[a-z]{1,8}@example.com\"\\}"
                    .prop_map(String::into_bytes),
                proptest::collection::vec(any::<u8>(), 1..128),
            ];
            (
                "[a-zA-Z0-9]{32}",
                "[a-zA-Z0-9]{32}",
                proptest::sample::select(&METHODS[..]),
                prop_oneof![
                    "127\\.0\\.0\\.1:[1-9][0-9]{1,4}",
                    "[a-z]{1,10}\\.example",
                    Just("[::1]:8080".to_owned()),
                ],
                "/1\\.0/me/identity/(user|group)(/[a-zA-Z0-9._-]{1,16})?(\\?[a-z]{1,5}=[a-z0-9]{0,5})?",
                body,
                1_500_000_000i64..2_100_000_000,
                any::<bool>(),
            )
                .prop_map(
                    |(secret, consumer, method, host, path_and_query, body, timestamp, node)| Call {
                        secret,
                        consumer,
                        method,
                        host,
                        path_and_query,
                        body,
                        timestamp,
                        node,
                    },
                )
        }

        /// One change to a signed part of the request.
        #[derive(Debug, Clone)]
        enum Mutation {
            Method(usize),
            Path(char),
            Host(char),
            Body(prop::sample::Index, u8),
            Timestamp(i64),
            Signature(prop::sample::Index, u8),
            Secret(char),
            Consumer(char),
        }

        fn mutation() -> impl Strategy<Value = Mutation> {
            prop_oneof![
                (1..METHODS.len()).prop_map(Mutation::Method),
                proptest::char::range('!', '~').prop_map(Mutation::Path),
                proptest::char::range('a', 'z').prop_map(Mutation::Host),
                (any::<prop::sample::Index>(), 1..=u8::MAX).prop_map(|(i, x)| Mutation::Body(i, x)),
                prop_oneof![-400i64..0, 1i64..400].prop_map(Mutation::Timestamp),
                (any::<prop::sample::Index>(), 1..16u8)
                    .prop_map(|(i, x)| Mutation::Signature(i, x)),
                proptest::char::range('a', 'z').prop_map(Mutation::Secret),
                proptest::char::range('a', 'z').prop_map(Mutation::Consumer),
            ]
        }

        proptest! {
            #[test]
            fn a_correctly_signed_request_verifies(call in call()) {
                let signature = call.signature();
                prop_assert!(call.verifies(&call.received(), &signature));
                // Hex digits compare without regard to case.
                prop_assert!(call.verifies(&call.received(), &signature.to_ascii_uppercase()));
            }

            #[test]
            fn changing_any_signed_part_breaks_the_signature(call in call(), change in mutation()) {
                let mut signature = call.signature();
                let mut server = call.clone();
                let mut req = call.received();
                match change {
                    Mutation::Method(shift) => {
                        let at = METHODS.iter().position(|m| *m == call.method).unwrap_or(0);
                        let other = METHODS[(at + shift) % METHODS.len()];
                        req = request(other, &call.host, &call.path_and_query, &call.body);
                    }
                    Mutation::Path(c) => {
                        req = request(call.method, &call.host, &format!("{}{c}", call.path_and_query), &call.body);
                    }
                    Mutation::Host(c) => {
                        req = request(call.method, &format!("{c}{}", call.host), &call.path_and_query, &call.body);
                    }
                    Mutation::Body(at, x) => {
                        let mut body = call.body.clone();
                        if body.is_empty() {
                            body.push(x);
                        } else {
                            body[at.index(call.body.len())] ^= x;
                        }
                        req = request(call.method, &call.host, &call.path_and_query, &body);
                    }
                    Mutation::Timestamp(delta) => server.timestamp += delta,
                    Mutation::Signature(at, shift) => {
                        // A different hex digit in one place of the 40 after `$1$`.
                        let at = 3 + at.index(40);
                        let digit = u8::from_str_radix(&signature[at..=at], 16).unwrap_or(0);
                        let other = char::from_digit(u32::from((digit + shift) % 16), 16).unwrap_or('0');
                        signature.replace_range(at..=at, &other.to_string());
                    }
                    Mutation::Secret(c) => server.secret.push(c),
                    Mutation::Consumer(c) => server.consumer.push(c),
                }
                prop_assert!(!server.verifies(&req, &signature));
            }

            #[test]
            fn any_headers_and_body_are_checked_without_panicking(
                host in any::<String>(),
                path_and_query in "/[ -~]{0,64}",
                body in proptest::collection::vec(any::<u8>(), 0..256),
                timestamp in any::<String>(),
                presented in prop_oneof![any::<String>(), "\\$1\\$[0-9a-fA-F]{0,41}"],
                consumer in any::<String>(),
            ) {
                let req = request("POST", &host, &path_and_query, &body);
                prop_assert!(!req.signed_with("secret", &consumer, &timestamp, &presented));
                let bare = host_without_port(&host);
                prop_assert!(host.starts_with(bare));
            }

            #[test]
            fn bodies_are_accepted_or_refused_without_repeating_them(
                (secret, bytes) in bad_input::body(&[
                    "login", "email", "password", "group", "description", "name", "role",
                    "accessRules", "method", "path", "redirection", "allowedIPs",
                ]),
            ) {
                let req = request("POST", "127.0.0.1:3000", "/1.0/me/identity/user", &bytes);
                fn check<T: DeserializeOwned>(req: &Signed, secret: &str) -> Result<(), TestCaseError> {
                    if let Err(refusal) = req.json::<T>() {
                        prop_assert_eq!(refusal.status, StatusCode::BAD_REQUEST);
                        prop_assert_eq!(refusal.code, "INVALID_PARAMETERS");
                        bad_input::check_message(secret, &refusal.message)?;
                    }
                    Ok(())
                }
                check::<CredentialBody>(&req, &secret)?;
                check::<SubAccountBody>(&req, &secret)?;
                check::<NewUserBody>(&req, &secret)?;
                check::<UpdateUserBody>(&req, &secret)?;
                check::<GroupBody>(&req, &secret)?;
                bad_input::check_body::<CredentialBody>(&secret, &bytes)?;
                bad_input::check_body::<SubAccountBody>(&secret, &bytes)?;
                bad_input::check_body::<NewUserBody>(&secret, &bytes)?;
                bad_input::check_body::<UpdateUserBody>(&secret, &bytes)?;
                bad_input::check_body::<GroupBody>(&secret, &bytes)?;
            }
        }
    }
}
