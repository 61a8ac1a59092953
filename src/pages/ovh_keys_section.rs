//! OVHcloud on the API keys page: applications and consumer keys, and for Administrators every
//! key acting in their accounts. Plain forms: all of them work without JavaScript.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::ovh_fns::{
    CreateOvhApplication, DeleteOvhApplication, OvhAccountKeyView, OvhApplicationView,
    OvhConsumerKeyView, OvhRuleView, RevokeAccountOvhConsumerKey, RevokeOvhConsumerKey,
    list_account_ovh_consumer_keys, list_ovh_keys,
};
use crate::components::form::{ErrorMessage, FormAlert, FormErrors, TextField};
use crate::i18n::{Lang, use_lang};

/// "OVHcloud applications" and "OVHcloud consumer keys", for the API keys page. Only
/// Administrators (`can_create`) are offered the form that creates an application.
#[component]
pub fn OvhKeysSection(can_create: bool) -> impl IntoView {
    let create = ServerAction::<CreateOvhApplication>::new();
    let delete = ServerAction::<DeleteOvhApplication>::new();
    let revoke = ServerAction::<RevokeOvhConsumerKey>::new();
    let keys = Resource::new(
        move || (delete.version().get(), revoke.version().get()),
        |_| list_ovh_keys(),
    );
    let errors = FormErrors::from_action(create);
    let delete_errors = FormErrors::from_action(delete);
    let revoke_errors = FormErrors::from_action(revoke);
    let params = use_query_map();
    let deleted = move || params.with(|p| p.get("ovh_deleted").is_some());
    let revoked = move || params.with(|p| p.get("ovh_revoked").is_some());
    let lang = use_lang();
    view! {
        <section class="card" aria-labelledby="ovh-applications-heading">
            <h2 id="ovh-applications-heading">{lang.t("ovh.applications.title")}</h2>
            <p>
                {lang.t("ovh.applications.intro1")}" "
                <code>"/1.0"</code>
                {lang.t("ovh.applications.intro2")}" "
                <code>"validationUrl"</code>
                " " {lang.t("ovh.applications.intro3")}
            </p>
            {move || deleted().then(|| view! { <p class="notice" role="status">{lang.t("ovh.applications.deleted")}</p> })}
            <FormAlert message=delete_errors.any() />
            <Suspense fallback=move || view! { <p class="loading">{lang.t("common.loading")}</p> }>
                {move || Suspend::new(async move {
                    match keys.await {
                        Ok(view) if view.applications.is_empty() => {
                            view! { <p class="notice">{lang.t("ovh.applications.none")}</p> }.into_any()
                        }
                        Ok(view) => view! {
                            <div class="table-wrap">
                                <table class="tokens">
                                    <thead>
                                        <tr>
                                            <th scope="col">{lang.t("field.name")}</th>
                                            <th scope="col">{lang.t("ovh.application_key")}</th>
                                            <th scope="col">{lang.t("ovh.consumer_keys.title")}</th>
                                            <th scope="col">{lang.t("users.col.created")}</th>
                                            <th scope="col"><span class="visually-hidden">{lang.t("common.actions")}</span></th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {view.applications.into_iter().map(|app| view! { <ApplicationRow app delete lang /> }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }
                        .into_any(),
                        Err(e) => view! { <ErrorMessage error=e /> }.into_any(),
                    }
                })}
            </Suspense>
            {if can_create {
                view! {
                    <h3>{lang.t("ovh.applications.new")}</h3>
                    <ActionForm action=create attr:class="form wide">
                        <FormAlert message=errors.form() />
                        <TextField id="ovh-application-name" name="name" label=lang.t("field.name") required=true maxlength=64
                            hint=lang.t("ovh.applications.name_hint") error=errors.field("name") />
                        <TextField id="ovh-application-description" name="description" label=lang.t("field.description_optional") maxlength=255
                            error=errors.field("description") />
                        <p class="actions"><button type="submit">{lang.t("ovh.applications.create")}</button></p>
                        <p class="hint">{lang.t("ovh.applications.create_hint")}</p>
                    </ActionForm>
                }
                .into_any()
            } else {
                view! { <p class="hint">{lang.t("ovh.applications.only_admins")}</p> }.into_any()
            }}
        </section>
        <section class="card" aria-labelledby="ovh-consumer-keys-heading">
            <h2 id="ovh-consumer-keys-heading">{lang.t("ovh.consumer_keys.heading")}</h2>
            <p>{lang.t("ovh.consumer_keys.intro")}</p>
            {move || revoked().then(|| view! { <p class="notice" role="status">{lang.t("ovh.consumer_keys.revoked")}</p> })}
            <FormAlert message=revoke_errors.any() />
            <Suspense fallback=move || view! { <p class="loading">{lang.t("common.loading")}</p> }>
                {move || Suspend::new(async move {
                    match keys.await {
                        Ok(view) if view.consumer_keys.is_empty() => {
                            view! { <p class="notice">{lang.t("ovh.consumer_keys.none")}</p> }.into_any()
                        }
                        Ok(view) => view! {
                            <div class="table-wrap">
                                <table class="tokens">
                                    <thead>
                                        <tr>
                                            <th scope="col">{lang.t("ovh.application")}</th>
                                            <th scope="col">{lang.t("ovh.acts_as")}</th>
                                            <th scope="col">{lang.t("ovh.rules")}</th>
                                            <th scope="col">{lang.t("users.col.created")}</th>
                                            <th scope="col">{lang.t("api_keys.last_used")}</th>
                                            <th scope="col"><span class="visually-hidden">{lang.t("common.actions")}</span></th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {view.consumer_keys.into_iter().map(|key| view! { <ConsumerKeyRow key revoke lang /> }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }
                        .into_any(),
                        Err(e) => view! { <ErrorMessage error=e /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn ApplicationRow(
    app: OvhApplicationView,
    delete: ServerAction<DeleteOvhApplication>,
    lang: Lang,
) -> impl IntoView {
    view! {
        <tr>
            <td>{app.name.clone()}<br /><span class="hint">{app.description.clone()}</span></td>
            <td class="mono">{app.application_key.clone()}</td>
            <td>{lang.number(app.consumer_keys)}</td>
            <td>{lang.datetime(app.created)}</td>
            <td>
                <details class="confirm">
                    <summary>{lang.t("common.delete_ellipsis")}</summary>
                    <ActionForm action=delete>
                        <input type="hidden" name="id" value=app.id.to_string() />
                        <p>{lang.tf("ovh.applications.delete_confirm", &[("name", &app.name)])}</p>
                        <button type="submit" class="danger">{lang.t("ovh.applications.delete_submit")}</button>
                    </ActionForm>
                </details>
            </td>
        </tr>
    }
}

fn rules_text(rules: &[OvhRuleView]) -> String {
    rules
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect::<Vec<_>>()
        .join(", ")
}

#[component]
fn ConsumerKeyRow(
    key: OvhConsumerKeyView,
    revoke: ServerAction<RevokeOvhConsumerKey>,
    lang: Lang,
) -> impl IntoView {
    let acts_as = key
        .acts_as
        .clone()
        .unwrap_or_else(|| lang.t("ovh.waiting").to_owned());
    view! {
        <tr>
            <td>{key.application_name.clone()}<br /><span class="mono hint">{key.application_key.clone()}</span></td>
            <td class="mono">{acts_as}</td>
            <td class="mono">{rules_text(&key.rules)}</td>
            <td>{lang.datetime(key.created)}</td>
            <td>{key.last_used.map_or_else(|| lang.t("users.never").to_owned(), |at| lang.datetime(at))}</td>
            <td>
                <details class="confirm">
                    <summary>{lang.t("api_keys.tokens.revoke")}</summary>
                    <ActionForm action=revoke>
                        <input type="hidden" name="id" value=key.id.to_string() />
                        <p>{lang.tf("ovh.consumer_keys.revoke_confirm", &[("name", &key.application_name)])}</p>
                        <button type="submit" class="danger">{lang.t("ovh.consumer_keys.revoke_submit")}</button>
                    </ActionForm>
                </details>
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
    let revoke_errors = FormErrors::from_action(revoke);
    let params = use_query_map();
    let revoked = move || params.with(|p| p.get("ovh_account_revoked").is_some());
    let lang = use_lang();
    view! {
        <section class="card" aria-labelledby="ovh-account-keys-heading">
            <h2 id="ovh-account-keys-heading">{lang.t("ovh.account_keys.heading")}</h2>
            <p>{lang.t("ovh.account_keys.intro")}</p>
            {move || revoked().then(|| view! { <p class="notice" role="status">{lang.t("ovh.account_keys.revoked")}</p> })}
            <FormAlert message=revoke_errors.any() />
            <Suspense fallback=move || view! { <p class="loading">{lang.t("common.loading")}</p> }>
                {move || Suspend::new(async move {
                    match keys.await {
                        Ok(keys) if keys.is_empty() => {
                            view! { <p class="notice">{lang.t("ovh.account_keys.none")}</p> }.into_any()
                        }
                        Ok(keys) => view! {
                            <div class="table-wrap">
                                <table class="tokens">
                                    <thead>
                                        <tr>
                                            <th scope="col">{lang.t("ovh.application")}</th>
                                            <th scope="col">{lang.t("ovh.account_keys.owner")}</th>
                                            <th scope="col">{lang.t("ovh.acts_as")}</th>
                                            <th scope="col">{lang.t("ovh.rules")}</th>
                                            <th scope="col">{lang.t("ovh.account_keys.minted_through")}</th>
                                            <th scope="col">{lang.t("users.col.created")}</th>
                                            <th scope="col">{lang.t("api_keys.last_used")}</th>
                                            <th scope="col"><span class="visually-hidden">{lang.t("common.actions")}</span></th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {keys.into_iter().map(|key| view! { <AccountKeyRow key revoke lang /> }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }
                        .into_any(),
                        Err(e) => view! { <ErrorMessage error=e /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn AccountKeyRow(
    key: OvhAccountKeyView,
    revoke: ServerAction<RevokeAccountOvhConsumerKey>,
    lang: Lang,
) -> impl IntoView {
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
            <td>{key.application_name.clone()}<br /><span class="mono hint">{key.application_key.clone()}</span></td>
            <td><span class="mono">{key.owner_login_id.clone()}</span><br /><span class="hint">{key.owner_company.clone()}</span></td>
            <td class="mono">{key.acts_as.clone()}</td>
            <td class="mono">{rules_text(&key.rules)}</td>
            <td>{minted}</td>
            <td>{lang.datetime(key.created)}</td>
            <td>{key.last_used.map_or_else(|| lang.t("users.never").to_owned(), |at| lang.datetime(at))}</td>
            <td>
                <details class="confirm">
                    <summary>{lang.t("api_keys.tokens.revoke")}</summary>
                    <ActionForm action=revoke>
                        <input type="hidden" name="id" value=key.id.to_string() />
                        <p>{confirm}</p>
                        <button type="submit" class="danger">{lang.t("ovh.consumer_keys.revoke_submit")}</button>
                    </ActionForm>
                </details>
            </td>
        </tr>
    }
}
