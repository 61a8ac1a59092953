//! `AppError`: the one error type a user ever sees. Internal failures are logged in full on the
//! server and reach the browser only as an opaque message with a reference to quote.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use crate::i18n::Lang;
use crate::key;

/// An input that was refused, attached to the form field it concerns. `key` names the message
/// in the catalogues (`field.login.too_long`); `args` fill its `{placeholders}`. The message is
/// translated where it is shown, in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub key: String,
    #[serde(default)]
    pub args: Vec<(String, String)>,
}

impl FieldError {
    pub fn new(field: &str, key: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            key: key.into(),
            args: Vec::new(),
        }
    }

    /// This error with `args` filling its message's `{placeholders}`.
    pub fn with_args(mut self, args: &[(&str, &str)]) -> Self {
        self.args = args
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        self
    }

    /// The message in `lang`. Only the catalogues' words are ever shown: an error can reach a
    /// page from its address (`?__err=`, how a form without JavaScript learns its outcome), so
    /// a key that is not in the catalogues, an argument the message has no place for, or a
    /// value that is more than a plain token gets a generic message instead of its text.
    pub fn message(&self, lang: Lang) -> String {
        let fits = |text: &str| {
            self.args
                .iter()
                .all(|(name, value)| text.contains(&format!("{{{name}}}")) && is_plain_token(value))
        };
        match lang.text(&self.key) {
            Some(text) if fits(text) => {
                let args: Vec<(&str, &str)> = self
                    .args
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                lang.tf(&self.key, &args)
            }
            _ => lang.t(key!("error.field_refused")).to_owned(),
        }
    }
}

/// Collects field errors so that a form can show all of them at once: the one way to build
/// [`AppError::Invalid`].
#[derive(Debug, Default)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    /// `parsed`'s value, or `None` with its message noted beside `field`.
    pub fn check<T, E: crate::i18n::MessageKey>(
        &mut self,
        field: &str,
        parsed: Result<T, E>,
    ) -> Option<T> {
        parsed.map_err(|e| self.add(field, e.key())).ok()
    }

    /// Notes the message `key` beside `field`.
    pub fn add(&mut self, field: &str, key: impl Into<String>) {
        self.0.push(FieldError::new(field, key));
    }

    /// Notes the message `key`, with its arguments, beside `field`.
    pub fn add_with(&mut self, field: &str, key: impl Into<String>, args: &[(&str, &str)]) {
        self.0.push(FieldError::new(field, key).with_args(args));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok` when nothing was noted, else every noted error at once.
    pub fn into_result(self) -> Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(self.0))
        }
    }
}

/// A value that may be shown inside a catalogue message: a number, a login, a reference, an
/// IP address. Text with spaces or other punctuation could read as a sentence of its own, so
/// nothing else is shown.
fn is_plain_token(value: &str) -> bool {
    (1..=64).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AppError {
    /// One or more inputs were refused; nothing changed.
    Invalid(Vec<FieldError>),
    /// The same answer for an unknown account, an unknown login, a wrong password and a disabled
    /// user, so that the login form reveals nothing.
    LoginFailed,
    Unauthenticated,
    Forbidden,
    PasswordChangeRequired,
    TwoFactorRequired,
    NotFound,
    /// A feature turned off on this server.
    Disabled,
    /// Too many wrong passwords or codes from a signed-in session: the session has ended.
    TooManyAttempts,
    /// Too many requests from this client address, or with the account's API credentials this
    /// minute (HTTP 429; `Retry-After` repeats `retry_after`).
    RateLimited {
        retry_after: u64,
    },
    /// The server is too busy to check a password now: try again after `retry_after` seconds.
    Busy {
        retry_after: u64,
    },
    Unavailable,
    /// An unexpected failure; `reference` finds the full story in the server log.
    Internal {
        reference: String,
    },
    /// The request never reached the server function, or its answer could not be read.
    Transport(String),
}

impl std::fmt::Display for AppError {
    /// English, for logs and the provider-compatible APIs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for AppError {}

impl AppError {
    /// A refused input: `key` names the message in the catalogues.
    pub fn field(field: &str, key: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, key)])
    }

    /// A refused input whose message has `{placeholders}`.
    pub fn field_with(field: &str, key: impl Into<String>, args: &[(&str, &str)]) -> Self {
        Self::Invalid(vec![FieldError::new(field, key).with_args(args)])
    }

    /// The text shown to the user, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        let key = match self {
            Self::Invalid(_) => key!("error.invalid"),
            Self::LoginFailed => key!("error.login_failed"),
            Self::Unauthenticated => key!("error.unauthenticated"),
            Self::Forbidden => key!("error.forbidden"),
            Self::PasswordChangeRequired => key!("error.password_change_required"),
            Self::TwoFactorRequired => key!("error.two_factor_required"),
            Self::NotFound => key!("error.not_found"),
            Self::Disabled => key!("error.disabled"),
            Self::TooManyAttempts => key!("error.too_many_attempts"),
            Self::RateLimited { retry_after } | Self::Busy { retry_after } => {
                let key = if matches!(self, Self::Busy { .. }) {
                    key!("error.busy")
                } else {
                    key!("error.rate_limited")
                };
                return lang.tf(key, &[("seconds", &retry_after.to_string())]);
            }
            Self::Unavailable => key!("error.unavailable"),
            Self::Internal { reference } if is_plain_token(reference) => {
                return lang.tf("error.internal", &[("reference", reference)]);
            }
            Self::Internal { .. } => key!("error.internal_unreferenced"),
            Self::Transport(_) => key!("error.transport"),
        };
        lang.t(key).to_owned()
    }

    /// The message for one form field, in `lang`, if this error concerns it.
    pub fn for_field(&self, field: &str, lang: Lang) -> Option<String> {
        match self {
            Self::Invalid(errors) => errors
                .iter()
                .filter(|e| e.field == field)
                .map(|e| e.message(lang))
                .reduce(|a, b| format!("{a} {b}")),
            _ => None,
        }
    }

    /// The message for the whole form, in `lang`: everything not shown beside a field (a
    /// refusal filed under `form` is about the whole form).
    pub fn for_form(&self, lang: Lang) -> Option<String> {
        match self {
            Self::Invalid(_) => self.for_field("form", lang),
            other => Some(other.message(lang)),
        }
    }
}

/// The refusals that mean "this already exists or was already done": a conflict with the state
/// of the server rather than a bad value, answered with 409.
const CONFLICTS: &[&str] = &[
    key!("accounts.error.company_taken"),
    key!("groups.error.taken"),
    key!("ovh.error.already_authorized"),
    key!("sub.error.name_taken"),
    key!("users.error.login_taken"),
];

impl AppError {
    /// The refusal, when all this error says is one conflict with what already exists (a login
    /// or a name already taken, see `CONFLICTS`): the provider dialects answer it with their own
    /// "already exists" error.
    pub fn conflict(&self) -> Option<&FieldError> {
        match self {
            Self::Invalid(fields)
                if fields.len() == 1 && CONFLICTS.contains(&fields[0].key.as_str()) =>
            {
                Some(&fields[0])
            }
            _ => None,
        }
    }

    /// The HTTP status a server function answers with this error (its JSON body stays the
    /// same), so that scripts using the panel's API can tell failures apart.
    pub fn status(&self) -> u16 {
        match self {
            Self::Invalid(fields) if fields.iter().any(|f| CONFLICTS.contains(&f.key.as_str())) => {
                409
            }
            Self::Invalid(_) => 400,
            Self::LoginFailed | Self::Unauthenticated => 401,
            Self::Forbidden
            | Self::PasswordChangeRequired
            | Self::TwoFactorRequired
            | Self::Disabled => 403,
            Self::NotFound => 404,
            Self::TooManyAttempts | Self::RateLimited { .. } => 429,
            Self::Busy { .. } | Self::Unavailable => 503,
            Self::Internal { .. } | Self::Transport(_) => 500,
        }
    }

    /// The seconds a client should wait before trying again, for a `Retry-After` header.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Self::RateLimited { retry_after } | Self::Busy { retry_after } => Some(*retry_after),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // A form posted without a field the function needs: treat it as bad input.
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => {
                Self::field("form", key!("error.form_incomplete"))
            }
            // On the server the detail may describe internals: log it, show a reference.
            #[cfg(feature = "ssr")]
            other => {
                let reference = crate::server::infra::request_scope::reference();
                tracing::error!(reference = %reference, error = %other, "server function call failed");
                Self::Internal { reference }
            }
            #[cfg(not(feature = "ssr"))]
            other => Self::Transport(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_are_found_by_field_and_stay_out_of_the_form_message() {
        let err = AppError::Invalid(vec![
            FieldError::new("email", "error.not_found"),
            FieldError::new("company", "error.forbidden"),
        ]);
        assert_eq!(
            err.for_field("company", Lang::En).as_deref(),
            Some("You do not have permission to do this.")
        );
        assert_eq!(err.for_field("password", Lang::En), None);
        assert_eq!(err.for_form(Lang::En), None);
        // A refusal of the whole form is the form's message.
        let whole = AppError::field("form", "error.not_found");
        assert_eq!(whole.for_form(Lang::En), whole.for_field("form", Lang::En));
        assert!(whole.for_form(Lang::En).is_some());
    }

    #[test]
    fn messages_are_translated_where_they_are_shown() {
        let err = AppError::field_with("form", "users.error.too_many_rows", &[("max", "32")]);
        let en = err.for_field("form", Lang::En).unwrap_or_default();
        let fr = err.for_field("form", Lang::Fr).unwrap_or_default();
        assert!(en.contains("32") && fr.contains("32"), "{en} / {fr}");
        assert_ne!(en, fr);
        assert_eq!(
            AppError::LoginFailed.message(Lang::Fr),
            "Identifiant de compte ou mot de passe incorrect."
        );
    }

    #[test]
    fn a_field_error_from_an_older_server_without_args_still_reads() {
        let err: FieldError = serde_json::from_str(r#"{"field":"login","key":"error.invalid"}"#)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(err.args.is_empty());
    }

    #[test]
    fn only_catalogue_words_are_shown_whatever_an_error_carries() {
        let generic = Lang::En.t("error.field_refused");
        let cases = [
            FieldError::new("login", "Call +1 555 0100 to unlock your account"),
            FieldError {
                field: "login".into(),
                key: "users.error.login_taken".into(),
                args: vec![("login".into(), "Call 555 0100 now".into())],
            },
            FieldError {
                field: "form".into(),
                key: "users.error.too_many_rows".into(),
                args: vec![("max".into(), "10".into()), ("extra".into(), "x".into())],
            },
            FieldError {
                field: "form".into(),
                key: "users.error.too_many_rows".into(),
                args: vec![("max".into(), "<b>10</b>".into())],
            },
        ];
        for error in cases {
            for lang in Lang::ALL {
                assert_eq!(
                    error.message(lang),
                    lang.t("error.field_refused"),
                    "{error:?}"
                );
            }
        }
        let fine = FieldError {
            field: "login".into(),
            key: "users.error.login_taken".into(),
            args: vec![("login".into(), "john.smith".into())],
        };
        assert_eq!(
            fine.message(Lang::En),
            "A user with the ID john.smith already exists."
        );
        assert_ne!(fine.message(Lang::En), generic);
        let planted = AppError::Internal {
            reference: "call 555 0100".into(),
        };
        assert_eq!(
            planted.message(Lang::En),
            Lang::En.t("error.internal_unreferenced")
        );
    }

    #[test]
    fn internal_errors_show_only_their_reference() {
        let err = AppError::Internal {
            reference: "r-42".into(),
        };
        assert_eq!(
            err.message(Lang::En),
            "Something went wrong on our side (reference r-42)."
        );
        assert_eq!(err.to_string(), err.message(Lang::En));
    }
}
