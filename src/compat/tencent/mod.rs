//! Tencent Cloud CAM (`tencentcloud-sdk-python-cam`), API version 2019-01-16: every call is
//! `POST /` with a JSON body and the action in `X-TC-Action`, signed with TC3-HMAC-SHA256 by a
//! user's access key (SecretId + SecretKey, see `server::manage::tencent_keys`). Every answer is HTTP
//! 200 with `{"Response": {..., "RequestId"}}`, errors included (`"Error": {"Code", "Message"}`),
//! and `Content-Type: application/json` exactly: the SDK reads anything else as a success or a
//! network error.
//!
//! How CAM maps onto Steward (`tencent_mapping.rs` and the actions):
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

mod tencent_access_keys;
mod tencent_groups;
mod tencent_mapping;
mod tencent_params;
mod tencent_signature;
#[cfg(test)]
mod tencent_tests;
mod tencent_users;

use tencent_access_keys::*;
use tencent_groups::*;
use tencent_mapping::*;
use tencent_params::*;
use tencent_signature::*;
use tencent_users::*;

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
const NEW_USER_ROLE: Role = Role::None;
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
    pub const KEY_OVER_LIMIT: &str = "OperationDenied.AccessKeyOverLimit";
    pub const SECRET_NOT_EXIST: &str = "ResourceNotFound.SecretNotExist";
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
