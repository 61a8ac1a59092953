//! Sub-accounts: the list, creating, editing, enabling and disabling, KYC, rotating their
//! credentials, deleting, and managing one from its parent.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// One sub-account, as the list and its detail page show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubAccountView {
    pub id: i64,
    pub account_id: String,
    pub name: String,
    pub description: String,
    pub email: String,
    pub phone: String,
    pub rate_limit: i64,
    pub calls: bool,
    pub cdr: bool,
    pub kyc_mode: String,
    pub kyc_mode_label: String,
    pub kyc_calls_blocked: bool,
    pub business_type: String,
    pub business_type_label: String,
    pub enabled: bool,
    pub auth_id: Option<String>,
    pub credentials_issued: Option<i64>,
    pub users: i64,
    pub created: i64,
    pub updated: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SubAccountQuery {
    pub q: String,
    pub page: u32,
}

impl SubAccountQuery {
    pub fn href(&self) -> String {
        let mut parts = Vec::new();
        if !self.q.is_empty() {
            parts.push(format!(
                "q={}",
                crate::domain::navigation::encode_query_value(&self.q)
            ));
        }
        if self.page > 1 {
            parts.push(format!("page={}", self.page));
        }
        if parts.is_empty() {
            "/sub-accounts".to_owned()
        } else {
            format!("/sub-accounts?{}", parts.join("&"))
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubAccountPage {
    pub items: Vec<SubAccountView>,
    pub total: i64,
    pub page: u32,
    pub pages: u32,
    /// Administrators of the parent create, edit and delete; everyone else reads.
    pub can_manage: bool,
    /// Sub-accounts do not nest: a sub-account has none of its own.
    pub is_sub_account: bool,
}

pub const SUB_ACCOUNTS_PER_PAGE: u32 = 25;

#[cfg(feature = "ssr")]
mod convert {
    use super::SubAccountView;
    use crate::domain::KycMode;
    use crate::domain::sub_account::business_type_label;
    use crate::server::db::sub_account_store::SubAccountRow;

    pub fn view(row: SubAccountRow) -> SubAccountView {
        SubAccountView {
            kyc_mode_label: KycMode::parse(&row.kyc_mode)
                .map(KycMode::label)
                .unwrap_or_default()
                .to_owned(),
            business_type_label: business_type_label(&row.business_type).to_owned(),
            id: row.id,
            account_id: row.code,
            name: row.name,
            description: row.description,
            email: row.contact_email,
            phone: row.phone,
            rate_limit: row.rate_limit,
            calls: row.allow_calls,
            cdr: row.allow_cdr,
            kyc_mode: row.kyc_mode,
            kyc_calls_blocked: row.kyc_calls_blocked,
            business_type: row.business_type,
            enabled: row.enabled,
            auth_id: row.auth_id,
            credentials_issued: row.credentials_at,
            users: row.users,
            created: row.created_at,
            updated: row.updated_at.max(row.created_at),
        }
    }
}

/// One page of the account's sub-accounts, newest first. Every role may read it.
#[server(endpoint = "list_sub_accounts")]
pub async fn list_sub_accounts(
    #[server(default)] query: SubAccountQuery,
) -> Result<SubAccountPage, AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    let page = query.page.max(1);
    let per_page = i64::from(SUB_ACCOUNTS_PER_PAGE);
    let (rows, total) = crate::server::manage::sub_accounts::list(
        &state,
        caller.account_pk(),
        &query.q,
        false,
        per_page,
        i64::from(page - 1) * per_page,
    )
    .await?;
    Ok(SubAccountPage {
        items: rows.into_iter().map(convert::view).collect(),
        total,
        page,
        pages: u32::try_from((total + per_page - 1) / per_page)
            .unwrap_or(u32::MAX)
            .max(1),
        can_manage: caller.role().can_manage_users() && caller.parent_pk().is_none(),
        is_sub_account: caller.parent_pk().is_some(),
    })
}

#[server(endpoint = "get_sub_account")]
pub async fn get_sub_account(id: i64) -> Result<SubAccountView, AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    let row = crate::server::manage::sub_accounts::find(&state, caller.account_pk(), id).await?;
    Ok(convert::view(row))
}

/// The sub-account form's fields as posted; boxes are present when ticked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SubAccountForm {
    pub name: String,
    pub description: String,
    pub email: String,
    pub phone: String,
    pub rate_limit: String,
    pub calls: Option<String>,
    pub cdr: Option<String>,
    pub enabled: Option<String>,
    pub kyc_mode: String,
    pub business_type: String,
    pub password: String,
}

#[cfg(feature = "ssr")]
impl From<SubAccountForm> for crate::server::manage::sub_accounts::SubAccountInput {
    fn from(form: SubAccountForm) -> Self {
        Self {
            name: form.name,
            description: form.description,
            email: form.email,
            phone: form.phone,
            rate_limit: form.rate_limit,
            calls: form.calls.is_some(),
            cdr: form.cdr.is_some(),
            enabled: form.enabled.is_some(),
            kyc_mode: form.kyc_mode,
            business_type: form.business_type,
            password: form.password,
            claims_company: false,
        }
    }
}

/// Creates a sub-account and shows its ID and credentials once.
#[server(endpoint = "create_sub_account")]
pub async fn create_sub_account(form: SubAccountForm) -> Result<(), AppError> {
    use crate::api::reveal_fns::{AccountCredentials, Revealed};
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    let admin = caller.main_account_admin()?;
    let created = crate::server::manage::sub_accounts::create(&state, admin, form.into()).await?;
    let payload = Revealed::AccountCredentials(AccountCredentials {
        sub_account: Some(created.id),
        account_id: created.account_id.to_string(),
        name: created.name,
        auth_id: created.auth_id,
        auth_token: created.auth_token,
        new_account: true,
    });
    let id = crate::server::manage::reveals::stash(&state, &caller, &payload).await?;
    leptos_axum::redirect(&format!("/reveal/{id}"));
    Ok(())
}

/// Saves the edit form (the status and KYC have their own actions).
#[server(endpoint = "update_sub_account")]
pub async fn update_sub_account(id: i64, form: SubAccountForm) -> Result<(), AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    let admin = caller.main_account_admin_for_existing()?;
    crate::server::manage::sub_accounts::update(&state, admin, id, form.into()).await?;
    leptos_axum::redirect(&format!("/sub-accounts/{id}?saved=1"));
    Ok(())
}

/// Enables (`enabled` = "true") or disables a sub-account: disabling stops its logins,
/// sessions and credentials at once.
#[server(endpoint = "set_sub_account_enabled")]
pub async fn set_sub_account_enabled(id: i64, enabled: String) -> Result<(), AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    let admin = caller.main_account_admin_for_existing()?;
    crate::server::manage::sub_accounts::set_enabled(&state, admin, id, enabled == "true").await?;
    leptos_axum::redirect(&format!("/sub-accounts/{id}"));
    Ok(())
}

/// Marks KYC complete: calls are no longer blocked.
#[server(endpoint = "complete_sub_account_kyc")]
pub async fn complete_sub_account_kyc(id: i64) -> Result<(), AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    let admin = caller.main_account_admin_for_existing()?;
    crate::server::manage::sub_accounts::complete_kyc(&state, admin, id).await?;
    leptos_axum::redirect(&format!("/sub-accounts/{id}"));
    Ok(())
}

/// New credentials for the sub-account, shown once; the old token stops working at once.
#[server(endpoint = "rotate_sub_account_credentials")]
pub async fn rotate_sub_account_credentials(id: i64) -> Result<(), AppError> {
    use crate::api::reveal_fns::{AccountCredentials, Revealed};
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    let admin = caller.main_account_admin_for_existing()?;
    let parent = admin.account_pk();
    let sub = crate::server::manage::sub_accounts::find(&state, parent, id).await?;
    let issued = crate::server::manage::sub_accounts::rotate_credentials(&state, admin, id).await?;
    let payload = Revealed::AccountCredentials(AccountCredentials {
        sub_account: Some(id),
        account_id: sub.code,
        name: sub.name,
        auth_id: issued.auth_id,
        auth_token: issued.auth_token,
        new_account: false,
    });
    let reveal = crate::server::manage::reveals::stash(&state, &caller, &payload).await?;
    leptos_axum::redirect(&format!("/reveal/{reveal}"));
    Ok(())
}

/// Deletes the sub-account with its users and credentials, once its name is typed.
#[server(endpoint = "delete_sub_account")]
pub async fn delete_sub_account(id: i64, confirm_name: String) -> Result<(), AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    let admin = caller.main_account_admin_for_existing()?;
    crate::server::manage::sub_accounts::delete(&state, admin, id, &confirm_name).await?;
    leptos_axum::redirect("/sub-accounts?deleted=1");
    Ok(())
}

/// Opens the sub-account's own user management: until "Back", the panel shows the
/// sub-account, and what is done there is done by the caller.
#[server(endpoint = "manage_sub_account")]
pub async fn manage_sub_account(id: i64) -> Result<(), AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    let admin = caller.admin()?;
    let sub =
        crate::server::manage::sub_accounts::find(&state, admin.caller().account_pk(), id).await?;
    // Only a browser session can switch accounts; a credential acts as itself.
    let in_session = caller.in_session()?;
    let session = crate::server::identity::current::session().await?;
    crate::server::manage::sub_accounts::start_managing(&state, in_session, &session, sub).await?;
    leptos_axum::redirect("/users");
    Ok(())
}

/// Back from a sub-account to the caller's own account.
#[server(endpoint = "stop_managing_sub_account")]
pub async fn stop_managing_sub_account() -> Result<(), AppError> {
    let (_, caller, session) =
        crate::server::identity::current::authenticate_for_password_change().await?;
    session.stop_acting().await?;
    match caller.acting_from() {
        Some(_) => leptos_axum::redirect(&format!("/sub-accounts/{}", caller.account_pk())),
        None => leptos_axum::redirect("/sub-accounts"),
    }
    Ok(())
}
