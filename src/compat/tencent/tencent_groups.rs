//! The group and policy actions: groups, memberships, attached policies, the policy list.

use super::*;

pub(super) async fn create_group(state: &AppState, caller: &Caller, p: &Params) -> Answer {
    let admin = admin(caller)?;
    let name = p.required_text("GroupName")?;
    let remark = p.text("Remark")?.unwrap_or_default();
    let parsed = GroupName::parse(name);
    users::create_group(state, admin, name, NEW_GROUP_ROLE.code(), remark)
        .await
        .map_err(|err| match err {
            err if err.conflict().is_some() => refuse(
                code::GROUP_NAME_IN_USE,
                "A group with this name already exists.",
            ),
            other => other.into(),
        })?;
    let key = parsed
        .map_err(|_| refuse(code::INTERNAL, "The group was made under another name."))?
        .key();
    let group = crate::server::manage::directory::group_named(state, caller, &key)
        .await?
        .ok_or_else(|| refuse(code::GROUP_NOT_EXIST, NO_GROUP))?;
    Ok(json!({ "GroupId": group.id }))
}

pub(super) async fn list_groups(state: &AppState, caller: &Caller, p: &Params) -> Answer {
    let (skip, take) = p.page(20, 1000)?;
    let keyword = p.text("Keyword")?.unwrap_or_default().to_ascii_lowercase();
    let groups: Vec<GroupRow> = crate::server::manage::directory::groups(state, caller)
        .await?
        .into_iter()
        .filter(|g| g.name.to_ascii_lowercase().contains(&keyword))
        .collect();
    let page: Vec<Value> = groups
        .iter()
        .skip(skip)
        .take(take)
        .map(group_info)
        .collect();
    Ok(json!({ "TotalNum": groups.len(), "GroupInfo": page }))
}

pub(super) async fn add_user_to_group(state: &AppState, caller: &Caller, p: &Params) -> Answer {
    let admin = admin(caller)?;
    let info = Params::required("Info", p.list("Info")?)?;
    if info.is_empty() {
        return Err(refuse(code::PARAM_ERROR, "Info lists no user."));
    }
    if info.len() > MAX_MOVES {
        return Err(refuse(
            code::TOO_MANY,
            format!("Move at most {MAX_MOVES} users at once."),
        ));
    }
    // Every user and group is found, and every move allowed, before anything changes.
    let mut moves = Vec::with_capacity(info.len());
    for item in info {
        let item = Params::object(item.clone(), &["GroupId", "Uid", "Uin"], "Each Info item")?;
        let group_id = item.required_int("GroupId")?;
        let user_id = match (item.int("Uid")?, item.int("Uin")?) {
            (Some(uid), Some(uin)) if uid != uin => {
                return Err(refuse(
                    code::PARAM_ERROR,
                    "An Info item's Uid and Uin name different users.",
                ));
            }
            (Some(id), _) | (None, Some(id)) => id,
            (None, None) => {
                return Err(refuse(
                    code::UIN_AND_UID_NULL,
                    "Give each Info item's Uid or Uin.",
                ));
            }
        };
        let group = group_by_id(state, caller, group_id).await?;
        let user = user_by_id(state, caller, user_id).await?;
        if user.id == caller.user_id() && !user.group_name.eq_ignore_ascii_case(&group.name) {
            return Err(refuse(
                code::FAILED,
                "You cannot change your own privilege.",
            ));
        }
        moves.push((user, group));
    }
    for (user, group) in &moves {
        move_user(state, admin, user, &group.name).await?;
    }
    Ok(json!({}))
}

pub(super) async fn attach_user_policy(state: &AppState, caller: &Caller, p: &Params) -> Answer {
    let admin = admin(caller)?;
    let preset = preset(p.required_int("PolicyId")?)?;
    let user = user_by_id(state, caller, p.required_int("AttachUin")?).await?;
    move_user(state, admin, &user, preset.role.built_in_group()).await?;
    Ok(json!({}))
}

pub(super) async fn attach_group_policy(state: &AppState, caller: &Caller, p: &Params) -> Answer {
    let admin = admin(caller)?;
    let preset = preset(p.required_int("PolicyId")?)?;
    let group = group_by_id(state, caller, p.required_int("AttachGroupId")?).await?;
    let role = group.role;
    if role == preset.role {
        return Ok(json!({}));
    }
    if group.built_in {
        return Err(refuse(
            code::UNSUPPORTED_OPERATION,
            format!(
                "The built-in group {} keeps its privilege ({}): {} is {}. Move the users into a group that has it, with AddUserToGroup or AttachUserPolicy.",
                group.name,
                role.label(),
                preset.name,
                preset.role.label()
            ),
        ));
    }
    // The group's privilege becomes the policy's; its members' sessions and keys end.
    users::update_group(
        state,
        admin,
        &group.name,
        preset.role.code(),
        &group.description,
    )
    .await
    .map_err(|err| match err {
        AppError::Invalid(fields) => refuse(
            code::FAILED,
            fields
                .iter()
                .map(|f| f.message(crate::i18n::Lang::En))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        other => not_found(code::GROUP_NOT_EXIST, NO_GROUP)(other),
    })?;
    Ok(json!({}))
}

pub(super) fn list_policies(caller: &Caller, p: &Params) -> Answer {
    let (skip, take) = p.page(20, 200)?;
    let scope = p.text("Scope")?.unwrap_or("All");
    if !["All", "QCS", "Local"].contains(&scope) {
        return Err(refuse(code::PARAM_ERROR, "Scope is All, QCS or Local."));
    }
    let keyword = p.text("Keyword")?.unwrap_or_default().to_ascii_lowercase();
    let matching: Vec<&Preset> = PRESETS
        .iter()
        .filter(|_| scope != "Local")
        .filter(|p| p.name.to_ascii_lowercase().contains(&keyword))
        .collect();
    let list: Vec<Value> = matching
        .iter()
        .skip(skip)
        .take(take)
        .map(|p| {
            json!({
                "PolicyId": p.id,
                "PolicyName": p.name,
                "AddTime": cam_time(caller.account_created_at()),
                "UpdateTime": cam_time(caller.account_created_at()),
                "Type": 2,
                "Description": p.description,
                "CreateMode": 2,
                "ServiceType": "",
                "IsServiceLinkedPolicy": 0,
                "PermissionLevel": "Global",
            })
        })
        .collect();
    Ok(json!({ "TotalNum": matching.len(), "List": list, "ServiceTypeList": [] }))
}
