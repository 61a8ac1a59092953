//! "Forgot your password?": asking for a link by mail, and choosing a new password with it.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Whether this server sends links by mail; without mail the page offers the other ways in.
#[server(endpoint = "recovery_by_mail")]
pub async fn recovery_by_mail() -> Result<bool, AppError> {
    let state = crate::server::web::state::state()?;
    Ok(crate::server::identity::recovery::by_mail(&state))
}

/// Mails a link to choose a new password to the user `login_id` names, if there is one; the
/// answer is the same either way, and the page says to look in the mailbox.
#[server(endpoint = "request_password_reset")]
pub async fn request_password_reset(login_id: String) -> Result<(), AppError> {
    let state = crate::server::web::state::state()?;
    let lang = crate::server::web::negotiation::request_lang();
    crate::server::identity::recovery::request_by_mail(&state, login_id.trim(), lang)?;
    leptos_axum::redirect("/login/forgot?sent=1");
    Ok(())
}

/// A password link that can still be used, as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordLink {
    /// An invitation: the user has no password yet.
    pub invitation: bool,
    pub login_id: String,
}

/// What the link with `token` is, while it can be used (`None` once it cannot).
#[server(endpoint = "password_reset_link")]
pub async fn password_reset_link(token: String) -> Result<Option<PasswordLink>, AppError> {
    let state = crate::server::web::state::state()?;
    let info = crate::server::identity::recovery::link_info(&state, &token).await?;
    Ok(info.map(|info| PasswordLink {
        invitation: info.invitation,
        login_id: info.login_id,
    }))
}

/// Sets the new password chosen with the link `token`, then sends to the login page.
#[server(endpoint = "complete_password_reset")]
pub async fn complete_password_reset(
    token: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    let state = crate::server::web::state::state()?;
    crate::server::identity::recovery::complete(&state, &token, new_password, &confirm_password)
        .await?;
    leptos_axum::redirect("/login?reset=1");
    Ok(())
}
