//! Who may sign in when: a user's validity window, and the account's policies for inactive
//! users and temporary passwords.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Sets `login`'s validity window: days as `YYYY-MM-DD` (UTC), either left empty for no bound.
#[server(endpoint = "set_user_validity")]
pub async fn set_user_validity(
    login: String,
    #[server(default)] valid_from: String,
    #[server(default)] valid_until: String,
) -> Result<(), AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    crate::server::manage::users::validity::set_validity(
        &state,
        caller.admin()?,
        &login,
        &valid_from,
        &valid_until,
    )
    .await?;
    leptos_axum::redirect(&format!(
        "/users?updated={}",
        crate::domain::navigation::encode_query_value(login.trim())
    ));
    Ok(())
}

/// The account's sign-in policies, in days (`None`: off).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoliciesView {
    pub inactive_days: Option<i32>,
    pub temp_password_days: Option<i32>,
    /// Whether the caller may change them (Administrators).
    pub can_set: bool,
}

#[server(endpoint = "sign_in_policies")]
pub async fn sign_in_policies() -> Result<PoliciesView, AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    let policies =
        crate::server::manage::users::validity::policies(&state, caller.account_pk()).await?;
    Ok(PoliciesView {
        inactive_days: policies.inactive_days,
        temp_password_days: policies.temp_password_days,
        can_set: caller.role().can_manage_users(),
    })
}

/// Sets the policies: each field a number of days, or empty for off.
#[server(endpoint = "set_sign_in_policies")]
pub async fn set_sign_in_policies(
    #[server(default)] inactive_days: String,
    #[server(default)] temp_password_days: String,
) -> Result<(), AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    crate::server::manage::users::validity::set_policies(
        &state,
        caller.admin()?,
        &inactive_days,
        &temp_password_days,
    )
    .await
}
