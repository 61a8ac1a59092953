//! The account's users (/me/identity/user).

use super::*;

pub(super) async fn list_users(State(state): State<AppState>, req: Signed) -> Answer {
    let (caller, _) = authenticate(&state, &req).await?;
    ok(json!(
        crate::server::manage::directory::logins(&state, &caller).await?
    ))
}

pub(super) fn user_json(row: &db::user_store::UserRow, caller: &Caller) -> Value {
    json!({
        "login": row.login,
        "email": row.email,
        "group": row.group_name,
        "description": row.description,
        "status": UserStatus::from_flags(row.disabled, row.password_change_required).code(),
        "creation": rfc3339(row.created_at),
        "lastUpdate": rfc3339(row.updated_at.max(row.created_at)),
        "passwordLastUpdate": rfc3339(row.password_updated_at),
        "urn": format!("urn:v1:steward:identity:user:{}/{}", caller.account_id(), row.login),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct NewUserBody {
    pub(super) login: Option<String>,
    pub(super) email: Option<String>,
    pub(super) password: Option<String>,
    pub(super) group: Option<String>,
    pub(super) description: Option<String>,
}

pub(super) fn conflict(message: String) -> Refusal {
    refuse(StatusCode::CONFLICT, "ALREADY_EXISTS", message)
}

pub(super) async fn create_user(State(state): State<AppState>, req: Signed) -> Answer {
    let (caller, _) = authenticate(&state, &req).await?;
    let body: NewUserBody = req.json()?;
    let admin = caller.admin()?;
    let login = body.login.unwrap_or_default();
    let password = body.password.unwrap_or_default();
    if password.is_empty() {
        return Err(AppError::field("password", "Give the user a password.").into());
    }
    let input = users::NewUserInput {
        login: &login,
        email: body.email.as_deref().unwrap_or_default(),
        group: body.group.as_deref().unwrap_or("DEFAULT"),
        description: body.description.as_deref().unwrap_or_default(),
        password,
        require_change: false,
        invite: false,
        email_optional: false,
    };
    match users::create_user(&state, admin, input).await {
        Ok(_) => done(),
        Err(e) => match e.conflict() {
            Some(taken) => Err(conflict(taken.message(crate::i18n::Lang::En))),
            None => Err(e.into()),
        },
    }
}

pub(super) async fn get_user(
    State(state): State<AppState>,
    Path(login): Path<String>,
    req: Signed,
) -> Answer {
    let (caller, _) = authenticate(&state, &req).await?;
    let row = users::find(&state, &caller, &login).await?;
    ok(user_json(&row, &caller))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct UpdateUserBody {
    pub(super) description: Option<String>,
    pub(super) email: Option<String>,
    pub(super) group: Option<String>,
}

pub(super) async fn update_user(
    State(state): State<AppState>,
    Path(login): Path<String>,
    req: Signed,
) -> Answer {
    let (caller, _) = authenticate(&state, &req).await?;
    let body: UpdateUserBody = req.json()?;
    let admin = caller.admin()?;
    let row = users::find(&state, &caller, &login).await?;
    users::update_user(
        &state,
        admin,
        &row.login,
        body.email.as_deref().unwrap_or(&row.email),
        body.group.as_deref().unwrap_or(&row.group_name),
        body.description.as_deref().unwrap_or(&row.description),
    )
    .await?;
    done()
}

pub(super) async fn delete_user(
    State(state): State<AppState>,
    Path(login): Path<String>,
    req: Signed,
) -> Answer {
    let (caller, _) = authenticate(&state, &req).await?;
    let admin = caller.admin()?;
    users::remove_user(&state, admin, &login).await?;
    done()
}

pub(super) async fn enable_user(
    State(state): State<AppState>,
    Path(login): Path<String>,
    req: Signed,
) -> Answer {
    set_disabled(state, login, req, false).await
}

pub(super) async fn disable_user(
    State(state): State<AppState>,
    Path(login): Path<String>,
    req: Signed,
) -> Answer {
    set_disabled(state, login, req, true).await
}

pub(super) async fn set_disabled(
    state: AppState,
    login: String,
    req: Signed,
    disabled: bool,
) -> Answer {
    let (caller, _) = authenticate(&state, &req).await?;
    let admin = caller.admin()?;
    users::set_disabled(&state, admin, &login, disabled).await?;
    done()
}
