//! One user: edit, and the confirmations before resetting a password or removing.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::users::{
    GroupView, RemoveUser, ResetUserPassword, UpdateUser, UserView, get_user, list_groups,
};
use crate::components::form::{ErrorMessage, FormAlert, FormErrors, GroupSelect, TextField};

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
    view! {
        <Title text=title />
        <p class="breadcrumb"><A href="/users">"User management"</A></p>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
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
        "Edit user",
        |user, groups| view! { <EditForm user groups /> },
    )
}

#[component]
fn EditForm(user: UserView, groups: Vec<GroupView>) -> impl IntoView {
    let update = ServerAction::<UpdateUser>::new();
    let errors = FormErrors::from_action(update);
    view! {
        <h1>"Edit " <span class="mono">{user.login_id.clone()}</span></h1>
        <ActionForm action=update attr:class="form wide">
            <FormAlert message=errors.form() />
            <input type="hidden" name="login" value=user.login.clone() />
            <TextField id="email" label="Email" input_type="email" required=true initial=user.email.clone() error=errors.field("email") />
            <GroupSelect id="group" groups selected=user.group.clone() error=errors.field("group") />
            {user.is_me.then(|| view! { <p class="hint">"You cannot change your own privilege."</p> })}
            <TextField id="description" label="Description" maxlength=255 initial=user.description.clone() error=errors.field("description") />
            <p class="hint">"Changing the privilege ends this user's sessions: they log in again with the new rights."</p>
            <p class="actions">
                <button type="submit">"Save"</button>
                <A href="/users">"Cancel"</A>
            </p>
        </ActionForm>
    }
}

#[component]
pub fn RemoveUserPage() -> impl IntoView {
    with_user("Remove user", |user, _| {
        let remove = ServerAction::<RemoveUser>::new();
        let errors = FormErrors::from_action(remove);
        view! {
            <h1>"Remove " <span class="mono">{user.login_id.clone()}</span> "?"</h1>
            <p class="alert">
                "Removing " <strong>{user.login.clone()}</strong> " (" {user.email.clone()}
                ") is final: their login stops working at once and cannot be restored."
            </p>
            <ActionForm action=remove attr:class="form">
                <FormAlert message=errors.any() />
                <input type="hidden" name="login" value=user.login.clone() />
                <p class="actions">
                    <button type="submit" class="danger">{format!("Remove {}", user.login)}</button>
                    <A href="/users">"Cancel"</A>
                </p>
            </ActionForm>
        }
    })
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    with_user("Reset password", |user, _| {
        let reset = ServerAction::<ResetUserPassword>::new();
        let errors = FormErrors::from_action(reset);
        view! {
            <h1>"Reset the password of " <span class="mono">{user.login_id.clone()}</span></h1>
            <p>
                "A temporary password is generated and shown to you once. " <strong>{user.login.clone()}</strong>
                "'s sessions end now, and they must choose a new password when they next log in."
            </p>
            <ActionForm action=reset attr:class="form">
                <FormAlert message=errors.any() />
                <input type="hidden" name="login" value=user.login.clone() />
                <p class="actions">
                    <button type="submit">"Reset password"</button>
                    <A href="/users">"Cancel"</A>
                </p>
            </ActionForm>
        }
    })
}
