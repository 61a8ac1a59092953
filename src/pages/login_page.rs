use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::auth_fns::{Login, LoginCode};
use crate::components::form::{FormAlert, FormErrors, TextField};
use crate::components::language_switch::LanguageSwitch;
use crate::i18n::use_lang;

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let errors = FormErrors::from_action(login);
    let next = next_param();
    let lang = use_lang();
    view! {
        <Title text=lang.t("login.title") />
        <main id="main" class="narrow">
            <LanguageSwitch />
            <h1>{lang.t("login.heading")}</h1>
            <ActionForm action=login attr:class="form">
                <FormAlert message=errors.any() />
                {next.map(|next| view! { <input type="hidden" name="next" value=next /> })}
                <TextField
                    id="account_id"
                    label=lang.t("field.account_id")
                    autocomplete="username"
                    hint=lang.t("login.account_id_hint")
                    required=true
                />
                <TextField
                    id="password"
                    label=lang.t("field.password")
                    input_type="password"
                    autocomplete="current-password"
                    required=true
                />
                <button type="submit">{lang.t("login.submit")}</button>
            </ActionForm>
            <p class="aside">{lang.t("login.no_account")}" " <A href="/signup">{lang.t("login.create_account")}</A></p>
        </main>
    }
}

/// The second step for users with two-factor authentication.
#[component]
pub fn LoginCodePage() -> impl IntoView {
    let verify = ServerAction::<LoginCode>::new();
    let errors = FormErrors::from_action(verify);
    let next = next_param();
    let lang = use_lang();
    view! {
        <Title text=lang.t("login.code.title") />
        <main id="main" class="narrow">
            <h1>{lang.t("login.code.title")}</h1>
            <ActionForm action=verify attr:class="form">
                <FormAlert message=errors.any() />
                {next.map(|next| view! { <input type="hidden" name="next" value=next /> })}
                <TextField
                    id="code"
                    label=lang.t("field.code")
                    autocomplete="one-time-code"
                    hint=lang.t("login.code.hint")
                    required=true
                />
                <button type="submit">{lang.t("login.code.submit")}</button>
            </ActionForm>
            <p class="aside"><A href="/login">{lang.t("login.code.restart")}</A></p>
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
