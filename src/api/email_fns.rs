//! Verifying the caller's e-mail address: its state on the Security page, asking for a link,
//! and the page the link opens.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::email::VerificationLink;
use crate::error::AppError;

/// The caller's address and whether it is verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailView {
    pub email: String,
    pub verified: bool,
    /// Whether this server sends mail (without it, no link can be asked for).
    pub by_mail: bool,
}

#[server(endpoint = "email_status")]
pub async fn email_status() -> Result<EmailView, AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    let verified =
        crate::server::db::email_verification_store::is_verified(&state.db, caller.user_id())
            .await?;
    Ok(EmailView {
        email: caller.email().to_owned(),
        verified,
        by_mail: state.config.mail.is_some(),
    })
}

/// Mails a new verification link to the caller's own address.
#[server(endpoint = "send_email_verification")]
pub async fn send_email_verification() -> Result<(), AppError> {
    use crate::server::identity::email_verification::{Sent, send};
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    match send(&state, caller.user_id(), None).await? {
        Sent::Queued => {
            leptos_axum::redirect("/security?verification=sent");
            Ok(())
        }
        Sent::NotNeeded => Err(AppError::field(
            "form",
            crate::key!("verify_email.not_needed"),
        )),
        Sent::TooMany => Err(AppError::field(
            "form",
            crate::key!("verify_email.too_many"),
        )),
    }
}

/// What the link with `token` can still do.
#[server(endpoint = "email_verification_link")]
pub async fn email_verification_link(token: String) -> Result<VerificationLink, AppError> {
    let state = crate::server::web::state::state()?;
    crate::server::identity::email_verification::link_state(&state, &token).await
}

/// Verifies the address the link `token` was mailed to, then shows the link's page again.
#[server(endpoint = "verify_email")]
pub async fn verify_email(token: String) -> Result<(), AppError> {
    let state = crate::server::web::state::state()?;
    crate::server::identity::email_verification::confirm(&state, &token).await?;
    let token: String = token
        .trim()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    leptos_axum::redirect(&format!("/verify-email/{token}"));
    Ok(())
}
