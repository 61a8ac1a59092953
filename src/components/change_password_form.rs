//! Choosing a new password: on the Security page, and the only thing a user with a temporary
//! password can do until they have chosen one.

use leptos::prelude::*;

use super::form_errors::{FormAlert, FormErrors};
use super::new_password_field::NewPasswordField;
use super::text_field::TextField;
use crate::api::user_fns::ChangePassword;
use crate::i18n::use_lang;

#[component]
pub fn ChangePasswordForm(
    /// Words the password must not contain (login, e-mail, account ID).
    #[prop(into)]
    context: String,
    /// The button's text (a catalogue key); "Change password" by default.
    #[prop(optional)]
    submit: Option<&'static str>,
) -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let errors = FormErrors::from_action(change);
    let context = Signal::stored(context);
    let lang = use_lang();
    let submit = lang.t(submit.unwrap_or("password.change.submit"));
    view! {
        <ActionForm action=change attr:class="form">
            <FormAlert message=errors.form() />
            <TextField id="current_password" label=lang.t("password.current") input_type="password"
                autocomplete="current-password" required=true error=errors.field("current_password") />
            <NewPasswordField id="new_password" label=lang.t("password.new") context error=errors.field("new_password") />
            <TextField id="confirm_password" label=lang.t("password.confirm") input_type="password"
                autocomplete="new-password" required=true error=errors.field("confirm_password") />
            <button type="submit">{submit}</button>
        </ActionForm>
    }
}
