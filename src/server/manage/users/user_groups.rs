//! The account's groups: create, delete, change the role and description.

use super::*;

pub async fn create_group(
    state: &AppState,
    admin: Admin<'_>,
    name: &str,
    role: &str,
    description: &str,
) -> Result<(), AppError> {
    let event = Event::by(admin.caller(), Action::GroupCreate, name.trim());
    let work = create_group_as(state, admin, name, role, description, &event);
    audited(&state.db, &event, work).await
}

pub(super) async fn create_group_as(
    state: &AppState,
    admin: Admin<'_>,
    name: &str,
    role: &str,
    description: &str,
    event: &Event,
) -> Result<(), AppError> {
    let mut problems = FieldErrors::default();
    let name = problems.check("name", GroupName::parse(name));
    let role = problems.check("role", Role::parse(role));
    let description = problems.check("description", Description::parse(description));
    problems.into_result()?;
    let (Some(name), Some(role), Some(description)) = (name, role, description) else {
        return Err(AppError::field("form", crate::key!("error.correct_form")));
    };
    match db::group_store::insert(
        &state.db,
        event,
        admin.caller().account_pk(),
        name.as_str(),
        role.code(),
        description.as_str(),
    )
    .await
    {
        Ok(_) => Ok(()),
        Err(InsertGroupError::NameTaken) => {
            Err(AppError::field("name", crate::key!("groups.error.taken")))
        }
        Err(InsertGroupError::Db(e)) => Err(e.into()),
    }
}

pub async fn delete_group(state: &AppState, admin: Admin<'_>, name: &str) -> Result<(), AppError> {
    let event = Event::by(admin.caller(), Action::GroupDelete, name.trim());
    audited(
        &state.db,
        &event,
        delete_group_as(state, admin, name, &event),
    )
    .await
}

pub(super) async fn delete_group_as(
    state: &AppState,
    admin: Admin<'_>,
    name: &str,
    event: &Event,
) -> Result<(), AppError> {
    let account_pk = admin.caller().account_pk();
    let name = GroupName::parse(name).map_err(|_| AppError::NotFound)?;
    let group = db::group_store::find_by_name(&state.db, account_pk, &name.key())
        .await?
        .ok_or(AppError::NotFound)?;
    match db::group_store::delete(&state.db, event, account_pk, group.id).await {
        Ok(()) => Ok(()),
        Err(DeleteGroupError::NotFound) => Err(AppError::NotFound),
        Err(DeleteGroupError::BuiltIn) => Err(AppError::field(
            "form",
            crate::key!("groups.error.built_in"),
        )),
        Err(DeleteGroupError::InUse) => {
            Err(AppError::field("form", crate::key!("groups.error.in_use")))
        }
        Err(DeleteGroupError::Db(e)) => Err(e.into()),
    }
}

/// Changes a group's role and description. Built-in groups keep their role, and nobody changes
/// the role of the group they are in themselves (no self-escalation, SECURITY.md rule 19).
/// Changing the role ends its members' sessions and API credentials.
pub async fn update_group(
    state: &AppState,
    admin: Admin<'_>,
    name: &str,
    role: &str,
    description: &str,
) -> Result<(), AppError> {
    let event = Event::by(admin.caller(), Action::GroupUpdate, name.trim());
    let work = update_group_as(state, admin, name, role, description, &event);
    audited(&state.db, &event, work).await
}

pub(super) async fn update_group_as(
    state: &AppState,
    admin: Admin<'_>,
    name: &str,
    role: &str,
    description: &str,
    event: &Event,
) -> Result<(), AppError> {
    let caller = admin.caller();
    let name = GroupName::parse(name).map_err(|_| AppError::NotFound)?;
    let group = db::group_store::find_by_name(&state.db, caller.account_pk(), &name.key())
        .await?
        .ok_or(AppError::NotFound)?;
    let mut problems = FieldErrors::default();
    let role = problems.check("role", Role::parse(role));
    let description = problems.check("description", Description::parse(description));
    if let Some(role) = role
        && role != group.role
    {
        if group.built_in {
            problems.add("role", crate::key!("groups.error.keeps_role"));
        } else if !caller.is_holder() && caller_group_id(state, caller).await? == Some(group.id) {
            problems.add("role", crate::key!("user_edit.own_privilege"));
        }
    }
    problems.into_result()?;
    let (Some(role), Some(description)) = (role, description) else {
        return Err(AppError::field("form", crate::key!("error.correct_form")));
    };
    match db::group_store::update(
        &state.db,
        event,
        caller.account_pk(),
        group.id,
        role.code(),
        description.as_str(),
    )
    .await
    {
        Ok(()) => Ok(()),
        Err(UpdateGroupError::NotFound) => Err(AppError::NotFound),
        Err(UpdateGroupError::BuiltIn) => Err(AppError::field(
            "role",
            crate::key!("groups.error.keeps_role"),
        )),
        Err(UpdateGroupError::Db(e)) => Err(e.into()),
    }
}
