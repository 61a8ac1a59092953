//! The Activity page: a page of the activity log, narrowed by the filter form.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub use crate::domain::activity_query::ActivityQuery;

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventView {
    pub id: i64,
    /// Unix seconds, written in the reader's language by the page.
    pub at: i64,
    /// The account ID where it happened (shown when it is not the reader's own).
    pub account: String,
    pub actor: String,
    pub via: String,
    pub key_id: Option<String>,
    pub acting_from: Option<String>,
    pub action: String,
    pub target: String,
    pub success: bool,
    pub detail: String,
    pub ip: String,
    /// "Firefox on Linux".
    pub client: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityPage {
    pub events: Vec<EventView>,
    /// The `after` of the next (older) page, when there is one.
    pub next: Option<String>,
    /// Administrators see everyone's events and may filter by actor; others see their own.
    pub everyone: bool,
    /// The reader's own account ID.
    pub account: String,
}

/// One page of the events the caller may see, newest first. Bad filter values get a message
/// beside their field.
#[server(endpoint = "list_activity")]
pub async fn list_activity(
    #[server(default)] query: ActivityQuery,
) -> Result<ActivityPage, AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    let page = crate::server::audit::query::page(&state, &caller, &query).await?;
    Ok(ActivityPage {
        events: page.events.into_iter().map(view).collect(),
        next: page.next,
        everyone: caller.role().can_manage_users(),
        account: caller.account_id().to_string(),
    })
}

#[cfg(feature = "ssr")]
fn view(row: crate::server::db::activity_store::Row) -> EventView {
    EventView {
        id: row.id,
        at: row.at,
        account: row.account_code.unwrap_or_default(),
        actor: row.actor,
        via: row.via,
        key_id: row.key_id,
        acting_from: row.acting_from,
        action: row.action,
        target: row.target,
        success: row.result == "success",
        detail: row.detail,
        ip: row.ip,
        client: crate::domain::user_agent::describe(&row.user_agent),
    }
}
