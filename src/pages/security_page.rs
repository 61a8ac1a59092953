//! "Security": the caller's own password, two-factor authentication and sessions.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::email_fns::{SendEmailVerification, email_status};
use crate::api::security_fns::{EndOtherSessions, EndSession, SessionView, list_sessions};
use crate::api::validity_fns::{SetSignInPolicies, sign_in_policies};
use crate::components::app_shell::WithCurrentUser;
use crate::components::async_content::AsyncContent;
use crate::components::card::Card;
use crate::components::change_password_form::ChangePasswordForm;
use crate::components::data_table::DataTable;
use crate::components::form_errors::{FormAlert, FormErrors};
use crate::components::key_section::KeySection;
use crate::components::text_field::TextField;
use crate::components::two_factor_section::TwoFactorSection;
use crate::i18n::use_lang;

#[component]
pub fn SecurityPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Title text=lang.t("nav.security") />
        <h1>{lang.t("nav.security")}</h1>
        <TwoFactorSection />
        <KeySection />
        <Card heading_id="password-heading" title=lang.t("password.change.submit")>
            <p class="hint">{lang.t("security.password_hint")}</p>
            <WithCurrentUser let:me>
                <ChangePasswordForm context=format!("{} {}", me.login_id, me.email) />
            </WithCurrentUser>
        </Card>
        <EmailSection />
        <SessionsSection />
        <PoliciesSection />
    }
}

/// The account's sign-in policies (Administrators): inactive users disabled after some days,
/// temporary passwords that expire.
#[component]
fn PoliciesSection() -> impl IntoView {
    let save = ServerAction::<SetSignInPolicies>::new();
    let policies = Resource::new(move || save.version().get(), |_| sign_in_policies());
    let errors = FormErrors::from_action(save);
    let saved = move || save.value().with(|v| matches!(v, Some(Ok(()))));
    let lang = use_lang();
    let days = |n: Option<i32>| n.map(|n| n.to_string()).unwrap_or_default();
    view! {
        <AsyncContent resource=policies let:policies>
            {policies.can_set.then(|| view! {
                <Card heading_id="policies-heading" title=lang.t("policy.heading")>
                    <p class="hint">{lang.t("policy.hint")}</p>
                    {move || saved().then(|| view! { <p class="notice" role="status">{lang.t("policy.saved")}</p> })}
                    <ActionForm action=save attr:class="form">
                        <FormAlert message=errors.form() />
                        <TextField id="inactive_days" label=lang.t("policy.inactive_days") input_type="number"
                            initial=days(policies.inactive_days) hint=lang.t("policy.inactive_hint")
                            error=errors.field("inactive_days") />
                        <TextField id="temp_password_days" label=lang.t("policy.temp_password_days") input_type="number"
                            initial=days(policies.temp_password_days) hint=lang.t("policy.temp_password_hint")
                            error=errors.field("temp_password_days") />
                        <p class="actions"><button type="submit">{lang.t("policy.save")}</button></p>
                    </ActionForm>
                </Card>
                <Card heading_id="ip-rules-heading" title=lang.t("security.ip_rules")>
                    <p class="hint">{lang.t("security.ip_rules_hint")}</p>
                    <p><A href="/security/ip-rules">{lang.t("security.ip_rules_link")}</A></p>
                </Card>
            })}
        </AsyncContent>
    }
}

/// The caller's e-mail address, whether it is verified, and "Send a verification link".
#[component]
fn EmailSection() -> impl IntoView {
    let send = ServerAction::<SendEmailVerification>::new();
    let status = Resource::new(move || send.version().get(), |_| email_status());
    let errors = FormErrors::from_action(send);
    // Tracked: after a hydrated request the page stays and only its query changes.
    let query = use_query_map();
    let sent = move || query.with(|q| q.get("verification").as_deref() == Some("sent"));
    let lang = use_lang();
    view! {
        <Card heading_id="email-heading" title=lang.t("security.email")>
            {move || sent().then(|| view! {
                <p class="notice" role="status">{lang.t("security.email_sent")}</p>
            })}
            <AsyncContent resource=status let:view>
                <p>
                    <span class="mono">{view.email.clone()}</span>
                    " "
                    {if view.verified {
                        view! { <span class="status status-ok">{lang.t("email.verified")}</span> }
                    } else {
                        view! { <span class="status status-unverified">{lang.t("email.unverified")}</span> }
                    }}
                </p>
                {match (view.verified, view.by_mail) {
                    (true, _) => ().into_any(),
                    (false, true) => view! {
                        <p class="hint">{lang.t("security.email_hint")}</p>
                        <ActionForm action=send>
                            <FormAlert message=errors.any() />
                            <button type="submit" class="secondary">{lang.t("security.email_send")}</button>
                        </ActionForm>
                    }
                    .into_any(),
                    (false, false) => view! {
                        <p class="hint">{lang.t("security.email_mail_off")}</p>
                    }
                    .into_any(),
                }}
            </AsyncContent>
        </Card>
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
        <Card heading_id="sessions-heading" title=lang.t("security.sessions")>
            <p class="hint">{lang.t("security.sessions_hint")}</p>
            <FormAlert message=errors.any() />
            <AsyncContent resource=sessions let:sessions>
                {
                    let others = sessions.iter().any(|s| !s.current);
                    view! {
                        <DataTable
                            class="sessions"
                            columns=vec![
                                lang.t("security.browser"),
                                lang.t("security.ip"),
                                lang.t("security.started"),
                                lang.t("security.last_seen"),
                            ]
                            actions=true
                            rows=sessions
                            row=move |session| view! { <SessionRow session end /> }
                        />
                        {others.then(|| view! {
                            <ActionForm action=end_others>
                                <button type="submit" class="secondary">{lang.t("security.end_others")}</button>
                            </ActionForm>
                        })}
                    }
                }
            </AsyncContent>
        </Card>
    }
}

/// A session: this one marked, any other with "End".
#[component]
fn SessionRow(session: SessionView, end: ServerAction<EndSession>) -> impl IntoView {
    let lang = use_lang();
    let label = lang.tf(
        "security.end_label",
        &[("browser", &session.browser), ("ip", &session.ip)],
    );
    let this_one = session
        .current
        .then(|| view! { <strong class="badge">" " {lang.t("security.this_session")}</strong> });
    view! {
        <tr class:current=session.current>
            <td>{session.browser.clone()} {this_one}</td>
            <td class="mono">{session.ip.clone()}</td>
            <td>{lang.datetime(session.started)}</td>
            <td>{lang.datetime(session.last_seen)}</td>
            <td>
                {(!session.current).then(|| view! {
                    <ActionForm action=end>
                        <input type="hidden" name="id" value=session.id.clone() />
                        <button type="submit" class="link" aria-label=label>{lang.t("security.end")}</button>
                    </ActionForm>
                })}
            </td>
        </tr>
    }
}
