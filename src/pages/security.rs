//! "Security": the caller's own password and two-factor authentication.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::security::{
    BeginTwoFactor, ConfirmTwoFactor, DisableTwoFactor, EndOtherSessions, EndSession,
    EnrolmentView, NewRecoveryCodes, SetTwoFactorPolicy, TwoFactorView, list_sessions,
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
        <SessionsSection />
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
    view! {
        <section class="card" id="two-factor" aria-labelledby="two-factor-heading">
            <h2 id="two-factor-heading">"Two-factor authentication"</h2>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let s = match status.await {
                        Ok(s) => s,
                        Err(e) => return view! { <ErrorMessage error=e /> }.into_any(),
                    };
                    let policy_form = s.can_set_policy.then(|| view! { <PolicyForm status=s.clone() action=policy /> });
                    let body = if s.enabled {
                        view! {
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
                        .into_any()
                    } else if let Some(enrolment) = s.pending {
                        view! { <Enrol enrolment /> }.into_any()
                    } else {
                        view! {
                            <p>"Off. With it on, logging in asks for a code from an authenticator app on your phone as well as your password."</p>
                            <ActionForm action=begin>
                                <FormAlert message=begin_errors.any() />
                                <button type="submit">"Enable two-factor authentication"</button>
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
    view! {
        <ActionForm action=action attr:class="form policy">
            <h3>"Account policy"</h3>
            <FormAlert message=errors.any() />
            <div class="checkbox">
                <input id="policy-administrators" name="administrators" type="checkbox" value="on" checked=status.policy.administrators />
                <label for="policy-administrators">"Require two-factor authentication for administrators"</label>
            </div>
            <div class="checkbox">
                <input id="policy-everyone" name="everyone" type="checkbox" value="on" checked=status.policy.everyone />
                <label for="policy-everyone">"Require two-factor authentication for all users"</label>
            </div>
            <p class="hint">"Users it applies to who have not set it up are taken to set it up right after they log in."</p>
            <button type="submit" class="secondary">"Save policy"</button>
        </ActionForm>
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
    view! {
        <section class="card" aria-labelledby="sessions-heading">
            <h2 id="sessions-heading">"Sessions"</h2>
            <p class="hint">"Where you are logged in. Ending a session logs that browser out at once."</p>
            <FormAlert message=errors.any() />
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let sessions = match sessions.await {
                        Ok(sessions) => sessions,
                        Err(e) => return view! { <ErrorMessage error=e /> }.into_any(),
                    };
                    let others = sessions.iter().any(|s| !s.current);
                    let rows = sessions
                        .into_iter()
                        .map(|s| {
                            let label = format!("End the session of {} from {}", s.browser, s.ip);
                            view! {
                                <tr class:current=s.current>
                                    <td>{s.browser.clone()} {s.current.then(|| view! { <strong class="badge">" This session"</strong> })}</td>
                                    <td class="mono">{s.ip.clone()}</td>
                                    <td>{s.started.clone()}</td>
                                    <td>{s.last_seen.clone()}</td>
                                    <td>
                                        {(!s.current).then(|| view! {
                                            <ActionForm action=end>
                                                <input type="hidden" name="id" value=s.id.clone() />
                                                <button type="submit" class="link" aria-label=label>"End"</button>
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
                                        <th scope="col">"Browser"</th>
                                        <th scope="col">"IP address"</th>
                                        <th scope="col">"Started"</th>
                                        <th scope="col">"Last seen"</th>
                                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                    </tr>
                                </thead>
                                <tbody>{rows}</tbody>
                            </table>
                        </div>
                        {others.then(|| view! {
                            <ActionForm action=end_others>
                                <button type="submit" class="secondary">"End all other sessions"</button>
                            </ActionForm>
                        })}
                    }
                    .into_any()
                })}
            </Suspense>
        </section>
    }
}
