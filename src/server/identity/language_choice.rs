//! The language switch in the header: the choice goes into a cookie and, for a logged-in user,
//! into their settings.

use axum::Form;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use crate::i18n::Lang;
use crate::server::identity::auth_session::AuthSession;
use crate::server::web::negotiation::cookie;
use crate::server::web::state::AppState;

#[derive(Debug, Deserialize)]
pub struct SwitchForm {
    #[serde(default)]
    lang: String,
    /// The page to go back to; only a path on this site is followed.
    #[serde(default)]
    next: String,
}

/// `POST /language` (the switch in the header, a plain form): remembers the language in a
/// cookie and, for a logged-in user, in their settings, then goes back to the page (303).
pub async fn switch_language(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<SwitchForm>,
) -> Response {
    let next = crate::domain::navigation::local_path(&form.next).unwrap_or("/");
    let mut response = Redirect::to(next).into_response();
    let Some(lang) = Lang::from_code(&form.lang) else {
        return response;
    };
    match crate::server::identity::caller::caller(&state, &AuthSession(session)).await {
        Ok(Some(caller)) => {
            if let Err(err) =
                crate::server::db::language_store::set(&state.db, caller.user_id(), lang.code())
                    .await
            {
                tracing::warn!(error = %err, "could not save the language");
            }
        }
        Ok(None) => {}
        Err(err) => tracing::warn!(error = %err, "language switch: session unreadable"),
    }
    response
        .headers_mut()
        .append(header::SET_COOKIE, cookie(lang, state.config.cookie_secure));
    response
}
