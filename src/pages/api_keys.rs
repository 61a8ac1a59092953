//! "API keys": the account's API credentials (Administrators create and rotate them) and the
//! user's personal API tokens (create, revoke). Secrets are shown once, on the reveal page.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::api_keys::{
    ApiKeysView, CreateApiToken, RevokeApiToken, RotateAccountCredentials, TokenView, list_api_keys,
};
use crate::components::form::{ErrorMessage, FormAlert, FormErrors, TextField};

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let revoke = ServerAction::<RevokeApiToken>::new();
    let keys = Resource::new(move || revoke.version().get(), |_| list_api_keys());
    let params = use_query_map();
    let revoked = move || params.with(|p| p.get("revoked").is_some());
    view! {
        <Title text="API keys" />
        <h1>"API keys"</h1>
        <p class="lead">"Scripts and the provider-compatible APIs authenticate with these. Each secret is shown once, when it is created."</p>
        {move || revoked().then(|| view! { <p class="notice" role="status">"Token revoked."</p> })}
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match keys.await {
                    Ok(keys) => view! {
                        <AccountCredentialsSection keys=keys.clone() />
                        <TokensSection keys revoke />
                        <crate::pages::tencent_keys::TencentKeysSection />
                        <crate::pages::ovh::OvhKeysSection />
                    }
                    .into_any(),
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
    view! {
        <section class="card" aria-labelledby="account-credentials-heading">
            <h2 id="account-credentials-heading">"Account API credentials"</h2>
            <p>
                "An " <code>"auth_id"</code> " and " <code>"auth_token"</code>
                " pair that acts as the holder of account " <span class="mono">{keys.account_id.clone()}</span>
                " (sent as " <code>"X-Auth-ID"</code> " and " <code>"X-Auth-Token"</code> ")."
            </p>
            {match keys.auth_id.clone() {
                Some(auth_id) => view! {
                    <dl class="facts">
                        <dt>"auth_id"</dt><dd class="mono" data-testid="auth-id">{auth_id}</dd>
                        <dt>"Token issued"</dt><dd>{keys.credentials_issued.clone().unwrap_or_default()}</dd>
                    </dl>
                }
                .into_any(),
                None => view! { <p class="notice">"This account has no API credentials yet."</p> }.into_any(),
            }}
            {if keys.can_manage_account {
                view! {
                    <ActionForm action=rotate>
                        <FormAlert message=errors.any() />
                        <button type="submit" class=if has { "secondary" } else { "" }>
                            {if has { "Rotate credentials" } else { "Create credentials" }}
                        </button>
                        {has.then(|| view! { <p class="hint">"The current token stops working as soon as the new one is shown."</p> })}
                    </ActionForm>
                }
                .into_any()
            } else {
                view! { <p class="hint">"Only Administrators create and rotate the account's credentials."</p> }.into_any()
            }}
        </section>
    }
}

#[component]
fn TokensSection(keys: ApiKeysView, revoke: ServerAction<RevokeApiToken>) -> impl IntoView {
    let create = ServerAction::<CreateApiToken>::new();
    let errors = FormErrors::from_action(create);
    let revoke_errors = FormErrors::from_action(revoke);
    let default_role = keys
        .roles
        .first()
        .map(|(code, _)| code.clone())
        .unwrap_or_default();
    let rows = keys
        .tokens
        .iter()
        .cloned()
        .map(|t| view! { <TokenRow token=t revoke /> })
        .collect_view();
    let empty = keys.tokens.is_empty();
    view! {
        <section class="card" aria-labelledby="tokens-heading">
            <h2 id="tokens-heading">"Personal API tokens"</h2>
            <p>
                "A token acts as you, with the role you give it (at most your own), sent as "
                <code>"Authorization: APIKey <token>"</code>
                ". Disabling or removing your user, or changing your password or privilege, ends all your tokens."
            </p>
            <FormAlert message=revoke_errors.any() />
            {if empty {
                view! { <p class="notice">"You have no tokens."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="tokens">
                            <thead>
                                <tr>
                                    <th scope="col">"Name"</th>
                                    <th scope="col">"Description"</th>
                                    <th scope="col">"Role"</th>
                                    <th scope="col">"Expires"</th>
                                    <th scope="col">"Created"</th>
                                    <th scope="col">"Last used"</th>
                                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
            <h3>"New token"</h3>
            <ActionForm action=create attr:class="form wide">
                <FormAlert message=errors.form() />
                <TextField id="token-name" name="name" label="Name" required=true maxlength=64
                    hint="What it is for, such as \"Nightly backup script\"." error=errors.field("name") />
                <TextField id="token-description" name="description" label="Description (optional)" maxlength=255
                    error=errors.field("description") />
                <div class="field" class:invalid=move || errors.field("role").get().is_some()>
                    <label for="token-role">"Role"</label>
                    <select id="token-role" name="role" aria-describedby="token-role-error">
                        {keys.roles.iter().cloned().map(|(code, label)| {
                            let selected = code == default_role;
                            view! { <option value=code selected=selected>{label}</option> }
                        }).collect_view()}
                    </select>
                    <p class="field-error" id="token-role-error" aria-live="polite">{move || errors.field("role").get()}</p>
                </div>
                <TextField id="token-expires" name="expires" label="Last day (optional)" input_type="date"
                    hint="Leave empty for a token that does not expire." error=errors.field("expires") />
                <p class="actions"><button type="submit">"Create token"</button></p>
            </ActionForm>
        </section>
    }
}

#[component]
fn TokenRow(token: TokenView, revoke: ServerAction<RevokeApiToken>) -> impl IntoView {
    let expires = match (&token.expires, token.expired) {
        (None, _) => "Never".to_owned(),
        (Some(at), true) => format!("Expired {at}"),
        (Some(at), false) => at.clone(),
    };
    view! {
        <tr>
            <td>{token.name.clone()}</td>
            <td>{token.description.clone()}</td>
            <td>{token.role.clone()}</td>
            <td>{expires}</td>
            <td>{token.created.clone()}</td>
            <td>{token.last_used.clone().unwrap_or_else(|| "Never".to_owned())}</td>
            <td>
                <details class="confirm">
                    <summary>"Revoke…"</summary>
                    <ActionForm action=revoke>
                        <input type="hidden" name="id" value=token.id.to_string() />
                        <p>{format!("Revoke \"{}\"? Scripts using it stop working at once.", token.name)}</p>
                        <button type="submit" class="danger">"Revoke token"</button>
                    </ActionForm>
                </details>
            </td>
        </tr>
    }
}
