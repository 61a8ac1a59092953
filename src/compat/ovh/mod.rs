//! The OVHcloud API (`ovh` 1.2.0, `@ovhcloud/node-ovh` 3.0.0) under `/1.0`: the server time,
//! consumer-key requests, the caller's account and API credentials, sub-accounts, identity users
//! and groups.
//!
//! Signed calls carry `X-Ovh-Application`, `X-Ovh-Consumer`, `X-Ovh-Timestamp` and
//! `X-Ovh-Signature` = `$1$` + SHA-1 of `SECRET+CK+METHOD+URL+BODY+TIMESTAMP`, checked on the
//! raw body. The URL is `http://<Host><path?query>` (python) or `https://<host without
//! port><path?query>` (node); both schemes and both host forms are accepted. Errors are
//! `{"message", "errorCode", "httpCode"}` with the codes the clients map to their exceptions.

mod ovh_credentials;
mod ovh_groups;
mod ovh_me;
mod ovh_signature;
mod ovh_sub_accounts;
#[cfg(test)]
mod ovh_tests;
mod ovh_users;

use ovh_credentials::*;
use ovh_groups::*;
use ovh_me::*;
pub use ovh_signature::signature;
use ovh_signature::*;
use ovh_sub_accounts::*;
use ovh_users::*;

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
use crate::domain::{GroupName, UserStatus};
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
            "/1.0/auth/currentCredential",
            json_route(get(current_credential)),
        )
        .route("/1.0/auth/logout", json_route(post(logout)))
        .route("/1.0/me", json_route(get(me)))
        .route("/1.0/me/api/credential", json_route(get(list_credentials)))
        .route(
            "/1.0/me/api/credential/{id}",
            json_route(get(get_credential).delete(delete_credential)),
        )
        .route(
            "/1.0/me/api/credential/{id}/application",
            json_route(get(credential_application)),
        )
        .route(
            "/1.0/me/api/application",
            json_route(get(list_applications)),
        )
        .route(
            "/1.0/me/api/application/{id}",
            json_route(get(get_application).delete(delete_application)),
        )
        .route(
            "/1.0/me/subAccount",
            json_route(get(list_sub_accounts).post(create_sub_account)),
        )
        .route(
            "/1.0/me/subAccount/{id}",
            json_route(get(get_sub_account).put(update_sub_account)),
        )
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
                let text = kit::fields_in_english(&fields);
                refuse(StatusCode::BAD_REQUEST, "INVALID_PARAMETERS", text)
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
