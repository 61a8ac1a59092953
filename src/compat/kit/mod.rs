//! What every dialect shares: the body limit and JSON parsing, the two-factor policy, the API rate
//! limit.

#[cfg(test)]
pub(crate) mod bad_input;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;

use crate::server::identity::caller::Caller;

/// The account's two-factor policy, the same for every dialect: a user it requires to use
/// two-factor authentication who has not enrolled yet can do nothing through an API until they
/// enrol in the panel. (A temporary password, in contrast, concerns logging in to the panel,
/// not API credentials.) Each dialect answers the refusal in its own shape, with
/// [`TwoFactorPending::MESSAGE`].
pub fn two_factor_policy(caller: &Caller) -> Result<(), TwoFactorPending> {
    if caller.must_enrol_two_factor() {
        Err(TwoFactorPending)
    } else {
        Ok(())
    }
}

/// A caller the account's policy holds back until they enrol in two-factor authentication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TwoFactorPending;

impl TwoFactorPending {
    pub const MESSAGE: &'static str = "The account requires two-factor authentication of this user: they must set it up in the panel before their API credentials work.";
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
