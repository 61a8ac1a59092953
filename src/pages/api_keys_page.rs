//! "API keys": the account's API credentials (Administrators create and rotate them) and the
//! user's personal API tokens (create, revoke). Secrets are shown once, on the reveal page.

use leptos::prelude::*;
use leptos_meta::Title;

use super::ovh_keys_section::{OvhAccountKeysSection, OvhKeysSection};
use super::tencent_keys_section::TencentKeysSection;
use crate::api::api_key_fns::{
    ApiKeysView, CreateApiToken, RevokeApiToken, RotateAccountCredentials, TokenView, list_api_keys,
};
use crate::components::async_content::AsyncContent;
use crate::components::card::Card;
use crate::components::confirm_form::ConfirmForm;
use crate::components::credential_name_fields::CredentialNameFields;
use crate::components::data_table::DataTable;
use crate::components::form_errors::{FormAlert, FormErrors};
use crate::components::labels::{role_text, time_or_never};
use crate::components::query_notice::QueryNotice;
use crate::components::select_field::{Choice, SelectField};
use crate::components::text_field::TextField;
use crate::i18n::use_lang;

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let revoke = ServerAction::<RevokeApiToken>::new();
    let keys = Resource::new(move || revoke.version().get(), |_| list_api_keys());
    let lang = use_lang();
    view! {
        <Title text=lang.t("nav.api_keys") />
        <h1>{lang.t("nav.api_keys")}</h1>
        <p class="lead">{lang.t("api_keys.lead")}</p>
        <QueryNotice param="revoked" text=lang.t("api_keys.revoked") />
        <AsyncContent resource=keys let:keys>
            {
                let admin = keys.can_manage_account;
                view! {
                    <AccountCredentialsSection keys=keys.clone() />
                    <TokensSection keys revoke />
                    <TencentKeysSection />
                    <OvhKeysSection can_create=admin />
                    {admin.then(|| view! { <OvhAccountKeysSection /> })}
                }
            }
        </AsyncContent>
    }
}

#[component]
fn AccountCredentialsSection(keys: ApiKeysView) -> impl IntoView {
    let rotate = ServerAction::<RotateAccountCredentials>::new();
    let errors = FormErrors::from_action(rotate);
    let has = keys.auth_id.is_some();
    let lang = use_lang();
    view! {
        <Card heading_id="account-credentials-heading" title=lang.t("api_keys.account.title")>
            <p>
                {lang.t("api_keys.account.pair")}" " <code>"auth_id"</code> " / " <code>"auth_token"</code>" "
                {lang.t("api_keys.account.acts_as")}" " <span class="mono">{keys.account_id.clone()}</span>
                " (" {lang.t("api_keys.account.sent_as")}" " <code>"X-Auth-ID"</code> " / " <code>"X-Auth-Token"</code> ")."
            </p>
            {match keys.auth_id.clone() {
                Some(auth_id) => view! {
                    <dl class="facts">
                        <dt>"auth_id"</dt><dd class="mono" data-testid="auth-id">{auth_id}</dd>
                        <dt>{lang.t("api_keys.account.issued")}</dt><dd>{keys.credentials_issued.map(|at| lang.datetime(at))}</dd>
                    </dl>
                }
                .into_any(),
                None => view! { <p class="notice">{lang.t("api_keys.account.none")}</p> }.into_any(),
            }}
            {if keys.can_manage_account {
                view! {
                    <ActionForm action=rotate>
                        <FormAlert message=errors.any() />
                        <button type="submit" class=if has { "secondary" } else { "" }>
                            {if has { lang.t("api_keys.account.rotate") } else { lang.t("api_keys.account.create") }}
                        </button>
                        {has.then(|| view! { <p class="hint">{lang.t("api_keys.account.rotate_hint")}</p> })}
                    </ActionForm>
                }
                .into_any()
            } else {
                view! { <p class="hint">{lang.t("api_keys.account.only_admins")}</p> }.into_any()
            }}
        </Card>
    }
}

#[component]
fn TokensSection(keys: ApiKeysView, revoke: ServerAction<RevokeApiToken>) -> impl IntoView {
    let create = ServerAction::<CreateApiToken>::new();
    let errors = FormErrors::from_action(create);
    let revoke_errors = FormErrors::from_action(revoke);
    let lang = use_lang();
    // The first role offered is the one selected.
    let roles = keys
        .roles
        .iter()
        .enumerate()
        .map(|(i, (code, label))| Choice::new(code.clone(), role_text(lang, label), i == 0))
        .collect::<Vec<_>>();
    view! {
        <Card heading_id="tokens-heading" title=lang.t("api_keys.tokens.title")>
            <p>
                {lang.t("api_keys.tokens.intro")}" "
                <code>"Authorization: APIKey <token>"</code>
                {lang.t("api_keys.tokens.ends")}
            </p>
            <FormAlert message=revoke_errors.any() />
            <DataTable
                class="tokens"
                columns=vec![
                    lang.t("field.name"),
                    lang.t("field.description"),
                    lang.t("field.role"),
                    lang.t("api_keys.tokens.expires"),
                    lang.t("users.col.created"),
                    lang.t("api_keys.last_used"),
                ]
                actions=true
                empty=lang.t("api_keys.tokens.none")
                rows=keys.tokens
                row=move |token| view! { <TokenRow token revoke /> }
            />
            <h3>{lang.t("api_keys.tokens.new")}</h3>
            <ActionForm action=create attr:class="form wide">
                <FormAlert message=errors.form() />
                <CredentialNameFields errors ids=("token-name", "token-description") name_hint=lang.t("api_keys.tokens.name_hint") />
                <SelectField id="token-role" name="role" label=lang.t("field.role") choices=roles error=errors.field("role") />
                <TextField id="token-expires" name="expires" label=lang.t("api_keys.tokens.last_day") input_type="date"
                    hint=lang.t("api_keys.tokens.last_day_hint") error=errors.field("expires") />
                <TextField id="token-allowed-ips" name="allowed_ips" label=lang.t("api_keys.tokens.allowed_ips")
                    hint=lang.t("api_keys.tokens.allowed_ips_hint") maxlength=4000 error=errors.field("allowed_ips") />
                <p class="actions"><button type="submit">{lang.t("api_keys.tokens.create")}</button></p>
            </ActionForm>
        </Card>
    }
}

#[component]
fn TokenRow(token: TokenView, revoke: ServerAction<RevokeApiToken>) -> impl IntoView {
    let lang = use_lang();
    let expires = match (token.expires, token.expired) {
        (None, _) => lang.t("api_keys.tokens.never_expires").to_owned(),
        (Some(at), true) => lang.tf("api_keys.tokens.expired", &[("date", &lang.date(at))]),
        (Some(at), false) => lang.date(at),
    };
    let limited = (!token.allowed_ips.is_empty()).then(|| {
        let ranges = token.allowed_ips.join(", ");
        view! {
            <br />
            <small class="hint">{lang.t("api_keys.tokens.only_from")} " " <span class="mono">{ranges}</span></small>
        }
    });
    view! {
        <tr>
            <td>{token.name.clone()} {limited}</td>
            <td>{token.description.clone()}</td>
            <td>{role_text(lang, &token.role)}</td>
            <td>{expires}</td>
            <td>{lang.datetime(token.created)}</td>
            <td>{time_or_never(lang, token.last_used)}</td>
            <td>
                <ConfirmForm action=revoke id=token.id.to_string() summary=lang.t("api_keys.tokens.revoke")
                    question=lang.tf("api_keys.tokens.revoke_confirm", &[("name", &token.name)]) submit=lang.t("api_keys.tokens.revoke_submit") />
            </td>
        </tr>
    }
}
