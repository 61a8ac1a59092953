//! "Security": the caller's own password and two-factor authentication.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::security_fns::{
    BeginTwoFactor, ConfirmTwoFactor, DisableTwoFactor, EndOtherSessions, EndSession,
    EnrolmentView, NewRecoveryCodes, SetTwoFactorPolicy, TwoFactorView, list_sessions,
    two_factor_status,
};
use crate::components::app_shell::CurrentUser;
use crate::components::change_password_form::ChangePasswordForm;
use crate::components::copy_button::CopyButton;
use crate::components::form::{ErrorMessage, FormAlert, FormErrors, TextField};
use crate::i18n::use_lang;

#[component]
pub fn SecurityPage() -> impl IntoView {
    let current = expect_context::<CurrentUser>().0;
    let lang = use_lang();
    view! {
        <Title text=lang.t("nav.security") />
        <h1>{lang.t("nav.security")}</h1>
        <TwoFactorSection />
        <section class="card" aria-labelledby="password-heading">
            <h2 id="password-heading">{lang.t("password.change.submit")}</h2>
            <p class="hint">{lang.t("security.password_hint")}</p>
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
        <SessionsSection />
    }
}

/// The password and current code that every change to two-factor authentication asks for;
/// `ids` keeps the fields of several forms on the page apart.
fn password_and_code(errors: FormErrors, ids: (&'static str, &'static str)) -> impl IntoView {
    let lang = use_lang();
    view! {
        <TextField id=ids.0 name="password" label=lang.t("field.password") input_type="password" autocomplete="current-password" required=true error=errors.field("password") />
        <TextField id=ids.1 name="code" label=lang.t("field.code") autocomplete="one-time-code" hint=lang.t("security.code_hint") required=true error=errors.field("code") />
    }
}

/// Two-factor authentication: enrolment, or disabling and new recovery codes once on, and the
/// account's policy for Administrators. Also the page a user whom the policy requires to enrol
/// is sent to.
#[component]
pub fn TwoFactorSection() -> impl IntoView {
    let begin = ServerAction::<BeginTwoFactor>::new();
    let disable = ServerAction::<DisableTwoFactor>::new();
    let policy = ServerAction::<SetTwoFactorPolicy>::new();
    let status = Resource::new(
        move || {
            (
                begin.version().get(),
                disable.version().get(),
                policy.version().get(),
            )
        },
        |_| two_factor_status(),
    );
    let begin_errors = FormErrors::from_action(begin);
    let disable_errors = FormErrors::from_action(disable);
    let lang = use_lang();
    view! {
        <section class="card" id="two-factor" aria-labelledby="two-factor-heading">
            <h2 id="two-factor-heading">{lang.t("login.code.title")}</h2>
            <Suspense fallback=move || view! { <p class="loading">{lang.t("common.loading")}</p> }>
                {move || Suspend::new(async move {
                    let s = match status.await {
                        Ok(s) => s,
                        Err(e) => return view! { <ErrorMessage error=e /> }.into_any(),
                    };
                    let policy_form = s.can_set_policy.then(|| view! { <PolicyForm status=s.clone() action=policy /> });
                    let body = if s.enabled {
                        view! {
                            <p><strong>{lang.t("security.on")}</strong>" " {lang.tf("security.on_text", &[("n", &lang.number(s.recovery_codes_left))])}</p>
                            <div class="two-columns">
                                <ActionForm action=disable attr:class="form">
                                    <h3>{lang.t("security.disable")}</h3>
                                    <FormAlert message=disable_errors.form() />
                                    {password_and_code(disable_errors, ("disable-password", "disable-code"))}
                                    <button type="submit" class="danger">{lang.t("security.disable")}</button>
                                </ActionForm>
                                <NewCodesForm />
                            </div>
                        }
                        .into_any()
                    } else if let Some(enrolment) = s.pending {
                        view! { <Enrol enrolment /> }.into_any()
                    } else {
                        view! {
                            <p>{lang.t("security.off_text")}</p>
                            <ActionForm action=begin>
                                <FormAlert message=begin_errors.any() />
                                <button type="submit">{lang.t("security.enable")}</button>
                            </ActionForm>
                        }
                        .into_any()
                    };
                    view! { {body} {policy_form} }.into_any()
                })}
            </Suspense>
        </section>
    }
}

/// Who in the account must use two-factor authentication (Administrators only).
#[component]
fn PolicyForm(status: TwoFactorView, action: ServerAction<SetTwoFactorPolicy>) -> impl IntoView {
    let errors = FormErrors::from_action(action);
    let lang = use_lang();
    view! {
        <ActionForm action=action attr:class="form policy">
            <h3>{lang.t("security.policy")}</h3>
            <FormAlert message=errors.any() />
            <div class="checkbox">
                <input id="policy-administrators" name="administrators" type="checkbox" value="on" checked=status.policy.administrators />
                <label for="policy-administrators">{lang.t("security.policy.admins")}</label>
            </div>
            <div class="checkbox">
                <input id="policy-everyone" name="everyone" type="checkbox" value="on" checked=status.policy.everyone />
                <label for="policy-everyone">{lang.t("security.policy.everyone")}</label>
            </div>
            <p class="hint">{lang.t("security.policy.hint")}</p>
            <button type="submit" class="secondary">{lang.t("security.policy.save")}</button>
        </ActionForm>
    }
}

#[component]
fn Enrol(enrolment: EnrolmentView) -> impl IntoView {
    let confirm = ServerAction::<ConfirmTwoFactor>::new();
    let errors = FormErrors::from_action(confirm);
    let key = enrolment.key.clone();
    let lang = use_lang();
    view! {
        <ol class="steps">
            <li>
                {lang.t("security.enrol.scan")}
                <div class="qr" inner_html=enrolment.qr_svg></div>
            </li>
            <li>
                {lang.t("security.enrol.type_key")}" "
                <span class="mono key" data-testid="totp-key">{enrolment.key}</span>
                " "
                <CopyButton value=key label=lang.t("security.enrol.copy_key") />
                <details>
                    <summary>{lang.t("security.enrol.link")}</summary>
                    <p class="mono uri">{enrolment.uri}</p>
                </details>
            </li>
            <li>
                {lang.t("security.enrol.confirm")}
                <ActionForm action=confirm attr:class="form">
                    <FormAlert message=errors.form() />
                    {password_and_code(errors, ("enrol-password", "enrol-code"))}
                    <button type="submit">{lang.t("security.enrol.submit")}</button>
                </ActionForm>
            </li>
        </ol>
    }
}

#[component]
fn NewCodesForm() -> impl IntoView {
    let renew = ServerAction::<NewRecoveryCodes>::new();
    let errors = FormErrors::from_action(renew);
    let lang = use_lang();
    view! {
        <ActionForm action=renew attr:class="form">
            <h3>{lang.t("security.codes")}</h3>
            <p class="hint">{lang.t("security.codes_hint")}</p>
            <FormAlert message=errors.form() />
            {password_and_code(errors, ("renew-password", "renew-code"))}
            <button type="submit" class="secondary">{lang.t("security.codes")}</button>
        </ActionForm>
    }
}

/// The caller's sessions, this one marked, each with "End", and "End all other sessions".
#[component]
fn SessionsSection() -> impl IntoView {
    let end = ServerAction::<EndSession>::new();
    let end_others = ServerAction::<EndOtherSessions>::new();
    let sessions = Resource::new(
        move || (end.version().get(), end_others.version().get()),
        |_| list_sessions(),
    );
    let errors = FormErrors::from_action(end);
    let lang = use_lang();
    view! {
        <section class="card" aria-labelledby="sessions-heading">
            <h2 id="sessions-heading">{lang.t("security.sessions")}</h2>
            <p class="hint">{lang.t("security.sessions_hint")}</p>
            <FormAlert message=errors.any() />
            <Suspense fallback=move || view! { <p class="loading">{lang.t("common.loading")}</p> }>
                {move || Suspend::new(async move {
                    let sessions = match sessions.await {
                        Ok(sessions) => sessions,
                        Err(e) => return view! { <ErrorMessage error=e /> }.into_any(),
                    };
                    let others = sessions.iter().any(|s| !s.current);
                    let rows = sessions
                        .into_iter()
                        .map(|s| {
                            let label = lang.tf("security.end_label", &[("browser", &s.browser), ("ip", &s.ip)]);
                            view! {
                                <tr class:current=s.current>
                                    <td>{s.browser.clone()} {s.current.then(|| view! { <strong class="badge">" " {lang.t("security.this_session")}</strong> })}</td>
                                    <td class="mono">{s.ip.clone()}</td>
                                    <td>{lang.datetime(s.started)}</td>
                                    <td>{lang.datetime(s.last_seen)}</td>
                                    <td>
                                        {(!s.current).then(|| view! {
                                            <ActionForm action=end>
                                                <input type="hidden" name="id" value=s.id.clone() />
                                                <button type="submit" class="link" aria-label=label>{lang.t("security.end")}</button>
                                            </ActionForm>
                                        })}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view();
                    view! {
                        <div class="table-wrap">
                            <table class="sessions">
                                <thead>
                                    <tr>
                                        <th scope="col">{lang.t("security.browser")}</th>
                                        <th scope="col">{lang.t("security.ip")}</th>
                                        <th scope="col">{lang.t("security.started")}</th>
                                        <th scope="col">{lang.t("security.last_seen")}</th>
                                        <th scope="col"><span class="visually-hidden">{lang.t("common.actions")}</span></th>
                                    </tr>
                                </thead>
                                <tbody>{rows}</tbody>
                            </table>
                        </div>
                        {others.then(|| view! {
                            <ActionForm action=end_others>
                                <button type="submit" class="secondary">{lang.t("security.end_others")}</button>
                            </ActionForm>
                        })}
                    }
                    .into_any()
                })}
            </Suspense>
        </section>
    }
}
