//! Groups: where privileges come from. Everyone reads them; Administrators add and delete
//! custom ones.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::user_fns::{CreateGroup, DeleteGroup, GroupView, list_groups};
use crate::components::app_shell::WithCurrentUser;
use crate::components::async_content::AsyncContent;
use crate::components::breadcrumb::Breadcrumb;
use crate::components::card::Card;
use crate::components::data_table::DataTable;
use crate::components::form_errors::{FormAlert, FormErrors};
use crate::components::labels::role_text;
use crate::components::select_field::{Choice, SelectField};
use crate::components::text_field::TextField;
use crate::domain::Role;
use crate::i18n::use_lang;

#[component]
pub fn GroupsPage() -> impl IntoView {
    let create = ServerAction::<CreateGroup>::new();
    let delete = ServerAction::<DeleteGroup>::new();
    let groups = Resource::new(
        move || (create.version().get(), delete.version().get()),
        |_| list_groups(),
    );
    let delete_errors = FormErrors::from_action(delete);
    let lang = use_lang();
    view! {
        <Title text=lang.t("groups.title") />
        <Breadcrumb href="/users" text=lang.t("nav.users") />
        <h1>{lang.t("groups.title")}</h1>
        <p>{lang.t("groups.intro")}</p>
        <AsyncContent resource=groups let:groups>
            <WithCurrentUser let:me>
                {
                    let manage = me.can_manage_users;
                    view! {
                        <FormAlert message=delete_errors.any() />
                        <DataTable
                            columns=vec![
                                lang.t("field.name"),
                                lang.t("field.role"),
                                lang.t("field.description"),
                                lang.t("groups.users"),
                                lang.t("groups.kind"),
                            ]
                            actions=manage
                            rows=groups.clone()
                            row=move |group| view! { <GroupRow group manage delete /> }
                        />
                        {manage.then(|| view! { <NewGroupForm create /> })}
                    }
                }
            </WithCurrentUser>
        </AsyncContent>
    }
}

/// A group, with "Delete" for Administrators when it is a custom one.
#[component]
fn GroupRow(group: GroupView, manage: bool, delete: ServerAction<DeleteGroup>) -> impl IntoView {
    let lang = use_lang();
    let deletable = manage && !group.built_in;
    let kind = if group.built_in {
        lang.t("groups.built_in")
    } else {
        lang.t("groups.custom")
    };
    let label = lang.tf("groups.delete_label", &[("name", &group.name)]);
    view! {
        <tr>
            <td class="mono">{group.name.clone()}</td>
            <td>{role_text(lang, &group.role)}</td>
            <td>{group.description.clone()}</td>
            <td>{lang.number(group.members)}</td>
            <td>{kind}</td>
            {manage.then(|| view! {
                <td>
                    {deletable.then(|| view! {
                        <ActionForm action=delete>
                            <input type="hidden" name="name" value=group.name.clone() />
                            <button type="submit" class="link danger" aria-label=label>{lang.t("common.delete")}</button>
                        </ActionForm>
                    })}
                </td>
            })}
        </tr>
    }
}

/// "Add a group", for Administrators.
#[component]
fn NewGroupForm(create: ServerAction<CreateGroup>) -> impl IntoView {
    let errors = FormErrors::from_action(create);
    let lang = use_lang();
    let roles = Role::ALL
        .into_iter()
        .map(|r| Choice::new(r.code(), lang.t(r.key()), r == Role::User))
        .collect();
    view! {
        <Card heading_id="new-group-heading" title=lang.t("groups.add_heading")>
            <ActionForm action=create attr:class="form">
                <FormAlert message=errors.form() />
                <TextField id="name" label=lang.t("field.name") maxlength=32 required=true error=errors.field("name") />
                <SelectField id="role" label=lang.t("field.role") choices=roles />
                <TextField id="description" label=lang.t("field.description") maxlength=255 error=errors.field("description") />
                <button type="submit">{lang.t("groups.add_submit")}</button>
            </ActionForm>
        </Card>
    }
}
