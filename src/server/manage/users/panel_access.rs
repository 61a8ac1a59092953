//! What an Administrator sets for another user through Tencent Cloud CAM's UpdateUser: a
//! password they choose (the panel's "Reset password" generates one instead), and whether the
//! user may log in to the panel at all.

use crate::domain::event::{Action, Event};
use crate::error::{AppError, FieldErrors};
use crate::server::db;
use crate::server::db::activity_store::audited;
use crate::server::identity::capabilities::Admin;
use crate::server::mail::messages::NoticeAbout;
use crate::server::mail::notices;
use crate::server::web::state::AppState;

/// Gives user `login` the password `password` (held to the password policy), to be changed at
/// their next login when `require_change`. Their sessions and API credentials end, as with any
/// new password, and a lock is lifted.
pub async fn set_password(
    state: &AppState,
    admin: Admin<'_>,
    login: &str,
    password: String,
    require_change: bool,
) -> Result<(), AppError> {
    let event = Event::by(admin.caller(), Action::UserPasswordReset, login);
    audited(&state.db, &event, async {
        let caller = admin.caller();
        let user = super::find(state, caller, login).await?;
        super::not_self(admin, &user, crate::key!("users.error.self_reset"))?;
        let mut problems = FieldErrors::default();
        let context = [
            user.login.as_str(),
            user.email.as_str(),
            caller.account_id().as_str(),
            caller.company(),
        ];
        state
            .check_password(&mut problems, "password", &password, &context)
            .await?;
        problems.into_result()?;
        let hash = state.hasher.hash(password).await?;
        let event =
            notices::attach(state, event.clone(), user.id, NoticeAbout::PasswordChanged).await;
        let account_pk = caller.account_pk();
        db::user_store::set_password(
            &state.db,
            &event,
            account_pk,
            user.id,
            &hash,
            require_change,
        )
        .await?;
        db::throttle_store::clear_all(&state.db, user.id).await?;
        Ok(())
    })
    .await
}

/// Lets user `login` log in to the panel, or keeps them out of it (their API credentials
/// keep working).
pub async fn set_console_login(
    state: &AppState,
    admin: Admin<'_>,
    login: &str,
    allowed: bool,
) -> Result<(), AppError> {
    let word = if allowed { "on" } else { "off" };
    let event = Event::by(
        admin.caller(),
        Action::UserUpdate,
        format!("{login}: console login {word}"),
    );
    audited(&state.db, &event, async {
        let user = super::find(state, admin.caller(), login).await?;
        let account_pk = admin.caller().account_pk();
        if db::user_access_store::set_console_login(&state.db, &event, account_pk, user.id, allowed)
            .await?
        {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    })
    .await
}
