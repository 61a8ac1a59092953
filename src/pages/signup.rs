use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::auth::{Signup, signup_open};
use crate::components::form::{ErrorMessage, FormAlert, FormErrors, TextField};
use crate::components::password::NewPasswordField;

#[component]
pub fn SignupPage() -> impl IntoView {
    let open = Resource::new(|| (), |_| signup_open());
    view! {
        <Title text="Create an account" />
        <main id="main" class="narrow">
            <h1>"Create a Steward account"</h1>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match open.await {
                        Ok(true) => view! { <SignupForm /> }.into_any(),
                        Ok(false) => view! {
                            <p class="notice">
                                "Sign-up is closed on this server. Ask its administrator for an account."
                            </p>
                        }
                        .into_any(),
                        Err(e) => view! { <ErrorMessage error=e /> }.into_any(),
                    }
                })}
            </Suspense>
            <p class="aside">"Already have an account? " <A href="/login">"Log in"</A></p>
        </main>
    }
}

#[component]
fn SignupForm() -> impl IntoView {
    let signup = ServerAction::<Signup>::new();
    let errors = FormErrors::from_action(signup);
    let company = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let context = Signal::derive(move || format!("{} {}", company.get(), email.get()));
    view! {
        <ActionForm action=signup attr:class="form">
            <FormAlert message=errors.form() />
            <p class="intro">
                "You become the account holder: always an administrator, with an account ID to log in with."
            </p>
            <TextField
                id="company"
                label="Company"
                autocomplete="organization"
                maxlength=100
                required=true
                error=errors.field("company")
                on_input=move |v: String| company.set(v)
            />
            <TextField
                id="email"
                label="Email"
                input_type="email"
                autocomplete="email"
                required=true
                error=errors.field("email")
                on_input=move |v: String| email.set(v)
            />
            <NewPasswordField id="password" label="Password" context error=errors.field("password") />
            <button type="submit">"Create account"</button>
        </ActionForm>
    }
}
