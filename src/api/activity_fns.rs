//! The Activity page: a page of the activity log, narrowed by the filter form.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The filter form as the address bar carries it: text as typed. The same fields narrow the
/// page and the CSV download.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityQuery {
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub target: String,
    /// `YYYY-MM-DD`, inclusive.
    #[serde(default)]
    pub from: String,
    /// `YYYY-MM-DD`, inclusive.
    #[serde(default)]
    pub to: String,
    /// Where the page starts: the `cursor` of the last event of the page before.
    #[serde(default)]
    pub after: String,
}

impl ActivityQuery {
    /// The query string of this filter (without `after`), for links to other pages and to the
    /// CSV file.
    pub fn to_query_string(&self) -> String {
        use crate::domain::navigation::encode_query_value;
        [
            ("actor", &self.actor),
            ("action", &self.action),
            ("target", &self.target),
            ("from", &self.from),
            ("to", &self.to),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", encode_query_value(v.trim())))
        .collect::<Vec<_>>()
        .join("&")
    }
}

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
    let (state, caller) = crate::server::web::state::authenticate().await?;
    let page = crate::server::audit::record::page(&state, &caller, &query).await?;
    Ok(ActivityPage {
        events: page.events.into_iter().map(view).collect(),
        next: page.next,
        everyone: caller.role.can_manage_users(),
        account: caller.account_id.to_string(),
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
