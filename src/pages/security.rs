//! "Security": the caller's own password and two-factor authentication.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::security::{
    BeginTwoFactor, ConfirmTwoFactor, DisableTwoFactor, EnrolmentView, NewRecoveryCodes,
    two_factor_status,
};
use crate::components::change_password::ChangePasswordForm;
use crate::components::copy::CopyButton;
use crate::components::form::{ErrorMessage, FormAlert, FormErrors, TextField};
use crate::components::shell::CurrentUser;

#[component]
pub fn SecurityPage() -> impl IntoView {
    let current = expect_context::<CurrentUser>().0;
    view! {
        <Title text="Security" />
        <h1>"Security"</h1>
        <TwoFactorSection />
        <section class="card" aria-labelledby="password-heading">
            <h2 id="password-heading">"Change password"</h2>
            <p class="hint">"Your other sessions end; this one continues."</p>
            <Suspense>
                {move || Suspend::new(async move {
                    current
                        .await
                        .ok()
                        .flatten()
                        .map(|me| view! { <ChangePasswordForm context=format!("{} {}", me.login_id, me.email) /> })
                })}
            </Suspense>
        </section>
        <p class="notice">"Coming soon: the list of your active sessions, with a way to end each of them."</p>
    }
}

/// The password and current code that every change to two-factor authentication asks for;
/// `ids` keeps the fields of several forms on the page apart.
fn password_and_code(errors: FormErrors, ids: (&'static str, &'static str)) -> impl IntoView {
    view! {
        <TextField id=ids.0 name="password" label="Password" input_type="password" autocomplete="current-password" required=true error=errors.field("password") />
        <TextField id=ids.1 name="code" label="Code" autocomplete="one-time-code" hint="The current 6-digit code from your authenticator app." required=true error=errors.field("code") />
    }
}

#[component]
fn TwoFactorSection() -> impl IntoView {
    let begin = ServerAction::<BeginTwoFactor>::new();
    let disable = ServerAction::<DisableTwoFactor>::new();
    let status = Resource::new(
        move || (begin.version().get(), disable.version().get()),
        |_| two_factor_status(),
    );
    let begin_errors = FormErrors::from_action(begin);
    let disable_errors = FormErrors::from_action(disable);
    view! {
        <section class="card" id="two-factor" aria-labelledby="two-factor-heading">
            <h2 id="two-factor-heading">"Two-factor authentication"</h2>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Err(e) => view! { <ErrorMessage error=e /> }.into_any(),
                        Ok(s) if s.enabled => view! {
                            <p><strong>"On."</strong> {format!(" Logging in asks for a code from your authenticator app. {} unused recovery codes left.", s.recovery_codes_left)}</p>
                            <div class="two-columns">
                                <ActionForm action=disable attr:class="form">
                                    <h3>"Disable two-factor authentication"</h3>
                                    <FormAlert message=disable_errors.form() />
                                    {password_and_code(disable_errors, ("disable-password", "disable-code"))}
                                    <button type="submit" class="danger">"Disable two-factor authentication"</button>
                                </ActionForm>
                                <NewCodesForm />
                            </div>
                        }
                        .into_any(),
                        Ok(s) => match s.pending {
                            Some(enrolment) => view! { <Enrol enrolment /> }.into_any(),
                            None => view! {
                                <p>"Off. With it on, logging in asks for a code from an authenticator app on your phone as well as your password."</p>
                                <ActionForm action=begin>
                                    <FormAlert message=begin_errors.any() />
                                    <button type="submit">"Enable two-factor authentication"</button>
                                </ActionForm>
                            }
                            .into_any(),
                        },
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Enrol(enrolment: EnrolmentView) -> impl IntoView {
    let confirm = ServerAction::<ConfirmTwoFactor>::new();
    let errors = FormErrors::from_action(confirm);
    let key = enrolment.key.clone();
    view! {
        <ol class="steps">
            <li>
                "Scan this QR code with your authenticator app."
                <div class="qr" inner_html=enrolment.qr_svg></div>
            </li>
            <li>
                "Or type this key into the app: "
                <span class="mono key" data-testid="totp-key">{enrolment.key}</span>
                " "
                <CopyButton value=key label="Copy key" />
                <details>
                    <summary>"The setup link"</summary>
                    <p class="mono uri">{enrolment.uri}</p>
                </details>
            </li>
            <li>
                "Confirm with the code the app shows, and your password."
                <ActionForm action=confirm attr:class="form">
                    <FormAlert message=errors.form() />
                    {password_and_code(errors, ("enrol-password", "enrol-code"))}
                    <button type="submit">"Turn on two-factor authentication"</button>
                </ActionForm>
            </li>
        </ol>
    }
}

#[component]
fn NewCodesForm() -> impl IntoView {
    let renew = ServerAction::<NewRecoveryCodes>::new();
    let errors = FormErrors::from_action(renew);
    view! {
        <ActionForm action=renew attr:class="form">
            <h3>"New recovery codes"</h3>
            <p class="hint">"Replaces all your recovery codes; the old ones stop working."</p>
            <FormAlert message=errors.form() />
            {password_and_code(errors, ("renew-password", "renew-code"))}
            <button type="submit" class="secondary">"New recovery codes"</button>
        </ActionForm>
    }
}
