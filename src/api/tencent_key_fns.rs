//! The caller's own Tencent Cloud CAM access keys (SecretId + SecretKey), for the
//! CAM-compatible API: list, create (the SecretKey is shown once), delete.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TencentKeyView {
    pub id: i64,
    pub secret_id: String,
    pub created: i64,
    pub last_used: Option<i64>,
    /// Made inactive through CAM's UpdateAccessKey: it signs nothing until active again.
    pub active: bool,
    pub description: String,
}

/// The caller's own keys, newest first (never a SecretKey).
#[server(endpoint = "list_tencent_keys")]
pub async fn list_tencent_keys() -> Result<Vec<TencentKeyView>, AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    Ok(
        crate::server::manage::tencent_keys::list(&state, caller.user_id())
            .await?
            .into_iter()
            .map(|k| TencentKeyView {
                id: k.id,
                secret_id: k.secret_id,
                created: k.created_at,
                last_used: k.last_used_at,
                active: k.active,
                description: k.description,
            })
            .collect(),
    )
}

/// Creates a key acting as the caller, with their role; the SecretKey is shown once. Only from
/// a logged-in browser: a key has no role of its own, so a credential with less than the
/// user's role (a personal token of role None) must not mint one with the full role.
#[server(endpoint = "create_tencent_key")]
pub async fn create_tencent_key() -> Result<(), AppError> {
    use crate::api::reveal_fns::Revealed;
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    let session = caller.in_session()?;
    let created = crate::server::manage::tencent_keys::create(&state, session.key_holder()).await?;
    let payload = Revealed::TencentAccessKey {
        secret_id: created.secret_id,
        secret_key: created.secret_key,
    };
    let id = crate::server::manage::reveals::stash(&state, &caller, &payload).await?;
    leptos_axum::redirect(&format!("/reveal/{id}"));
    Ok(())
}

/// Deletes one of the caller's keys: it stops working at once.
#[server(endpoint = "delete_tencent_key")]
pub async fn delete_tencent_key(id: i64) -> Result<(), AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    crate::server::manage::tencent_keys::delete(&state, caller.own_keys(), id).await?;
    leptos_axum::redirect("/api-keys?tencent_deleted=1");
    Ok(())
}
