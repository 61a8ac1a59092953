//! Whether a user's e-mail address is theirs: a single-use link mailed to it, sent when the
//! address is first given (sign-up, a new user, a new sub-account) or changed, and again on
//! request from the security page. Following it verifies the address it was sent to, as long as
//! that is still the user's address; so does choosing a new password with a link mailed to it.
//!
//! The link is sent just after the change that gave the address, in a transaction of its own:
//! if the server stops in between, the address simply stays unverified and the user asks again.

use crate::domain::email::VerificationLink;
use crate::domain::event::{Action, Event};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::key;
use crate::server::db;
use crate::server::infra::secrets::{random_hex, token_hash};
use crate::server::mail::{messages, outbox};
use crate::server::web::state::AppState;

/// Links one user may be sent in an hour; past it nothing more is sent (a mailbox is not
/// flooded by someone repeating the request).
pub const LINKS_PER_HOUR: i64 = 3;

/// How long a link works.
pub const LINK_HOURS: i64 = 48;

/// What became of a request for a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    Queued,
    /// Mail is off, the user has no address, or it is verified already.
    NotNeeded,
    /// The hourly allowance is used up.
    TooMany,
}

/// Mails a verification link to `user_id`'s current address. `by` is the event of whoever
/// caused it (an Administrator adding the user); `None` when the user asked themselves.
pub async fn send(state: &AppState, user_id: i64, by: Option<&Event>) -> Result<Sent, AppError> {
    if state.config.mail.is_none() {
        return Ok(Sent::NotNeeded);
    }
    let Some(target) = db::password_reset_store::recovery_target_by_id(&state.db, user_id).await?
    else {
        return Err(AppError::NotFound);
    };
    if target.email.is_empty()
        || db::email_verification_store::is_verified(&state.db, user_id).await?
    {
        return Ok(Sent::NotNeeded);
    }
    let recent =
        db::email_verification_store::count_since(&state.db, user_id, db::now() - 3600).await?;
    if recent >= LINKS_PER_HOUR {
        return Ok(Sent::TooMany);
    }
    let login_id = target.login_id();
    let token = random_hex(32);
    let link = format!("{}/verify-email/{token}", state.config.link_base());
    let lang = target
        .language
        .as_deref()
        .and_then(Lang::from_code)
        .unwrap_or_else(crate::server::web::negotiation::request_lang);
    let message = messages::email_verification(lang, &login_id, &link, LINK_HOURS);
    let sealed = outbox::seal(&state.server_key, message)?;
    let mail = db::mail_store::NewMail {
        id: &sealed.id,
        account_pk: target.account_pk,
        kind: "email_verification",
        recipient: &target.email,
        subject: &sealed.subject,
        sealed: &sealed.sealed,
    };
    let event = match by {
        Some(by) => Event {
            account_pk: target.account_pk,
            root_pk: target.root_pk,
            action: Action::EmailVerifyRequest,
            target: login_id.clone(),
            notice: None,
            ..by.clone()
        },
        None => Event {
            via: "email-verification",
            ..Event::login(
                target.account_pk,
                target.root_pk,
                Some(user_id),
                &login_id,
                Action::EmailVerifyRequest,
            )
        },
    };
    db::email_verification_store::issue(
        &state.db,
        &event,
        &token_hash(&token),
        user_id,
        &target.email,
        db::now() + LINK_HOURS * 3600,
        &mail,
    )
    .await?;
    state.mail_wake.notify_one();
    Ok(Sent::Queued)
}

/// [`send`] after a change that gave `user_id` a new address: the change stands whatever
/// happens here, so a failure is logged, not returned.
pub async fn send_after_change(state: &AppState, user_id: i64, by: Option<&Event>) {
    if let Err(e) = send(state, user_id, by).await {
        tracing::warn!(error = %e, user = user_id, "verification link not sent");
    }
}

/// What the link `token` can still do.
pub async fn link_state(state: &AppState, token: &str) -> Result<VerificationLink, AppError> {
    let found = db::email_verification_store::lookup(&state.db, &token_hash(token.trim())).await?;
    Ok(match found {
        Some(link) if link.usable => VerificationLink::Pending { email: link.email },
        Some(link) if link.used && link.verified => VerificationLink::Verified,
        _ => VerificationLink::Expired,
    })
}

/// Follows the link `token`: its address is verified, and the link used up.
pub async fn confirm(state: &AppState, token: &str) -> Result<(), AppError> {
    let hash = token_hash(token.trim());
    let expired = || AppError::field("form", key!("verify_email.expired"));
    let Some((user_id, _)) = db::email_verification_store::pending(&state.db, &hash).await? else {
        return Err(expired());
    };
    let Some(target) = db::password_reset_store::recovery_target_by_id(&state.db, user_id).await?
    else {
        return Err(expired());
    };
    let event = Event {
        via: "email-verification",
        ..Event::login(
            target.account_pk,
            target.root_pk,
            Some(user_id),
            &target.login_id(),
            Action::EmailVerify,
        )
    };
    if db::email_verification_store::confirm(&state.db, &event, &hash, user_id).await? {
        Ok(())
    } else {
        Err(expired())
    }
}
