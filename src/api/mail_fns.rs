//! The account's outgoing mail as Administrators see it: what was sent to whom, and what the
//! SMTP server answered; never a mail's contents.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailView {
    /// What it is about (`password_reset`).
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    /// `queued`, `sent` or `failed`.
    pub state: String,
    pub attempts: i32,
    /// The SMTP server's answer to the last failed attempt.
    pub last_error: Option<String>,
    pub created: i64,
    pub sent: Option<i64>,
}

/// Mail is off on this server (`None`), or the account's latest mail, newest first.
#[server(endpoint = "list_mail")]
pub async fn list_mail() -> Result<Option<Vec<MailView>>, AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    let admin = caller.admin()?;
    if state.config.mail.is_none() {
        return Ok(None);
    }
    let rows =
        crate::server::db::mail_store::recent(&state.db, admin.caller().account_pk(), 50).await?;
    Ok(Some(
        rows.into_iter()
            .map(|row| MailView {
                kind: row.kind,
                recipient: row.recipient,
                subject: row.subject,
                state: row.state,
                attempts: row.attempts,
                last_error: row.last_error,
                created: row.created_at,
                sent: row.sent_at,
            })
            .collect(),
    ))
}
