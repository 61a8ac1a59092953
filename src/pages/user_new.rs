//! "Add a user" and "Add several users".

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::users::{CreateUser, CreateUsers, GroupView, list_groups};
use crate::components::form::{FormAlert, FormErrors, GroupSelect, TextField};
use crate::components::password::NewPasswordField;
use crate::components::shell::CurrentUser;

/// The group new users get unless another is chosen.
const DEFAULT_GROUP: &str = "DEFAULT";

/// A page for Administrators that needs the account's groups: renders `form` with the
/// account ID and the groups, or says who may use it.
fn admin_page<V: IntoView + 'static>(
    title: &'static str,
    form: impl Fn(String, Vec<GroupView>) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let current = expect_context::<CurrentUser>().0;
    let groups = Resource::new(|| (), |_| list_groups());
    view! {
        <Title text=title />
        <p class="breadcrumb"><A href="/users">"User management"</A></p>
        <h1>{title}</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || {
                let form = form.clone();
                Suspend::new(async move {
                    let me = current.await.ok().flatten()?;
                    let groups = groups.await.ok()?;
                    Some(if me.can_manage_users {
                        form(me.account_id.to_string(), groups).into_any()
                    } else {
                        view! { <p class="alert" role="alert">"Only Administrators can add users."</p> }.into_any()
                    })
                })
            }}
        </Suspense>
    }
}

#[component]
pub fn NewUserPage() -> impl IntoView {
    admin_page(
        "Add a user",
        |account_id, groups| view! { <NewUserForm account_id groups /> },
    )
}

#[component]
fn NewUserForm(account_id: String, groups: Vec<GroupView>) -> impl IntoView {
    let create = ServerAction::<CreateUser>::new();
    let errors = FormErrors::from_action(create);
    let login = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let preview_account = account_id.clone();
    let preview = move || {
        let typed = login.get();
        let login = if typed.trim().is_empty() {
            "login".to_owned()
        } else {
            typed.trim().to_owned()
        };
        format!("{preview_account}/{login}")
    };
    let context = Signal::derive(move || format!("{} {} {account_id}", login.get(), email.get()));
    view! {
        <ActionForm action=create attr:class="form wide">
            <FormAlert message=errors.form() />
            <TextField
                id="login"
                label="ID"
                autocomplete="off"
                maxlength=32
                required=true
                hint="1 to 32 letters, digits, dots, dashes or underscores."
                error=errors.field("login")
                on_input=move |v: String| login.set(v)
            />
            <p class="preview">"They will log in as " <strong class="mono" data-testid="login-preview">{preview}</strong></p>
            <TextField
                id="email"
                label="Email"
                input_type="email"
                autocomplete="off"
                required=true
                error=errors.field("email")
                on_input=move |v: String| email.set(v)
            />
            <NewPasswordField
                id="password"
                label="Password"
                context
                error=errors.field("password")
                optional=true
                can_generate=true
            />
            <GroupSelect id="group" groups selected=DEFAULT_GROUP error=errors.field("group") />
            <TextField id="description" label="Description" maxlength=255 error=errors.field("description") />
            <div class="checkbox">
                <input id="require_change" name="require_change" type="checkbox" value="on" />
                <label for="require_change">"Require a password change at next login"</label>
            </div>
            <p class="actions">
                <button type="submit">"Confirm"</button>
                <A href="/users">"Cancel"</A>
            </p>
        </ActionForm>
    }
}

#[component]
pub fn BulkUsersPage() -> impl IntoView {
    admin_page(
        "Add several users",
        |_, groups| view! { <BulkForm groups /> },
    )
}

#[component]
fn BulkForm(groups: Vec<GroupView>) -> impl IntoView {
    let create = ServerAction::<CreateUsers>::new();
    let errors = FormErrors::from_action(create);
    let rows = (0..crate::api::users::BULK_ROWS)
        .map(|i| {
            let n = i + 1;
            let options = groups
                .iter()
                .map(|g| {
                    let selected = g.name == DEFAULT_GROUP;
                    view! { <option value=g.name.clone() selected=selected>{format!("{} ({})", g.name, g.role)}</option> }
                })
                .collect_view();
            view! {
                <tr>
                    <th scope="row">{n}</th>
                    <td><input name=format!("rows[{i}][login]") aria-label=format!("ID, row {n}") maxlength="32" autocomplete="off" /></td>
                    <td><input name=format!("rows[{i}][email]") type="email" aria-label=format!("Email, row {n}") autocomplete="off" /></td>
                    <td><select name=format!("rows[{i}][group]") aria-label=format!("Privilege, row {n}")>{options}</select></td>
                    <td><input name=format!("rows[{i}][description]") aria-label=format!("Description, row {n}") maxlength="255" /></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p>
            "Fill in up to ten rows; empty rows are ignored. Each user gets a generated password and must choose their own at first login. "
            "The passwords are shown once, on the next page."
        </p>
        <ActionForm action=create attr:class="form wide">
            <FormAlert message=errors.any() />
            <div class="table-wrap">
                <table class="bulk">
                    <thead>
                        <tr>
                            <th scope="col">"Row"</th>
                            <th scope="col">"ID"</th>
                            <th scope="col">"Email"</th>
                            <th scope="col">"Privilege"</th>
                            <th scope="col">"Description"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <p class="actions">
                <button type="submit">"Create users"</button>
                <A href="/users">"Cancel"</A>
            </p>
        </ActionForm>
    }
}
