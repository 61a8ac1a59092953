//! User management: the list, adding one or several users, editing, disabling, enabling,
//! resetting passwords, ending sessions, removing; and groups.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// One delegated user, as the table shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    pub login: String,
    pub login_id: String,
    pub email: String,
    /// The group's name: what the panel calls the privilege.
    pub group: String,
    /// `None`, `User` or `Administrator`.
    pub role: String,
    pub description: String,
    /// `OK`, `DISABLED` or `PASSWORD_CHANGE_REQUIRED`.
    pub status: String,
    pub status_label: String,
    pub totp_enabled: bool,
    pub created: i64,
    pub password_changed: i64,
    pub last_login: Option<i64>,
    /// The caller themselves: no disabling, removing or privilege change on this row.
    pub is_me: bool,
    /// Locked out by wrong passwords or codes until then (Unix seconds): an Administrator may
    /// unlock.
    #[serde(default)]
    pub locked_until: Option<i64>,
    /// The user followed a link mailed to their address.
    #[serde(default)]
    pub email_verified: bool,
    /// Invited, and yet to choose a password; the invitation's link may have expired.
    #[serde(default)]
    pub invited: bool,
    #[serde(default)]
    pub invitation_expired: bool,
    /// The validity window (Unix seconds; "until" is exclusive), and whether it has ended.
    #[serde(default)]
    pub valid_from: Option<i64>,
    #[serde(default)]
    pub valid_until: Option<i64>,
    #[serde(default)]
    pub expired: bool,
}

/// What the list is narrowed and sorted by; every field comes from the page's query string,
/// and any may be missing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserQuery {
    pub q: String,
    pub group: String,
    pub status: String,
    pub sort: String,
    pub dir: String,
    pub page: u32,
    pub per_page: u32,
}

impl UserQuery {
    /// The list page's address for this query; empty and default parts are left out.
    pub fn href(&self) -> String {
        let mut parts = Vec::new();
        for (key, value) in [
            ("q", self.q.as_str()),
            ("group", self.group.as_str()),
            ("status", self.status.as_str()),
            ("sort", self.sort.as_str()),
            ("dir", self.dir.as_str()),
        ] {
            if !value.is_empty() {
                parts.push(format!(
                    "{key}={}",
                    crate::domain::navigation::encode_query_value(value)
                ));
            }
        }
        if self.page > 1 {
            parts.push(format!("page={}", self.page));
        }
        if self.per_page != 0 && self.per_page != PER_PAGE[0] {
            parts.push(format!("per_page={}", self.per_page));
        }
        if parts.is_empty() {
            "/users".to_owned()
        } else {
            format!("/users?{}", parts.join("&"))
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPage {
    pub users: Vec<UserView>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
    pub pages: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupView {
    pub name: String,
    pub role: String,
    pub description: String,
    pub built_in: bool,
    pub members: i64,
}

pub use crate::domain::limits::BULK_ROWS;

/// The page sizes the list offers.
pub const PER_PAGE: [u32; 3] = [25, 50, 100];

#[cfg(feature = "ssr")]
mod convert {
    use super::*;
    use crate::domain::UserStatus;
    use crate::domain::throttle_policy::ThrottlePolicy;
    use crate::server::db::user_store::UserRow;

    pub fn user_view(
        row: UserRow,
        account_id: &str,
        caller_id: i64,
        policy: &ThrottlePolicy,
        now: i64,
    ) -> UserView {
        let status = UserStatus::from_flags(row.disabled, row.password_change_required);
        let locked_until = policy.locked_until(row.failures, row.last_failure_at, now);
        UserView {
            login_id: format!("{account_id}/{}", row.login),
            login: row.login,
            email: row.email,
            group: row.group_name,
            role: row.role.label().to_owned(),
            description: row.description,
            status: status.code().to_owned(),
            status_label: status.label().to_owned(),
            totp_enabled: row.totp_enabled,
            created: row.created_at,
            password_changed: row.password_updated_at,
            last_login: row.last_login_at,
            is_me: row.id == caller_id,
            locked_until,
            email_verified: row.email_verified,
            invited: row.invited,
            invitation_expired: row.invited && row.invitation_expires_at.is_none_or(|at| at <= now),
            valid_from: row.valid_from,
            valid_until: row.valid_until,
            expired: row.valid_until.is_some_and(|until| until <= now),
        }
    }
}

/// One page of the account's users. Every role may read it.
#[server(endpoint = "list_users")]
pub async fn list_users(#[server(default)] query: UserQuery) -> Result<UserPage, AppError> {
    use crate::domain::UserStatus;
    use crate::server::db::user_store::UserFilter;
    use crate::server::db::user_store::UserSort;
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    let per_page = if PER_PAGE.contains(&query.per_page) {
        query.per_page
    } else {
        PER_PAGE[0]
    };
    let page = query.page.max(1);
    let group_id = if query.group.is_empty() {
        None
    } else {
        let key = query.group.to_ascii_lowercase();
        crate::server::manage::directory::group_named(&state, &caller, &key)
            .await?
            .map(|g| g.id)
            .or(Some(-1))
    };
    let sort = match query.sort.as_str() {
        "email" => UserSort::Email,
        "privilege" => UserSort::Privilege,
        "status" => UserSort::Status,
        "created" => UserSort::Created,
        "password_changed" => UserSort::PasswordChanged,
        "last_login" => UserSort::LastLogin,
        _ => UserSort::Login,
    };
    let search = query.q.trim().to_lowercase();
    let filter = UserFilter {
        search: (!search.is_empty()).then_some(search),
        group_id,
        status: if query.status == "INVITED" {
            Some("INVITED")
        } else if query.status == "EXPIRED" {
            Some("EXPIRED")
        } else {
            UserStatus::parse(&query.status).map(UserStatus::code)
        },
        sort,
        descending: query.dir == "desc",
        limit: i64::from(per_page),
        offset: i64::from(page - 1) * i64::from(per_page),
    };
    let (rows, total) = crate::server::manage::directory::users(&state, &caller, &filter).await?;
    let account_id = caller.account_id().to_string();
    let now = crate::server::db::now();
    Ok(UserPage {
        users: rows
            .into_iter()
            .map(|r| {
                convert::user_view(
                    r,
                    &account_id,
                    caller.user_id(),
                    &state.config.throttle,
                    now,
                )
            })
            .collect(),
        total,
        page,
        per_page,
        pages: u32::try_from((total + i64::from(per_page) - 1) / i64::from(per_page))
            .unwrap_or(u32::MAX)
            .max(1),
    })
}

/// One user of the account, for the edit page.
#[server(endpoint = "get_user")]
pub async fn get_user(login: String) -> Result<UserView, AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    let row = crate::server::manage::users::find(&state, &caller, &login).await?;
    Ok(convert::user_view(
        row,
        caller.account_id().as_str(),
        caller.user_id(),
        &state.config.throttle,
        crate::server::db::now(),
    ))
}

#[server(endpoint = "list_groups")]
pub async fn list_groups() -> Result<Vec<GroupView>, AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    let rows = crate::server::manage::directory::groups(&state, &caller).await?;
    Ok(rows
        .into_iter()
        .map(|g| GroupView {
            role: g.role.label().to_owned(),
            name: g.name,
            description: g.description,
            built_in: g.built_in,
            members: g.members,
        })
        .collect())
}

/// A strong readable password for the add-user form's "Generate a password".
#[server(endpoint = "generate_password")]
pub async fn generate_password() -> Result<String, AppError> {
    let (_, caller) = crate::server::identity::current::authenticate().await?;
    caller.admin()?;
    Ok(crate::server::manage::users::generate_password())
}

/// Adds one user. A password left empty is generated and shown once on the reveal page.
#[server(endpoint = "create_user")]
pub async fn create_user(
    login: String,
    email: String,
    group: String,
    description: String,
    password: String,
    #[server(default)] require_change: Option<String>,
    #[server(default)] invite: Option<String>,
) -> Result<(), AppError> {
    use crate::api::reveal_fns::{Credential, Revealed};
    use crate::server::manage::users;
    use crate::server::manage::users::NewUserInput;
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    let admin = caller.admin()?;
    let input = NewUserInput {
        login: &login,
        email: &email,
        group: &group,
        description: &description,
        password,
        require_change: require_change.is_some(),
        invite: invite.is_some(),
        email_optional: false,
    };
    let created = users::create_user(&state, admin, input).await?;
    match created.generated_password {
        Some(password) => {
            let payload = Revealed::NewUsers {
                created: vec![Credential {
                    login_id: format!("{}/{}", caller.account_id(), created.login),
                    password,
                }],
                refused: vec![],
            };
            let id = crate::server::manage::reveals::stash(&state, &caller, &payload).await?;
            leptos_axum::redirect(&format!("/reveal/{id}"));
        }
        None if invite.is_some() => leptos_axum::redirect(&format!(
            "/users?invited={}",
            crate::domain::navigation::encode_query_value(&created.login)
        )),
        None => leptos_axum::redirect(&format!(
            "/users?added={}",
            crate::domain::navigation::encode_query_value(&created.login)
        )),
    }
    Ok(())
}

/// One row of "Add several users", as the form posts it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkRowInput {
    #[serde(default)]
    pub login: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub description: String,
}

/// Adds up to ten users with generated passwords, or invites them (`invite` ticked); the
/// outcome of every row is shown once.
#[server(endpoint = "create_users")]
pub async fn create_users(
    rows: Vec<BulkRowInput>,
    #[server(default)] invite: Option<String>,
) -> Result<(), AppError> {
    use crate::api::reveal_fns::{Credential, Refused, Revealed};
    use crate::server::manage::users;
    use crate::server::manage::users::BulkOutcome;
    use crate::server::manage::users::BulkRow;
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    let admin = caller.admin()?;
    let input: Vec<BulkRow<'_>> = rows
        .iter()
        .map(|r| BulkRow {
            login: &r.login,
            email: &r.email,
            group: &r.group,
            description: &r.description,
        })
        .collect();
    let outcomes = users::create_users(&state, admin, &input, invite.is_some()).await?;
    let (mut created, mut refused) = (Vec::new(), Vec::new());
    for outcome in outcomes {
        match outcome {
            BulkOutcome::Created {
                login, password, ..
            } => created.push(Credential {
                login_id: format!("{}/{login}", caller.account_id()),
                password,
            }),
            BulkOutcome::Refused { row, login, reason } => {
                refused.push(Refused { row, login, reason })
            }
        }
    }
    let id = crate::server::manage::reveals::stash(
        &state,
        &caller,
        &Revealed::NewUsers { created, refused },
    )
    .await?;
    leptos_axum::redirect(&format!("/reveal/{id}"));
    Ok(())
}

#[server(endpoint = "update_user")]
pub async fn update_user(
    login: String,
    email: String,
    group: String,
    description: String,
) -> Result<(), AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    crate::server::manage::users::update_user(
        &state,
        caller.admin()?,
        &login,
        &email,
        &group,
        &description,
    )
    .await?;
    leptos_axum::redirect(&format!("/users?updated={}", parsed_login(&login)));
    Ok(())
}

/// Disables (`disabled` = "true") or enables a user. Disabling ends their sessions at once.
#[server(endpoint = "set_user_disabled")]
pub async fn set_user_disabled(login: String, disabled: String) -> Result<(), AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    crate::server::manage::users::set_disabled(&state, caller.admin()?, &login, disabled == "true")
        .await
}

/// Gives the user a temporary password, shown once, and ends their sessions.
#[server(endpoint = "reset_user_password")]
pub async fn reset_user_password(login: String) -> Result<(), AppError> {
    use crate::api::reveal_fns::{Credential, Revealed};
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    let (login, password) =
        crate::server::manage::users::reset_password(&state, caller.admin()?, &login).await?;
    let payload = Revealed::PasswordReset {
        credential: Credential {
            login_id: format!("{}/{login}", caller.account_id()),
            password,
        },
    };
    let id = crate::server::manage::reveals::stash(&state, &caller, &payload).await?;
    leptos_axum::redirect(&format!("/reveal/{id}"));
    Ok(())
}

/// Turns off a user's two-factor authentication (for a lost phone) and ends their sessions.
#[server(endpoint = "turn_off_user_two_factor")]
pub async fn turn_off_user_two_factor(login: String) -> Result<(), AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    crate::server::manage::users::turn_off_two_factor(&state, caller.admin()?, &login).await
}

/// Lets a user locked out by wrong passwords or codes log in again at once.
#[server(endpoint = "unlock_user")]
pub async fn unlock_user(login: String) -> Result<(), AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    crate::server::manage::users::unlock(&state, caller.admin()?, &login).await
}

#[server(endpoint = "end_user_sessions")]
pub async fn end_user_sessions(login: String) -> Result<(), AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    crate::server::manage::users::end_sessions(&state, caller.admin()?, &login).await
}

#[server(endpoint = "remove_user")]
pub async fn remove_user(login: String) -> Result<(), AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    crate::server::manage::users::remove_user(&state, caller.admin()?, &login).await?;
    leptos_axum::redirect(&format!("/users?removed={}", parsed_login(&login)));
    Ok(())
}

/// The login as the service understood it (trimmed, so a stray `\r` is gone), ready for a query
/// string: the posted text itself may hold what no header can.
#[cfg(feature = "ssr")]
fn parsed_login(login: &str) -> String {
    crate::domain::LoginName::parse(login)
        .map(|login| crate::domain::navigation::encode_query_value(login.as_str()))
        .unwrap_or_default()
}

#[server(endpoint = "create_group")]
pub async fn create_group(name: String, role: String, description: String) -> Result<(), AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    crate::server::manage::users::create_group(&state, caller.admin()?, &name, &role, &description)
        .await
}

#[server(endpoint = "delete_group")]
pub async fn delete_group(name: String) -> Result<(), AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    crate::server::manage::users::delete_group(&state, caller.admin()?, &name).await
}

/// Changes the caller's own password. It is also the only thing a user with a temporary
/// password may do. Their other sessions end; this one continues under a new id.
#[server(endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    let (state, caller, session) =
        crate::server::identity::current::authenticate_for_password_change().await?;
    // A password is changed from a logged-in browser, which this renews; never by a credential.
    let stamp = crate::server::identity::own_password::change_own_password(
        &state,
        caller.in_session()?,
        current_password,
        new_password,
        &confirm_password,
    )
    .await?;
    let client = crate::server::identity::current::client().await;
    crate::server::identity::sessions::start(&state, &session, &client, caller.user_id(), &stamp)
        .await?;
    leptos_axum::redirect("/?password_changed=1");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_link_keeps_only_what_differs_from_the_defaults_and_encodes_values() {
        assert_eq!(UserQuery::default().href(), "/users");
        let query = UserQuery {
            q: "jo & co".into(),
            sort: "email".into(),
            dir: "desc".into(),
            page: 3,
            per_page: 50,
            ..Default::default()
        };
        assert_eq!(
            query.href(),
            "/users?q=jo%20%26%20co&sort=email&dir=desc&page=3&per_page=50"
        );
    }
}
