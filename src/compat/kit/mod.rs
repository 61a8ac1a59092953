//! What every dialect shares: the body limit and JSON parsing, the two-factor policy, the API rate
//! limit.

#[cfg(test)]
pub(crate) mod bad_input;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;

use crate::error::AppError;
use crate::server::identity::api_rate_limit;
use crate::server::identity::caller::Caller;
use crate::server::web::state::AppState;

/// A provider dialect, as the kit sees it: how it answers the refusals every dialect shares.
/// A dialect authenticates its own way (a token, a signature), then hands the caller to
/// [`admit`]; its `From<AppError>` answers the services' refusals.
pub trait Dialect {
    type Refusal: From<AppError>;

    /// The answer to a caller the account's two-factor policy holds back, with
    /// [`TWO_FACTOR_PENDING`] as its message.
    fn two_factor_pending() -> Self::Refusal;

    /// The answer to an account over its API rate limit.
    fn rate_limited() -> Self::Refusal;
}

/// What every dialect says to a user the account's policy holds back.
pub const TWO_FACTOR_PENDING: &str = "The account requires two-factor authentication of this user: they must set it up in the panel before their API credentials work.";

/// What every dialect does once it knows who is calling, in this order: the account's
/// two-factor policy (a user it requires to use two-factor authentication who has not enrolled
/// yet can do nothing through an API until they enrol in the panel; a temporary password, in
/// contrast, concerns logging in to the panel, not API credentials), then the account's API
/// rate limit.
pub async fn admit<D: Dialect>(state: &AppState, caller: Caller) -> Result<Caller, D::Refusal> {
    if caller.must_enrol_two_factor() {
        return Err(D::two_factor_pending());
    }
    count::<D>(state, caller.account_pk()).await?;
    Ok(caller)
}

/// Counts one request against `account_pk`'s API rate limit, for a call made before any user is
/// known (an application asking for a consumer key).
pub async fn count<D: Dialect>(state: &AppState, account_pk: i64) -> Result<(), D::Refusal> {
    if api_rate_limit::admit(&state.db, account_pk)
        .await
        .map_err(AppError::from)?
    {
        Ok(())
    } else {
        Err(D::rate_limited())
    }
}

/// Field errors as one line of English, `field: message` each: how the dialects whose errors
/// are a single message word a form's refusals.
pub fn fields_in_english(fields: &[crate::error::FieldError]) -> String {
    fields
        .iter()
        .map(|f| format!("{}: {}", f.field, f.message(crate::i18n::Lang::En)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Why a request body was refused, for each dialect to answer in its own shape. The message
/// says what is wrong and where, never what the body contained (it may hold a password).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadBody {
    pub status: StatusCode,
    pub message: String,
}

/// The body as JSON of type `T`.
pub fn json_body<T: serde::de::DeserializeOwned>(
    body: Result<Bytes, BytesRejection>,
) -> Result<T, BadBody> {
    let body = body.map_err(|_| BadBody {
        status: StatusCode::PAYLOAD_TOO_LARGE,
        message: "The request body is over 64 KiB.".to_owned(),
    })?;
    serde_json::from_slice(&body).map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Data => "a field is missing or has the wrong type",
            serde_json::error::Category::Eof => "the body ends too early",
            _ => "the body is not valid JSON",
        };
        BadBody {
            status: StatusCode::BAD_REQUEST,
            message: format!(
                "Invalid request: {what} (line {}, column {}).",
                e.line(),
                e.column()
            ),
        }
    })
}
