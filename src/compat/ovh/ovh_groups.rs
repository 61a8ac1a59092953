//! The account's groups (/me/identity/group).

use super::*;

pub(super) async fn list_groups(State(state): State<AppState>, req: Signed) -> Answer {
    let (caller, _) = authenticate(&state, &req).await?;
    let names: Vec<String> = crate::server::manage::directory::groups(&state, &caller)
        .await?
        .into_iter()
        .map(|g| g.name)
        .collect();
    ok(json!(names))
}

pub(super) fn group_json(row: &db::group_store::GroupRow, caller: &Caller) -> Value {
    json!({
        "urn": format!("urn:v1:steward:identity:group:{}/{}", caller.account_id(), row.name),
        "name": row.name,
        "role": row.role.code(),
        "description": row.description,
        "defaultGroup": row.built_in,
        "creation": rfc3339(row.created_at),
        "lastUpdate": rfc3339(row.updated_at.max(row.created_at)),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct GroupBody {
    pub(super) name: Option<String>,
    pub(super) role: Option<String>,
    pub(super) description: Option<String>,
}

pub(super) async fn create_group(State(state): State<AppState>, req: Signed) -> Answer {
    let (caller, _) = authenticate(&state, &req).await?;
    let body: GroupBody = req.json()?;
    let admin = caller.admin()?;
    let name = body.name.unwrap_or_default();
    match users::create_group(
        &state,
        admin,
        &name,
        body.role.as_deref().unwrap_or_default(),
        body.description.as_deref().unwrap_or_default(),
    )
    .await
    {
        // OVHcloud answers with the new group (`auth.Group`).
        Ok(()) => ok(group_json(&group(&state, &caller, &name).await?, &caller)),
        Err(e) => match e.conflict() {
            Some(taken) => Err(conflict(taken.message(crate::i18n::Lang::En))),
            None => Err(e.into()),
        },
    }
}

/// Group `name` of the caller's account.
pub(super) async fn group(
    state: &AppState,
    caller: &Caller,
    name: &str,
) -> Result<db::group_store::GroupRow, Refusal> {
    let name = GroupName::parse(name).map_err(|_| Refusal::from(AppError::NotFound))?;
    crate::server::manage::directory::group_named(state, caller, &name.key())
        .await?
        .ok_or_else(|| AppError::NotFound.into())
}

pub(super) async fn get_group(
    State(state): State<AppState>,
    Path(name): Path<String>,
    req: Signed,
) -> Answer {
    let (caller, _) = authenticate(&state, &req).await?;
    ok(group_json(&group(&state, &caller, &name).await?, &caller))
}

pub(super) async fn update_group(
    State(state): State<AppState>,
    Path(name): Path<String>,
    req: Signed,
) -> Answer {
    let (caller, _) = authenticate(&state, &req).await?;
    let body: GroupBody = req.json()?;
    let admin = caller.admin()?;
    let current = group(&state, &caller, &name).await?;
    users::update_group(
        &state,
        admin,
        &current.name,
        body.role.as_deref().unwrap_or(current.role.code()),
        body.description.as_deref().unwrap_or(&current.description),
    )
    .await?;
    done()
}

pub(super) async fn delete_group(
    State(state): State<AppState>,
    Path(name): Path<String>,
    req: Signed,
) -> Answer {
    let (caller, _) = authenticate(&state, &req).await?;
    let admin = caller.admin()?;
    users::delete_group(&state, admin, &name).await?;
    done()
}
