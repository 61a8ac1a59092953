//! Invitations instead of passwords: a user added without one is mailed a link to choose it
//! (valid [`INVITATION_DAYS`]); until then the invitation is pending, and an Administrator may
//! send it again or withdraw it (which removes the user, who never had a password). "Send
//! sign-in details" mails a user's login ID, the panel's address and a link to choose a
//! password to an address an Administrator types, never the password itself.

use crate::domain::Email;
use crate::domain::event::{Action, Event};
use crate::error::{AppError, FieldErrors};
use crate::i18n::Lang;
use crate::key;
use crate::server::db;
use crate::server::identity::capabilities::Admin;
use crate::server::identity::recovery::new_link;
use crate::server::infra::secrets::token_hash;
use crate::server::mail::{messages, outbox};
use crate::server::web::state::AppState;

/// How long an invitation or a sign-in details link works.
pub const INVITATION_DAYS: i64 = 7;

/// Whether invitations can be sent on this server; without mail, the field says so.
pub fn check_mail_on(state: &AppState, field: &str) -> Result<(), AppError> {
    if state.config.mail.is_some() {
        Ok(())
    } else {
        Err(AppError::field(field, key!("users.error.mail_off")))
    }
}

/// Invitations and sign-in details one address may be sent in an hour when an Administrator
/// sends them again: past it, the form says to wait (a user just added is always invited).
pub const MAILS_PER_ADDRESS_PER_HOUR: i64 = 5;

/// What is mailed, to whom, and what it does to the user.
#[derive(Clone, Copy)]
enum Link<'a> {
    /// `again`: not the first invitation of a user just added.
    Invitation {
        again: bool,
    },
    SignInDetails {
        to: &'a str,
    },
}

async fn mail_link(
    state: &AppState,
    event: &Event,
    user_id: i64,
    kind: Link<'_>,
) -> Result<(), AppError> {
    let target = db::password_reset_store::recovery_target_by_id(&state.db, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let login_id = target.login_id();
    let lang = target
        .language
        .as_deref()
        .and_then(Lang::from_code)
        .unwrap_or_else(crate::server::web::negotiation::request_lang);
    let (token, link, expires_at) = new_link(state, INVITATION_DAYS * 86_400);
    let (message, recipient, mail_kind, purpose, invited) = match kind {
        Link::Invitation { .. } => (
            messages::invitation(lang, &login_id, &target.company, &link, INVITATION_DAYS),
            target.email.as_str(),
            "invitation",
            "invitation",
            true,
        ),
        Link::SignInDetails { to } => (
            messages::sign_in_details(
                lang,
                &login_id,
                &state.config.link_base(),
                &link,
                INVITATION_DAYS,
            ),
            to,
            "sign_in_details",
            "reset",
            false,
        ),
    };
    let sealed = outbox::seal(&state.server_key, message)?;
    let mail = db::mail_store::NewMail {
        id: &sealed.id,
        account_pk: target.account_pk,
        kind: mail_kind,
        recipient,
        subject: &sealed.subject,
        sealed: &sealed.sealed,
    };
    let issued = db::password_reset_store::IssuedLink {
        token_hash: &token_hash(&token),
        user_id,
        expires_at,
        purpose,
        invited,
    };
    let (capped, field) = match kind {
        Link::Invitation { again } => (again, "form"),
        Link::SignInDetails { .. } => (true, "email"),
    };
    let allowance = capped.then(|| db::password_reset_store::Allowance {
        since: db::now() - 3600,
        most: MAILS_PER_ADDRESS_PER_HOUR,
    });
    if !db::password_reset_store::issue_invitation(&state.db, event, &issued, &mail, allowance)
        .await?
    {
        let most = MAILS_PER_ADDRESS_PER_HOUR.to_string();
        return Err(AppError::field_with(
            field,
            key!("users.error.address_flooded"),
            &[("n", &most)],
        ));
    }
    state.mail_wake.notify_one();
    Ok(())
}

/// Mails the invitation of `user_id`, just added by the Administrator whose event is `by`.
pub(super) async fn invite(state: &AppState, by: &Event, user_id: i64) -> Result<(), AppError> {
    mail_link(
        state,
        &by.doing(Action::UserInvite),
        user_id,
        Link::Invitation { again: false },
    )
    .await
}

fn not_invited() -> AppError {
    AppError::field("form", key!("users.error.not_invited"))
}

/// Sends `login`'s pending invitation again, with a new link (the earlier ones stop working).
pub async fn resend(state: &AppState, admin: Admin<'_>, login: &str) -> Result<(), AppError> {
    check_mail_on(state, "form")?;
    let user = super::find(state, admin.caller(), login).await?;
    if !user.invited {
        return Err(not_invited());
    }
    let event = Event::by(admin.caller(), Action::UserInvite, &user.login);
    mail_link(state, &event, user.id, Link::Invitation { again: true }).await
}

/// Withdraws `login`'s pending invitation: the user, who never chose a password, is removed.
pub async fn revoke(state: &AppState, admin: Admin<'_>, login: &str) -> Result<(), AppError> {
    let caller = admin.caller();
    let user = super::find(state, caller, login).await?;
    let event = Event::by(caller, Action::InvitationRevoke, &user.login);
    if db::password_reset_store::revoke_invitation(&state.db, &event, caller.account_pk(), user.id)
        .await?
    {
        Ok(())
    } else {
        Err(not_invited())
    }
}

/// Mails `login`'s sign-in details to `email`, an address the Administrator typed.
pub async fn send_sign_in_details(
    state: &AppState,
    admin: Admin<'_>,
    login: &str,
    email: &str,
) -> Result<(), AppError> {
    check_mail_on(state, "email")?;
    let mut problems = FieldErrors::default();
    let email = problems.check("email", Email::parse(email));
    problems.into_result()?;
    let Some(email) = email else {
        return Err(AppError::field("email", key!("field.email.invalid")));
    };
    let user = super::find(state, admin.caller(), login).await?;
    let event = Event::by(admin.caller(), Action::SignInDetailsSend, &user.login);
    let to = Link::SignInDetails { to: email.as_str() };
    mail_link(state, &event, user.id, to).await
}
