//! Getting back in without the password: a single-use link to choose a new one, sent by mail
//! ("Forgot your password?") or handed out by the operator (`steward user reset-password`).
//!
//! Asking for a link gets the same answer whether or not the login exists, has an address or is
//! usable: only the owner of the mailbox learns anything. The token is kept as a hash, works
//! once, and expires (`STEWARD_PASSWORD_RESET_MINUTES`). Choosing the new password ends every
//! session and unlocks the login; two-factor authentication is still asked at the next login.

use crate::domain::event::{Action, Event};
use crate::domain::login_id::LoginId;
use crate::error::{AppError, FieldErrors};
use crate::i18n::Lang;
use crate::key;
use crate::server::db;
use crate::server::db::password_reset_store::RecoveryTarget;
use crate::server::infra::secrets::{random_hex, token_hash};
use crate::server::mail::messages::NoticeAbout;
use crate::server::mail::{messages, notices, outbox};
use crate::server::web::state::AppState;

/// Links one login may be sent in an hour; past it, requests get the same answer and send
/// nothing (a mailbox is not flooded by strangers).
pub const LINKS_PER_HOUR: i64 = 3;

/// Whether links can be sent by mail on this server.
pub fn by_mail(state: &AppState) -> bool {
    state.config.mail.is_some()
}

/// The event of a link asked for or used by the user themselves, who is not logged in.
fn recovery_event(target: &RecoveryTarget, action: Action) -> Event {
    let login_id = target.login_id();
    Event {
        via: "recovery-link",
        notice: None,
        ..Event::login(
            target.account_pk,
            target.root_pk,
            Some(target.user_id),
            &login_id,
            action,
        )
    }
}

async fn find(state: &AppState, login_id: &str) -> Result<Option<RecoveryTarget>, AppError> {
    let Some(parsed) = LoginId::parse(login_id) else {
        return Ok(None);
    };
    let login_key = parsed.login.as_ref().map(|l| l.key());
    Ok(db::password_reset_store::recovery_target(
        &state.db,
        parsed.account.as_str(),
        login_key.as_deref(),
    )
    .await?)
}

fn new_token(state: &AppState) -> (String, String, i64) {
    let ttl = i64::try_from(state.config.password_reset.as_secs()).unwrap_or(1800);
    new_link(state, ttl)
}

/// A new token, the link that carries it, and when it stops working (`ttl` seconds from now).
pub fn new_link(state: &AppState, ttl: i64) -> (String, String, i64) {
    let token = random_hex(32);
    let link = format!("{}/login/reset/{token}", state.config.link_base());
    (token, link, db::now() + ttl)
}

/// "Forgot your password?": mails a link to the user `login_id` names, in their language (else
/// `page_lang`), when there is such a user, usable, under the hourly allowance. `Ok` either way.
///
/// The answer does not wait for the lookup: the link is made and queued by a task of its own,
/// so an existing login (a search, a token, a sealed mail, a write) answers as fast as an
/// unknown one, and the time taken tells a stranger nothing either.
pub fn request_by_mail(state: &AppState, login_id: &str, page_lang: Lang) -> Result<(), AppError> {
    use tracing::Instrument;
    if !by_mail(state) {
        return Err(AppError::field("login_id", key!("recovery.error.mail_off")));
    }
    // Answered before the work is done, the requests could outrun it without bound: past
    // `LINKS_IN_FLIGHT` at once the request is dropped (the answer is the same; a real user asks
    // again), as every queue here is bounded (SECURITY.md rule 27).
    let Ok(permit) = LINK_WORK.try_acquire() else {
        tracing::warn!("password reset requests: too many in flight, one dropped");
        return Ok(());
    };
    let state = state.clone();
    let login_id = login_id.to_owned();
    tokio::spawn(
        async move {
            let _permit = permit;
            if let Err(error) = send_link(&state, &login_id, page_lang).await {
                tracing::warn!(%error, "password reset link not queued");
            }
        }
        .in_current_span(),
    );
    Ok(())
}

/// Links being made at once, at most (each holds a database connection for a moment).
const LINKS_IN_FLIGHT: usize = 64;

static LINK_WORK: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(LINKS_IN_FLIGHT);

async fn send_link(state: &AppState, login_id: &str, page_lang: Lang) -> Result<(), AppError> {
    let Some(target) = find(state, login_id).await?.filter(|t| t.usable) else {
        return Ok(());
    };
    let (token, link, expires_at) = new_token(state);
    let lang = target
        .language
        .as_deref()
        .and_then(Lang::from_code)
        .unwrap_or(page_lang);
    let minutes = u32::try_from(state.config.password_reset.as_secs() / 60).unwrap_or(30);
    let message = messages::password_reset(lang, &target.login_id(), &link, minutes);
    let sealed = outbox::seal(&state.server_key, message)?;
    let mail = db::mail_store::NewMail {
        id: &sealed.id,
        account_pk: target.account_pk,
        kind: "password_reset",
        recipient: &target.email,
        subject: &sealed.subject,
        sealed: &sealed.sealed,
    };
    let event = recovery_event(&target, Action::PasswordResetRequest);
    let allowance = db::password_reset_store::Allowance {
        since: db::now() - 3600,
        most: LINKS_PER_HOUR,
    };
    let issued = db::password_reset_store::issue_by_mail(
        &state.db,
        &event,
        &token_hash(&token),
        target.user_id,
        expires_at,
        &mail,
        allowance,
    )
    .await?;
    if issued {
        state.mail_wake.notify_one();
    } else {
        tracing::info!(
            user = target.user_id,
            "password reset links: hourly allowance reached"
        );
    }
    Ok(())
}

/// A link that can still be used, as its page shows it.
pub struct LinkInfo {
    /// An invitation (the user has no password yet), rather than a password reset.
    pub invitation: bool,
    pub login_id: String,
}

/// What the link `token` is, while it can be used.
pub async fn link_info(state: &AppState, token: &str) -> Result<Option<LinkInfo>, AppError> {
    Ok(usable_target(state, token)
        .await?
        .map(|(target, invitation)| LinkInfo {
            invitation,
            login_id: target.login_id(),
        }))
}

async fn usable_target(
    state: &AppState,
    token: &str,
) -> Result<Option<(RecoveryTarget, bool)>, AppError> {
    let Some((user_id, invitation)) =
        db::password_reset_store::user_of(&state.db, &token_hash(token.trim())).await?
    else {
        return Ok(None);
    };
    Ok(
        db::password_reset_store::recovery_target_by_id(&state.db, user_id)
            .await?
            .filter(|t| t.usable)
            .map(|t| (t, invitation)),
    )
}

fn expired() -> AppError {
    AppError::field("new_password", key!("recovery.error.link_expired"))
}

/// Sets the password the link's user chose; the link is then used up.
pub async fn complete(
    state: &AppState,
    token: &str,
    new: String,
    confirm: &str,
) -> Result<(), AppError> {
    let Some((target, invitation)) = usable_target(state, token).await? else {
        return Err(expired());
    };
    let mut problems = FieldErrors::default();
    let login_id = target.login_id();
    let context = [
        target.login.as_deref().unwrap_or_default(),
        target.email.as_str(),
        target.account_code.as_str(),
        target.company.as_str(),
    ];
    state
        .check_password(&mut problems, "new_password", &new, &context)
        .await?;
    if new != confirm {
        problems.add("confirm_password", key!("password.error.differ"));
    }
    problems.into_result()?;
    let hash = state.hasher.hash(new).await?;
    let event = if invitation {
        recovery_event(&target, Action::InvitationAccept)
    } else {
        let event = recovery_event(&target, Action::PasswordReset);
        notices::attach(state, event, target.user_id, NoticeAbout::PasswordChanged).await
    };
    let done = db::password_reset_store::reset_password(
        &state.db,
        &event,
        &token_hash(token.trim()),
        target.user_id,
        &hash,
    )
    .await?;
    if !done {
        return Err(expired());
    }
    tracing::info!(login = %login_id, "password chosen with a recovery link");
    Ok(())
}

/// `steward user reset-password`: a link for the operator to hand to the user `login_id`; refused
/// for a disabled user (or account), whom the link would not let in.
pub async fn operator_link(state: &AppState, login_id: &str) -> Result<String, AppError> {
    let target = find(state, login_id).await?.ok_or(AppError::NotFound)?;
    if !target.usable {
        return Err(AppError::field(
            "user",
            key!("recovery.error.disabled_user"),
        ));
    }
    let (token, link, expires_at) = new_token(state);
    let event = Event::command_line(
        target.account_pk,
        target.root_pk,
        Action::PasswordResetRequest,
        target.login_id(),
    );
    db::password_reset_store::issue(
        &state.db,
        &event,
        &token_hash(&token),
        target.user_id,
        expires_at,
    )
    .await?;
    Ok(link)
}
