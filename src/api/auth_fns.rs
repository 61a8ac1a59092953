//! Sign-up, login, logout, and who is logged in.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::AccountId;
use crate::domain::password_policy::PasswordFeedback;
use crate::error::AppError;

/// The logged-in user, as the pages show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub account_id: AccountId,
    pub company: String,
    /// `1234-567-89` for the account holder, `1234-567-89/login` for a delegated user.
    pub login_id: String,
    pub email: String,
    pub is_holder: bool,
    /// `None`, `User` or `Administrator`.
    pub role: String,
    /// Administrators see the controls that change users and groups.
    pub can_manage_users: bool,
    /// Logged in with a temporary password: the panel shows only the form to choose a new one.
    pub must_change_password: bool,
    /// The account requires two-factor authentication of this user, who has none yet: the panel
    /// shows only enrolment.
    pub must_enrol_two_factor: bool,
    /// When the account was created (Unix seconds).
    pub account_created: i64,
    /// The account shown is a sub-account (of which the user is a member).
    pub is_sub_account: bool,
    /// Set while an Administrator manages one of their sub-accounts.
    pub acting: Option<Acting>,
}

/// An Administrator at work in one of their account's sub-accounts: the panel shows the
/// sub-account (`Me::account_id`, `Me::company`) and a way back home.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acting {
    pub sub_account: i64,
    pub home_account_id: AccountId,
    pub home_company: String,
}

/// Who is logged in, or `None`. Never an error for an anonymous visitor.
#[server(endpoint = "whoami")]
pub async fn whoami() -> Result<Option<Me>, AppError> {
    use crate::server::identity::current;
    use crate::server::web::state;
    let state = state::state()?;
    let session = current::session().await?;
    Ok(current::current_caller(&state, &session)
        .await?
        .map(|caller| Me {
            login_id: caller.login_id(),
            account_id: caller.account_id().clone(),
            company: caller.company().to_owned(),
            email: caller.email().to_owned(),
            is_holder: caller.is_holder(),
            role: caller.role().label().to_owned(),
            can_manage_users: caller.role().can_manage_users(),
            must_change_password: caller.password_change_required(),
            must_enrol_two_factor: caller.must_enrol_two_factor(),
            account_created: caller.account_created_at(),
            is_sub_account: caller.parent_pk().is_some() && caller.acting_from().is_none(),
            acting: caller.acting_from().map(|home| Acting {
                sub_account: caller.account_pk(),
                home_account_id: home.account_id.clone(),
                home_company: home.company.clone(),
            }),
        }))
}

/// Whether this server accepts sign-ups (`STEWARD_SIGNUP`).
#[server(endpoint = "signup_open")]
pub async fn signup_open() -> Result<bool, AppError> {
    use crate::server::infra::config::SignupMode;
    Ok(crate::server::web::state::state()?.config.signup == SignupMode::Open)
}

/// Creates a main account with its holder, logs the holder in, and goes to My account, which
/// greets them with their new account ID.
#[server(endpoint = "signup")]
pub async fn signup(
    company: String,
    email: String,
    password: String,
) -> Result<AccountId, AppError> {
    use crate::server::identity::current;
    use crate::server::identity::logins;
    use crate::server::infra::config::SignupMode;
    use crate::server::web::state;
    let state = state::state()?;
    if state.config.signup == SignupMode::Closed {
        return Err(AppError::Disabled);
    }
    let session = current::session().await?;
    let created = logins::create_account(&state, &company, &email, password, "session").await?;
    if let Some(lang) = crate::server::web::negotiation::chosen_lang() {
        crate::server::web::negotiation::save_language(&state, created.holder_user_id, lang).await;
    }
    let client = current::client().await;
    crate::server::identity::sessions::start(
        &state,
        &session,
        &client,
        created.holder_user_id,
        &created.security_stamp,
    )
    .await?;
    // The browser that made the account is its owner's: a stranger's flood never locks it out.
    crate::server::identity::attempts::remember_device(
        &state,
        &crate::server::identity::attempts::request_headers(),
        created.holder_user_id,
        crate::server::identity::attempts::STRANGERS,
    )
    .await?;
    leptos_axum::redirect("/?welcome=1");
    Ok(created.account_id)
}

/// Logs in the account holder (`1234-567-89`) or a delegated user (`1234-567-89/login`), then
/// goes to `next` (the page that asked for a login) when it is a path on this site.
#[server(endpoint = "login")]
pub async fn login(
    account_id: String,
    password: String,
    #[server(default)] next: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::navigation::{encode_query_value, local_path};
    use crate::server::identity::current;
    use crate::server::identity::logins;
    use crate::server::identity::logins::LoginStep;
    use crate::server::web::state;
    let state = state::state()?;
    let session = current::session().await?;
    let client = current::client().await;
    let next = next.as_deref().and_then(local_path);
    let step = logins::log_in(&state, &session, &client, &account_id, password).await?;
    let user_id = match step {
        LoginStep::Done => session.user().await?.map(|u| u.user_id),
        LoginStep::SecondFactor => session.pending_login().await?.map(|p| p.user_id),
    };
    if let Some(user_id) = user_id {
        crate::server::web::negotiation::restore_saved_language(&state, user_id).await;
    }
    match step {
        LoginStep::Done => leptos_axum::redirect(next.unwrap_or("/")),
        LoginStep::SecondFactor => match next {
            Some(next) => {
                leptos_axum::redirect(&format!("/login/code?next={}", encode_query_value(next)))
            }
            None => leptos_axum::redirect("/login/code"),
        },
    }
    Ok(())
}

/// The second login step of a user with two-factor authentication: a 6-digit code from their
/// app, or one of their recovery codes.
#[server(endpoint = "login_code")]
pub async fn login_code(
    code: String,
    #[server(default)] next: Option<String>,
) -> Result<(), AppError> {
    use crate::server::identity::current;
    use crate::server::identity::logins;
    use crate::server::web::state;
    let state = state::state()?;
    let session = current::session().await?;
    let client = current::client().await;
    logins::log_in_second_factor(&state, &session, &client, logins::SecondFactor::Code(&code))
        .await?;
    let next = next
        .as_deref()
        .and_then(crate::domain::navigation::local_path);
    leptos_axum::redirect(next.unwrap_or("/"));
    Ok(())
}

/// Ends the session on the server; its cookie opens nothing afterwards.
#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let state = crate::server::web::state::state()?;
    let session = crate::server::identity::current::session().await?;
    crate::server::identity::sessions::end_current(&state, &session).await?;
    leptos_axum::redirect("/login");
    Ok(())
}

/// Judges a password while it is typed, with the same policy the server enforces on submit.
/// `context` is what the form already knows (company, e-mail, login), space-separated.
#[server(endpoint = "check_password")]
pub async fn check_password(
    password: String,
    context: String,
) -> Result<PasswordFeedback, AppError> {
    let state = crate::server::web::state::state()?;
    state.judge_password(&password, &[context.as_str()]).await
}
