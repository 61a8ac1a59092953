//! The mapping between CAM and Steward: preset policies as privileges, users and groups as CAM shows them.

use super::*;

// The mapping: users, groups, policies.

/// The preset policies: each is one of Steward's privileges, given by moving the user into the
/// built-in group that has it.
pub(super) struct Preset {
    pub(super) id: i64,
    pub(super) name: &'static str,
    pub(super) description: &'static str,
    pub(super) role: Role,
}

pub(super) const PRESETS: [Preset; 3] = [
    Preset {
        id: 1,
        name: "AdministratorAccess",
        description: "Full access, user management included: Steward's Administrator privilege.",
        role: Role::Administrator,
    },
    Preset {
        id: 2,
        name: "QcloudCamFullAccess",
        description: "User and group management: in Steward only Administrators manage users, so this is the Administrator privilege.",
        role: Role::Administrator,
    },
    Preset {
        id: 3,
        name: "ReadOnlyAccess",
        description: "Read-only access: Steward's None privilege.",
        role: Role::None,
    },
];

pub(super) fn preset(id: i64) -> Result<&'static Preset, Refusal> {
    PRESETS.iter().find(|p| p.id == id).ok_or_else(|| {
        refuse(
            code::POLICY_NOT_EXIST,
            "No policy has this PolicyId: the policies are AdministratorAccess (1), QcloudCamFullAccess (2) and ReadOnlyAccess (3).",
        )
    })
}

/// CAM's time format: `2026-11-22 09:15:00` (UTC).
pub(super) fn cam_time(unix_seconds: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    time::OffsetDateTime::from_unix_timestamp(unix_seconds)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .format(&format)
        .unwrap_or_default()
}

/// A user as CAM's `SubAccountInfo` / `GetUser` show one: `ConsoleLogin` 1 when they may log in
/// to the panel (not kept out of it, not disabled).
pub(super) fn sub_user(user: &UserRow) -> Value {
    json!({
        "Uin": user.id,
        "Uid": user.id,
        "Name": user.login,
        "NickName": user.login,
        "Remark": user.description,
        "ConsoleLogin": i64::from(user.console_login && !user.disabled),
        "PhoneNum": "",
        "CountryCode": "",
        "Email": user.email,
        "CreateTime": cam_time(user.created_at),
    })
}

pub(super) fn group_info(group: &GroupRow) -> Value {
    json!({
        "GroupId": group.id,
        "GroupName": group.name,
        "Remark": group.description,
        "CreateTime": cam_time(group.created_at),
    })
}

/// The user-management capability, or CAM's permission error.
pub(super) fn admin(caller: &Caller) -> Result<Admin<'_>, Refusal> {
    caller.admin().map_err(|_| {
        refuse(
            code::UNAUTHORIZED,
            format!(
                "You are not authorized to perform this operation: only Administrators manage users and groups, and this key's user has the privilege {}.",
                caller.role().label()
            ),
        )
    })
}

pub(super) const NO_USER: &str = "No user has this name.";
pub(super) const NO_USER_ID: &str = "No user has this Uin / Uid.";
pub(super) const NO_GROUP: &str = "No group has this GroupId.";

pub(super) async fn user_by_name(
    state: &AppState,
    caller: &Caller,
    name: &str,
) -> Result<UserRow, Refusal> {
    users::find(state, caller, name)
        .await
        .map_err(not_found(code::USER_NOT_EXIST, NO_USER))
}

pub(super) async fn user_by_id(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> Result<UserRow, Refusal> {
    let login = crate::server::manage::directory::login_of(state, caller, id)
        .await?
        .ok_or_else(|| refuse(code::USER_NOT_EXIST, NO_USER_ID))?;
    users::find(state, caller, &login)
        .await
        .map_err(not_found(code::USER_NOT_EXIST, NO_USER_ID))
}

pub(super) async fn group_by_id(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> Result<GroupRow, Refusal> {
    crate::server::manage::directory::groups(state, caller)
        .await?
        .into_iter()
        .find(|g| g.id == id)
        .ok_or_else(|| refuse(code::GROUP_NOT_EXIST, NO_GROUP))
}

/// Refuses what Steward users do not have: a phone number.
pub(super) fn no_phone(params: &Params) -> Result<(), Refusal> {
    for name in ["PhoneNum", "CountryCode"] {
        if params.text(name)?.is_some_and(|v| !v.trim().is_empty()) {
            return Err(refuse(
                code::UNSUPPORTED_OPERATION,
                format!("Steward users have no phone number: leave {name} out."),
            ));
        }
    }
    Ok(())
}

/// Moves `user` into the group `group` (by name), keeping the rest of their profile. Nobody
/// changes their own privilege.
pub(super) async fn move_user(
    state: &AppState,
    admin: Admin<'_>,
    user: &UserRow,
    group: &str,
) -> Result<(), Refusal> {
    if user.id == admin.caller().user_id() && !user.group_name.eq_ignore_ascii_case(group) {
        return Err(refuse(
            code::FAILED,
            "You cannot change your own privilege.",
        ));
    }
    users::update_user(
        state,
        admin,
        &user.login,
        &user.email,
        group,
        &user.description,
    )
    .await
    .map_err(not_found(code::USER_NOT_EXIST, NO_USER_ID))
}
