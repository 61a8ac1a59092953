//! Two-factor authentication: on the Security page, and the page a user whom the account's
//! policy requires to enrol is sent to.

use leptos::prelude::*;

use super::async_content::AsyncContent;
use super::card::Card;
use super::copy_button::CopyButton;
use super::form_errors::{FormAlert, FormErrors};
use super::text_field::TextField;
use crate::api::security_fns::{
    BeginTwoFactor, ConfirmTwoFactor, DisableTwoFactor, EnrolmentView, NewRecoveryCodes,
    SetTwoFactorPolicy, TwoFactorView, two_factor_status,
};
use crate::i18n::use_lang;

/// Enrolment, or disabling and new recovery codes once on, and the account's policy for
/// Administrators.
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
    let lang = use_lang();
    view! {
        <Card heading_id="two-factor-heading" id="two-factor" title=lang.t("login.code.title")>
            <AsyncContent resource=status let:status>
                <TwoFactorState status begin disable policy />
            </AsyncContent>
        </Card>
    }
}

/// What the caller can do in the state two-factor authentication is in.
#[component]
fn TwoFactorState(
    status: TwoFactorView,
    begin: ServerAction<BeginTwoFactor>,
    disable: ServerAction<DisableTwoFactor>,
    policy: ServerAction<SetTwoFactorPolicy>,
) -> impl IntoView {
    let begin_errors = FormErrors::from_action(begin);
    let disable_errors = FormErrors::from_action(disable);
    let lang = use_lang();
    let policy_form = status
        .can_set_policy
        .then(|| view! { <PolicyForm status=status.clone() action=policy /> });
    let body = if status.enabled {
        let left = lang.number(status.recovery_codes_left);
        view! {
            <p><strong>{lang.t("security.on")}</strong>" " {lang.tf("security.on_text", &[("n", &left)])}</p>
            <div class="two-columns">
                <ActionForm action=disable attr:class="form">
                    <h3>{lang.t("security.disable")}</h3>
                    <FormAlert message=disable_errors.form() />
                    <PasswordAndCode errors=disable_errors ids=("disable-password", "disable-code") />
                    <button type="submit" class="danger">{lang.t("security.disable")}</button>
                </ActionForm>
                <NewCodesForm />
            </div>
        }
        .into_any()
    } else if let Some(enrolment) = status.pending {
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
    view! { {body} {policy_form} }
}

/// The password and current code that every change to two-factor authentication asks for;
/// `ids` keeps the fields of several forms on the page apart.
#[component]
fn PasswordAndCode(errors: FormErrors, ids: (&'static str, &'static str)) -> impl IntoView {
    let lang = use_lang();
    view! {
        <TextField id=ids.0 name="password" label=lang.t("field.password") input_type="password" autocomplete="current-password" required=true error=errors.field("password") />
        <TextField id=ids.1 name="code" label=lang.t("field.code") autocomplete="one-time-code" hint=lang.t("security.code_hint") required=true error=errors.field("code") />
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
                    <PasswordAndCode errors ids=("enrol-password", "enrol-code") />
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
            <PasswordAndCode errors ids=("renew-password", "renew-code") />
            <button type="submit" class="secondary">{lang.t("security.codes")}</button>
        </ActionForm>
    }
}
