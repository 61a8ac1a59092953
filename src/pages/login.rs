use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::auth::{Login, LoginCode};
use crate::components::form::{FormAlert, FormErrors, TextField};

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let errors = FormErrors::from_action(login);
    let next = next_param();
    view! {
        <Title text="Log in" />
        <main id="main" class="narrow">
            <h1>"Log in to Steward"</h1>
            <ActionForm action=login attr:class="form">
                <FormAlert message=errors.any() />
                {next.map(|next| view! { <input type="hidden" name="next" value=next /> })}
                <TextField
                    id="account_id"
                    label="Account ID"
                    autocomplete="username"
                    hint="The account holder enters the account ID (1234-567-89); users enter ACCOUNT-ID/login (1234-567-89/john.smith)."
                    required=true
                />
                <TextField
                    id="password"
                    label="Password"
                    input_type="password"
                    autocomplete="current-password"
                    required=true
                />
                <button type="submit">"Log in"</button>
            </ActionForm>
            <p class="aside">"No account yet? " <A href="/signup">"Create an account"</A></p>
        </main>
    }
}

/// The second step for users with two-factor authentication.
#[component]
pub fn LoginCodePage() -> impl IntoView {
    let verify = ServerAction::<LoginCode>::new();
    let errors = FormErrors::from_action(verify);
    let next = next_param();
    view! {
        <Title text="Two-factor authentication" />
        <main id="main" class="narrow">
            <h1>"Two-factor authentication"</h1>
            <ActionForm action=verify attr:class="form">
                <FormAlert message=errors.any() />
                {next.map(|next| view! { <input type="hidden" name="next" value=next /> })}
                <TextField
                    id="code"
                    label="Code"
                    autocomplete="one-time-code"
                    hint="The 6-digit code from your authenticator app, or one of your recovery codes."
                    required=true
                />
                <button type="submit">"Verify"</button>
            </ActionForm>
            <p class="aside"><A href="/login">"Start again"</A></p>
        </main>
    }
}

/// The page to go back to after logging in, from `?next=`, when it is a path on this site.
fn next_param() -> Option<String> {
    use_query_map().with_untracked(|q| {
        q.get("next")
            .and_then(|n| crate::domain::navigation::local_path(&n).map(str::to_owned))
    })
}
