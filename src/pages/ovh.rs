//! OVHcloud on the API keys page (applications and consumer keys, and for Administrators every
//! key acting in their accounts), and the page where a logged-in user authorizes a consumer key
//! an application requested. Plain forms: all of them work without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::ovh_fns::{
    AuthorizeOvhConsumerKey, CreateOvhApplication, DeleteOvhApplication, OvhAccountKeyView,
    OvhApplicationView, OvhConsumerKeyView, OvhGrantRefusal, OvhRuleView,
    RevokeAccountOvhConsumerKey, RevokeOvhConsumerKey, get_ovh_authorization,
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

/// `/ovh/authorize/:id`: the application's name and requested rules, and an "Authorize"
/// button that grants the consumer key to the logged-in user.
#[component]
pub fn OvhAuthorizePage() -> impl IntoView {
    let authorize = ServerAction::<AuthorizeOvhConsumerKey>::new();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let found = Resource::new(
        move || (id(), authorize.version().get()),
        |(id, _)| get_ovh_authorization(id),
    );
    let errors = FormErrors::from_action(authorize);
    let lang = use_lang();
    view! {
        <Title text=lang.t("ovh.authorize.title") />
        <h1>{lang.t("ovh.authorize.title")}</h1>
        <Suspense fallback=move || view! { <p class="loading">{lang.t("common.loading")}</p> }>
            {move || Suspend::new(async move {
                match found.await {
                    Ok(view) if view.authorized => view! {
                        <p class="notice" role="status" data-testid="ovh-authorized">{lang.t("ovh.authorize.done")}</p>
                        <p>{lang.tf("ovh.authorize.can_act", &[("name", &view.application_name), ("login", &view.login_id)])}</p>
                        <Rules rules=view.rules />
                        <p><A href="/api-keys">{lang.t("ovh.authorize.back")}</A></p>
                    }
                    .into_any(),
                    Ok(view) => {
                        let owner = lang.tf(
                            "ovh.authorize.owner",
                            &[
                                ("company", &view.owner_company),
                                ("account", &view.owner_account_id),
                                ("login", &view.owner_login_id),
                            ],
                        );
                        let refusal = view.refusal.map(|r| match r {
                            OvhGrantRefusal::CrossAccount => lang.tf(
                                "ovh.authorize.refused.cross_account",
                                &[("account", &view.owner_account_id)],
                            ),
                            OvhGrantRefusal::OwnerInactive => {
                                lang.t("ovh.authorize.refused.owner_inactive").to_owned()
                            }
                        });
                        view! {
                            <section class="card" aria-labelledby="ovh-authorize-heading">
                                <h2 id="ovh-authorize-heading">{view.application_name.clone()}</h2>
                                {(!view.application_description.is_empty()).then(|| view! { <p>{view.application_description.clone()}</p> })}
                                <p data-testid="ovh-owner">{owner}</p>
                                <p>{lang.tf("ovh.authorize.asks", &[("login", &view.login_id)])}</p>
                                <Rules rules=view.rules />
                                {view.redirection.clone().map(|to| view! { <p class="hint">{lang.t("ovh.authorize.redirect")}" " <span class="mono">{to}</span> "."</p> })}
                                {match refusal {
                                    Some(text) => view! { <p class="alert" role="alert" data-testid="ovh-refused">{text}</p> }.into_any(),
                                    None => view! {
                                        <ActionForm action=authorize>
                                            <FormAlert message=errors.any() />
                                            <input type="hidden" name="id" value=id() />
                                            <p class="actions"><button type="submit">{lang.t("ovh.authorize.submit")}</button></p>
                                        </ActionForm>
                                    }
                                    .into_any(),
                                }}
                            </section>
                        }
                        .into_any()
                    }
                    Err(e) => view! {
                        <ErrorMessage error=e />
                        <p class="hint">{lang.t("ovh.authorize.expired_hint")}</p>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Rules(rules: Vec<OvhRuleView>) -> impl IntoView {
    view! {
        <ul class="rules">
            {rules.into_iter().map(|r| view! { <li class="mono">{format!("{} {}", r.method, r.path)}</li> }).collect_view()}
        </ul>
    }
}
