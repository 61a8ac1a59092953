//! Logging in: the account ID (or `account/login`) and password, then the code for users with
//! two-factor authentication.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::auth_fns::{Login, LoginCode};
use crate::api::passkey_fns::{
    login_key, login_key_options, passkey_login, passkey_login_options, second_step_methods,
};
use crate::components::form_action::FormAction;
use crate::components::form_errors::{FormAlert, FormErrors};
use crate::components::hydration::is_hydrated;
use crate::components::standalone_page::StandalonePage;
use crate::components::text_field::TextField;
use crate::components::webauthn;
use crate::error::AppError;
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
            <PasskeySignIn />
            <p class="aside"><A href="/login/forgot">{lang.t("login.forgot")}</A></p>
            <p class="aside">{lang.t("login.no_account")}" " <A href="/signup">{lang.t("login.create_account")}</A></p>
        </StandalonePage>
    }
}

/// The second step for users with two-factor authentication: a code, or their security key.
#[component]
pub fn LoginCodePage() -> impl IntoView {
    let verify = ServerAction::<LoginCode>::new();
    let methods = Resource::new(|| (), |_| second_step_methods());
    let lang = use_lang();
    view! {
        <StandalonePage title=lang.t("login.code.title")>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    methods.await.ok().filter(|m| m.key).map(|m| view! { <KeyStep required=m.key_required /> })
                })}
            </Suspense>
            <LoginStepForm action=verify>
                <TextField id="code" label=lang.t("field.code") autocomplete="one-time-code"
                    hint=lang.t("login.code.hint") required=true />
                <button type="submit">{lang.t("login.code.submit")}</button>
            </LoginStepForm>
            <p class="aside"><A href="/login">{lang.t("login.code.restart")}</A></p>
        </StandalonePage>
    }
}

/// "Use your security key" on the code page, for a user who has one.
#[component]
fn KeyStep(required: bool) -> impl IntoView {
    let lang = use_lang();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let errors = FormErrors(error.into());
    let hydrated = is_hydrated();
    let next = next_page();
    let click = move |_| {
        let next = next.clone();
        webauthn::run(busy, error, async move {
            let options = login_key_options().await?;
            let credential = webauthn::get(&options).await.map_err(|f| f.error())?;
            login_key(credential, next).await
        });
    };
    view! {
        <div class="form key-step">
            {required.then(|| view! { <p class="notice">{lang.t("login.code.key_required_notice")}</p> })}
            <FormAlert message=errors.any() />
            <p class="hint" hidden=hydrated>{lang.t("login.key.needs_javascript")}</p>
            <button type="button" on:click=click disabled=move || !hydrated() || busy.get() aria-busy=move || busy.get().to_string()>
                {move || if busy.get() { lang.t("security.keys.waiting") } else { lang.t("login.key.use") }}
            </button>
            <p class="separator">{lang.t("login.code.or")}</p>
        </div>
    }
}

/// "Sign in with a passkey": the login field's account ID or login (if any), then the passkey.
#[component]
fn PasskeySignIn() -> impl IntoView {
    let lang = use_lang();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let errors = FormErrors(error.into());
    let hydrated = is_hydrated();
    let next = next_page();
    let click = move |_| {
        let next = next.clone();
        let account_id = webauthn::field_value("account_id");
        webauthn::run(busy, error, async move {
            let options = passkey_login_options().await?;
            let credential = webauthn::get(&options).await.map_err(|f| f.error())?;
            passkey_login(account_id, credential, next).await
        });
    };
    view! {
        <div class="form passkey-sign-in">
            <p class="separator">{lang.t("login.code.or")}</p>
            <FormAlert message=errors.any() />
            <p class="hint" hidden=hydrated>{lang.t("login.passkey.needs_javascript")}</p>
            <button type="button" class="secondary" on:click=click disabled=move || !hydrated() || busy.get() aria-busy=move || busy.get().to_string()>
                {move || if busy.get() { lang.t("security.keys.waiting") } else { lang.t("login.passkey.use") }}
            </button>
            <p class="hint">{lang.t("login.passkey.hint")}</p>
        </div>
    }
}

/// The page to go back to after logging in (`?next=`, when it is a path on this site).
fn next_page() -> Option<String> {
    use_query_map().with_untracked(|q| {
        q.get("next")
            .and_then(|n| crate::domain::navigation::local_path(&n).map(str::to_owned))
    })
}

/// A step of logging in: its error, and the page to go back to afterwards (from `?next=`, when
/// it is a path on this site), carried to the next step.
#[component]
fn LoginStepForm<A: FormAction>(action: ServerAction<A>, children: Children) -> impl IntoView {
    let errors = FormErrors::from_action(action);
    let next = next_page();
    view! {
        <ActionForm action attr:class="form">
            <FormAlert message=errors.any() />
            {next.map(|next| view! { <input type="hidden" name="next" value=next /> })}
            {children()}
        </ActionForm>
    }
}
