//! Groups: where privileges come from. Everyone reads them; Administrators add and delete
//! custom ones.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::user_fns::{CreateGroup, DeleteGroup, list_groups};
use crate::components::app_shell::CurrentUser;
use crate::components::form::role_text;
use crate::components::form::{ErrorMessage, FormAlert, FormErrors, TextField};
use crate::domain::Role;
use crate::i18n::use_lang;

#[component]
pub fn GroupsPage() -> impl IntoView {
    let current = expect_context::<CurrentUser>().0;
    let create = ServerAction::<CreateGroup>::new();
    let delete = ServerAction::<DeleteGroup>::new();
    let groups = Resource::new(
        move || (create.version().get(), delete.version().get()),
        |_| list_groups(),
    );
    let create_errors = FormErrors::from_action(create);
    let delete_errors = FormErrors::from_action(delete);
    let lang = use_lang();
    view! {
        <Title text=lang.t("groups.title") />
        <p class="breadcrumb"><A href="/users">{lang.t("nav.users")}</A></p>
        <h1>{lang.t("groups.title")}</h1>
        <p>{lang.t("groups.intro")}</p>
        <Suspense fallback=move || view! { <p class="loading">{lang.t("common.loading")}</p> }>
            {move || Suspend::new(async move {
                let manage = current.await.ok().flatten().is_some_and(|me| me.can_manage_users);
                let groups = match groups.await {
                    Ok(groups) => groups,
                    Err(e) => return view! { <ErrorMessage error=e /> }.into_any(),
                };
                let rows = groups
                    .into_iter()
                    .map(|g| {
                        let deletable = manage && !g.built_in;
                        view! {
                            <tr>
                                <td class="mono">{g.name.clone()}</td>
                                <td>{role_text(lang, &g.role)}</td>
                                <td>{g.description.clone()}</td>
                                <td>{lang.number(g.members)}</td>
                                <td>{if g.built_in { lang.t("groups.built_in") } else { lang.t("groups.custom") }}</td>
                                {manage.then(|| view! {
                                    <td>
                                        {deletable.then(|| view! {
                                            <ActionForm action=delete>
                                                <input type="hidden" name="name" value=g.name.clone() />
                                                <button type="submit" class="link danger" aria-label=lang.tf("groups.delete_label", &[("name", &g.name)])>{lang.t("common.delete")}</button>
                                            </ActionForm>
                                        })}
                                    </td>
                                })}
                            </tr>
                        }
                    })
                    .collect_view();
                view! {
                    <FormAlert message=delete_errors.any() />
                    <div class="table-wrap">
                        <table>
                            <thead>
                                <tr>
                                    <th scope="col">{lang.t("field.name")}</th>
                                    <th scope="col">{lang.t("field.role")}</th>
                                    <th scope="col">{lang.t("field.description")}</th>
                                    <th scope="col">{lang.t("groups.users")}</th>
                                    <th scope="col">{lang.t("groups.kind")}</th>
                                    {manage.then(|| view! { <th scope="col"><span class="visually-hidden">{lang.t("common.actions")}</span></th> })}
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                    {manage.then(|| view! {
                        <section class="card" aria-labelledby="new-group-heading">
                            <h2 id="new-group-heading">{lang.t("groups.add_heading")}</h2>
                            <ActionForm action=create attr:class="form">
                                <FormAlert message=create_errors.form() />
                                <TextField id="name" label=lang.t("field.name") maxlength=32 required=true error=create_errors.field("name") />
                                <div class="field">
                                    <label for="role">{lang.t("field.role")}</label>
                                    <select id="role" name="role">
                                        {Role::ALL.into_iter().map(|r| view! { <option value=r.code() selected=r == Role::User>{lang.t(r.key())}</option> }).collect_view()}
                                    </select>
                                </div>
                                <TextField id="description" label=lang.t("field.description") maxlength=255 error=create_errors.field("description") />
                                <button type="submit">{lang.t("groups.add_submit")}</button>
                            </ActionForm>
                        </section>
                    })}
                }
                .into_any()
            })}
        </Suspense>
    }
}
