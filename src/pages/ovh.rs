//! OVHcloud on the API keys page (applications and consumer keys), and the page where a
//! logged-in user authorizes a consumer key an application requested. Plain forms: both work
//! without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::ovh::{
    AuthorizeOvhConsumerKey, CreateOvhApplication, DeleteOvhApplication, OvhApplicationView,
    OvhConsumerKeyView, OvhRuleView, RevokeOvhConsumerKey, get_ovh_authorization, list_ovh_keys,
};
use crate::components::form::{ErrorMessage, FormAlert, FormErrors, TextField};

/// "OVHcloud applications" and "OVHcloud consumer keys", for the API keys page.
#[component]
pub fn OvhKeysSection() -> impl IntoView {
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
    view! {
        <section class="card" aria-labelledby="ovh-applications-heading">
            <h2 id="ovh-applications-heading">"OVHcloud applications"</h2>
            <p>
                "An application key and secret for OVHcloud API clients, pointed at this server's "
                <code>"/1.0"</code>
                ". The application requests a consumer key, which you (or another user) authorize on the page its "
                <code>"validationUrl"</code>
                " opens; the key then acts as that user, with their privilege, within the rules it asked for."
            </p>
            {move || deleted().then(|| view! { <p class="notice" role="status">"Application deleted."</p> })}
            <FormAlert message=delete_errors.any() />
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match keys.await {
                        Ok(view) if view.applications.is_empty() => {
                            view! { <p class="notice">"You have no applications."</p> }.into_any()
                        }
                        Ok(view) => view! {
                            <div class="table-wrap">
                                <table class="tokens">
                                    <thead>
                                        <tr>
                                            <th scope="col">"Name"</th>
                                            <th scope="col">"Application key"</th>
                                            <th scope="col">"Consumer keys"</th>
                                            <th scope="col">"Created"</th>
                                            <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {view.applications.into_iter().map(|app| view! { <ApplicationRow app delete /> }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }
                        .into_any(),
                        Err(e) => view! { <ErrorMessage error=e /> }.into_any(),
                    }
                })}
            </Suspense>
            <h3>"New application"</h3>
            <ActionForm action=create attr:class="form wide">
                <FormAlert message=errors.form() />
                <TextField id="ovh-application-name" name="name" label="Name" required=true maxlength=64
                    hint="What it is for, such as \"Provisioning script\"." error=errors.field("name") />
                <TextField id="ovh-application-description" name="description" label="Description (optional)" maxlength=255
                    error=errors.field("description") />
                <p class="actions"><button type="submit">"Create application"</button></p>
                <p class="hint">"The application secret is shown once, on the next page."</p>
            </ActionForm>
        </section>
        <section class="card" aria-labelledby="ovh-consumer-keys-heading">
            <h2 id="ovh-consumer-keys-heading">"OVHcloud consumer keys"</h2>
            <p>"Keys your applications requested, and keys acting as you. Disabling or removing the user, or changing their password or privilege, ends their keys."</p>
            {move || revoked().then(|| view! { <p class="notice" role="status">"Consumer key revoked."</p> })}
            <FormAlert message=revoke_errors.any() />
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match keys.await {
                        Ok(view) if view.consumer_keys.is_empty() => {
                            view! { <p class="notice">"There are no consumer keys."</p> }.into_any()
                        }
                        Ok(view) => view! {
                            <div class="table-wrap">
                                <table class="tokens">
                                    <thead>
                                        <tr>
                                            <th scope="col">"Application"</th>
                                            <th scope="col">"Acts as"</th>
                                            <th scope="col">"Rules"</th>
                                            <th scope="col">"Created"</th>
                                            <th scope="col">"Last used"</th>
                                            <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {view.consumer_keys.into_iter().map(|key| view! { <ConsumerKeyRow key revoke /> }).collect_view()}
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
) -> impl IntoView {
    view! {
        <tr>
            <td>{app.name.clone()}<br /><span class="hint">{app.description.clone()}</span></td>
            <td class="mono">{app.application_key.clone()}</td>
            <td>{app.consumer_keys}</td>
            <td>{app.created.clone()}</td>
            <td>
                <details class="confirm">
                    <summary>"Delete…"</summary>
                    <ActionForm action=delete>
                        <input type="hidden" name="id" value=app.id.to_string() />
                        <p>{format!("Delete \"{}\"? Its consumer keys stop working at once.", app.name)}</p>
                        <button type="submit" class="danger">"Delete application"</button>
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
) -> impl IntoView {
    let acts_as = key
        .acts_as
        .clone()
        .unwrap_or_else(|| "Waiting for validation".to_owned());
    view! {
        <tr>
            <td>{key.application_name.clone()}<br /><span class="mono hint">{key.application_key.clone()}</span></td>
            <td class="mono">{acts_as}</td>
            <td class="mono">{rules_text(&key.rules)}</td>
            <td>{key.created.clone()}</td>
            <td>{key.last_used.clone().unwrap_or_else(|| "Never".to_owned())}</td>
            <td>
                <details class="confirm">
                    <summary>"Revoke…"</summary>
                    <ActionForm action=revoke>
                        <input type="hidden" name="id" value=key.id.to_string() />
                        <p>{format!("Revoke this consumer key of \"{}\"? Clients using it stop working at once.", key.application_name)}</p>
                        <button type="submit" class="danger">"Revoke consumer key"</button>
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
    view! {
        <Title text="Authorize an OVHcloud application" />
        <h1>"Authorize an OVHcloud application"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match found.await {
                    Ok(view) if view.authorized => view! {
                        <p class="notice" role="status" data-testid="ovh-authorized">"Authorized"</p>
                        <p>{format!("\"{}\" can now act as {} within the rules below.", view.application_name, view.login_id)}</p>
                        <Rules rules=view.rules />
                        <p><A href="/api-keys">"Back to API keys"</A></p>
                    }
                    .into_any(),
                    Ok(view) => view! {
                        <section class="card" aria-labelledby="ovh-authorize-heading">
                            <h2 id="ovh-authorize-heading">{view.application_name.clone()}</h2>
                            {(!view.application_description.is_empty()).then(|| view! { <p>{view.application_description.clone()}</p> })}
                            <p>{format!("This application asks to act as you ({}), with your privilege, for these calls:", view.login_id)}</p>
                            <Rules rules=view.rules />
                            {view.redirection.clone().map(|to| view! { <p class="hint">"Once authorized, you will be sent to " <span class="mono">{to}</span> "."</p> })}
                            <ActionForm action=authorize>
                                <FormAlert message=errors.any() />
                                <input type="hidden" name="id" value=id() />
                                <p class="actions"><button type="submit">"Authorize"</button></p>
                            </ActionForm>
                        </section>
                    }
                    .into_any(),
                    Err(e) => view! {
                        <ErrorMessage error=e />
                        <p class="hint">"A request waits an hour for its authorization; ask the application for a new one."</p>
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
