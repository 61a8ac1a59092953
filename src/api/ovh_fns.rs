//! OVHcloud applications and consumer keys, for the OVHcloud-compatible API (`/1.0`): the
//! caller's applications (create: the secret is shown once; delete), the consumer keys they
//! requested or that act as the caller (revoke), and the validation page where a logged-in user
//! authorizes a requested key for their own identity.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OvhApplicationView {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub application_key: String,
    pub created: i64,
    pub consumer_keys: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OvhRuleView {
    pub method: String,
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OvhConsumerKeyView {
    pub id: i64,
    pub application_name: String,
    pub application_key: String,
    /// `1234-567-89/login` of the user the key acts as; `None` while it waits for validation.
    pub acts_as: Option<String>,
    pub rules: Vec<OvhRuleView>,
    pub created: i64,
    pub validated: Option<i64>,
    pub last_used: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OvhKeysView {
    pub applications: Vec<OvhApplicationView>,
    pub consumer_keys: Vec<OvhConsumerKeyView>,
}

/// The caller's applications, and the consumer keys they requested or that act as the caller
/// (never a secret).
#[server(endpoint = "list_ovh_keys")]
pub async fn list_ovh_keys() -> Result<OvhKeysView, AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    let applications = crate::server::manage::directory::own_ovh_applications(&state, &caller)
        .await?
        .into_iter()
        .map(|a| OvhApplicationView {
            id: a.id,
            name: a.name,
            description: a.description,
            application_key: a.application_key,
            created: a.created_at,
            consumer_keys: a.consumer_keys,
        })
        .collect();
    let consumer_keys = crate::server::manage::directory::own_consumer_keys(&state, &caller)
        .await?
        .into_iter()
        .map(|k| OvhConsumerKeyView {
            id: k.id,
            application_name: k.application_name,
            application_key: k.application_key,
            acts_as: match (k.granted, k.account_code, k.login) {
                (true, Some(code), Some(login)) => Some(format!("{code}/{login}")),
                (true, Some(code), None) => Some(code),
                _ => None,
            },
            rules: rule_views(&k.access_rules),
            created: k.created_at,
            validated: k.validated_at,
            last_used: k.last_used_at,
        })
        .collect();
    Ok(OvhKeysView {
        applications,
        consumer_keys,
    })
}

/// A consumer key acting in the caller's account or one of its sub-accounts, as its
/// Administrators see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OvhAccountKeyView {
    pub id: i64,
    pub application_name: String,
    pub application_key: String,
    /// `1234-567-89/login` of the application's owner, and their account's company or name.
    pub owner_login_id: String,
    pub owner_company: String,
    /// `1234-567-89/login` of the user the key acts as.
    pub acts_as: String,
    pub rules: Vec<OvhRuleView>,
    /// The key it was minted through (`createConsumerKey`), which revoking ends it too.
    pub minted_through: Option<i64>,
    pub created: i64,
    pub validated: Option<i64>,
    pub last_used: Option<i64>,
}

/// Every consumer key that acts as a user of the caller's account or of its sub-accounts,
/// whichever application holds it: for Administrators.
#[server(endpoint = "list_account_ovh_consumer_keys")]
pub async fn list_account_ovh_consumer_keys() -> Result<Vec<OvhAccountKeyView>, AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    let admin = caller.admin()?;
    let keys = crate::server::manage::ovh_keys::keys_acting_in(&state, admin).await?;
    Ok(keys
        .into_iter()
        .map(|k| {
            let owner = crate::server::manage::ovh_keys::Owner::of(&k.owner);
            OvhAccountKeyView {
                id: k.id,
                application_name: k.application_name,
                application_key: k.application_key,
                owner_login_id: owner.login_id,
                owner_company: owner.company,
                acts_as: match k.login {
                    Some(login) => format!("{}/{login}", k.account_code),
                    None => k.account_code,
                },
                rules: rule_views(&k.access_rules),
                minted_through: k.parent_key_id,
                created: k.created_at,
                validated: k.validated_at,
                last_used: k.last_used_at,
            }
        })
        .collect())
}

/// Revokes a consumer key acting in the caller's account or one of its sub-accounts (for
/// Administrators): it, and every key minted through it, stop at once.
#[server(endpoint = "revoke_account_ovh_consumer_key")]
pub async fn revoke_account_ovh_consumer_key(id: i64) -> Result<(), AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    let admin = caller.admin()?;
    crate::server::manage::ovh_keys::revoke_acting_in(&state, admin, id).await?;
    leptos_axum::redirect("/api-keys?ovh_account_revoked=1");
    Ok(())
}

#[cfg(feature = "ssr")]
fn rule_views(json: &str) -> Vec<OvhRuleView> {
    crate::server::manage::ovh_keys::rules_from(json)
        .into_iter()
        .map(|r| OvhRuleView {
            method: r.method,
            path: r.path,
        })
        .collect()
}

/// Creates an application of the caller, an Administrator (only an Administrator's
/// application works); its secret is shown once.
#[server(endpoint = "create_ovh_application")]
pub async fn create_ovh_application(name: String, description: String) -> Result<(), AppError> {
    use crate::api::reveal_fns::Revealed;
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    caller.admin()?;
    let created = crate::server::manage::ovh_keys::create_application(
        &state,
        caller.own_keys(),
        &name,
        &description,
    )
    .await?;
    let payload = Revealed::OvhApplication {
        application_key: created.application_key,
        application_secret: created.application_secret,
    };
    let id = crate::server::manage::reveals::stash(&state, &caller, &payload).await?;
    leptos_axum::redirect(&format!("/reveal/{id}"));
    Ok(())
}

/// Deletes one of the caller's applications; every consumer key it requested stops at once.
#[server(endpoint = "delete_ovh_application")]
pub async fn delete_ovh_application(id: i64) -> Result<(), AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    crate::server::manage::ovh_keys::delete_application(&state, caller.own_keys(), id).await?;
    leptos_axum::redirect("/api-keys?ovh_deleted=1");
    Ok(())
}

/// Revokes a consumer key requested by one of the caller's applications or acting as the
/// caller: it stops working at once.
#[server(endpoint = "revoke_ovh_consumer_key")]
pub async fn revoke_ovh_consumer_key(id: i64) -> Result<(), AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    crate::server::manage::ovh_keys::revoke_consumer_key(&state, caller.own_keys(), id).await?;
    leptos_axum::redirect("/api-keys?ovh_revoked=1");
    Ok(())
}

/// Why the caller may not authorize a key, shown on its validation page instead of the button.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OvhGrantRefusal {
    /// The application belongs to another top-level account.
    CrossAccount,
    /// The application's owner is disabled or no longer an Administrator.
    OwnerInactive,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OvhAuthorizationView {
    pub application_name: String,
    pub application_description: String,
    /// Whose application it is: their account ID, company and login ID.
    pub owner_account_id: String,
    pub owner_company: String,
    pub owner_login_id: String,
    pub rules: Vec<OvhRuleView>,
    /// Where the browser goes once authorized (an http(s) address), if anywhere.
    pub redirection: Option<String>,
    /// Already authorized, by the caller.
    pub authorized: bool,
    /// `1234-567-89/login`: who the key will act as.
    pub login_id: String,
    /// Set when the caller may not authorize it.
    pub refusal: Option<OvhGrantRefusal>,
}

/// The consumer key waiting behind a validation page, as the caller may see it.
#[server(endpoint = "get_ovh_authorization")]
pub async fn get_ovh_authorization(id: String) -> Result<OvhAuthorizationView, AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    let found = crate::server::manage::ovh_keys::validation(&state, caller.user_id(), &id).await?;
    use crate::server::manage::ovh_keys::GrantRefusal;
    Ok(OvhAuthorizationView {
        application_name: found.application_name,
        application_description: found.application_description,
        owner_account_id: found.owner.account_id,
        owner_company: found.owner.company,
        owner_login_id: found.owner.login_id,
        rules: found
            .rules
            .into_iter()
            .map(|r| OvhRuleView {
                method: r.method,
                path: r.path,
            })
            .collect(),
        redirection: found.redirection.map(|to| to.to_string()),
        authorized: found.granted,
        login_id: caller.login_id(),
        refusal: found.refusal.map(|r| match r {
            GrantRefusal::CrossAccount => OvhGrantRefusal::CrossAccount,
            GrantRefusal::OwnerInactive => OvhGrantRefusal::OwnerInactive,
        }),
    })
}

/// Grants the consumer key behind validation page `id` to the caller's own identity. Only
/// from a logged-in browser: the key acts with the user's whole privilege, so a credential
/// with less (a personal token of role None) must not mint one.
#[server(endpoint = "authorize_ovh_consumer_key")]
pub async fn authorize_ovh_consumer_key(id: String) -> Result<(), AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    match crate::server::manage::ovh_keys::grant(&state, caller.in_session()?, &id).await? {
        Some(redirection) => leptos_axum::redirect(&redirection),
        None => leptos_axum::redirect(&format!("/ovh/authorize/{id}")),
    }
    Ok(())
}
