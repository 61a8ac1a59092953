//! Choosing a new password: on the Security page, and the only thing a user with a temporary
//! password can do until they have chosen one.

use leptos::prelude::*;

use super::form::{FormAlert, FormErrors, TextField};
use super::password::NewPasswordField;
use super::shell::CurrentUser;
use crate::api::users::ChangePassword;

#[component]
pub fn ChangePasswordForm(
    /// Words the password must not contain (login, e-mail, account ID).
    #[prop(into)]
    context: String,
    /// The button's text.
    #[prop(default = "Change password")]
    submit: &'static str,
    /// Shown by the shell because a new password is required: afterwards the shell must ask
    /// again who is logged in.
    #[prop(optional)]
    refresh_shell: bool,
) -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let errors = FormErrors::from_action(change);
    let shell = use_context::<CurrentUser>().filter(|_| refresh_shell);
    Effect::new(move |_| {
        if let (Some(Ok(())), Some(shell)) = (change.value().get(), shell) {
            shell.0.refetch();
        }
    });
    let context = Signal::stored(context);
    view! {
        <ActionForm action=change attr:class="form">
            <FormAlert message=errors.form() />
            <TextField
                id="current_password"
                label="Current password"
                input_type="password"
                autocomplete="current-password"
                required=true
                error=errors.field("current_password")
            />
            <NewPasswordField id="new_password" label="New password" context error=errors.field("new_password") />
            <TextField
                id="confirm_password"
                label="Confirm the new password"
                input_type="password"
                autocomplete="new-password"
                required=true
                error=errors.field("confirm_password")
            />
            <button type="submit">{submit}</button>
        </ActionForm>
    }
}
