//! Groups: where privileges come from. Everyone reads them; Administrators add and delete
//! custom ones.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::users::{CreateGroup, DeleteGroup, list_groups};
use crate::components::form::{ErrorMessage, FormAlert, FormErrors, TextField};
use crate::components::shell::CurrentUser;
use crate::domain::Role;

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
    view! {
        <Title text="Groups" />
        <p class="breadcrumb"><A href="/users">"User management"</A></p>
        <h1>"Groups"</h1>
        <p>
            "A user's privilege is their group's role. None reads everything; User also changes everything except users and groups; Administrator changes everything."
        </p>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
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
                                <td>{g.role.clone()}</td>
                                <td>{g.description.clone()}</td>
                                <td>{g.members}</td>
                                <td>{if g.built_in { "Built in" } else { "Custom" }}</td>
                                {manage.then(|| view! {
                                    <td>
                                        {deletable.then(|| view! {
                                            <ActionForm action=delete>
                                                <input type="hidden" name="name" value=g.name.clone() />
                                                <button type="submit" class="link danger" aria-label=format!("Delete group {}", g.name)>"Delete"</button>
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
                                    <th scope="col">"Name"</th>
                                    <th scope="col">"Role"</th>
                                    <th scope="col">"Description"</th>
                                    <th scope="col">"Users"</th>
                                    <th scope="col">"Kind"</th>
                                    {manage.then(|| view! { <th scope="col"><span class="visually-hidden">"Actions"</span></th> })}
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                    {manage.then(|| view! {
                        <section class="card" aria-labelledby="new-group-heading">
                            <h2 id="new-group-heading">"Add a group"</h2>
                            <ActionForm action=create attr:class="form">
                                <FormAlert message=create_errors.form() />
                                <TextField id="name" label="Name" maxlength=32 required=true error=create_errors.field("name") />
                                <div class="field">
                                    <label for="role">"Role"</label>
                                    <select id="role" name="role">
                                        {Role::ALL.into_iter().map(|r| view! { <option value=r.code() selected=r == Role::User>{r.label()}</option> }).collect_view()}
                                    </select>
                                </div>
                                <TextField id="description" label="Description" maxlength=255 error=create_errors.field("description") />
                                <button type="submit">"Add group"</button>
                            </ActionForm>
                        </section>
                    })}
                }
                .into_any()
            })}
        </Suspense>
    }
}
