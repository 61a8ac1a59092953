//! Invitations waiting for their users, and sign-in details sent from the one-time reveal page.

use leptos::prelude::*;

use crate::error::AppError;

/// Sends `login`'s pending invitation again, with a new link.
#[server(endpoint = "resend_invitation")]
pub async fn resend_invitation(login: String) -> Result<(), AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    crate::server::manage::users::invitations::resend(&state, caller.admin()?, &login).await
}

/// Withdraws `login`'s pending invitation (the user, who never chose a password, is removed).
#[server(endpoint = "revoke_invitation")]
pub async fn revoke_invitation(login: String) -> Result<(), AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    crate::server::manage::users::invitations::revoke(&state, caller.admin()?, &login).await
}

/// Mails `login`'s sign-in details (login ID, the panel's address, a link to choose a
/// password) to `email`.
#[server(endpoint = "send_sign_in_details")]
pub async fn send_sign_in_details(login: String, email: String) -> Result<(), AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    let login = login.rsplit('/').next().unwrap_or_default().to_owned();
    crate::server::manage::users::invitations::send_sign_in_details(
        &state,
        caller.admin()?,
        &login,
        email.trim(),
    )
    .await?;
    // A hydrated page stays (its other secrets are still on it) and says it is sent; a form
    // posted without JavaScript would be sent back to the one-time page, now empty.
    if crate::server::web::negotiation::posted_without_javascript() {
        leptos_axum::redirect(&format!(
            "/users?details_sent={}",
            crate::domain::navigation::encode_query_value(&login)
        ));
    }
    Ok(())
}
