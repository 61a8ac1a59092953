//! The "API keys" page: the account's API credentials (Administrators) and the caller's own
//! personal API tokens.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenView {
    pub id: i64,
    pub name: String,
    pub description: String,
    /// `None`, `User` or `Administrator`.
    pub role: String,
    pub expires: Option<i64>,
    pub expired: bool,
    pub created: i64,
    pub last_used: Option<i64>,
    /// The ranges it works from; empty for anywhere the account's IP rules allow.
    pub allowed_ips: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeysView {
    pub account_id: String,
    /// `MA_...` or `SA_...`, once credentials exist.
    pub auth_id: Option<String>,
    pub credentials_issued: Option<i64>,
    /// Administrators create and rotate the account's credentials.
    pub can_manage_account: bool,
    pub tokens: Vec<TokenView>,
    /// The roles the caller may give a token: theirs and below, as (code, label).
    pub roles: Vec<(String, String)>,
}

#[server(endpoint = "list_api_keys")]
pub async fn list_api_keys() -> Result<ApiKeysView, AppError> {
    use crate::domain::Role;
    use crate::server::db;
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    let credentials =
        crate::server::manage::directory::account_credentials(&state, &caller).await?;
    let now = db::now();
    let tokens = crate::server::manage::directory::own_tokens(&state, &caller)
        .await?
        .into_iter()
        .map(|t| TokenView {
            id: t.id,
            name: t.name,
            description: t.description,
            role: t.role.label().to_owned(),
            // Shown as the last day the token works.
            expires: t.expires_at.map(|at| at - 1),
            expired: t.expires_at.is_some_and(|at| at <= now),
            created: t.created_at,
            last_used: t.last_used_at,
            allowed_ips: t.allowed_ips.as_deref().map_or_else(Vec::new, |stored| {
                crate::domain::ip_rules::IpPolicy::from_stored(Some(stored)).ranges()
            }),
        })
        .collect();
    let can_manage_account = caller.role().can_manage_users();
    Ok(ApiKeysView {
        account_id: caller.account_id().to_string(),
        auth_id: credentials.as_ref().map(|(id, _)| id.clone()),
        credentials_issued: credentials.map(|(_, at)| at),
        can_manage_account,
        tokens,
        roles: Role::ALL
            .into_iter()
            .filter(|r| *r <= caller.role())
            .map(|r| (r.code().to_owned(), r.label().to_owned()))
            .collect(),
    })
}

/// Creates the account's API credentials, or rotates them (the old token stops working at
/// once); the token is shown once.
#[server(endpoint = "rotate_account_credentials")]
pub async fn rotate_account_credentials() -> Result<(), AppError> {
    use crate::api::reveal_fns::{AccountCredentials, Revealed};
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    let admin = caller.admin()?;
    let issued =
        crate::server::manage::sub_accounts::issue_credentials(&state, admin.of_account()).await?;
    let payload = Revealed::AccountCredentials(AccountCredentials {
        sub_account: None,
        account_id: caller.account_id().to_string(),
        name: caller.company().to_owned(),
        auth_id: issued.auth_id,
        auth_token: issued.auth_token,
        new_account: false,
    });
    let id = crate::server::manage::reveals::stash(&state, &caller, &payload).await?;
    leptos_axum::redirect(&format!("/reveal/{id}"));
    Ok(())
}

/// Creates a personal API token with at most the caller's role; it is shown once.
#[server(endpoint = "create_api_token")]
pub async fn create_api_token(
    name: String,
    description: String,
    role: String,
    expires: String,
    #[server(default)] allowed_ips: String,
) -> Result<(), AppError> {
    use crate::api::reveal_fns::Revealed;
    use crate::server::manage::api_tokens;
    use crate::server::manage::api_tokens::NewTokenInput;
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    let created = api_tokens::create(
        &state,
        caller.own_keys(),
        caller.role(),
        NewTokenInput {
            name,
            description,
            role,
            expires,
            allowed_ips,
        },
    )
    .await?;
    let payload = Revealed::ApiToken {
        id: created.id,
        name: created.name,
        token: created.token,
    };
    let id = crate::server::manage::reveals::stash(&state, &caller, &payload).await?;
    leptos_axum::redirect(&format!("/reveal/{id}"));
    Ok(())
}

/// Revokes one of the caller's tokens: it stops working at once.
#[server(endpoint = "revoke_api_token")]
pub async fn revoke_api_token(id: i64) -> Result<(), AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    crate::server::manage::api_tokens::revoke(&state, caller.own_keys(), id).await?;
    leptos_axum::redirect("/api-keys?revoked=1");
    Ok(())
}
