//! One user: edit, and the confirmations before resetting a password or removing.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::user_fns::{
    GroupView, RemoveUser, ResetUserPassword, UpdateUser, UserView, get_user, list_groups,
};
use crate::api::validity_fns::SetUserValidity;
use crate::components::async_content::AsyncContent;
use crate::components::breadcrumb::Breadcrumb;
use crate::components::card::Card;
use crate::components::form_action::FormAction;
use crate::components::form_errors::{FormAlert, FormErrors};
use crate::components::select_field::GroupSelect;
use crate::components::text_field::TextField;
use crate::i18n::{iso_date, use_lang};
use crate::key;

/// Loads the user named in the address and renders `body` with them, or the error.
fn with_user<V: IntoView + 'static>(
    title: &'static str,
    body: impl Fn(UserView) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let params = use_params_map();
    let login = Memo::new(move |_| params.with(|p| p.get("login").unwrap_or_default()));
    let user = Resource::new(move || login.get(), get_user);
    let lang = use_lang();
    let title = lang.t(title);
    view! {
        <Title text=title />
        <Breadcrumb href="/users" text=lang.t("nav.users") />
        <AsyncContent resource=user error_heading=title children=body />
    }
}

#[component]
pub fn EditUserPage() -> impl IntoView {
    let title = key!("user_edit.title");
    let heading = use_lang().t(title);
    let groups = Resource::new(|| (), |_| list_groups());
    with_user(title, move |user| {
        let validity = (!user.is_me).then(|| view! { <ValidityForm user=user.clone() /> });
        view! {
            <AsyncContent resource=groups error_heading=heading let:groups>
                <EditForm user=user.clone() groups />
            </AsyncContent>
            {validity}
        }
    })
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

/// "Sign-in dates": the first and last day (UTC) the user may sign in; empty for no bound.
#[component]
fn ValidityForm(user: UserView) -> impl IntoView {
    let save = ServerAction::<SetUserValidity>::new();
    let errors = FormErrors::from_action(save);
    let lang = use_lang();
    let from = user.valid_from.map(iso_date).unwrap_or_default();
    // Stored as the end of the last day: shown as that day.
    let until = user
        .valid_until
        .map(|end| iso_date(end - 86_400))
        .unwrap_or_default();
    view! {
        <Card heading_id="validity-heading" title=lang.t("validity.heading")>
            <p class="hint">{lang.t("validity.hint")}</p>
            {user.expired.then(|| view! { <p class="notice" role="status">{lang.t("validity.expired")}</p> })}
            <ActionForm action=save attr:class="form">
                <FormAlert message=errors.form() />
                <input type="hidden" name="login" value=user.login.clone() />
                <TextField id="valid_from" label=lang.t("validity.from") input_type="date" initial=from
                    error=errors.field("valid_from") />
                <TextField id="valid_until" label=lang.t("validity.until") input_type="date" initial=until
                    error=errors.field("valid_until") />
                <p class="actions"><button type="submit">{lang.t("validity.save")}</button></p>
            </ActionForm>
        </Card>
    }
}

#[component]
pub fn RemoveUserPage() -> impl IntoView {
    with_user(key!("user_remove.title"), |user| {
        let lang = use_lang();
        let warning = lang.tf(
            "user_remove.warning",
            &[("login", &user.login), ("email", &user.email)],
        );
        view! {
            <h1>{lang.tf("user_remove.heading", &[("login", &user.login_id)])}</h1>
            <p class="alert">{warning}</p>
            <ConfirmUserAction action={ServerAction::<RemoveUser>::new()} login=user.login.clone() danger=true
                submit=lang.tf("user_remove.submit", &[("login", &user.login)]) />
        }
    })
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    with_user(key!("users.reset_password"), |user| {
        let lang = use_lang();
        view! {
            <h1>{lang.t("user_reset.heading")}" " <span class="mono">{user.login_id.clone()}</span></h1>
            <p>{lang.tf("user_reset.text", &[("login", &user.login)])}</p>
            <ConfirmUserAction action={ServerAction::<ResetUserPassword>::new()} login=user.login.clone()
                submit=lang.t("users.reset_password") />
        }
    })
}

/// The button that confirms `action` on the user (it posts their login), and the way back.
#[component]
fn ConfirmUserAction<A: FormAction>(
    action: ServerAction<A>,
    login: String,
    #[prop(into)] submit: String,
    #[prop(optional)] danger: bool,
) -> impl IntoView {
    let errors = FormErrors::from_action(action);
    let lang = use_lang();
    view! {
        <ActionForm action attr:class="form">
            <FormAlert message=errors.any() />
            <input type="hidden" name="login" value=login />
            <p class="actions">
                <button type="submit" class=danger.then_some("danger")>{submit}</button>
                <A href="/users">{lang.t("common.cancel")}</A>
            </p>
        </ActionForm>
    }
}
