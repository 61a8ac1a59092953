//! Tencent Cloud CAM (`tencentcloud-sdk-python-cam`), API version 2019-01-16: every call is
//! `POST /` with a JSON body and the action in `X-TC-Action`, signed with TC3-HMAC-SHA256 by a
//! user's access key (SecretId + SecretKey, see `server::tencent_keys`). Every answer is HTTP
//! 200 with `{"Response": {..., "RequestId"}}`, errors included (`"Error": {"Code", "Message"}`),
//! and `Content-Type: application/json` exactly: the SDK reads anything else as a success or a
//! network error.
//!
//! How CAM maps onto Steward, all in this file:
//! - a CAM sub-user is a delegated user: `Uin` = `Uid` = the user's id, `Name` = the login,
//!   `Remark` = the description; the account holder is CAM's root account and is never listed;
//! - a user group is a Steward group (`GroupId` = its id), and a user is in exactly one, so
//!   `AddUserToGroup` moves the user; groups made by `CreateGroup` have the privilege None;
//! - the preset policies are Steward's privileges ([`PRESETS`]): attaching one to a user moves
//!   them into the built-in group with that privilege; attaching one to a custom group gives
//!   the group that privilege (built-in groups keep theirs);
//! - new users start in UNPRIVILEGED (None) until a policy or a group gives them more;
//! - Steward users have no phone number, and always may log in to the panel.
//!
//! The key acts as its user with the user's role: only Administrators change users and groups
//! (the same services as the panel, with the same password policy), any role reads.

use crate::compat::kit;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::domain::{GroupName, Role};
use crate::error::AppError;
use crate::server::db;
use crate::server::db::group_store::GroupRow;
use crate::server::db::user_store::UserFilter;
use crate::server::db::user_store::UserRow;
use crate::server::identity::caller::Caller;
use crate::server::identity::capabilities::Admin;
use crate::server::manage::tencent_keys;
use crate::server::manage::users;
use crate::server::manage::users::NewUserInput;
use crate::server::web::state::AppState;

pub const VERSION: &str = "2019-01-16";
const ALGORITHM: &str = "TC3-HMAC-SHA256";
const SERVICE: &str = "cam";
/// How far `X-TC-Timestamp` may be from the server's clock, in seconds.
const MAX_SKEW: u64 = 300;
/// Where `AddUser` puts a new user, and the privilege of a group made by `CreateGroup`: none
/// until a policy or a group gives more.
const NEW_USER_GROUP: &str = "UNPRIVILEGED";
const NEW_GROUP_ROLE: Role = Role::None;
/// The most users one `AddUserToGroup` moves.
const MAX_MOVES: usize = 50;

pub fn routes() -> Router<AppState> {
    Router::new().route("/", post(handle))
}

/// CAM's error codes (common ones, and CAM's own from the SDK's `errorcodes.py`).
mod code {
    pub const INVALID_AUTHORIZATION: &str = "AuthFailure.InvalidAuthorization";
    pub const INVALID_SECRET_ID: &str = "AuthFailure.InvalidSecretId";
    pub const SECRET_ID_NOT_FOUND: &str = "AuthFailure.SecretIdNotFound";
    pub const SIGNATURE_EXPIRE: &str = "AuthFailure.SignatureExpire";
    pub const SIGNATURE_FAILURE: &str = "AuthFailure.SignatureFailure";
    pub const TOKEN_FAILURE: &str = "AuthFailure.TokenFailure";
    pub const UNAUTHORIZED: &str = "AuthFailure.UnauthorizedOperation";
    pub const FAILED: &str = "FailedOperation";
    pub const INTERNAL: &str = "InternalError";
    pub const INVALID_ACTION: &str = "InvalidAction";
    pub const INVALID_PARAMETER: &str = "InvalidParameter";
    pub const MISSING_PARAMETER: &str = "MissingParameter";
    pub const UNKNOWN_PARAMETER: &str = "UnknownParameter";
    pub const NO_SUCH_VERSION: &str = "NoSuchVersion";
    pub const REQUEST_LIMIT: &str = "RequestLimitExceeded";
    pub const REQUEST_SIZE: &str = "RequestSizeLimitExceeded";
    pub const SERVICE_UNAVAILABLE: &str = "ServiceUnavailable";
    pub const UNSUPPORTED_OPERATION: &str = "UnsupportedOperation";
    pub const PARAM_ERROR: &str = "InvalidParameter.ParamError";
    pub const USER_NAME_IN_USE: &str = "InvalidParameter.SubUserNameInUse";
    pub const USER_NAME_ILLEGAL: &str = "InvalidParameter.UserNameIllegal";
    pub const PASSWORD_RULES: &str = "InvalidParameter.PasswordViolatedRules";
    pub const GROUP_NAME_IN_USE: &str = "InvalidParameter.GroupNameInUse";
    pub const POLICY_NOT_EXIST: &str = "InvalidParameter.PolicyIdNotExist";
    pub const UIN_AND_UID_NULL: &str = "InvalidParameter.UserUinAndUinNotAllNull";
    pub const TOO_MANY: &str = "InvalidParameter.OperateEntitiesOverLimit";
    pub const USER_NOT_EXIST: &str = "ResourceNotFound.UserNotExist";
    pub const GROUP_NOT_EXIST: &str = "ResourceNotFound.GroupNotExist";
    pub const NOT_FOUND: &str = "ResourceNotFound.NotFound";
    pub const HAVE_KEYS: &str = "OperationDenied.HaveKeys";
}

/// A refusal, answered as CAM's error envelope. The message never repeats a value the client
/// sent (it may be a secret).
#[derive(Debug)]
struct Refusal {
    code: &'static str,
    message: String,
}

fn refuse(code: &'static str, message: impl Into<String>) -> Refusal {
    Refusal {
        code,
        message: message.into(),
    }
}

impl From<AppError> for Refusal {
    fn from(err: AppError) -> Self {
        match err {
            AppError::Invalid(fields) => {
                let code = if fields.iter().any(|f| f.field == "password") {
                    code::PASSWORD_RULES
                } else if fields.iter().all(|f| f.field == "form") {
                    code::FAILED
                } else {
                    code::PARAM_ERROR
                };
                let text: Vec<String> = fields
                    .iter()
                    .map(|f| match parameter_name(&f.field) {
                        Some(name) => format!("{name}: {}", f.message(crate::i18n::Lang::En)),
                        None => f.message(crate::i18n::Lang::En),
                    })
                    .collect();
                refuse(code, text.join(" "))
            }
            AppError::Forbidden => refuse(code::UNAUTHORIZED, err.message(crate::i18n::Lang::En)),
            AppError::NotFound => refuse(code::NOT_FOUND, "The resource does not exist."),
            AppError::Unavailable | AppError::Busy { .. } => refuse(
                code::SERVICE_UNAVAILABLE,
                err.message(crate::i18n::Lang::En),
            ),
            AppError::RateLimited { .. } => {
                refuse(code::REQUEST_LIMIT, err.message(crate::i18n::Lang::En))
            }
            other => refuse(code::INTERNAL, other.message(crate::i18n::Lang::En)),
        }
    }
}

impl From<sqlx::Error> for Refusal {
    fn from(err: sqlx::Error) -> Self {
        AppError::from(err).into()
    }
}

/// The CAM parameter a service's form field stands for.
fn parameter_name(field: &str) -> Option<&'static str> {
    Some(match field {
        "login" => "Name",
        "email" => "Email",
        "description" => "Remark",
        "password" => "Password",
        "group" => "Group",
        "name" => "GroupName",
        _ => return None,
    })
}

/// A not-found from a service, told as CAM's code for what was looked up.
fn not_found(code: &'static str, message: &'static str) -> impl Fn(AppError) -> Refusal {
    move |err| match err {
        AppError::NotFound => refuse(code, message),
        other => other.into(),
    }
}

type Answer = Result<Value, Refusal>;

async fn handle(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let request_id = request_id();
    let response = match serve(&state, &uri, &headers, body).await {
        Ok(Value::Object(mut fields)) => {
            fields.insert("RequestId".to_owned(), json!(request_id));
            Value::Object(fields)
        }
        Ok(_) => json!({ "RequestId": request_id }),
        Err(refusal) => json!({
            "Error": { "Code": refusal.code, "Message": refusal.message },
            "RequestId": request_id,
        }),
    };
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        json!({ "Response": response }).to_string(),
    )
        .into_response()
}

/// A fresh request id, shaped like CAM's (a UUID).
fn request_id() -> String {
    let h = crate::server::infra::secrets::random_hex(16);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

async fn serve(
    state: &AppState,
    uri: &Uri,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Answer {
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            refuse(code::REQUEST_SIZE, "The request body is over 64 KiB.")
        } else {
            refuse(
                code::INVALID_PARAMETER,
                "The request body could not be read.",
            )
        }
    })?;
    let caller = authenticate(state, uri, headers, &body).await?;
    let caller = kit::admit::<Tencent>(state, caller).await?;
    let action = action(headers)?;
    let params = Params::parse(&body, action.parameters())?;
    action.run(state, &caller, &params).await
}

/// Tencent Cloud's answers to the refusals every dialect shares.
struct Tencent;

impl kit::Dialect for Tencent {
    type Refusal = Refusal;

    fn two_factor_pending() -> Refusal {
        refuse(code::UNAUTHORIZED, kit::TWO_FACTOR_PENDING)
    }

    fn rate_limited() -> Refusal {
        refuse(
            code::REQUEST_LIMIT,
            "Rate limit exceeded: too many API requests this minute for this account.",
        )
    }
}

// Authentication: TC3-HMAC-SHA256.

fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// `Authorization: TC3-HMAC-SHA256 Credential=<SecretId>/<date>/<service>/tc3_request,
/// SignedHeaders=<a;b>, Signature=<hex>`.
#[derive(Debug, PartialEq, Eq)]
struct Authorization<'a> {
    secret_id: &'a str,
    date: &'a str,
    service: &'a str,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
}

impl<'a> Authorization<'a> {
    fn parse(value: &'a str) -> Option<Self> {
        let rest = value.strip_prefix(ALGORITHM)?;
        if !rest.starts_with(' ') {
            return None;
        }
        let (mut credential, mut signed, mut signature) = (None, None, None);
        for part in rest.split(',') {
            let (key, value) = part.trim().split_once('=')?;
            let slot = match key {
                "Credential" => &mut credential,
                "SignedHeaders" => &mut signed,
                "Signature" => &mut signature,
                _ => return None,
            };
            if slot.replace(value).is_some() {
                return None;
            }
        }
        let mut scope = credential?.split('/');
        let (secret_id, date, service) = (scope.next()?, scope.next()?, scope.next()?);
        if scope.next()? != "tc3_request" || scope.next().is_some() || secret_id.is_empty() {
            return None;
        }
        let signed_headers: Vec<&str> = signed?.split(';').collect();
        let header_names_ok = signed_headers.iter().all(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        });
        let signature = signature?;
        let signature_ok =
            signature.len() == 64 && signature.bytes().all(|b| b.is_ascii_hexdigit());
        (header_names_ok && signature_ok).then_some(Self {
            secret_id,
            date,
            service,
            signed_headers,
            signature,
        })
    }
}

/// The caller the request's signature proves, or the CAM error saying why not.
async fn authenticate(
    state: &AppState,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Caller, Refusal> {
    let value = header_text(headers, "authorization").ok_or_else(|| {
        refuse(
            code::INVALID_AUTHORIZATION,
            "Sign the request with TC3-HMAC-SHA256: the Authorization header is missing.",
        )
    })?;
    let auth = Authorization::parse(value).ok_or_else(|| {
        refuse(
            code::INVALID_AUTHORIZATION,
            "The Authorization header must read `TC3-HMAC-SHA256 Credential=<SecretId>/<date>/cam/tc3_request, SignedHeaders=content-type;host, Signature=<64 hex digits>`.",
        )
    })?;
    if header_text(headers, "x-tc-token").is_some() {
        return Err(refuse(
            code::TOKEN_FAILURE,
            "Steward issues no temporary credentials: sign with an access key and send no X-TC-Token.",
        ));
    }
    let timestamp_text = header_text(headers, "x-tc-timestamp").ok_or_else(|| {
        refuse(
            code::MISSING_PARAMETER,
            "The X-TC-Timestamp header is missing.",
        )
    })?;
    let timestamp: i64 = timestamp_text.parse().map_err(|_| {
        refuse(
            code::INVALID_PARAMETER,
            "X-TC-Timestamp must be the Unix time in seconds.",
        )
    })?;
    if db::now().abs_diff(timestamp) > MAX_SKEW {
        return Err(refuse(
            code::SIGNATURE_EXPIRE,
            "The signature has expired: X-TC-Timestamp is more than five minutes from the server's time. Check the client's clock.",
        ));
    }
    if Some(auth.date) != utc_date(timestamp).as_deref() {
        return Err(refuse(
            code::INVALID_AUTHORIZATION,
            "The credential's date must be the UTC date of X-TC-Timestamp.",
        ));
    }
    if auth.service != SERVICE {
        return Err(refuse(
            code::INVALID_AUTHORIZATION,
            "The credential's service must be cam.",
        ));
    }
    if !["content-type", "host"]
        .iter()
        .all(|h| auth.signed_headers.contains(h))
    {
        return Err(refuse(
            code::INVALID_AUTHORIZATION,
            "SignedHeaders must include content-type and host.",
        ));
    }
    if header_text(headers, "x-tc-content-sha256")
        .is_some_and(|v| v.eq_ignore_ascii_case("UNSIGNED-PAYLOAD"))
    {
        return Err(refuse(
            code::SIGNATURE_FAILURE,
            "Steward does not accept unsigned payloads: sign the body.",
        ));
    }
    if !tencent_keys::is_secret_id(auth.secret_id) {
        return Err(refuse(
            code::INVALID_SECRET_ID,
            "The SecretId is not one Steward issues (AKID and 32 letters or digits).",
        ));
    }
    let key = tencent_keys::find(state, auth.secret_id)
        .await?
        .ok_or_else(|| {
            refuse(
                code::SECRET_ID_NOT_FOUND,
                "The SecretId does not exist: the key may have been deleted.",
            )
        })?;
    let canonical = canonical_request(uri, headers, &auth.signed_headers, body)?;
    let expected = signature(&key.secret_key, auth.date, timestamp_text, &canonical);
    if !crate::server::infra::secrets::same_hash(&expected, &auth.signature.to_ascii_lowercase()) {
        return Err(refuse(
            code::SIGNATURE_FAILURE,
            "The signature does not match: check the SecretKey and how the request was signed.",
        ));
    }
    let caller = tencent_keys::caller(state, &key).await?.ok_or_else(|| {
        refuse(
            code::SECRET_ID_NOT_FOUND,
            "This key no longer works: its user was disabled or removed, or their password or privilege changed after it was made.",
        )
    })?;
    Ok(caller)
}

/// `YYYY-MM-DD` in UTC.
fn utc_date(unix_seconds: i64) -> Option<String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::OffsetDateTime::from_unix_timestamp(unix_seconds)
        .ok()?
        .format(&format)
        .ok()
}

/// `POST\n/\n<query>\n<name:value\n for each signed header>\n<signed headers>\n<sha256 of body>`,
/// header values trimmed and lower-cased.
fn canonical_request(
    uri: &Uri,
    headers: &HeaderMap,
    signed: &[&str],
    body: &[u8],
) -> Result<String, Refusal> {
    let mut canonical_headers = String::new();
    for name in signed {
        let value = match *name {
            "host" => header_text(headers, "host").or_else(|| uri.authority().map(|a| a.as_str())),
            other => header_text(headers, other),
        }
        .ok_or_else(|| {
            refuse(
                code::INVALID_AUTHORIZATION,
                format!("The signed header {name} is missing or not text."),
            )
        })?;
        canonical_headers.push_str(&format!("{name}:{}\n", value.to_ascii_lowercase()));
    }
    Ok(format!(
        "POST\n{}\n{}\n{canonical_headers}\n{}\n{}",
        uri.path(),
        uri.query().unwrap_or_default(),
        signed.join(";"),
        hex::encode(Sha256::digest(body))
    ))
}

/// The hex TC3-HMAC-SHA256 signature of `canonical` made at `timestamp` on `date`.
fn signature(secret_key: &str, date: &str, timestamp: &str, canonical: &str) -> String {
    let string_to_sign = format!(
        "{ALGORITHM}\n{timestamp}\n{date}/{SERVICE}/tc3_request\n{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    );
    let k_date = hmac_sha256(format!("TC3{secret_key}").as_bytes(), date.as_bytes());
    let k_service = hmac_sha256(&k_date, SERVICE.as_bytes());
    let k_signing = hmac_sha256(&k_service, b"tc3_request");
    hex::encode(hmac_sha256(&k_signing, string_to_sign.as_bytes()))
}

/// HMAC-SHA256 (RFC 2104).
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    use hmac::{Hmac, Mac};
    // HMAC takes a key of any length: `new_from_slice` cannot fail for it.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return [0; 32];
    };
    mac.update(message);
    mac.finalize().into_bytes().into()
}

// The request: action, version, parameters.

/// The actions served, each with the parameters it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    AddUser,
    GetUser,
    ListUsers,
    UpdateUser,
    DeleteUser,
    CreateGroup,
    ListGroups,
    AddUserToGroup,
    AttachUserPolicy,
    AttachGroupPolicy,
    ListPolicies,
}

impl Action {
    const ALL: [Action; 11] = [
        Self::AddUser,
        Self::GetUser,
        Self::ListUsers,
        Self::UpdateUser,
        Self::DeleteUser,
        Self::CreateGroup,
        Self::ListGroups,
        Self::AddUserToGroup,
        Self::AttachUserPolicy,
        Self::AttachGroupPolicy,
        Self::ListPolicies,
    ];

    fn name(self) -> &'static str {
        match self {
            Self::AddUser => "AddUser",
            Self::GetUser => "GetUser",
            Self::ListUsers => "ListUsers",
            Self::UpdateUser => "UpdateUser",
            Self::DeleteUser => "DeleteUser",
            Self::CreateGroup => "CreateGroup",
            Self::ListGroups => "ListGroups",
            Self::AddUserToGroup => "AddUserToGroup",
            Self::AttachUserPolicy => "AttachUserPolicy",
            Self::AttachGroupPolicy => "AttachGroupPolicy",
            Self::ListPolicies => "ListPolicies",
        }
    }

    /// The request parameters, as the SDK's models name them.
    fn parameters(self) -> &'static [&'static str] {
        const USER: &[&str] = &[
            "Name",
            "Remark",
            "ConsoleLogin",
            "UseApi",
            "Password",
            "NeedResetPassword",
            "PhoneNum",
            "CountryCode",
            "Email",
        ];
        match self {
            Self::AddUser => USER,
            Self::UpdateUser => &[
                "Name",
                "Remark",
                "ConsoleLogin",
                "Password",
                "NeedResetPassword",
                "PhoneNum",
                "CountryCode",
                "Email",
            ],
            Self::GetUser => &["Name"],
            Self::ListUsers => &[],
            Self::DeleteUser => &["Name", "Force"],
            Self::CreateGroup => &["GroupName", "Remark"],
            Self::ListGroups => &["Page", "Rp", "Keyword"],
            Self::AddUserToGroup => &["Info"],
            Self::AttachUserPolicy => &["PolicyId", "AttachUin"],
            Self::AttachGroupPolicy => &["PolicyId", "AttachGroupId"],
            Self::ListPolicies => &["Rp", "Page", "Scope", "Keyword"],
        }
    }

    async fn run(self, state: &AppState, caller: &Caller, params: &Params) -> Answer {
        match self {
            Self::AddUser => add_user(state, caller, params).await,
            Self::GetUser => get_user(state, caller, params).await,
            Self::ListUsers => list_users(state, caller).await,
            Self::UpdateUser => update_user(state, caller, params).await,
            Self::DeleteUser => delete_user(state, caller, params).await,
            Self::CreateGroup => create_group(state, caller, params).await,
            Self::ListGroups => list_groups(state, caller, params).await,
            Self::AddUserToGroup => add_user_to_group(state, caller, params).await,
            Self::AttachUserPolicy => attach_user_policy(state, caller, params).await,
            Self::AttachGroupPolicy => attach_group_policy(state, caller, params).await,
            Self::ListPolicies => list_policies(caller, params),
        }
    }
}

/// The action in `X-TC-Action`, for the version in `X-TC-Version`.
fn action(headers: &HeaderMap) -> Result<Action, Refusal> {
    let version = header_text(headers, "x-tc-version").ok_or_else(|| {
        refuse(
            code::MISSING_PARAMETER,
            "The X-TC-Version header is missing.",
        )
    })?;
    if version != VERSION {
        return Err(refuse(
            code::NO_SUCH_VERSION,
            format!("Steward serves version {VERSION} of the CAM API."),
        ));
    }
    let name = header_text(headers, "x-tc-action").ok_or_else(|| {
        refuse(
            code::MISSING_PARAMETER,
            "The X-TC-Action header is missing.",
        )
    })?;
    Action::ALL
        .into_iter()
        .find(|a| a.name() == name)
        .ok_or_else(|| {
            let served: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
            refuse(
                code::INVALID_ACTION,
                format!(
                    "{} is not an action Steward serves. It serves {}.",
                    shown(name, "The action"),
                    served.join(", ")
                ),
            )
        })
}

/// A name the client sent, repeated in a message only when it is plainly a name.
fn shown(name: &str, otherwise: &str) -> String {
    if (1..=64).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric()) {
        name.to_owned()
    } else {
        otherwise.to_owned()
    }
}

/// The action's parameters: a JSON object with only the names the action takes, read with
/// the types CAM gives them. Errors name the parameter, never its value.
#[derive(Debug)]
struct Params(Map<String, Value>);

impl Params {
    fn parse(body: &[u8], known: &[&str]) -> Result<Self, Refusal> {
        let value: Value = if body.iter().all(u8::is_ascii_whitespace) {
            Value::Object(Map::new())
        } else {
            kit::json_body(Ok(Bytes::copy_from_slice(body)))
                .map_err(|bad| refuse(code::INVALID_PARAMETER, bad.message))?
        };
        Self::object(value, known, "The body")
    }

    /// `value` as parameters, itself (`what`) an object of the `known` names.
    fn object(value: Value, known: &[&str], what: &str) -> Result<Self, Refusal> {
        let Value::Object(map) = value else {
            return Err(refuse(
                code::INVALID_PARAMETER,
                format!("{what} must be a JSON object of parameters."),
            ));
        };
        if let Some(unknown) = map.keys().find(|k| !known.contains(&k.as_str())) {
            let list = if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            };
            return Err(refuse(
                code::UNKNOWN_PARAMETER,
                format!(
                    "{} is not a parameter here. The parameters are: {list}.",
                    shown(unknown, "A parameter")
                ),
            ));
        }
        Ok(Self(map))
    }

    fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name).filter(|v| !v.is_null())
    }

    fn text(&self, name: &str) -> Result<Option<&str>, Refusal> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(refuse(
                code::INVALID_PARAMETER,
                format!("{name} must be a string."),
            )),
        }
    }

    fn int(&self, name: &str) -> Result<Option<i64>, Refusal> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => v.as_i64().map(Some).ok_or_else(|| {
                refuse(
                    code::INVALID_PARAMETER,
                    format!("{name} must be an integer."),
                )
            }),
        }
    }

    /// CAM's 0 / 1 switches.
    fn flag(&self, name: &str) -> Result<Option<bool>, Refusal> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => match v.as_i64() {
                Some(0) => Ok(Some(false)),
                Some(1) => Ok(Some(true)),
                _ => Err(refuse(
                    code::INVALID_PARAMETER,
                    format!("{name} must be 0 or 1."),
                )),
            },
        }
    }

    fn list(&self, name: &str) -> Result<Option<&Vec<Value>>, Refusal> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Array(items)) => Ok(Some(items)),
            Some(_) => Err(refuse(
                code::INVALID_PARAMETER,
                format!("{name} must be an array."),
            )),
        }
    }

    fn required<T>(name: &str, value: Option<T>) -> Result<T, Refusal> {
        value.ok_or_else(|| {
            refuse(
                code::MISSING_PARAMETER,
                format!("The parameter {name} is missing."),
            )
        })
    }

    fn required_text(&self, name: &str) -> Result<&str, Refusal> {
        Self::required(name, self.text(name)?)
    }

    fn required_int(&self, name: &str) -> Result<i64, Refusal> {
        Self::required(name, self.int(name)?)
    }

    /// `Page` and `Rp` (rows per page): whole numbers from 1, `Rp` at most `max_rows`.
    fn page(&self, default_rows: i64, max_rows: i64) -> Result<(usize, usize), Refusal> {
        let page = self.int("Page")?.unwrap_or(1);
        let rows = self.int("Rp")?.unwrap_or(default_rows);
        if page < 1 || !(1..=max_rows).contains(&rows) {
            return Err(refuse(
                code::PARAM_ERROR,
                format!("Page is a whole number from 1, and Rp from 1 to {max_rows}."),
            ));
        }
        let page = usize::try_from(page).unwrap_or(usize::MAX);
        let rows = usize::try_from(rows).unwrap_or(1);
        Ok((page.saturating_sub(1).saturating_mul(rows), rows))
    }
}

// The mapping: users, groups, policies.

/// The preset policies: each is one of Steward's privileges, given by moving the user into the
/// built-in group that has it.
struct Preset {
    id: i64,
    name: &'static str,
    description: &'static str,
    role: Role,
    group: &'static str,
}

const PRESETS: [Preset; 3] = [
    Preset {
        id: 1,
        name: "AdministratorAccess",
        description: "Full access, user management included: Steward's Administrator privilege.",
        role: Role::Administrator,
        group: "ADMIN",
    },
    Preset {
        id: 2,
        name: "QcloudCamFullAccess",
        description: "User and group management: in Steward only Administrators manage users, so this is the Administrator privilege.",
        role: Role::Administrator,
        group: "ADMIN",
    },
    Preset {
        id: 3,
        name: "ReadOnlyAccess",
        description: "Read-only access: Steward's None privilege.",
        role: Role::None,
        group: "UNPRIVILEGED",
    },
];

fn preset(id: i64) -> Result<&'static Preset, Refusal> {
    PRESETS.iter().find(|p| p.id == id).ok_or_else(|| {
        refuse(
            code::POLICY_NOT_EXIST,
            "No policy has this PolicyId: the policies are AdministratorAccess (1), QcloudCamFullAccess (2) and ReadOnlyAccess (3).",
        )
    })
}

/// CAM's time format: `2026-11-22 09:15:00` (UTC).
fn cam_time(unix_seconds: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    time::OffsetDateTime::from_unix_timestamp(unix_seconds)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .format(&format)
        .unwrap_or_default()
}

/// A user as CAM's `SubAccountInfo` / `GetUser` show one. Every Steward user may log in to the
/// panel, unless disabled.
fn sub_user(user: &UserRow) -> Value {
    json!({
        "Uin": user.id,
        "Uid": user.id,
        "Name": user.login,
        "NickName": user.login,
        "Remark": user.description,
        "ConsoleLogin": i64::from(!user.disabled),
        "PhoneNum": "",
        "CountryCode": "",
        "Email": user.email,
        "CreateTime": cam_time(user.created_at),
    })
}

fn group_info(group: &GroupRow) -> Value {
    json!({
        "GroupId": group.id,
        "GroupName": group.name,
        "Remark": group.description,
        "CreateTime": cam_time(group.created_at),
    })
}

/// The user-management capability, or CAM's permission error.
fn admin(caller: &Caller) -> Result<Admin<'_>, Refusal> {
    caller.admin().map_err(|_| {
        refuse(
            code::UNAUTHORIZED,
            format!(
                "You are not authorized to perform this operation: only Administrators manage users and groups, and this key's user has the privilege {}.",
                caller.role().label()
            ),
        )
    })
}

const NO_USER: &str = "No user has this name.";
const NO_USER_ID: &str = "No user has this Uin / Uid.";
const NO_GROUP: &str = "No group has this GroupId.";

async fn user_by_name(state: &AppState, caller: &Caller, name: &str) -> Result<UserRow, Refusal> {
    users::find(state, caller, name)
        .await
        .map_err(not_found(code::USER_NOT_EXIST, NO_USER))
}

async fn user_by_id(state: &AppState, caller: &Caller, id: i64) -> Result<UserRow, Refusal> {
    let login = db::tencent_key_store::login_of(&state.db, caller.account_pk(), id)
        .await?
        .ok_or_else(|| refuse(code::USER_NOT_EXIST, NO_USER_ID))?;
    users::find(state, caller, &login)
        .await
        .map_err(not_found(code::USER_NOT_EXIST, NO_USER_ID))
}

async fn group_by_id(state: &AppState, caller: &Caller, id: i64) -> Result<GroupRow, Refusal> {
    db::group_store::list(&state.db, caller.account_pk())
        .await?
        .into_iter()
        .find(|g| g.id == id)
        .ok_or_else(|| refuse(code::GROUP_NOT_EXIST, NO_GROUP))
}

/// Refuses what Steward users do not have: a phone number.
fn no_phone(params: &Params) -> Result<(), Refusal> {
    for name in ["PhoneNum", "CountryCode"] {
        if params.text(name)?.is_some_and(|v| !v.trim().is_empty()) {
            return Err(refuse(
                code::UNSUPPORTED_OPERATION,
                format!("Steward users have no phone number: leave {name} out."),
            ));
        }
    }
    Ok(())
}

/// Moves `user` into the group `group` (by name), keeping the rest of their profile. Nobody
/// changes their own privilege.
async fn move_user(
    state: &AppState,
    admin: Admin<'_>,
    user: &UserRow,
    group: &str,
) -> Result<(), Refusal> {
    if user.id == admin.caller().user_id() && !user.group_name.eq_ignore_ascii_case(group) {
        return Err(refuse(
            code::FAILED,
            "You cannot change your own privilege.",
        ));
    }
    users::update_user(
        state,
        admin,
        &user.login,
        &user.email,
        group,
        &user.description,
    )
    .await
    .map_err(not_found(code::USER_NOT_EXIST, NO_USER_ID))
}

// The actions.

async fn add_user(state: &AppState, caller: &Caller, p: &Params) -> Answer {
    let admin = admin(caller)?;
    let name = p.required_text("Name")?;
    let remark = p.text("Remark")?.unwrap_or_default();
    let console = p.flag("ConsoleLogin")?.unwrap_or(true);
    let use_api = p.flag("UseApi")?.unwrap_or(false);
    let password = p.text("Password")?.unwrap_or_default();
    let need_reset = p.flag("NeedResetPassword")?.unwrap_or(false);
    let email = p.text("Email")?.unwrap_or_default();
    no_phone(p)?;
    if !console && !password.is_empty() {
        return Err(refuse(
            code::PARAM_ERROR,
            "Password needs ConsoleLogin=1: a user without console login gets no password.",
        ));
    }
    let input = NewUserInput {
        login: name,
        email,
        group: NEW_USER_GROUP,
        description: remark,
        password: password.to_owned(),
        require_change: need_reset,
    };
    let created = users::create_user(state, admin, input)
        .await
        .map_err(|err| match err {
            err if err.conflict().is_some() => refuse(
                code::USER_NAME_IN_USE,
                "A user with this name already exists.",
            ),
            AppError::Invalid(fields) if fields.iter().any(|f| f.field == "login") => {
                let reason = fields
                    .iter()
                    .find(|f| f.field == "login")
                    .map(|f| f.message(crate::i18n::Lang::En))
                    .unwrap_or_default();
                refuse(code::USER_NAME_ILLEGAL, format!("Name: {reason}"))
            }
            other => other.into(),
        })?;
    // No half-made user: if what follows fails, the user goes again.
    let (user, key) = match user_and_key(state, caller, &created.login, use_api).await {
        Ok(done) => done,
        Err(refusal) => {
            if let Err(undo) = users::remove_user(state, admin, &created.login).await {
                tracing::error!(error = ?undo, "could not undo a user added through CAM");
            }
            return Err(refusal);
        }
    };
    let mut answer = json!({ "Uin": user.id, "Uid": user.id, "Name": user.login });
    // A generated password is shown this once; without console login nobody learns it (an
    // Administrator can reset it in the panel).
    if let (true, Some(password)) = (console, created.generated_password) {
        answer["Password"] = json!(password);
    }
    if let Some(key) = key {
        answer["SecretId"] = json!(key.secret_id);
        answer["SecretKey"] = json!(key.secret_key);
    }
    Ok(answer)
}

/// The user just added as `login`, and a new access key for them when asked.
async fn user_and_key(
    state: &AppState,
    caller: &Caller,
    login: &str,
    use_api: bool,
) -> Result<(UserRow, Option<tencent_keys::CreatedKey>), Refusal> {
    let user = user_by_name(state, caller, login).await?;
    let key = if use_api {
        Some(tencent_keys::create(state, caller.admin()?.key_holder(user.id)).await?)
    } else {
        None
    };
    Ok((user, key))
}

async fn get_user(state: &AppState, caller: &Caller, p: &Params) -> Answer {
    let user = user_by_name(state, caller, p.required_text("Name")?).await?;
    let mut answer = sub_user(&user);
    answer["RecentlyLoginIP"] = json!("");
    answer["RecentlyLoginTime"] = json!(user.last_login_at.map(cam_time).unwrap_or_default());
    Ok(answer)
}

async fn list_users(state: &AppState, caller: &Caller) -> Answer {
    const PAGE: i64 = 1000;
    let mut users = Vec::new();
    loop {
        let filter = UserFilter {
            limit: PAGE,
            offset: i64::try_from(users.len()).unwrap_or(i64::MAX),
            ..UserFilter::default()
        };
        let (rows, total) = db::user_store::list(&state.db, caller.account_pk(), &filter).await?;
        let done = rows.len() < usize::try_from(PAGE).unwrap_or(usize::MAX);
        users.extend(rows.iter().map(sub_user));
        if done || i64::try_from(users.len()).unwrap_or(i64::MAX) >= total {
            break;
        }
    }
    Ok(json!({ "Data": users }))
}

async fn update_user(state: &AppState, caller: &Caller, p: &Params) -> Answer {
    let admin = admin(caller)?;
    let name = p.required_text("Name")?;
    let remark = p.text("Remark")?;
    let email = p.text("Email")?;
    if p.flag("ConsoleLogin")? == Some(false) {
        return Err(refuse(
            code::UNSUPPORTED_OPERATION,
            "Steward users always may log in to the panel: to stop a user, disable them in the panel.",
        ));
    }
    let password = p.text("Password")?.is_some_and(|v| !v.is_empty());
    if password || p.flag("NeedResetPassword")? == Some(true) {
        return Err(refuse(
            code::UNSUPPORTED_OPERATION,
            "Steward does not set another user's password through the API: reset it in the panel, which shows a temporary password once.",
        ));
    }
    no_phone(p)?;
    let user = user_by_name(state, caller, name).await?;
    users::update_user(
        state,
        admin,
        &user.login,
        email.unwrap_or(&user.email),
        &user.group_name,
        remark.unwrap_or(&user.description),
    )
    .await
    .map_err(not_found(code::USER_NOT_EXIST, NO_USER))?;
    Ok(json!({}))
}

async fn delete_user(state: &AppState, caller: &Caller, p: &Params) -> Answer {
    let admin = admin(caller)?;
    let name = p.required_text("Name")?;
    let force = p.flag("Force")?.unwrap_or(false);
    let user = user_by_name(state, caller, name).await?;
    if !force {
        let held = tencent_keys::credentials_held(state, user.id).await?;
        if held > 0 {
            return Err(refuse(
                code::HAVE_KEYS,
                format!(
                    "The user has {held} API key(s) or token(s): send Force=1 to delete them with the user."
                ),
            ));
        }
    }
    users::remove_user(state, admin, &user.login)
        .await
        .map_err(not_found(code::USER_NOT_EXIST, NO_USER))?;
    Ok(json!({}))
}

async fn create_group(state: &AppState, caller: &Caller, p: &Params) -> Answer {
    let admin = admin(caller)?;
    let name = p.required_text("GroupName")?;
    let remark = p.text("Remark")?.unwrap_or_default();
    let parsed = GroupName::parse(name);
    users::create_group(state, admin, name, NEW_GROUP_ROLE.code(), remark)
        .await
        .map_err(|err| match err {
            err if err.conflict().is_some() => refuse(
                code::GROUP_NAME_IN_USE,
                "A group with this name already exists.",
            ),
            other => other.into(),
        })?;
    let key = parsed
        .map_err(|_| refuse(code::INTERNAL, "The group was made under another name."))?
        .key();
    let group = db::group_store::find_by_name(&state.db, caller.account_pk(), &key)
        .await?
        .ok_or_else(|| refuse(code::GROUP_NOT_EXIST, NO_GROUP))?;
    Ok(json!({ "GroupId": group.id }))
}

async fn list_groups(state: &AppState, caller: &Caller, p: &Params) -> Answer {
    let (skip, take) = p.page(20, 1000)?;
    let keyword = p.text("Keyword")?.unwrap_or_default().to_ascii_lowercase();
    let groups: Vec<GroupRow> = db::group_store::list(&state.db, caller.account_pk())
        .await?
        .into_iter()
        .filter(|g| g.name.to_ascii_lowercase().contains(&keyword))
        .collect();
    let page: Vec<Value> = groups
        .iter()
        .skip(skip)
        .take(take)
        .map(group_info)
        .collect();
    Ok(json!({ "TotalNum": groups.len(), "GroupInfo": page }))
}

async fn add_user_to_group(state: &AppState, caller: &Caller, p: &Params) -> Answer {
    let admin = admin(caller)?;
    let info = Params::required("Info", p.list("Info")?)?;
    if info.is_empty() {
        return Err(refuse(code::PARAM_ERROR, "Info lists no user."));
    }
    if info.len() > MAX_MOVES {
        return Err(refuse(
            code::TOO_MANY,
            format!("Move at most {MAX_MOVES} users at once."),
        ));
    }
    // Every user and group is found, and every move allowed, before anything changes.
    let mut moves = Vec::with_capacity(info.len());
    for item in info {
        let item = Params::object(item.clone(), &["GroupId", "Uid", "Uin"], "Each Info item")?;
        let group_id = item.required_int("GroupId")?;
        let user_id = match (item.int("Uid")?, item.int("Uin")?) {
            (Some(uid), Some(uin)) if uid != uin => {
                return Err(refuse(
                    code::PARAM_ERROR,
                    "An Info item's Uid and Uin name different users.",
                ));
            }
            (Some(id), _) | (None, Some(id)) => id,
            (None, None) => {
                return Err(refuse(
                    code::UIN_AND_UID_NULL,
                    "Give each Info item's Uid or Uin.",
                ));
            }
        };
        let group = group_by_id(state, caller, group_id).await?;
        let user = user_by_id(state, caller, user_id).await?;
        if user.id == caller.user_id() && !user.group_name.eq_ignore_ascii_case(&group.name) {
            return Err(refuse(
                code::FAILED,
                "You cannot change your own privilege.",
            ));
        }
        moves.push((user, group));
    }
    for (user, group) in &moves {
        move_user(state, admin, user, &group.name).await?;
    }
    Ok(json!({}))
}

async fn attach_user_policy(state: &AppState, caller: &Caller, p: &Params) -> Answer {
    let admin = admin(caller)?;
    let preset = preset(p.required_int("PolicyId")?)?;
    let user = user_by_id(state, caller, p.required_int("AttachUin")?).await?;
    move_user(state, admin, &user, preset.group).await?;
    Ok(json!({}))
}

async fn attach_group_policy(state: &AppState, caller: &Caller, p: &Params) -> Answer {
    let admin = admin(caller)?;
    let preset = preset(p.required_int("PolicyId")?)?;
    let group = group_by_id(state, caller, p.required_int("AttachGroupId")?).await?;
    let role = Role::parse(&group.role).unwrap_or(Role::None);
    if role == preset.role {
        return Ok(json!({}));
    }
    if group.built_in {
        return Err(refuse(
            code::UNSUPPORTED_OPERATION,
            format!(
                "The built-in group {} keeps its privilege ({}): {} is {}. Move the users into a group that has it, with AddUserToGroup or AttachUserPolicy.",
                group.name,
                role.label(),
                preset.name,
                preset.role.label()
            ),
        ));
    }
    // The group's privilege becomes the policy's; its members' sessions and keys end.
    users::update_group(
        state,
        admin,
        &group.name,
        preset.role.code(),
        &group.description,
    )
    .await
    .map_err(|err| match err {
        AppError::Invalid(fields) => refuse(
            code::FAILED,
            fields
                .iter()
                .map(|f| f.message(crate::i18n::Lang::En))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        other => not_found(code::GROUP_NOT_EXIST, NO_GROUP)(other),
    })?;
    Ok(json!({}))
}

fn list_policies(caller: &Caller, p: &Params) -> Answer {
    let (skip, take) = p.page(20, 200)?;
    let scope = p.text("Scope")?.unwrap_or("All");
    if !["All", "QCS", "Local"].contains(&scope) {
        return Err(refuse(code::PARAM_ERROR, "Scope is All, QCS or Local."));
    }
    let keyword = p.text("Keyword")?.unwrap_or_default().to_ascii_lowercase();
    let matching: Vec<&Preset> = PRESETS
        .iter()
        .filter(|_| scope != "Local")
        .filter(|p| p.name.to_ascii_lowercase().contains(&keyword))
        .collect();
    let list: Vec<Value> = matching
        .iter()
        .skip(skip)
        .take(take)
        .map(|p| {
            json!({
                "PolicyId": p.id,
                "PolicyName": p.name,
                "AddTime": cam_time(caller.account_created_at()),
                "UpdateTime": cam_time(caller.account_created_at()),
                "Type": 2,
                "Description": p.description,
                "CreateMode": 2,
                "ServiceType": "",
                "IsServiceLinkedPolicy": 0,
                "PermissionLevel": "Global",
            })
        })
        .collect();
    Ok(json!({ "TotalNum": matching.len(), "List": list, "ServiceTypeList": [] }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_sha256_matches_rfc_4231() {
        assert_eq!(
            hex::encode(hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 6: a key longer than the block.
        assert_eq!(
            hex::encode(hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn signatures_match_the_official_sdk() {
        // Computed with tencentcloud-sdk-python-common 3.1.195 (`Sign.sign_tc3`).
        let mut headers = HeaderMap::new();
        headers.insert("content-type", "application/json".parse().unwrap());
        headers.insert("host", "127.0.0.1:3000".parse().unwrap());
        let uri: Uri = "/".parse().unwrap();
        let canonical = canonical_request(
            &uri,
            &headers,
            &["content-type", "host"],
            br#"{"Name": "alice"}"#,
        )
        .unwrap();
        assert_eq!(
            signature(
                "SECRETKEYexample0123456789abcdef",
                "2026-11-22",
                "1795348800",
                &canonical
            ),
            "7c7fdb6e480c571fb8cddab2eeccc905b7feda0011e225c29a73b625882a4f96"
        );
        assert_eq!(utc_date(1_795_348_800).as_deref(), Some("2026-11-22"));
    }

    #[test]
    fn the_authorization_header_is_read_strictly() {
        let sig = "a".repeat(64);
        let good = format!(
            "TC3-HMAC-SHA256 Credential=AKIDx/2026-11-22/cam/tc3_request, SignedHeaders=content-type;host, Signature={sig}"
        );
        assert_eq!(
            Authorization::parse(&good),
            Some(Authorization {
                secret_id: "AKIDx",
                date: "2026-11-22",
                service: "cam",
                signed_headers: vec!["content-type", "host"],
                signature: &sig,
            })
        );
        for bad in [
            good.replace("TC3-HMAC-SHA256 ", "TC3-HMAC-SHA1 "),
            good.replace("tc3_request", "tc4_request"),
            good.replace("/cam/", "/cam/x/"),
            good.replace(&sig, "abc"),
            good.replace("content-type;host", "Content-Type;host"),
            good.replace("content-type;host", "content-type;;host"),
            format!("{good}, Signature={sig}"),
            format!("{good}, Extra=1"),
            "TC3-HMAC-SHA256".to_owned(),
            String::new(),
        ] {
            assert_eq!(Authorization::parse(&bad), None, "{bad}");
        }
    }

    #[test]
    fn parameters_are_checked_without_repeating_values() {
        let refused =
            Params::parse(br#"{"Name": "x", "Secret": "hunter2"}"#, &["Name"]).unwrap_err();
        assert_eq!(refused.code, code::UNKNOWN_PARAMETER);
        assert!(refused.message.contains("Secret") && !refused.message.contains("hunter2"));
        let refused = Params::parse(b"{\"Name\": \"hunter2", &["Name"]).unwrap_err();
        assert_eq!(refused.code, code::INVALID_PARAMETER);
        assert!(!refused.message.contains("hunter2"), "{}", refused.message);
        let params = Params::parse(
            br#"{"Name": 7, "UseApi": 2, "Page": 0}"#,
            &["Name", "UseApi", "Page"],
        )
        .unwrap();
        assert_eq!(
            params.text("Name").unwrap_err().code,
            code::INVALID_PARAMETER
        );
        assert_eq!(
            params.flag("UseApi").unwrap_err().code,
            code::INVALID_PARAMETER
        );
        assert_eq!(params.page(20, 200).unwrap_err().code, code::PARAM_ERROR);
        assert_eq!(
            params.required_text("Email").unwrap_err().code,
            code::MISSING_PARAMETER
        );
        assert!(Params::parse(b"", &[]).is_ok());
        assert_eq!(
            Params::parse(b"[1]", &[]).unwrap_err().code,
            code::INVALID_PARAMETER
        );
    }

    #[test]
    fn every_preset_names_a_built_in_group_with_its_role() {
        for preset in &PRESETS {
            let built_in = crate::domain::privilege::BUILT_IN_GROUPS
                .iter()
                .find(|(name, _, _)| *name == preset.group);
            assert_eq!(
                built_in.map(|(_, role, _)| *role),
                Some(preset.role),
                "{}",
                preset.name
            );
        }
    }

    /// Bad input: the Authorization header and the body are read without panicking whatever
    /// they hold, what the SDK sends is accepted, and refusals never repeat a value.
    mod properties {
        use super::*;
        use crate::compat::kit::bad_input;
        use proptest::prelude::*;

        /// The header as `tencentcloud-sdk-python-common` writes it (`sign_tc3` in
        /// `abstract_client.py`).
        fn sdk_header(secret_id: &str, date: &str, signed: &str, signature: &str) -> String {
            format!(
                "TC3-HMAC-SHA256 Credential={secret_id}/{date}/cam/tc3_request, SignedHeaders={signed}, Signature={signature}"
            )
        }

        fn headers(host: &str) -> HeaderMap {
            let mut headers = HeaderMap::new();
            headers.insert(header::CONTENT_TYPE, "application/json".parse().unwrap());
            headers.insert(header::HOST, host.parse().unwrap());
            headers
        }

        fn host() -> impl Strategy<Value = String> {
            prop_oneof![
                "127\\.0\\.0\\.1:[1-9][0-9]{1,4}",
                "[a-z]{1,12}\\.example",
                Just("cam.tencentcloudapi.com".to_owned()),
            ]
        }

        proptest! {
            #[test]
            fn any_authorization_header_is_read_without_panicking(value in any::<String>()) {
                let _ = Authorization::parse(&value);
            }

            #[test]
            fn headers_close_to_the_format_are_read_without_panicking(
                value in "TC3-HMAC-SHA256 ?((Credential|SignedHeaders|Signature|[A-Za-z]{0,3})=[A-Za-z0-9/;_=-]{0,70},? ?){0,4}",
            ) {
                if let Some(auth) = Authorization::parse(&value) {
                    prop_assert_eq!(auth.signature.len(), 64);
                    prop_assert!(auth.signature.bytes().all(|b| b.is_ascii_hexdigit()));
                    prop_assert!(!auth.secret_id.is_empty());
                }
            }

            #[test]
            fn damaged_sdk_headers_are_read_without_panicking(
                secret_id in "AKID[a-zA-Z0-9]{32}",
                signature in "[0-9a-f]{64}",
                at in any::<prop::sample::Index>(),
                c in any::<char>(),
                delete in any::<bool>(),
            ) {
                let mut value = sdk_header(&secret_id, "2026-11-22", "content-type;host", &signature);
                let chars: Vec<char> = value.chars().collect();
                let at = at.index(chars.len());
                value = if delete {
                    chars.iter().enumerate().filter(|(i, _)| *i != at).map(|(_, c)| *c).collect()
                } else {
                    chars[..at].iter().chain(std::iter::once(&c)).chain(&chars[at..]).collect()
                };
                let _ = Authorization::parse(&value);
            }

            #[test]
            fn what_the_sdk_sends_is_accepted_and_verifies(
                secret_id in "AKID[a-zA-Z0-9]{32}",
                secret_key in "[a-zA-Z0-9]{32}",
                timestamp in 1_500_000_000i64..4_000_000_000,
                host in host(),
                body in prop_oneof![
                    "\\{\"Name\": \"[a-z]{1,12}\"\\}",
                    any::<String>(),
                ],
                damage in any::<Option<(prop::sample::Index, u8)>>(),
            ) {
                // The SDK signs the body it sends, dated with the timestamp's UTC day.
                let date = utc_date(timestamp).unwrap_or_default();
                prop_assert_eq!(date.len(), 10);
                let headers = headers(&host);
                let uri: Uri = "/".parse().unwrap();
                let signed = ["content-type", "host"];
                let canonical = canonical_request(&uri, &headers, &signed, body.as_bytes()).unwrap();
                let sent = signature(&secret_key, &date, &timestamp.to_string(), &canonical);
                let value = sdk_header(&secret_id, &date, "content-type;host", &sent);
                let auth = Authorization::parse(&value);
                prop_assert_eq!(auth, Some(Authorization {
                    secret_id: &secret_id,
                    date: &date,
                    service: "cam",
                    signed_headers: signed.to_vec(),
                    signature: &sent,
                }));
                // The server recomputes the signature from the body as received.
                let mut received = body.into_bytes();
                if let Some((at, x)) = damage {
                    if received.is_empty() {
                        received.push(x);
                    } else {
                        let at = at.index(received.len());
                        received[at] = received[at].wrapping_add(x.max(1));
                    }
                }
                let canonical = canonical_request(&uri, &headers, &signed, &received).unwrap();
                let expected = signature(&secret_key, &date, &timestamp.to_string(), &canonical);
                prop_assert_eq!(expected == sent, damage.is_none());
            }

            #[test]
            fn bodies_are_accepted_or_refused_without_repeating_them(
                (secret, bytes) in bad_input::body(&[
                    "Name", "Remark", "ConsoleLogin", "UseApi", "Password", "NeedResetPassword",
                    "PhoneNum", "CountryCode", "Email", "Force", "GroupName", "Page", "Rp",
                    "Keyword", "Info", "Uid", "GroupId", "PolicyId", "AttachUin",
                    "AttachGroupId", "Scope",
                ]),
            ) {
                for action in Action::ALL {
                    let known = action.parameters();
                    let params = match Params::parse(&bytes, known) {
                        Ok(params) => params,
                        Err(refusal) => {
                            bad_input::check_message(&secret, &refusal.message)?;
                            continue;
                        }
                    };
                    // Reading a parameter as any type answers or refuses; it never panics.
                    for name in known {
                        for refusal in [
                            params.text(name).err(),
                            params.int(name).err(),
                            params.flag(name).err(),
                            params.list(name).err(),
                            params.required_text(name).err(),
                            params.required_int(name).err(),
                        ]
                        .into_iter()
                        .flatten()
                        {
                            bad_input::check_message(&secret, &refusal.message)?;
                        }
                    }
                    if let Err(refusal) = params.page(20, 200) {
                        bad_input::check_message(&secret, &refusal.message)?;
                    }
                }
                bad_input::check_body::<Value>(&secret, &bytes)?;
            }
        }
    }
}
