//! User management: the rules for adding, editing, disabling, resetting and removing delegated
//! users, and for groups. Every write takes an [`Admin`] capability; every lookup is scoped to
//! the caller's own account, so another account's users are simply not found.

pub mod invitations;
pub mod panel_access;
mod user_groups;
pub mod validity;

pub use user_groups::*;

use rand::Rng;
use rand::rngs::OsRng;

use crate::domain::event::Action;
use crate::domain::event::Event;
use crate::domain::generated::readable_password;
use crate::domain::{Description, Email, GroupName, LoginName, Role};
use crate::error::{AppError, FieldErrors};
use crate::server::db;
use crate::server::db::activity_store::audited;
use crate::server::db::group_store::DeleteGroupError;
use crate::server::db::group_store::InsertGroupError;
use crate::server::db::group_store::UpdateGroupError;
use crate::server::db::user_store::InsertUserError;
use crate::server::identity::caller::Caller;
use crate::server::identity::capabilities::Admin;
use crate::server::identity::email_verification;
use crate::server::mail::messages::NoticeAbout;
use crate::server::mail::notices;
use crate::server::web::state::AppState;

/// The most rows "Add several users" takes at once.
pub const BULK_MAX: usize = crate::domain::limits::BULK_ROWS;

pub fn generate_password() -> String {
    readable_password(|n| OsRng.gen_range(0..n))
}

/// What the add-user form sends.
pub struct NewUserInput<'a> {
    pub login: &'a str,
    pub email: &'a str,
    pub group: &'a str,
    pub description: &'a str,
    /// Empty: generate one, to be shown once (unless the user is invited).
    pub password: String,
    pub require_change: bool,
    /// Mail an invitation to choose a password instead: no password is set or shown.
    pub invite: bool,
    /// An empty address is allowed (Tencent Cloud CAM's users need none): such a user gets
    /// no mail, and so cannot recover a password by mail.
    pub email_optional: bool,
}

pub struct CreatedUser {
    pub id: i64,
    pub login: String,
    /// Present when Steward generated the password.
    pub generated_password: Option<String>,
}

async fn group_id(state: &AppState, account_pk: i64, name: &str) -> Result<Option<i64>, AppError> {
    let Ok(name) = GroupName::parse(name) else {
        return Ok(None);
    };
    Ok(
        db::group_store::find_by_name(&state.db, account_pk, &name.key())
            .await?
            .map(|g| g.id),
    )
}

pub async fn create_user(
    state: &AppState,
    admin: Admin<'_>,
    input: NewUserInput<'_>,
) -> Result<CreatedUser, AppError> {
    let event = Event::by(admin.caller(), Action::UserCreate, input.login.trim());
    let invite = input.invite;
    if invite {
        invitations::check_mail_on(state, "invite")?;
    }
    let created = audited(
        &state.db,
        &event,
        create_user_as(state, admin, input, &event),
    )
    .await?;
    if invite {
        invitations::invite(state, &event.about(&created.login), created.id).await?;
    } else {
        email_verification::send_after_change(state, created.id, Some(&event)).await;
    }
    Ok(created)
}

async fn create_user_as(
    state: &AppState,
    admin: Admin<'_>,
    input: NewUserInput<'_>,
    event: &Event,
) -> Result<CreatedUser, AppError> {
    let caller = admin.caller();
    let mut problems = FieldErrors::default();
    let login = problems.check("login", LoginName::parse(input.login));
    let email = if input.email_optional && !input.invite && input.email.trim().is_empty() {
        Some(String::new())
    } else {
        problems
            .check("email", Email::parse(input.email))
            .map(|e| e.as_str().to_owned())
    };
    let description = problems.check("description", Description::parse(input.description));
    let group = group_id(state, caller.account_pk(), input.group).await?;
    if group.is_none() {
        problems.add("group", crate::key!("users.error.choose_group"));
    }
    // An invited user's password is one nobody knows, until they choose theirs.
    let generated = input.password.is_empty() || input.invite;
    let password = if generated {
        generate_password()
    } else {
        input.password
    };
    if !generated {
        let context = [
            input.login,
            input.email,
            caller.account_id().as_str(),
            caller.company(),
        ];
        state
            .check_password(&mut problems, "password", &password, &context)
            .await?;
    }
    problems.into_result()?;
    let (Some(login), Some(email), Some(description), Some(group_id)) =
        (login, email, description, group)
    else {
        return Err(AppError::field("form", crate::key!("error.correct_form")));
    };
    let hash = state.hasher.hash(password.clone()).await?;
    let new = db::user_store::NewUser {
        login: login.as_str(),
        login_key: &login.key(),
        email: email.as_str(),
        password_hash: &hash,
        group_id,
        description: description.as_str(),
        password_change_required: (input.require_change || generated) && !input.invite,
    };
    match db::user_store::insert(&state.db, event, caller.account_pk(), &new).await {
        Ok(id) => Ok(CreatedUser {
            id,
            login: login.as_str().to_owned(),
            generated_password: (generated && !input.invite).then_some(password),
        }),
        Err(InsertUserError::LoginTaken) => Err(AppError::field_with(
            "login",
            crate::key!("users.error.login_taken"),
            &[("login", login.as_str())],
        )),
        Err(InsertUserError::Db(e)) => Err(e.into()),
    }
}

/// One row of "Add several users".
pub struct BulkRow<'a> {
    pub login: &'a str,
    pub email: &'a str,
    pub group: &'a str,
    pub description: &'a str,
}

impl BulkRow<'_> {
    fn is_blank(&self) -> bool {
        [self.login, self.email, self.description]
            .iter()
            .all(|f| f.trim().is_empty())
    }
}

pub enum BulkOutcome {
    Created {
        row: usize,
        login: String,
        password: String,
    },
    Refused {
        row: usize,
        login: String,
        reason: String,
    },
}

/// Creates each non-blank row on its own: one bad row does not stop the others. Passwords are
/// generated, and every created user must change theirs at first login.
pub async fn create_users(
    state: &AppState,
    admin: Admin<'_>,
    rows: &[BulkRow<'_>],
    invite: bool,
) -> Result<Vec<BulkOutcome>, AppError> {
    if invite {
        invitations::check_mail_on(state, "form")?;
    }
    let filled: Vec<(usize, &BulkRow<'_>)> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.is_blank())
        .map(|(i, r)| (i + 1, r))
        .collect();
    if filled.is_empty() {
        return Err(AppError::field("form", crate::key!("users.error.no_rows")));
    }
    if filled.len() > BULK_MAX {
        return Err(AppError::field_with(
            "form",
            crate::key!("users.error.too_many_rows"),
            &[("max", &BULK_MAX.to_string())],
        ));
    }
    let mut outcomes = Vec::with_capacity(filled.len());
    for (row, input) in filled {
        let created = create_user(
            state,
            admin,
            NewUserInput {
                login: input.login,
                email: input.email,
                group: input.group,
                description: input.description,
                password: String::new(),
                require_change: true,
                invite,
                email_optional: false,
            },
        )
        .await;
        outcomes.push(match created {
            Ok(user) => BulkOutcome::Created {
                row,
                login: user.login,
                password: user.generated_password.unwrap_or_default(),
            },
            Err(AppError::Invalid(errors)) => BulkOutcome::Refused {
                row,
                login: input.login.trim().to_owned(),
                reason: errors
                    .into_iter()
                    .map(|e| e.key)
                    .collect::<Vec<_>>()
                    .join("\n"),
            },
            Err(other) => return Err(other),
        });
    }
    Ok(outcomes)
}

/// The delegated user `login` of the caller's account, or `NotFound`.
pub async fn find(
    state: &AppState,
    caller: &Caller,
    login: &str,
) -> Result<db::user_store::UserRow, AppError> {
    let login = LoginName::parse(login).map_err(|_| AppError::NotFound)?;
    db::user_store::find_by_login(&state.db, caller.account_pk(), &login.key())
        .await?
        .ok_or(AppError::NotFound)
}

/// Nobody acts on themselves through user management: no self-escalation, no locking
/// oneself out (SECURITY.md rule 19).
pub(super) fn not_self(
    admin: Admin<'_>,
    user: &db::user_store::UserRow,
    message: &str,
) -> Result<(), AppError> {
    if admin.caller().user_id() == user.id {
        Err(AppError::field("form", message))
    } else {
        Ok(())
    }
}

pub async fn update_user(
    state: &AppState,
    admin: Admin<'_>,
    login: &str,
    email: &str,
    group: &str,
    description: &str,
) -> Result<(), AppError> {
    let event = Event::by(admin.caller(), Action::UserUpdate, login);
    let work = update_user_as(state, admin, login, email, group, description, &event);
    if let Some(user_id) = audited(&state.db, &event, work).await? {
        email_verification::send_after_change(state, user_id, Some(&event)).await;
    }
    Ok(())
}

async fn update_user_as(
    state: &AppState,
    admin: Admin<'_>,
    login: &str,
    email: &str,
    group: &str,
    description: &str,
    event: &Event,
) -> Result<Option<i64>, AppError> {
    let caller = admin.caller();
    let user = find(state, caller, login).await?;
    let mut problems = FieldErrors::default();
    let email = problems.check("email", Email::parse(email));
    let description = problems.check("description", Description::parse(description));
    let group_id = group_id(state, caller.account_pk(), group).await?;
    if group_id.is_none() {
        problems.add("group", crate::key!("users.error.choose_group"));
    }
    let current_group = group_id_of(state, caller, &user).await?;
    if caller.user_id() == user.id && group_id.is_some() && group_id != Some(current_group) {
        problems.add("group", crate::key!("user_edit.own_privilege"));
    }
    problems.into_result()?;
    let (Some(email), Some(description), Some(group_id)) = (email, description, group_id) else {
        return Err(AppError::field("form", crate::key!("error.correct_form")));
    };
    let done = db::user_store::update_profile(
        &state.db,
        event,
        caller.account_pk(),
        user.id,
        email.as_str(),
        group_id,
        description.as_str(),
    )
    .await?;
    if !done {
        return Err(AppError::NotFound);
    }
    // A new address is unverified: its user gets a link.
    Ok((user.email != email.as_str()).then_some(user.id))
}

async fn group_id_of(
    state: &AppState,
    caller: &Caller,
    user: &db::user_store::UserRow,
) -> Result<i64, AppError> {
    group_id(state, caller.account_pk(), &user.group_name)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn set_disabled(
    state: &AppState,
    admin: Admin<'_>,
    login: &str,
    disabled: bool,
) -> Result<(), AppError> {
    let action = if disabled {
        Action::UserDisable
    } else {
        Action::UserEnable
    };
    let event = Event::by(admin.caller(), action, login);
    audited(&state.db, &event, async {
        let user = find(state, admin.caller(), login).await?;
        if disabled {
            not_self(admin, &user, crate::key!("users.error.self_disable"))?;
        }
        let account_pk = admin.caller().account_pk();
        db::user_access_store::set_disabled(&state.db, &event, account_pk, user.id, disabled)
            .await?;
        Ok(())
    })
    .await
}

/// Gives the user a generated temporary password (returned, to be shown once) and ends their
/// sessions; they must choose a new one at their next login.
pub async fn reset_password(
    state: &AppState,
    admin: Admin<'_>,
    login: &str,
) -> Result<(String, String), AppError> {
    let event = Event::by(admin.caller(), Action::UserPasswordReset, login);
    audited(
        &state.db,
        &event,
        reset_password_as(state, admin, login, &event),
    )
    .await
}

async fn reset_password_as(
    state: &AppState,
    admin: Admin<'_>,
    login: &str,
    event: &Event,
) -> Result<(String, String), AppError> {
    let user = find(state, admin.caller(), login).await?;
    not_self(admin, &user, crate::key!("users.error.self_reset"))?;
    let password = generate_password();
    let hash = state.hasher.hash(password.clone()).await?;
    let account_pk = admin.caller().account_pk();
    let event = notices::attach(state, event.clone(), user.id, NoticeAbout::PasswordChanged).await;
    db::user_store::set_password(&state.db, &event, account_pk, user.id, &hash, true).await?;
    // A new password from an Administrator also lifts any lock (the reset's event says so):
    // the user can use it at once.
    db::throttle_store::clear_all(&state.db, user.id).await?;
    Ok((user.login, password))
}

/// Lets a locked-out user log in again at once: every failed attempt is forgotten, the
/// strangers' and each of their browsers'.
pub async fn unlock(state: &AppState, admin: Admin<'_>, login: &str) -> Result<(), AppError> {
    let event = Event::by(admin.caller(), Action::UserUnlock, login);
    audited(&state.db, &event, async {
        let user = find(state, admin.caller(), login).await?;
        db::throttle_store::unlock(&state.db, &event, user.id).await?;
        Ok(())
    })
    .await
}

/// The operator's way in for a locked-out user, the account holder included
/// (`steward user unlock ACCOUNT-ID[/login]`). Returns the user's login ID.
pub async fn unlock_by_operator(state: &AppState, login_id: &str) -> Result<String, AppError> {
    let id = crate::domain::LoginId::parse(login_id).ok_or(AppError::NotFound)?;
    let login_key = id.login.as_ref().map(|l| l.key());
    let user =
        db::user_store::find_login_candidate(&state.db, id.account.as_str(), login_key.as_deref())
            .await?
            .ok_or(AppError::NotFound)?;
    let event = Event::command_line(
        user.account_pk,
        user.root_pk,
        Action::UserUnlock,
        id.to_string(),
    );
    db::throttle_store::unlock(&state.db, &event, user.user_id).await?;
    Ok(id.to_string())
}

/// Turns off a user's two-factor authentication (a lost phone) and ends their sessions; they
/// log in with their password alone and may enrol again.
pub async fn turn_off_two_factor(
    state: &AppState,
    admin: Admin<'_>,
    login: &str,
) -> Result<(), AppError> {
    let event = Event::by(admin.caller(), Action::TwoFactorDisable, login);
    audited(&state.db, &event, async {
        let user = find(state, admin.caller(), login).await?;
        not_self(admin, &user, crate::key!("users.error.self_two_factor"))?;
        let event = notices::attach(state, event.clone(), user.id, NoticeAbout::TwoFactorOff).await;
        db::two_factor_store::disable(&state.db, &event, user.id, true).await?;
        tracing::info!(
            user_id = user.id,
            by = admin.caller().user_id(),
            "two-factor authentication turned off by an administrator"
        );
        Ok(())
    })
    .await
}

pub async fn end_sessions(state: &AppState, admin: Admin<'_>, login: &str) -> Result<(), AppError> {
    let event = Event::by(admin.caller(), Action::SessionsEndOthers, login);
    audited(&state.db, &event, async {
        let user = find(state, admin.caller(), login).await?;
        not_self(admin, &user, crate::key!("users.error.self_sessions"))?;
        db::user_store::rotate_stamp(&state.db, &event, admin.caller().account_pk(), user.id)
            .await?;
        Ok(())
    })
    .await
}

pub async fn remove_user(state: &AppState, admin: Admin<'_>, login: &str) -> Result<(), AppError> {
    let event = Event::by(admin.caller(), Action::UserDelete, login);
    audited(&state.db, &event, async {
        let user = find(state, admin.caller(), login).await?;
        not_self(admin, &user, crate::key!("users.error.self_remove"))?;
        if db::user_store::delete(&state.db, &event, admin.caller().account_pk(), user.id).await? {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    })
    .await
}

/// The group the caller is in, when they are a delegated user of the account they act in.
async fn caller_group_id(state: &AppState, caller: &Caller) -> Result<Option<i64>, AppError> {
    let Some(login) = caller.login() else {
        return Ok(None);
    };
    if caller.acting_from().is_some() {
        return Ok(None);
    }
    match find(state, caller, login).await {
        Ok(user) => group_id(state, caller.account_pk(), &user.group_name).await,
        Err(AppError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}
