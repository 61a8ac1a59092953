//! Security notices: a mail to a user when something happens to their login that they would
//! want to hear about (a sign-in from a browser not seen before, their password changed, their
//! two-factor authentication turned off, a new API credential, their login locked).
//!
//! A notice is built and sealed before the change, then travels with the change's event
//! ([`Event::with_notice`]): the activity store queues it in the same transaction as the event,
//! so that it is sent if and only if the change happened. It never holds a secret, and building
//! it never makes the change fail: without mail, without an address, or when the lookup fails,
//! the change goes ahead without a notice.

use crate::domain::event::{Event, Notice};
use crate::i18n::Lang;
use crate::server::db;
use crate::server::mail::messages::{self, NoticeAbout, NoticeFacts};
use crate::server::mail::outbox;
use crate::server::web::state::AppState;

/// `event`, carrying a notice to `user_id` about what it records (when mail is on and the user
/// has an address).
pub async fn attach(state: &AppState, event: Event, user_id: i64, about: NoticeAbout<'_>) -> Event {
    let notice = build(state, &event, user_id, about).await;
    event.with_notice(notice)
}

async fn build(
    state: &AppState,
    event: &Event,
    user_id: i64,
    about: NoticeAbout<'_>,
) -> Option<Notice> {
    state.config.mail.as_ref()?;
    let target = match db::password_reset_store::recovery_target_by_id(&state.db, user_id).await {
        Ok(target) => target?,
        Err(e) => {
            tracing::warn!(error = %e, user = user_id, "security notice not sent: lookup failed");
            return None;
        }
    };
    if target.email.is_empty() {
        return None;
    }
    let login_id = target.login_id();
    let lang = target
        .language
        .as_deref()
        .and_then(Lang::from_code)
        .unwrap_or(Lang::En);
    // Someone else acted (an Administrator, the operator): the notice says who.
    let by = (event.actor_user_id != Some(user_id)).then_some(event.actor.as_str());
    let facts = NoticeFacts {
        login_id: &login_id,
        at: db::now(),
        address: &event.request.ip,
        user_agent: &event.request.user_agent,
        by,
    };
    let link = format!("{}/security", state.config.link_base());
    let message = messages::notice(lang, about, &facts, &link);
    match outbox::seal(&state.server_key, message) {
        Ok(sealed) => Some(Notice {
            id: sealed.id,
            account_pk: target.account_pk,
            kind: about.kind(),
            recipient: target.email,
            subject: sealed.subject,
            sealed: sealed.sealed,
        }),
        Err(e) => {
            tracing::warn!(error = %e, user = user_id, "security notice not sent: sealing failed");
            None
        }
    }
}
