//! Gcore IAM (`gcore` 0.59.0): clients (accounts), API tokens and users, authenticated with a
//! personal API token in `Authorization: APIKey <id>_<secret>`.
//!
//! A Gcore client is a Steward account (its numeric id); a Gcore user is a Steward user. Gcore's
//! roles map onto Steward's privileges: Administrators (1) = Administrator, Engineers (5) =
//! User, Users (2) = None.

mod gcore_clients;
mod gcore_mapping;
#[cfg(test)]
mod gcore_tests;
mod gcore_tokens;
mod gcore_users;

use gcore_clients::*;
use gcore_mapping::*;
use gcore_tokens::*;
use gcore_users::*;

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
        // Before `{user_id}`: axum matches a fixed segment first.
        .route("/iam/users/me", get(get_me))
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
