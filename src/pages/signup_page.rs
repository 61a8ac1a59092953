//! Signing up: a new account, its company, e-mail and password, when sign-up is open.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::auth_fns::{Signup, signup_open};
use crate::components::async_content::AsyncContent;
use crate::components::form_errors::{FormAlert, FormErrors};
use crate::components::new_password_field::NewPasswordField;
use crate::components::standalone_page::StandalonePage;
use crate::components::text_field::TextField;
use crate::i18n::use_lang;

#[component]
pub fn SignupPage() -> impl IntoView {
    let open = Resource::new(|| (), |_| signup_open());
    let lang = use_lang();
    view! {
        <StandalonePage title=lang.t("signup.title") heading=lang.t("signup.heading") language_switch=true>
            <AsyncContent resource=open let:open>
                {if open {
                    view! { <SignupForm /> }.into_any()
                } else {
                    view! { <p class="notice">{lang.t("signup.closed")}</p> }.into_any()
                }}
            </AsyncContent>
            <p class="aside">{lang.t("signup.have_account")}" " <A href="/login">{lang.t("login.submit")}</A></p>
        </StandalonePage>
    }
}

#[component]
fn SignupForm() -> impl IntoView {
    let signup = ServerAction::<Signup>::new();
    let errors = FormErrors::from_action(signup);
    let company = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let context = Signal::derive(move || format!("{} {}", company.get(), email.get()));
    let lang = use_lang();
    view! {
        <ActionForm action=signup attr:class="form">
            <FormAlert message=errors.form() />
            <p class="intro">{lang.t("signup.intro")}</p>
            <TextField id="company" label=lang.t("field.company") autocomplete="organization" maxlength=100 required=true
                error=errors.field("company") on_input=move |v: String| company.set(v) />
            <TextField id="email" label=lang.t("field.email") input_type="email" autocomplete="email" required=true
                error=errors.field("email") on_input=move |v: String| email.set(v) />
            <NewPasswordField id="password" label=lang.t("field.password") context error=errors.field("password") />
            <button type="submit">{lang.t("signup.submit")}</button>
        </ActionForm>
    }
}
