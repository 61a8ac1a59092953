//! The user actions: AddUser, GetUser, ListUsers, UpdateUser, DeleteUser.

use super::*;

// The actions.

pub(super) async fn add_user(state: &AppState, caller: &Caller, p: &Params) -> Answer {
    let admin = admin(caller)?;
    let name = p.required_text("Name")?;
    let remark = p.text("Remark")?.unwrap_or_default();
    let console = p.flag("ConsoleLogin")?.unwrap_or(true);
    let use_api = p.flag("UseApi")?.unwrap_or(false);
    let password = p.text("Password")?.unwrap_or_default();
    let need_reset = p.flag("NeedResetPassword")?.unwrap_or(false);
    let email = p.text("Email")?.unwrap_or_default();
    no_phone(p)?;
    if !console && !password.is_empty() {
        return Err(refuse(
            code::PARAM_ERROR,
            "Password needs ConsoleLogin=1: a user without console login gets no password.",
        ));
    }
    let input = NewUserInput {
        login: name,
        email,
        group: NEW_USER_ROLE.built_in_group(),
        description: remark,
        password: password.to_owned(),
        require_change: need_reset,
        invite: false,
        email_optional: true,
    };
    let created = users::create_user(state, admin, input)
        .await
        .map_err(|err| match err {
            err if err.conflict().is_some() => refuse(
                code::USER_NAME_IN_USE,
                "A user with this name already exists.",
            ),
            AppError::Invalid(fields) if fields.iter().any(|f| f.field == "login") => {
                let reason = fields
                    .iter()
                    .find(|f| f.field == "login")
                    .map(|f| f.message(crate::i18n::Lang::En))
                    .unwrap_or_default();
                refuse(code::USER_NAME_ILLEGAL, format!("Name: {reason}"))
            }
            other => other.into(),
        })?;
    // No half-made user: if what follows fails, the user goes again.
    let rest = async {
        if !console {
            users::panel_access::set_console_login(state, admin, &created.login, false).await?;
        }
        user_and_key(state, caller, &created.login, use_api).await
    };
    let (user, key) = match rest.await {
        Ok(done) => done,
        Err(refusal) => {
            if let Err(undo) = users::remove_user(state, admin, &created.login).await {
                tracing::error!(error = ?undo, "could not undo a user added through CAM");
            }
            return Err(refusal);
        }
    };
    let mut answer = json!({ "Uin": user.id, "Uid": user.id, "Name": user.login });
    // A generated password is shown this once; without console login nobody learns it (an
    // Administrator can reset it in the panel).
    if let (true, Some(password)) = (console, created.generated_password) {
        answer["Password"] = json!(password);
    }
    if let Some(key) = key {
        answer["SecretId"] = json!(key.secret_id);
        answer["SecretKey"] = json!(key.secret_key);
    }
    Ok(answer)
}

/// The user just added as `login`, and a new access key for them when asked.
pub(super) async fn user_and_key(
    state: &AppState,
    caller: &Caller,
    login: &str,
    use_api: bool,
) -> Result<(UserRow, Option<tencent_keys::CreatedKey>), Refusal> {
    let user = user_by_name(state, caller, login).await?;
    let key = if use_api {
        Some(tencent_keys::create(state, caller.admin()?.key_holder(user.id)).await?)
    } else {
        None
    };
    Ok((user, key))
}

pub(super) async fn get_user(state: &AppState, caller: &Caller, p: &Params) -> Answer {
    let user = user_by_name(state, caller, p.required_text("Name")?).await?;
    let mut answer = sub_user(&user);
    answer["RecentlyLoginIP"] = json!(user.last_login_ip.as_deref().unwrap_or_default());
    answer["RecentlyLoginTime"] = json!(user.last_login_at.map(cam_time).unwrap_or_default());
    Ok(answer)
}

pub(super) async fn list_users(state: &AppState, caller: &Caller) -> Answer {
    pub(super) const PAGE: i64 = 1000;
    let mut users = Vec::new();
    loop {
        let filter = UserFilter {
            limit: PAGE,
            offset: i64::try_from(users.len()).unwrap_or(i64::MAX),
            ..UserFilter::default()
        };
        let (rows, total) = crate::server::manage::directory::users(state, caller, &filter).await?;
        let done = rows.len() < usize::try_from(PAGE).unwrap_or(usize::MAX);
        users.extend(rows.iter().map(sub_user));
        if done || i64::try_from(users.len()).unwrap_or(i64::MAX) >= total {
            break;
        }
    }
    Ok(json!({ "Data": users }))
}

pub(super) async fn update_user(state: &AppState, caller: &Caller, p: &Params) -> Answer {
    let admin = admin(caller)?;
    let name = p.required_text("Name")?;
    let remark = p.text("Remark")?;
    let email = p.text("Email")?;
    let console = p.flag("ConsoleLogin")?;
    let password = p.text("Password")?.filter(|v| !v.is_empty());
    let need_reset = p.flag("NeedResetPassword")?;
    if need_reset.is_some() && password.is_none() {
        return Err(refuse(
            code::PARAM_ERROR,
            "NeedResetPassword goes with a new Password.",
        ));
    }
    no_phone(p)?;
    let user = user_by_name(state, caller, name).await?;
    users::update_user(
        state,
        admin,
        &user.login,
        email.unwrap_or(&user.email),
        &user.group_name,
        remark.unwrap_or(&user.description),
    )
    .await
    .map_err(not_found(code::USER_NOT_EXIST, NO_USER))?;
    if let Some(allowed) = console {
        users::panel_access::set_console_login(state, admin, &user.login, allowed).await?;
    }
    if let Some(password) = password {
        let require_change = need_reset.unwrap_or(false);
        users::panel_access::set_password(
            state,
            admin,
            &user.login,
            password.to_owned(),
            require_change,
        )
        .await?;
    }
    Ok(json!({}))
}

pub(super) async fn delete_user(state: &AppState, caller: &Caller, p: &Params) -> Answer {
    let admin = admin(caller)?;
    let name = p.required_text("Name")?;
    let force = p.flag("Force")?.unwrap_or(false);
    let user = user_by_name(state, caller, name).await?;
    if !force {
        let held = tencent_keys::credentials_held(state, user.id).await?;
        if held > 0 {
            return Err(refuse(
                code::HAVE_KEYS,
                format!(
                    "The user has {held} API key(s) or token(s): send Force=1 to delete them with the user."
                ),
            ));
        }
    }
    users::remove_user(state, admin, &user.login)
        .await
        .map_err(not_found(code::USER_NOT_EXIST, NO_USER))?;
    Ok(json!({}))
}
