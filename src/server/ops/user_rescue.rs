//! The operator's way in for users, at the server's command line (`steward user ...`): listing an
//! account's users, setting a password, turning off a lost second factor, disabling and enabling. Each change is an
//! activity event done by the command line. (Unlocking is `manage::users::unlock_by_operator`,
//! a password link `identity::recovery::operator_link`.)

use crate::domain::LoginId;
use crate::domain::event::{Action, Event};
use crate::error::AppError;
use crate::server::db;
use crate::server::db::password_reset_store::RecoveryTarget;
use crate::server::db::user_store::{UserFilter, UserRow};
use crate::server::mail::messages::NoticeAbout;
use crate::server::mail::notices;
use crate::server::web::state::AppState;

/// The user `login_id` names.
async fn target(state: &AppState, login_id: &str) -> Result<(LoginId, RecoveryTarget), AppError> {
    let id = LoginId::parse(login_id).ok_or(AppError::NotFound)?;
    let key = id.login.as_ref().map(|l| l.key());
    let target =
        db::password_reset_store::recovery_target(&state.db, id.account.as_str(), key.as_deref())
            .await?
            .ok_or(AppError::NotFound)?;
    Ok((id, target))
}

/// The account's holder (`None` for the login) and its delegated users, by login.
pub async fn list(
    state: &AppState,
    account_id: &str,
) -> Result<(RecoveryTarget, Vec<UserRow>), AppError> {
    let (_, holder) = target(state, account_id).await?;
    let filter = UserFilter {
        limit: 1000,
        ..UserFilter::default()
    };
    let mut users = Vec::new();
    loop {
        let page = UserFilter {
            offset: i64::try_from(users.len()).unwrap_or(i64::MAX),
            ..filter.clone()
        };
        let (rows, total) = db::user_store::list(&state.db, holder.account_pk, &page).await?;
        let done = rows.is_empty();
        users.extend(rows);
        if done || i64::try_from(users.len()).unwrap_or(i64::MAX) >= total {
            return Ok((holder, users));
        }
    }
}

/// Turns off the user's two-factor authentication (a lost phone and recovery codes) and ends
/// their sessions. Returns the login ID.
pub async fn disable_two_factor(state: &AppState, login_id: &str) -> Result<String, AppError> {
    let (id, user) = target(state, login_id).await?;
    let event = Event::command_line(
        user.account_pk,
        user.root_pk,
        Action::TwoFactorDisable,
        id.to_string(),
    );
    let event = notices::attach(state, event, user.user_id, NoticeAbout::TwoFactorOff).await;
    db::two_factor_store::disable(&state.db, &event, user.user_id, true).await?;
    tracing::info!(login = %id, "two-factor authentication turned off by the operator");
    Ok(id.to_string())
}

/// Sets the password the operator typed (it must meet the password policy), ends every session
/// and unlocks the login. Returns the login ID.
pub async fn set_password(
    state: &AppState,
    login_id: &str,
    password: String,
) -> Result<String, AppError> {
    let (id, user) = target(state, login_id).await?;
    let mut problems = crate::error::FieldErrors::default();
    let context = [
        user.login.as_deref().unwrap_or_default(),
        user.email.as_str(),
        user.account_code.as_str(),
        user.company.as_str(),
    ];
    state
        .check_password(&mut problems, "password", &password, &context)
        .await?;
    problems.into_result()?;
    let hash = state.hasher.hash(password).await?;
    let event = Event::command_line(
        user.account_pk,
        user.root_pk,
        Action::UserPasswordReset,
        id.to_string(),
    );
    let event = notices::attach(state, event, user.user_id, NoticeAbout::PasswordChanged).await;
    db::user_store::set_password(
        &state.db,
        &event,
        user.account_pk,
        user.user_id,
        &hash,
        false,
    )
    .await?;
    db::throttle_store::clear_all(&state.db, user.user_id).await?;
    Ok(id.to_string())
}

/// Disables (ending their sessions) or enables a delegated user; the account holder is never
/// disabled. Returns the login ID.
pub async fn set_disabled(
    state: &AppState,
    login_id: &str,
    disabled: bool,
) -> Result<String, AppError> {
    let (id, user) = target(state, login_id).await?;
    if user.login.is_none() {
        return Err(AppError::field(
            "user",
            crate::key!("users.error.holder_disable"),
        ));
    }
    let action = if disabled {
        Action::UserDisable
    } else {
        Action::UserEnable
    };
    let event = Event::command_line(user.account_pk, user.root_pk, action, id.to_string());
    db::user_access_store::set_disabled(&state.db, &event, user.account_pk, user.user_id, disabled)
        .await?;
    Ok(id.to_string())
}
