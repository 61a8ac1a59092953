//! "Add a user" and "Add several users".

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::user_fns::{BULK_ROWS, CreateUser, CreateUsers, GroupView, list_groups};
use crate::components::app_shell::WithCurrentUser;
use crate::components::async_content::AsyncContent;
use crate::components::breadcrumb::Breadcrumb;
use crate::components::form_errors::{FormAlert, FormErrors};
use crate::components::new_password_field::NewPasswordField;
use crate::components::select_field::{GroupSelect, group_choices, options};
use crate::components::text_field::TextField;
use crate::i18n::use_lang;
use crate::key;

/// The group new users get unless another is chosen.
const DEFAULT_GROUP: &str = "DEFAULT";

/// A page for Administrators that needs the account's groups: renders `form` with the
/// account ID and the groups, or says who may use it.
fn admin_page<V: IntoView + 'static>(
    title: &'static str,
    form: impl Fn(String, Vec<GroupView>) -> V + Send + Sync + 'static,
) -> impl IntoView {
    let groups = Resource::new(|| (), |_| list_groups());
    let form = StoredValue::new(form);
    let lang = use_lang();
    let title = lang.t(title);
    view! {
        <Title text=title />
        <Breadcrumb href="/users" text=lang.t("nav.users") />
        <h1>{title}</h1>
        <AsyncContent resource=groups let:groups>
            <WithCurrentUser let:me>
                {if me.can_manage_users {
                    form.with_value(|form| form(me.account_id.to_string(), groups.clone())).into_any()
                } else {
                    view! { <p class="alert" role="alert">{lang.t("users.only_admins")}</p> }.into_any()
                }}
            </WithCurrentUser>
        </AsyncContent>
    }
}

#[component]
pub fn NewUserPage() -> impl IntoView {
    admin_page(
        key!("users.add"),
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
    let lang = use_lang();
    let preview = move || {
        let typed = login.get();
        let login = if typed.trim().is_empty() {
            lang.t("users.login_placeholder").to_owned()
        } else {
            typed.trim().to_owned()
        };
        format!("{preview_account}/{login}")
    };
    let context = Signal::derive(move || format!("{} {} {account_id}", login.get(), email.get()));
    view! {
        <ActionForm action=create attr:class="form wide">
            <FormAlert message=errors.form() />
            <TextField id="login" label=lang.t("field.login") autocomplete="off" maxlength=32 required=true
                hint=lang.t("users.login_hint") error=errors.field("login") on_input=move |v: String| login.set(v) />
            <p class="preview">{lang.t("users.login_preview")}" " <strong class="mono" data-testid="login-preview">{preview}</strong></p>
            <TextField id="email" label=lang.t("field.email") input_type="email" autocomplete="off" required=true
                error=errors.field("email") on_input=move |v: String| email.set(v) />
            <NewPasswordField id="password" label=lang.t("field.password") context error=errors.field("password")
                optional=true can_generate=true />
            <GroupSelect id="group" groups selected=DEFAULT_GROUP error=errors.field("group") />
            <TextField id="description" label=lang.t("field.description") maxlength=255 error=errors.field("description") />
            <div class="checkbox">
                <input id="require_change" name="require_change" type="checkbox" value="on" />
                <label for="require_change">{lang.t("users.require_change")}</label>
            </div>
            <div class="checkbox">
                <input id="invite" name="invite" type="checkbox" value="on" aria-describedby="invite-hint" />
                <label for="invite">{lang.t("users.invite")}</label>
            </div>
            <p class="hint" id="invite-hint">{lang.t("users.invite_hint")}</p>
            {move || errors.field("invite").get().map(|message| view! { <p class="field-error" id="invite-error" aria-live="polite">{message}</p> })}
            <p class="actions">
                <button type="submit">{lang.t("common.confirm")}</button>
                <A href="/users">{lang.t("common.cancel")}</A>
            </p>
        </ActionForm>
    }
}

#[component]
pub fn BulkUsersPage() -> impl IntoView {
    admin_page(
        key!("users.add_several"),
        |_, groups| view! { <BulkForm groups /> },
    )
}

#[component]
fn BulkForm(groups: Vec<GroupView>) -> impl IntoView {
    let create = ServerAction::<CreateUsers>::new();
    let errors = FormErrors::from_action(create);
    let lang = use_lang();
    let cell = move |column: &str, n: usize| {
        lang.tf(
            "users.bulk.cell",
            &[("column", lang.t(column)), ("row", &n.to_string())],
        )
    };
    let rows = (0..BULK_ROWS)
        .map(|i| {
            let n = i + 1;
            view! {
                <tr>
                    <th scope="row">{n}</th>
                    <td><input name=format!("rows[{i}][login]") aria-label=cell("field.login", n) maxlength="32" autocomplete="off" /></td>
                    <td><input name=format!("rows[{i}][email]") type="email" aria-label=cell("field.email", n) autocomplete="off" /></td>
                    <td><select name=format!("rows[{i}][group]") aria-label=cell("field.privilege", n)>{options(group_choices(&groups, DEFAULT_GROUP))}</select></td>
                    <td><input name=format!("rows[{i}][description]") aria-label=cell("field.description", n) maxlength="255" /></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p>{lang.t("users.bulk.intro")}</p>
        <ActionForm action=create attr:class="form wide">
            <FormAlert message=errors.any() />
            <div class="checkbox">
                <input id="invite" name="invite" type="checkbox" value="on" />
                <label for="invite">{lang.t("users.bulk.invite")}</label>
            </div>
            <div class="table-wrap">
                <table class="bulk">
                    <thead>
                        <tr>
                            <th scope="col">{lang.t("users.bulk.row")}</th>
                            <th scope="col">{lang.t("field.login")}</th>
                            <th scope="col">{lang.t("field.email")}</th>
                            <th scope="col">{lang.t("field.privilege")}</th>
                            <th scope="col">{lang.t("field.description")}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <p class="actions">
                <button type="submit">{lang.t("users.bulk.submit")}</button>
                <A href="/users">{lang.t("common.cancel")}</A>
            </p>
        </ActionForm>
    }
}
