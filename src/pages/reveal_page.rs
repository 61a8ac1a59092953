//! The one-time reveal of generated passwords. The server deletes them as this page loads them:
//! reloading, going back or opening the address again finds nothing.

use leptos::prelude::*;

use crate::components::form::ErrorMessage;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::reveal_fns::{AccountCredentials, Credential, Revealed, take_reveal};
use crate::components::copy_button::CopyButton;
use crate::i18n::use_lang;

#[component]
pub fn RevealPage() -> impl IntoView {
    let params = use_params_map();
    let revealed = Resource::new(
        move || params.with(|p| p.get("id").unwrap_or_default()),
        take_reveal,
    );
    let lang = use_lang();
    view! {
        <Title text=lang.t("reveal.title") />
        <Suspense fallback=move || view! { <p class="loading">{lang.t("common.loading")}</p> }>
            {move || Suspend::new(async move {
                match revealed.await {
                    Ok(Some(Revealed::NewUsers { created, refused })) => view! {
                        <h1>{lang.t("reveal.users_added")}</h1>
                        <Credentials credentials=created />
                        {(!refused.is_empty()).then(|| view! {
                            <section class="card" aria-labelledby="refused-heading">
                                <h2 id="refused-heading">{lang.t("reveal.not_created")}</h2>
                                <ul class="refused">
                                    {refused.into_iter().map(|r| {
                                        // The reasons are message keys, one a line; the only value they
                                        // name is the row's login.
                                        let reason = r
                                            .reason
                                            .lines()
                                            .map(|k| lang.tf(k, &[("login", &r.login)]))
                                            .collect::<Vec<_>>()
                                            .join(" ");
                                        let login = if r.login.is_empty() { lang.t("reveal.no_id").to_owned() } else { r.login.clone() };
                                        view! {
                                            <li>{lang.tf("reveal.refused_row", &[("row", &r.row.to_string()), ("login", &login), ("reason", &reason)])}</li>
                                        }
                                    }).collect_view()}
                                </ul>
                            </section>
                        })}
                        <p><A href="/users">{lang.t("reveal.back_users")}</A></p>
                    }
                    .into_any(),
                    Ok(Some(Revealed::PasswordReset { credential })) => view! {
                        <h1>{lang.t("reveal.temporary_password")}</h1>
                        <Credentials credentials=vec![credential] />
                        <p><A href="/users">{lang.t("reveal.back_users")}</A></p>
                    }
                    .into_any(),
                    Ok(Some(Revealed::RecoveryCodes { codes })) => view! {
                        <h1>{lang.t("reveal.recovery_codes")}</h1>
                        <RecoveryCodes codes />
                        <p><A href="/security">{lang.t("reveal.back_security")}</A></p>
                    }
                    .into_any(),
                    Ok(Some(Revealed::AccountCredentials(credentials))) => view! {
                        <AccountCredentialsReveal credentials />
                    }
                    .into_any(),
                    Ok(Some(Revealed::ApiToken { id, name, token })) => view! {
                        <h1>{lang.t("reveal.token_created")}</h1>
                        <ApiTokenReveal id name token />
                        <p><A href="/api-keys">{lang.t("ovh.authorize.back")}</A></p>
                    }
                    .into_any(),
                    Ok(Some(Revealed::TencentAccessKey { secret_id, secret_key })) => view! {
                        <h1>{lang.t("reveal.tencent_created")}</h1>
                        <p class="alert" role="alert">{lang.t("reveal.tencent_copy")}</p>
                        <section class="card" aria-labelledby="tencent-key-heading">
                            <h2 id="tencent-key-heading">{lang.t("reveal.access_key")}</h2>
                            <dl class="facts credentials">
                                <SecretRow label="SecretId" value=secret_id testid="reveal-secret-id" />
                                <SecretRow label="SecretKey" value=secret_key testid="reveal-secret-key" />
                            </dl>
                            <p class="hint">{lang.t("reveal.tencent_hint")}</p>
                        </section>
                        <p><A href="/api-keys">{lang.t("ovh.authorize.back")}</A></p>
                    }
                    .into_any(),
                    Ok(Some(Revealed::OvhApplication { application_key, application_secret })) => view! {
                        <h1>{lang.t("reveal.ovh_created")}</h1>
                        <p class="alert" role="alert">{lang.t("reveal.ovh_copy")}</p>
                        <section class="card" aria-labelledby="ovh-application-heading">
                            <h2 id="ovh-application-heading">{lang.t("ovh.application")}</h2>
                            <dl class="facts credentials">
                                <SecretRow label=lang.t("ovh.application_key") value=application_key testid="reveal-application-key" />
                                <SecretRow label=lang.t("reveal.application_secret") value=application_secret testid="reveal-application-secret" />
                            </dl>
                            <p class="hint">{lang.t("reveal.ovh_hint")}</p>
                        </section>
                        <p><A href="/api-keys">{lang.t("ovh.authorize.back")}</A></p>
                    }
                    .into_any(),
                    Ok(None) => view! {
                        <h1>{lang.t("reveal.gone")}</h1>
                        <p class="notice">{lang.t("reveal.gone_text")}</p>
                        <p><A href="/users">{lang.t("reveal.back_users")}</A></p>
                    }
                    .into_any(),
                    Err(e) => view! {
                        <h1>{lang.t("reveal.title")}</h1>
                        <ErrorMessage error=e />
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Credentials(credentials: Vec<Credential>) -> impl IntoView {
    let lang = use_lang();
    if credentials.is_empty() {
        return view! { <p class="notice">{lang.t("reveal.none_created")}</p> }.into_any();
    }
    let lines: Vec<String> = credentials
        .iter()
        .map(|c| format!("{},{}", c.login_id, c.password))
        .collect();
    let csv = format!("login_id,password\n{}\n", lines.join("\n"));
    let all = lines.join("\n");
    let download = format!(
        "data:text/csv;charset=utf-8,{}",
        crate::domain::navigation::encode_query_value(&csv)
    );
    let rows = credentials
        .into_iter()
        .map(|c| {
            view! {
                <tr>
                    <td class="mono">{c.login_id.clone()}</td>
                    <td class="mono secret">{c.password.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p class="alert" role="alert">{lang.t("reveal.passwords_copy")}</p>
        <div class="table-wrap">
            <table class="credentials">
                <thead><tr><th scope="col">{lang.t("users.col.login")}</th><th scope="col">{lang.t("field.password")}</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <p class="actions">
            <CopyButton value=all label=lang.t("reveal.copy_all") />
            <a class="button secondary" href=download download="steward-users.csv">{lang.t("reveal.download_csv")}</a>
        </p>
    }
    .into_any()
}

#[component]
fn RecoveryCodes(codes: Vec<String>) -> impl IntoView {
    let text = format!("{}\n", codes.join("\n"));
    let download = format!(
        "data:text/plain;charset=utf-8,{}",
        crate::domain::navigation::encode_query_value(&text)
    );
    let lang = use_lang();
    view! {
        <p class="alert" role="alert">{lang.t("reveal.codes_keep")}</p>
        <ul class="recovery-codes mono" data-testid="recovery-codes">
            {codes.into_iter().map(|c| view! { <li class="secret">{c}</li> }).collect_view()}
        </ul>
        <p class="actions">
            <CopyButton value=text.trim_end().to_owned() label=lang.t("reveal.copy_all") />
            <a class="button secondary" href=download download="steward-recovery-codes.txt">{lang.t("reveal.download")}</a>
        </p>
    }
}

/// A row of a reveal's facts: the label, the value in monospace, and its copy button.
#[component]
fn SecretRow(label: &'static str, value: String, testid: &'static str) -> impl IntoView {
    let lang = use_lang();
    view! {
        <dt>{label}</dt>
        <dd>
            <span class="mono secret" data-testid=testid>{value.clone()}</span>
            " "
            <CopyButton value label=lang.tf("reveal.copy_label", &[("label", label)]) />
        </dd>
    }
}

#[component]
fn AccountCredentialsReveal(credentials: AccountCredentials) -> impl IntoView {
    let mut json = serde_json::json!({
        "account_id": credentials.account_id,
        "auth_id": credentials.auth_id,
        "auth_token": credentials.auth_token,
    });
    if let Some(id) = credentials.sub_account {
        json["id"] = id.into();
    }
    let json = format!("{json}\n");
    let download = format!(
        "data:application/json;charset=utf-8,{}",
        crate::domain::navigation::encode_query_value(&json)
    );
    let filename = format!("steward-{}.json", credentials.account_id);
    let lang = use_lang();
    let (title, back_href, back_text) = match (credentials.new_account, credentials.sub_account) {
        (true, Some(id)) => (
            lang.t("reveal.sub_created"),
            format!("/sub-accounts/{id}"),
            lang.t("reveal.go_sub"),
        ),
        (false, Some(id)) => (
            lang.t("reveal.new_credentials"),
            format!("/sub-accounts/{id}"),
            lang.t("reveal.back_sub"),
        ),
        _ => (
            lang.t("reveal.new_credentials"),
            "/api-keys".to_owned(),
            lang.t("ovh.authorize.back"),
        ),
    };
    view! {
        <h1>{title}</h1>
        <p class="alert" role="alert">{lang.t("reveal.credentials_copy")}</p>
        <section class="card" aria-labelledby="credentials-heading">
            <h2 id="credentials-heading">{credentials.name.clone()}</h2>
            <dl class="facts credentials">
                <SecretRow label=lang.t("field.account_id") value=credentials.account_id.clone() testid="reveal-account-id" />
                <SecretRow label="auth_id" value=credentials.auth_id.clone() testid="reveal-auth-id" />
                <SecretRow label="auth_token" value=credentials.auth_token.clone() testid="reveal-auth-token" />
            </dl>
            <p class="actions">
                <a class="button secondary" href=download download=filename>{lang.t("reveal.download_json")}</a>
            </p>
        </section>
        <p><A href=back_href>{back_text}</A></p>
    }
}

#[component]
fn ApiTokenReveal(id: i64, name: String, token: String) -> impl IntoView {
    let lang = use_lang();
    view! {
        <p class="alert" role="alert">{lang.t("reveal.token_copy")}</p>
        <section class="card" aria-labelledby="token-heading">
            <h2 id="token-heading">{name}</h2>
            <dl class="facts credentials">
                <dt>{lang.t("reveal.token_id")}</dt><dd class="mono">{id.to_string()}</dd>
                <SecretRow label=lang.t("reveal.token") value=token testid="reveal-token" />
            </dl>
            <p class="hint">{lang.t("reveal.send_as")}" " <code>"Authorization: APIKey <token>"</code> "."</p>
        </section>
    }
}
