//! Who is calling, and what they may do. The session says who, never the request
//! (SECURITY.md rule 18); privileges are handed out as capabilities: without the role you get
//! no [`Admin`] handle, and the services that change users require one.

use super::db::{self, users::CallerRow};
use super::session::AuthSession;
use super::state::AppState;
use crate::domain::{AccountId, Role};
use crate::error::AppError;

/// An authenticated caller. Only [`caller`] makes one, after checking the session against the
/// database; holding one is proof of who is asking.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: i64,
    pub account_pk: i64,
    pub account_id: AccountId,
    pub company: String,
    pub account_created_at: i64,
    pub is_holder: bool,
    pub login: Option<String>,
    pub email: String,
    /// The holder is always an Administrator, whatever their group says.
    pub role: Role,
    /// Logged in with a temporary password: nothing opens until a new one is chosen.
    pub password_change_required: bool,
    /// The account's policy requires two-factor authentication of this user, who has none yet:
    /// nothing opens until they enrol.
    pub must_enrol_two_factor: bool,
    #[expect(
        dead_code,
        reason = "its only job is to make `Caller` impossible to build elsewhere"
    )]
    checked: SessionChecked,
}

/// Private: only this module can state that a session was checked.
#[derive(Debug, Clone)]
struct SessionChecked;

/// Proof that the caller may manage users and groups.
#[derive(Debug, Clone, Copy)]
pub struct Admin<'a>(&'a Caller);

impl<'a> Admin<'a> {
    pub fn caller(&self) -> &'a Caller {
        self.0
    }
}

impl Caller {
    /// `1234-567-89` for the holder, `1234-567-89/login` for a delegated user.
    pub fn login_id(&self) -> String {
        match &self.login {
            Some(login) => format!("{}/{}", self.account_id, login),
            None => self.account_id.to_string(),
        }
    }

    /// The user-management capability, or `Forbidden`.
    pub fn admin(&self) -> Result<Admin<'_>, AppError> {
        if self.role.can_manage_users() {
            Ok(Admin(self))
        } else {
            Err(AppError::Forbidden)
        }
    }
}

/// The caller behind `session`, or `None` when the session is anonymous, expired, or no longer
/// valid (user removed or disabled, account disabled, password or privilege changed since).
/// An invalid session is deleted on the way.
pub async fn caller(state: &AppState, session: &AuthSession) -> Result<Option<Caller>, AppError> {
    let Some(user) = session.user().await? else {
        return Ok(None);
    };
    let max_age = i64::try_from(state.config.session_max.as_secs()).unwrap_or(i64::MAX);
    let row = if db::now().saturating_sub(user.logged_in_at) > max_age {
        None
    } else {
        db::users::find_caller(&state.db, user.user_id).await?
    };
    let valid = row.filter(|r| r.security_stamp == user.stamp && !r.disabled && r.account_enabled);
    // Ended from the list of sessions (or by logging out elsewhere): no longer valid either.
    let valid = match valid {
        Some(row) if super::sessions::still_open(state, &user.handle, user.user_id).await? => {
            Some(row)
        }
        _ => None,
    };
    match valid.and_then(into_caller) {
        Some(caller) => Ok(Some(caller)),
        None => {
            session.log_out().await?;
            Ok(None)
        }
    }
}

fn into_caller(row: CallerRow) -> Option<Caller> {
    let role = if row.is_holder {
        Role::Administrator
    } else {
        Role::parse(&row.role).ok()?
    };
    let required = row.require_2fa_all || (row.require_2fa_admins && role == Role::Administrator);
    Some(Caller {
        user_id: row.user_id,
        account_pk: row.account_pk,
        account_id: AccountId::parse(&row.account_code).ok()?,
        company: row.company,
        account_created_at: row.account_created_at,
        is_holder: row.is_holder,
        login: row.login,
        email: row.email,
        role,
        password_change_required: row.password_change_required,
        must_enrol_two_factor: required && !row.totp_enabled,
        checked: SessionChecked,
    })
}
