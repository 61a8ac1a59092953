//! Two-factor authentication: on the Security page, and the page a user whom the account's
//! policy requires to enrol is sent to.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::async_content::AsyncContent;
use super::card::Card;
use super::copy_button::CopyButton;
use super::data_table::DataTable;
use super::form_errors::{FormAlert, FormErrors};
use super::labels::time_or_never;
use super::select_field::{Choice, SelectField};
use super::text_field::TextField;
use crate::api::security_fns::{
    AuthenticatorView, BeginTwoFactor, ConfirmTwoFactor, DisableTwoFactor, EnrolmentView,
    NewRecoveryCodes, RemoveAuthenticator, SetTwoFactorPolicy, TwoFactorView, two_factor_status,
};
use crate::i18n::use_lang;

/// Enrolment, or disabling and new recovery codes once on, and the account's policy for
/// Administrators.
#[component]
pub fn TwoFactorSection() -> impl IntoView {
    let begin = ServerAction::<BeginTwoFactor>::new();
    let disable = ServerAction::<DisableTwoFactor>::new();
    let policy = ServerAction::<SetTwoFactorPolicy>::new();
    // Adding and removing an app stay on the page: the list follows them.
    let confirm = ServerAction::<ConfirmTwoFactor>::new();
    let remove = ServerAction::<RemoveAuthenticator>::new();
    let status = Resource::new(
        move || {
            (
                begin.version().get(),
                disable.version().get(),
                policy.version().get(),
                confirm.version().get(),
                remove.version().get(),
            )
        },
        |_| two_factor_status(),
    );
    let lang = use_lang();
    view! {
        <Card heading_id="two-factor-heading" id="two-factor" title=lang.t("login.code.title")>
            <AsyncContent resource=status let:status>
                <TwoFactorState status begin disable policy confirm remove />
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
    confirm: ServerAction<ConfirmTwoFactor>,
    remove: ServerAction<RemoveAuthenticator>,
) -> impl IntoView {
    let begin_errors = FormErrors::from_action(begin);
    let disable_errors = FormErrors::from_action(disable);
    let lang = use_lang();
    let policy_form = status
        .can_set_policy
        .then(|| view! { <PolicyForm status=status.clone() action=policy /> });
    let body = if status.enabled {
        let left = lang.number(status.recovery_codes_left);
        let adding = status.pending.map(|enrolment| {
            view! {
                <h3>{lang.t("security.apps.add")}</h3>
                <Enrol enrolment confirm adding=true />
            }
        });
        view! {
            <p><strong>{lang.t("security.on")}</strong>" " {lang.tf("security.on_text", &[("n", &left)])}</p>
            {(!status.authenticators.is_empty()).then(|| view! { <Authenticators apps=status.authenticators remove /> })}
            {match adding {
                Some(form) => form.into_any(),
                None => view! {
                    <ActionForm action=begin>
                        <FormAlert message=begin_errors.any() />
                        <button type="submit" class="secondary">{lang.t("security.apps.add")}</button>
                    </ActionForm>
                }
                .into_any(),
            }}
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
        view! { <Enrol enrolment confirm /> }.into_any()
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

/// The user's authenticator apps, each with when it was added and last used, and, while there is
/// more than one, "Remove an app" (which one, the password and a code).
#[component]
fn Authenticators(
    apps: Vec<AuthenticatorView>,
    remove: ServerAction<RemoveAuthenticator>,
) -> impl IntoView {
    let errors = FormErrors::from_action(remove);
    let lang = use_lang();
    let query = use_query_map();
    let notice = move || {
        query.with(|q| match q.get("authenticator").as_deref() {
            Some("added") => Some(lang.t("security.apps.added")),
            Some("removed") => Some(lang.t("security.apps.removed")),
            _ => None,
        })
    };
    let name_of = move |app: &AuthenticatorView| {
        if app.name.is_empty() {
            lang.t("security.apps.default_name").to_owned()
        } else {
            app.name.clone()
        }
    };
    let choices: Vec<Choice> = apps
        .iter()
        .enumerate()
        .map(|(i, app)| Choice::new(app.id.to_string(), name_of(app), i == 0))
        .collect();
    let removable = apps.len() > 1;
    view! {
        {move || notice().map(|text| view! { <p class="notice" role="status">{text}</p> })}
        <DataTable
            class="authenticators"
            columns=vec![
                lang.t("field.name"),
                lang.t("security.apps.added_on"),
                lang.t("api_keys.last_used"),
            ]
            rows=apps
            row=move |app| view! {
                <tr>
                    <td>{name_of(&app)}</td>
                    <td>{lang.datetime(app.added)}</td>
                    <td>{time_or_never(lang, app.last_used)}</td>
                </tr>
            }
        />
        {removable.then(|| view! {
            <details class="confirm">
                <summary>{lang.t("security.apps.remove")}</summary>
                <ActionForm action=remove attr:class="form">
                    <FormAlert message=errors.form() />
                    <SelectField id="remove-app" name="id" label=lang.t("security.apps.which") choices />
                    <PasswordAndCode errors ids=("remove-password", "remove-code") />
                    <button type="submit" class="danger">{lang.t("security.apps.remove")}</button>
                </ActionForm>
            </details>
        })}
    }
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
            <div class="checkbox">
                <input id="policy-keys" name="keys" type="checkbox" value="on" checked=status.policy.keys_for_administrators />
                <label for="policy-keys">{lang.t("security.policy.keys")}</label>
            </div>
            <p class="hint">{lang.t("security.policy.hint")}</p>
            <button type="submit" class="secondary">{lang.t("security.policy.save")}</button>
        </ActionForm>
    }
}

/// The steps to set up an app: the first one (which turns two-factor authentication on), or,
/// `adding`, another one.
#[component]
fn Enrol(
    enrolment: EnrolmentView,
    confirm: ServerAction<ConfirmTwoFactor>,
    #[prop(optional)] adding: bool,
) -> impl IntoView {
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
                    <TextField id="enrol-name" name="name" label=lang.t("security.apps.name") maxlength=64
                        hint=lang.t("security.apps.name_hint") error=errors.field("name") />
                    <PasswordAndCode errors ids=("enrol-password", "enrol-code") />
                    <button type="submit">
                        {if adding { lang.t("security.apps.add_submit") } else { lang.t("security.enrol.submit") }}
                    </button>
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
