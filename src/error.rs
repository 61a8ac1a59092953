//! `AppError`: the one error type a user ever sees. Internal failures are logged in full on the
//! server and reach the browser only as an opaque message with a reference to quote.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// An input that was refused, attached to the form field it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// One or more inputs were refused; nothing changed.
    #[error("Please correct the highlighted fields.")]
    Invalid(Vec<FieldError>),
    /// The same answer for an unknown account, an unknown login, a wrong password and a disabled
    /// user, so that the login form reveals nothing.
    #[error("Incorrect account ID or password.")]
    LoginFailed,
    #[error("Please log in to continue.")]
    Unauthenticated,
    #[error("You do not have permission to do this.")]
    Forbidden,
    #[error("Choose a new password before continuing.")]
    PasswordChangeRequired,
    #[error("Set up two-factor authentication before continuing.")]
    TwoFactorRequired,
    #[error("Not found.")]
    NotFound,
    #[error("This feature is turned off on this server.")]
    Disabled,
    #[error("The service is temporarily unavailable. Please try again in a moment.")]
    Unavailable,
    /// An unexpected failure; `reference` finds the full story in the server log.
    #[error("Something went wrong on our side (reference {reference}).")]
    Internal { reference: String },
    /// The request never reached the server function, or its answer could not be read.
    #[error("The server could not be reached or answered unexpectedly. Please try again.")]
    Transport(String),
}

impl AppError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError {
            field: field.to_owned(),
            message: message.into(),
        }])
    }

    /// The text shown to the user.
    pub fn message(&self) -> String {
        self.to_string()
    }

    /// The message for one form field, if this error concerns it.
    pub fn for_field(&self, field: &str) -> Option<String> {
        match self {
            Self::Invalid(errors) => errors
                .iter()
                .filter(|e| e.field == field)
                .map(|e| e.message.clone())
                .reduce(|a, b| format!("{a} {b}")),
            _ => None,
        }
    }

    /// The message for the whole form: everything not shown beside a field.
    pub fn for_form(&self) -> Option<String> {
        match self {
            Self::Invalid(_) => None,
            other => Some(other.message()),
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // A form posted without a field the function needs: treat it as bad input.
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => {
                Self::field("form", "The form was incomplete. Please fill it in again.")
            }
            // On the server the detail may describe internals: log it, show a reference.
            #[cfg(feature = "ssr")]
            other => crate::server::errors::internal(anyhow::anyhow!(other.to_string())),
            #[cfg(not(feature = "ssr"))]
            other => Self::Transport(other.to_string()),
        }
    }
}

/// Lets the request id of an internal failure be shown without exposing the failure.
#[cfg(feature = "ssr")]
impl From<anyhow::Error> for AppError {
    fn from(err: anyhow::Error) -> Self {
        crate::server::errors::internal(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_are_found_by_field_and_stay_out_of_the_form_message() {
        let err = AppError::Invalid(vec![
            FieldError {
                field: "email".into(),
                message: "Bad e-mail.".into(),
            },
            FieldError {
                field: "company".into(),
                message: "Taken.".into(),
            },
        ]);
        assert_eq!(err.for_field("company").as_deref(), Some("Taken."));
        assert_eq!(err.for_field("password"), None);
        assert_eq!(err.for_form(), None);
    }

    #[test]
    fn internal_errors_show_only_their_reference() {
        let err = AppError::Internal {
            reference: "r-42".into(),
        };
        assert_eq!(
            err.message(),
            "Something went wrong on our side (reference r-42)."
        );
    }
}
