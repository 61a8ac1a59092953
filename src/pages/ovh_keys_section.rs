//! OVHcloud on the API keys page: applications and consumer keys, and for Administrators every
//! key acting in their accounts. Plain forms: all of them work without JavaScript.

use leptos::prelude::*;

use crate::api::ovh_fns::{
    CreateOvhApplication, DeleteOvhApplication, OvhAccountKeyView, OvhApplicationView,
    OvhConsumerKeyView, OvhKeysView, OvhRuleView, RevokeAccountOvhConsumerKey,
    RevokeOvhConsumerKey, list_account_ovh_consumer_keys, list_ovh_keys,
};
use crate::components::card::Card;
use crate::components::confirm_form::ConfirmForm;
use crate::components::credential_name_fields::CredentialNameFields;
use crate::components::credential_table::CredentialTable;
use crate::components::form_errors::{FormAlert, FormErrors};
use crate::components::labels::time_or_never;
use crate::i18n::use_lang;

/// "OVHcloud applications" and "OVHcloud consumer keys", for the API keys page. Only
/// Administrators (`can_create`) are offered the form that creates an application.
#[component]
pub fn OvhKeysSection(can_create: bool) -> impl IntoView {
    let delete = ServerAction::<DeleteOvhApplication>::new();
    let revoke = ServerAction::<RevokeOvhConsumerKey>::new();
    let keys = Resource::new(
        move || (delete.version().get(), revoke.version().get()),
        |_| list_ovh_keys(),
    );
    let lang = use_lang();
    view! {
        <Card heading_id="ovh-applications-heading" title=lang.t("ovh.applications.title")>
            <p>
                {lang.t("ovh.applications.intro1")}" "
                <code>"/1.0"</code>
                {lang.t("ovh.applications.intro2")}" "
                <code>"validationUrl"</code>
                " " {lang.t("ovh.applications.intro3")}
            </p>
            <CredentialTable resource=keys rows={|keys: OvhKeysView| keys.applications}
                columns=vec![lang.t("field.name"), lang.t("ovh.application_key"), lang.t("ovh.consumer_keys.title"), lang.t("users.col.created")]
                empty=lang.t("ovh.applications.none") removed=("ovh_deleted", lang.t("ovh.applications.deleted"))
                errors=FormErrors::from_action(delete) row=move |app| view! { <ApplicationRow app delete /> } />
            {if can_create {
                view! { <NewApplicationForm /> }.into_any()
            } else {
                view! { <p class="hint">{lang.t("ovh.applications.only_admins")}</p> }.into_any()
            }}
        </Card>
        <Card heading_id="ovh-consumer-keys-heading" title=lang.t("ovh.consumer_keys.heading")>
            <p>{lang.t("ovh.consumer_keys.intro")}</p>
            <CredentialTable resource=keys rows={|keys: OvhKeysView| keys.consumer_keys}
                columns=vec![lang.t("ovh.application"), lang.t("ovh.acts_as"), lang.t("ovh.rules"), lang.t("users.col.created"), lang.t("api_keys.last_used")]
                empty=lang.t("ovh.consumer_keys.none") removed=("ovh_revoked", lang.t("ovh.consumer_keys.revoked"))
                errors=FormErrors::from_action(revoke) row=move |key| view! { <ConsumerKeyRow key revoke /> } />
        </Card>
    }
}

/// "New application", for Administrators: its key and secret are shown once afterwards.
#[component]
fn NewApplicationForm() -> impl IntoView {
    let create = ServerAction::<CreateOvhApplication>::new();
    let errors = FormErrors::from_action(create);
    let lang = use_lang();
    view! {
        <h3>{lang.t("ovh.applications.new")}</h3>
        <ActionForm action=create attr:class="form wide">
            <FormAlert message=errors.form() />
            <CredentialNameFields errors ids=("ovh-application-name", "ovh-application-description")
                name_hint=lang.t("ovh.applications.name_hint") />
            <p class="actions"><button type="submit">{lang.t("ovh.applications.create")}</button></p>
            <p class="hint">{lang.t("ovh.applications.create_hint")}</p>
        </ActionForm>
    }
}

#[component]
fn ApplicationRow(
    app: OvhApplicationView,
    delete: ServerAction<DeleteOvhApplication>,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <tr>
            <td>{app.name.clone()}<br /><span class="hint">{app.description.clone()}</span></td>
            <td class="mono">{app.application_key.clone()}</td>
            <td>{lang.number(app.consumer_keys)}</td>
            <td>{lang.datetime(app.created)}</td>
            <td>
                <ConfirmForm action=delete id=app.id.to_string() summary=lang.t("common.delete_ellipsis")
                    question=lang.tf("ovh.applications.delete_confirm", &[("name", &app.name)]) submit=lang.t("ovh.applications.delete_submit") />
            </td>
        </tr>
    }
}

/// A key's access rules on one line: `GET /me, POST /sms/*`.
fn rules_text(rules: &[OvhRuleView]) -> String {
    rules
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The application a key belongs to: its name, and its key below.
#[component]
fn ApplicationCell(name: String, key: String) -> impl IntoView {
    view! { <td>{name}<br /><span class="mono hint">{key}</span></td> }
}

#[component]
fn ConsumerKeyRow(
    key: OvhConsumerKeyView,
    revoke: ServerAction<RevokeOvhConsumerKey>,
) -> impl IntoView {
    let lang = use_lang();
    let acts_as = key
        .acts_as
        .clone()
        .unwrap_or_else(|| lang.t("ovh.waiting").to_owned());
    view! {
        <tr>
            <ApplicationCell name=key.application_name.clone() key=key.application_key.clone() />
            <td class="mono">{acts_as}</td>
            <td class="mono">{rules_text(&key.rules)}</td>
            <td>{lang.datetime(key.created)}</td>
            <td>{time_or_never(lang, key.last_used)}</td>
            <td>
                <ConfirmForm action=revoke id=key.id.to_string() summary=lang.t("api_keys.tokens.revoke")
                    question=lang.tf("ovh.consumer_keys.revoke_confirm", &[("name", &key.application_name)]) submit=lang.t("ovh.consumer_keys.revoke_submit") />
            </td>
        </tr>
    }
}

/// "OVHcloud consumer keys acting in this account", for Administrators on the API keys page:
/// every key acting as a user of the account or of its sub-accounts, whichever application
/// holds it, each revocable after a confirmation (a plain form: no JavaScript needed).
#[component]
pub fn OvhAccountKeysSection() -> impl IntoView {
    let revoke = ServerAction::<RevokeAccountOvhConsumerKey>::new();
    let keys = Resource::new(
        move || revoke.version().get(),
        |_| list_account_ovh_consumer_keys(),
    );
    let lang = use_lang();
    view! {
        <Card heading_id="ovh-account-keys-heading" title=lang.t("ovh.account_keys.heading")>
            <p>{lang.t("ovh.account_keys.intro")}</p>
            <CredentialTable resource=keys rows={|keys: Vec<OvhAccountKeyView>| keys}
                columns=vec![
                    lang.t("ovh.application"), lang.t("ovh.account_keys.owner"), lang.t("ovh.acts_as"), lang.t("ovh.rules"),
                    lang.t("ovh.account_keys.minted_through"), lang.t("users.col.created"), lang.t("api_keys.last_used"),
                ]
                empty=lang.t("ovh.account_keys.none") removed=("ovh_account_revoked", lang.t("ovh.account_keys.revoked"))
                errors=FormErrors::from_action(revoke) row=move |key| view! { <AccountKeyRow key revoke /> } />
        </Card>
    }
}

#[component]
fn AccountKeyRow(
    key: OvhAccountKeyView,
    revoke: ServerAction<RevokeAccountOvhConsumerKey>,
) -> impl IntoView {
    let lang = use_lang();
    let minted = key.minted_through.map_or_else(
        || "—".to_owned(),
        |id| lang.tf("ovh.account_keys.minted_value", &[("id", &id.to_string())]),
    );
    let confirm = lang.tf(
        "ovh.account_keys.revoke_confirm",
        &[("name", &key.application_name), ("login", &key.acts_as)],
    );
    view! {
        <tr>
            <ApplicationCell name=key.application_name.clone() key=key.application_key.clone() />
            <td><span class="mono">{key.owner_login_id.clone()}</span><br /><span class="hint">{key.owner_company.clone()}</span></td>
            <td class="mono">{key.acts_as.clone()}</td>
            <td class="mono">{rules_text(&key.rules)}</td>
            <td>{minted}</td>
            <td>{lang.datetime(key.created)}</td>
            <td>{time_or_never(lang, key.last_used)}</td>
            <td>
                <ConfirmForm action=revoke id=key.id.to_string() summary=lang.t("api_keys.tokens.revoke")
                    question=confirm submit=lang.t("ovh.consumer_keys.revoke_submit") />
            </td>
        </tr>
    }
}
