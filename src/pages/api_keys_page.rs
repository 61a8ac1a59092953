//! "API keys": the account's API credentials (Administrators create and rotate them) and the
//! user's personal API tokens (create, revoke). Secrets are shown once, on the reveal page.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::api_key_fns::{
    ApiKeysView, CreateApiToken, RevokeApiToken, RotateAccountCredentials, TokenView, list_api_keys,
};
use crate::components::form::{ErrorMessage, FormAlert, FormErrors, TextField, role_text};
use crate::i18n::{Lang, use_lang};

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let revoke = ServerAction::<RevokeApiToken>::new();
    let keys = Resource::new(move || revoke.version().get(), |_| list_api_keys());
    let params = use_query_map();
    let revoked = move || params.with(|p| p.get("revoked").is_some());
    let lang = use_lang();
    view! {
        <Title text=lang.t("nav.api_keys") />
        <h1>{lang.t("nav.api_keys")}</h1>
        <p class="lead">{lang.t("api_keys.lead")}</p>
        {move || revoked().then(|| view! { <p class="notice" role="status">{lang.t("api_keys.revoked")}</p> })}
        <Suspense fallback=move || view! { <p class="loading">{lang.t("common.loading")}</p> }>
            {move || Suspend::new(async move {
                match keys.await {
                    Ok(keys) => {
                        let admin = keys.can_manage_account;
                        view! {
                            <AccountCredentialsSection keys=keys.clone() />
                            <TokensSection keys revoke />
                            <crate::pages::tencent_keys_section::TencentKeysSection />
                            <crate::pages::ovh_keys_section::OvhKeysSection can_create=admin />
                            {admin.then(|| view! { <crate::pages::ovh_keys_section::OvhAccountKeysSection /> })}
                        }
                        .into_any()
                    }
                    Err(e) => view! { <ErrorMessage error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AccountCredentialsSection(keys: ApiKeysView) -> impl IntoView {
    let rotate = ServerAction::<RotateAccountCredentials>::new();
    let errors = FormErrors::from_action(rotate);
    let has = keys.auth_id.is_some();
    let lang = use_lang();
    view! {
        <section class="card" aria-labelledby="account-credentials-heading">
            <h2 id="account-credentials-heading">{lang.t("api_keys.account.title")}</h2>
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
        </section>
    }
}

#[component]
fn TokensSection(keys: ApiKeysView, revoke: ServerAction<RevokeApiToken>) -> impl IntoView {
    let create = ServerAction::<CreateApiToken>::new();
    let errors = FormErrors::from_action(create);
    let revoke_errors = FormErrors::from_action(revoke);
    let lang = use_lang();
    let default_role = keys
        .roles
        .first()
        .map(|(code, _)| code.clone())
        .unwrap_or_default();
    let rows = keys
        .tokens
        .iter()
        .cloned()
        .map(|t| view! { <TokenRow token=t revoke lang /> })
        .collect_view();
    let empty = keys.tokens.is_empty();
    view! {
        <section class="card" aria-labelledby="tokens-heading">
            <h2 id="tokens-heading">{lang.t("api_keys.tokens.title")}</h2>
            <p>
                {lang.t("api_keys.tokens.intro")}" "
                <code>"Authorization: APIKey <token>"</code>
                {lang.t("api_keys.tokens.ends")}
            </p>
            <FormAlert message=revoke_errors.any() />
            {if empty {
                view! { <p class="notice">{lang.t("api_keys.tokens.none")}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="tokens">
                            <thead>
                                <tr>
                                    <th scope="col">{lang.t("field.name")}</th>
                                    <th scope="col">{lang.t("field.description")}</th>
                                    <th scope="col">{lang.t("field.role")}</th>
                                    <th scope="col">{lang.t("api_keys.tokens.expires")}</th>
                                    <th scope="col">{lang.t("users.col.created")}</th>
                                    <th scope="col">{lang.t("api_keys.last_used")}</th>
                                    <th scope="col"><span class="visually-hidden">{lang.t("common.actions")}</span></th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
            <h3>{lang.t("api_keys.tokens.new")}</h3>
            <ActionForm action=create attr:class="form wide">
                <FormAlert message=errors.form() />
                <TextField id="token-name" name="name" label=lang.t("field.name") required=true maxlength=64
                    hint=lang.t("api_keys.tokens.name_hint") error=errors.field("name") />
                <TextField id="token-description" name="description" label=lang.t("field.description_optional") maxlength=255
                    error=errors.field("description") />
                <div class="field" class:invalid=move || errors.field("role").get().is_some()>
                    <label for="token-role">{lang.t("field.role")}</label>
                    <select id="token-role" name="role" aria-describedby="token-role-error">
                        {keys.roles.iter().cloned().map(|(code, label)| {
                            let selected = code == default_role;
                            view! { <option value=code selected=selected>{role_text(lang, &label)}</option> }
                        }).collect_view()}
                    </select>
                    <p class="field-error" id="token-role-error" aria-live="polite">{move || errors.field("role").get()}</p>
                </div>
                <TextField id="token-expires" name="expires" label=lang.t("api_keys.tokens.last_day") input_type="date"
                    hint=lang.t("api_keys.tokens.last_day_hint") error=errors.field("expires") />
                <p class="actions"><button type="submit">{lang.t("api_keys.tokens.create")}</button></p>
            </ActionForm>
        </section>
    }
}

#[component]
fn TokenRow(token: TokenView, revoke: ServerAction<RevokeApiToken>, lang: Lang) -> impl IntoView {
    let expires = match (token.expires, token.expired) {
        (None, _) => lang.t("api_keys.tokens.never_expires").to_owned(),
        (Some(at), true) => lang.tf("api_keys.tokens.expired", &[("date", &lang.date(at))]),
        (Some(at), false) => lang.date(at),
    };
    view! {
        <tr>
            <td>{token.name.clone()}</td>
            <td>{token.description.clone()}</td>
            <td>{role_text(lang, &token.role)}</td>
            <td>{expires}</td>
            <td>{lang.datetime(token.created)}</td>
            <td>{token.last_used.map_or_else(|| lang.t("users.never").to_owned(), |at| lang.datetime(at))}</td>
            <td>
                <details class="confirm">
                    <summary>{lang.t("api_keys.tokens.revoke")}</summary>
                    <ActionForm action=revoke>
                        <input type="hidden" name="id" value=token.id.to_string() />
                        <p>{lang.tf("api_keys.tokens.revoke_confirm", &[("name", &token.name)])}</p>
                        <button type="submit" class="danger">{lang.t("api_keys.tokens.revoke_submit")}</button>
                    </ActionForm>
                </details>
            </td>
        </tr>
    }
}
