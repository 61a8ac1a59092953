//! One user: edit, and the confirmations before resetting a password or removing.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::user_fns::{
    GroupView, RemoveUser, ResetUserPassword, UpdateUser, UserView, get_user, list_groups,
};
use crate::components::form::{ErrorMessage, FormAlert, FormErrors, GroupSelect, TextField};
use crate::i18n::use_lang;
use crate::key;

fn login_param() -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.with(|p| p.get("login").unwrap_or_default()))
}

/// Loads the user named in the address and renders `body` with them, or the error.
fn with_user<V: IntoView + 'static>(
    title: &'static str,
    body: impl Fn(UserView, Vec<GroupView>) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let login = login_param();
    let user = Resource::new(move || login.get(), get_user);
    let groups = Resource::new(|| (), |_| list_groups());
    let lang = use_lang();
    let title = lang.t(title);
    view! {
        <Title text=title />
        <p class="breadcrumb"><A href="/users">{lang.t("nav.users")}</A></p>
        <Suspense fallback=move || view! { <p class="loading">{lang.t("common.loading")}</p> }>
            {move || {
                let body = body.clone();
                Suspend::new(async move {
                    match (user.await, groups.await) {
                        (Ok(user), Ok(groups)) => body(user, groups).into_any(),
                        (Err(e), _) | (_, Err(e)) => view! {
                            <h1>{title}</h1>
                            <ErrorMessage error=e />
                        }
                        .into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
pub fn EditUserPage() -> impl IntoView {
    with_user(
        key!("user_edit.title"),
        |user, groups| view! { <EditForm user groups /> },
    )
}

#[component]
fn EditForm(user: UserView, groups: Vec<GroupView>) -> impl IntoView {
    let update = ServerAction::<UpdateUser>::new();
    let errors = FormErrors::from_action(update);
    let lang = use_lang();
    view! {
        <h1>{lang.t("user_edit.heading")}" " <span class="mono">{user.login_id.clone()}</span></h1>
        <ActionForm action=update attr:class="form wide">
            <FormAlert message=errors.form() />
            <input type="hidden" name="login" value=user.login.clone() />
            <TextField id="email" label=lang.t("field.email") input_type="email" required=true initial=user.email.clone() error=errors.field("email") />
            <GroupSelect id="group" groups selected=user.group.clone() error=errors.field("group") />
            {user.is_me.then(|| view! { <p class="hint">{lang.t("user_edit.own_privilege")}</p> })}
            <TextField id="description" label=lang.t("field.description") maxlength=255 initial=user.description.clone() error=errors.field("description") />
            <p class="hint">{lang.t("user_edit.privilege_hint")}</p>
            <p class="actions">
                <button type="submit">{lang.t("common.save")}</button>
                <A href="/users">{lang.t("common.cancel")}</A>
            </p>
        </ActionForm>
    }
}

#[component]
pub fn RemoveUserPage() -> impl IntoView {
    with_user(key!("user_remove.title"), |user, _| {
        let remove = ServerAction::<RemoveUser>::new();
        let errors = FormErrors::from_action(remove);
        let lang = use_lang();
        view! {
            <h1>{lang.tf("user_remove.heading", &[("login", &user.login_id)])}</h1>
            <p class="alert">
                {lang.tf("user_remove.warning", &[("login", &user.login), ("email", &user.email)])}
            </p>
            <ActionForm action=remove attr:class="form">
                <FormAlert message=errors.any() />
                <input type="hidden" name="login" value=user.login.clone() />
                <p class="actions">
                    <button type="submit" class="danger">{lang.tf("user_remove.submit", &[("login", &user.login)])}</button>
                    <A href="/users">{lang.t("common.cancel")}</A>
                </p>
            </ActionForm>
        }
    })
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    with_user(key!("users.reset_password"), |user, _| {
        let reset = ServerAction::<ResetUserPassword>::new();
        let errors = FormErrors::from_action(reset);
        let lang = use_lang();
        view! {
            <h1>{lang.t("user_reset.heading")}" " <span class="mono">{user.login_id.clone()}</span></h1>
            <p>{lang.tf("user_reset.text", &[("login", &user.login)])}</p>
            <ActionForm action=reset attr:class="form">
                <FormAlert message=errors.any() />
                <input type="hidden" name="login" value=user.login.clone() />
                <p class="actions">
                    <button type="submit">{lang.t("users.reset_password")}</button>
                    <A href="/users">{lang.t("common.cancel")}</A>
                </p>
            </ActionForm>
        }
    })
}
