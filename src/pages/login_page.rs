//! Logging in: the account ID (or `account/login`) and password, then the code for users with
//! two-factor authentication.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::auth_fns::{Login, LoginCode};
use crate::components::form_action::FormAction;
use crate::components::form_errors::{FormAlert, FormErrors};
use crate::components::standalone_page::StandalonePage;
use crate::components::text_field::TextField;
use crate::i18n::use_lang;

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let lang = use_lang();
    let reset = use_query_map().with_untracked(|q| q.get("reset").is_some());
    view! {
        <StandalonePage title=lang.t("login.title") heading=lang.t("login.heading") language_switch=true>
            {reset.then(|| view! { <p class="notice" role="status">{lang.t("recovery.done")}</p> })}
            <LoginStepForm action=login>
                <TextField id="account_id" label=lang.t("field.account_id") autocomplete="username"
                    hint=lang.t("login.account_id_hint") required=true />
                <TextField id="password" label=lang.t("field.password") input_type="password"
                    autocomplete="current-password" required=true />
                <button type="submit">{lang.t("login.submit")}</button>
            </LoginStepForm>
            <p class="aside"><A href="/login/forgot">{lang.t("login.forgot")}</A></p>
            <p class="aside">{lang.t("login.no_account")}" " <A href="/signup">{lang.t("login.create_account")}</A></p>
        </StandalonePage>
    }
}

/// The second step for users with two-factor authentication.
#[component]
pub fn LoginCodePage() -> impl IntoView {
    let verify = ServerAction::<LoginCode>::new();
    let lang = use_lang();
    view! {
        <StandalonePage title=lang.t("login.code.title")>
            <LoginStepForm action=verify>
                <TextField id="code" label=lang.t("field.code") autocomplete="one-time-code"
                    hint=lang.t("login.code.hint") required=true />
                <button type="submit">{lang.t("login.code.submit")}</button>
            </LoginStepForm>
            <p class="aside"><A href="/login">{lang.t("login.code.restart")}</A></p>
        </StandalonePage>
    }
}

/// A step of logging in: its error, and the page to go back to afterwards (from `?next=`, when
/// it is a path on this site), carried to the next step.
#[component]
fn LoginStepForm<A: FormAction>(action: ServerAction<A>, children: Children) -> impl IntoView {
    let errors = FormErrors::from_action(action);
    let next = use_query_map().with_untracked(|q| {
        q.get("next")
            .and_then(|n| crate::domain::navigation::local_path(&n).map(str::to_owned))
    });
    view! {
        <ActionForm action attr:class="form">
            <FormAlert message=errors.any() />
            {next.map(|next| view! { <input type="hidden" name="next" value=next /> })}
            {children()}
        </ActionForm>
    }
}
