//! The one-time reveal of generated passwords. The server deletes them as this page loads them:
//! reloading, going back or opening the address again finds nothing.

use leptos::prelude::*;

use crate::components::form::ErrorMessage;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::reveal::{AccountCredentials, Credential, Revealed, take_reveal};
use crate::components::copy::CopyButton;

#[component]
pub fn RevealPage() -> impl IntoView {
    let params = use_params_map();
    let revealed = Resource::new(
        move || params.with(|p| p.get("id").unwrap_or_default()),
        take_reveal,
    );
    view! {
        <Title text="Shown once" />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match revealed.await {
                    Ok(Some(Revealed::NewUsers { created, refused })) => view! {
                        <h1>"Users added"</h1>
                        <Credentials credentials=created />
                        {(!refused.is_empty()).then(|| view! {
                            <section class="card" aria-labelledby="refused-heading">
                                <h2 id="refused-heading">"Not created"</h2>
                                <ul class="refused">
                                    {refused.into_iter().map(|r| view! {
                                        <li>{format!("Row {} ({}): {}", r.row, if r.login.is_empty() { "no ID" } else { &r.login }, r.reason)}</li>
                                    }).collect_view()}
                                </ul>
                            </section>
                        })}
                        <p><A href="/users">"Back to User management"</A></p>
                    }
                    .into_any(),
                    Ok(Some(Revealed::PasswordReset { credential })) => view! {
                        <h1>"Temporary password"</h1>
                        <Credentials credentials=vec![credential] />
                        <p><A href="/users">"Back to User management"</A></p>
                    }
                    .into_any(),
                    Ok(Some(Revealed::RecoveryCodes { codes })) => view! {
                        <h1>"Recovery codes"</h1>
                        <RecoveryCodes codes />
                        <p><A href="/security">"Back to Security"</A></p>
                    }
                    .into_any(),
                    Ok(Some(Revealed::AccountCredentials(credentials))) => view! {
                        <AccountCredentialsReveal credentials />
                    }
                    .into_any(),
                    Ok(Some(Revealed::ApiToken { id, name, token })) => view! {
                        <h1>"API token created"</h1>
                        <ApiTokenReveal id name token />
                        <p><A href="/api-keys">"Back to API keys"</A></p>
                    }
                    .into_any(),
                    Ok(Some(Revealed::TencentAccessKey { secret_id, secret_key })) => view! {
                        <h1>"Tencent Cloud access key created"</h1>
                        <p class="alert" role="alert">
                            "Copy the SecretKey now and keep it safe: it will not be shown again."
                        </p>
                        <section class="card" aria-labelledby="tencent-key-heading">
                            <h2 id="tencent-key-heading">"Access key"</h2>
                            <dl class="facts credentials">
                                <SecretRow label="SecretId" value=secret_id testid="reveal-secret-id" />
                                <SecretRow label="SecretKey" value=secret_key testid="reveal-secret-key" />
                            </dl>
                            <p class="hint">"Use them with a Tencent Cloud SDK's CAM client pointed at this server."</p>
                        </section>
                        <p><A href="/api-keys">"Back to API keys"</A></p>
                    }
                    .into_any(),
                    Ok(Some(Revealed::OvhApplication { application_key, application_secret })) => view! {
                        <h1>"OVHcloud application created"</h1>
                        <p class="alert" role="alert">
                            "Copy the application secret now and keep it safe: it will not be shown again."
                        </p>
                        <section class="card" aria-labelledby="ovh-application-heading">
                            <h2 id="ovh-application-heading">"Application"</h2>
                            <dl class="facts credentials">
                                <SecretRow label="Application key" value=application_key testid="reveal-application-key" />
                                <SecretRow label="Application secret" value=application_secret testid="reveal-application-secret" />
                            </dl>
                            <p class="hint">"Use them with an OVHcloud API client pointed at this server's /1.0; it then requests a consumer key for a user to authorize."</p>
                        </section>
                        <p><A href="/api-keys">"Back to API keys"</A></p>
                    }
                    .into_any(),
                    Ok(None) => view! {
                        <h1>"No longer available"</h1>
                        <p class="notice">
                            "Generated passwords, recovery codes, API credentials and tokens are shown only once. If a password was lost, reset it from User management; for recovery codes, make new ones on the Security page; for credentials and tokens, rotate or create new ones."
                        </p>
                        <p><A href="/users">"Back to User management"</A></p>
                    }
                    .into_any(),
                    Err(e) => view! {
                        <h1>"Shown once"</h1>
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
    if credentials.is_empty() {
        return view! { <p class="notice">"No user was created."</p> }.into_any();
    }
    let lines: Vec<String> = credentials
        .iter()
        .map(|c| format!("{},{}", c.login_id, c.password))
        .collect();
    let csv = format!("login_id,password\n{}\n", lines.join("\n"));
    let all = lines.join("\n");
    let download = format!("data:text/csv;charset=utf-8,{}", percent_encode(&csv));
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
        <p class="alert" role="alert">
            "Copy these passwords now and hand them over safely: they will not be shown again. Users choose their own at first login."
        </p>
        <div class="table-wrap">
            <table class="credentials">
                <thead><tr><th scope="col">"Login ID"</th><th scope="col">"Password"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <p class="actions">
            <CopyButton value=all label="Copy all" />
            <a class="button secondary" href=download download="steward-users.csv">"Download CSV"</a>
        </p>
    }
    .into_any()
}

/// Percent-encodes text for a `data:` address.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' | b',' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[component]
fn RecoveryCodes(codes: Vec<String>) -> impl IntoView {
    let text = format!("{}\n", codes.join("\n"));
    let download = format!("data:text/plain;charset=utf-8,{}", percent_encode(&text));
    view! {
        <p class="alert" role="alert">
            "Keep these codes somewhere safe, away from your phone: each one logs you in once if you lose your authenticator app. They will not be shown again."
        </p>
        <ul class="recovery-codes mono" data-testid="recovery-codes">
            {codes.into_iter().map(|c| view! { <li class="secret">{c}</li> }).collect_view()}
        </ul>
        <p class="actions">
            <CopyButton value=text.trim_end().to_owned() label="Copy all" />
            <a class="button secondary" href=download download="steward-recovery-codes.txt">"Download"</a>
        </p>
    }
}

/// A row of a reveal's facts: the label, the value in monospace, and its copy button.
#[component]
fn SecretRow(label: &'static str, value: String, testid: &'static str) -> impl IntoView {
    view! {
        <dt>{label}</dt>
        <dd>
            <span class="mono secret" data-testid=testid>{value.clone()}</span>
            " "
            <CopyButton value label=format!("Copy {label}") />
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
        percent_encode(&json)
    );
    let filename = format!("steward-{}.json", credentials.account_id);
    let (title, back_href, back_text) = match (credentials.new_account, credentials.sub_account) {
        (true, Some(id)) => (
            "Sub-account created",
            format!("/sub-accounts/{id}"),
            "Go to the sub-account",
        ),
        (false, Some(id)) => (
            "New credentials",
            format!("/sub-accounts/{id}"),
            "Back to the sub-account",
        ),
        _ => (
            "New credentials",
            "/api-keys".to_owned(),
            "Back to API keys",
        ),
    };
    view! {
        <h1>{title}</h1>
        <p class="alert" role="alert">
            "Copy the token now and keep it safe: it will not be shown again. If it is lost, rotate the credentials to get a new one."
        </p>
        <section class="card" aria-labelledby="credentials-heading">
            <h2 id="credentials-heading">{credentials.name.clone()}</h2>
            <dl class="facts credentials">
                <SecretRow label="Account ID" value=credentials.account_id.clone() testid="reveal-account-id" />
                <SecretRow label="auth_id" value=credentials.auth_id.clone() testid="reveal-auth-id" />
                <SecretRow label="auth_token" value=credentials.auth_token.clone() testid="reveal-auth-token" />
            </dl>
            <p class="actions">
                <a class="button secondary" href=download download=filename>"Download as JSON"</a>
            </p>
        </section>
        <p><A href=back_href>{back_text}</A></p>
    }
}

#[component]
fn ApiTokenReveal(id: i64, name: String, token: String) -> impl IntoView {
    view! {
        <p class="alert" role="alert">
            "Copy the token now and keep it safe: it will not be shown again."
        </p>
        <section class="card" aria-labelledby="token-heading">
            <h2 id="token-heading">{name}</h2>
            <dl class="facts credentials">
                <dt>"Token id"</dt><dd class="mono">{id.to_string()}</dd>
                <SecretRow label="Token" value=token testid="reveal-token" />
            </dl>
            <p class="hint">"Send it as " <code>"Authorization: APIKey <token>"</code> "."</p>
        </section>
    }
}
