//! The one-time reveal of generated passwords. The server deletes them as this page loads them:
//! reloading, going back or opening the address again finds nothing.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::invitation_fns::SendSignInDetails;
use crate::api::recovery_fns::recovery_by_mail;
use crate::api::reveal_fns::{AccountCredentials, Credential, Refused, Revealed, take_reveal};
use crate::components::async_content::AsyncContent;
use crate::components::card::Card;
use crate::components::copy_button::CopyButton;
use crate::components::form_errors::{FormAlert, FormErrors};
use crate::components::select_field::{Choice, SelectField};
use crate::components::text_field::TextField;
use crate::i18n::use_lang;
use crate::key;

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
        <AsyncContent resource=revealed error_heading=lang.t("reveal.title") let:revealed>
            {match revealed {
                Some(revealed) => view! { <Reveal revealed /> }.into_any(),
                None => view! {
                    <h1>{lang.t("reveal.gone")}</h1>
                    <p class="notice">{lang.t("reveal.gone_text")}</p>
                    <BackLink href="/users" text=lang.t("reveal.back_users") />
                }
                .into_any(),
            }}
        </AsyncContent>
    }
}

/// The secrets, each kind with its heading and the way back to where it was made.
#[component]
fn Reveal(revealed: Revealed) -> impl IntoView {
    let lang = use_lang();
    match revealed {
        Revealed::NewUsers { created, refused } => view! {
            <h1>{lang.t("reveal.users_added")}</h1>
            <Credentials credentials=created />
            {(!refused.is_empty()).then(|| view! { <RefusedRows refused /> })}
            <BackLink href="/users" text=lang.t("reveal.back_users") />
        }
        .into_any(),
        Revealed::PasswordReset { credential } => view! {
            <h1>{lang.t("reveal.temporary_password")}</h1>
            <Credentials credentials=vec![credential] />
            <BackLink href="/users" text=lang.t("reveal.back_users") />
        }
        .into_any(),
        Revealed::RecoveryCodes { codes } => view! {
            <h1>{lang.t("reveal.recovery_codes")}</h1>
            <RecoveryCodes codes />
            <BackLink href="/security" text=lang.t("reveal.back_security") />
        }
        .into_any(),
        Revealed::AccountCredentials(credentials) => {
            view! { <AccountCredentialsReveal credentials /> }.into_any()
        }
        Revealed::ApiToken { id, name, token } => view! {
            <h1>{lang.t("reveal.token_created")}</h1>
            <ApiTokenReveal id name token />
            <BackLink href="/api-keys" text=lang.t("ovh.authorize.back") />
        }
        .into_any(),
        Revealed::TencentAccessKey { secret_id, secret_key } => {
            view! { <KeyPairReveal kind=KeyPair::TencentAccessKey key=secret_id secret=secret_key /> }.into_any()
        }
        Revealed::OvhApplication { application_key, application_secret } => {
            view! { <KeyPairReveal kind=KeyPair::OvhApplication key=application_key secret=application_secret /> }
                .into_any()
        }
    }
}

/// The way back to the page the secret was made on.
#[component]
fn BackLink(#[prop(into)] href: String, text: &'static str) -> impl IntoView {
    view! { <p><A href=href>{text}</A></p> }
}

/// The rows of "Add several users" that were not created, each with its reasons.
#[component]
fn RefusedRows(refused: Vec<Refused>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <Card heading_id="refused-heading" title=lang.t("reveal.not_created")>
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
        </Card>
    }
}

/// The key pairs of the provider-compatible APIs.
#[derive(Clone, Copy)]
enum KeyPair {
    /// Tencent Cloud's SecretId and SecretKey.
    TencentAccessKey,
    /// An OVHcloud application's key and secret.
    OvhApplication,
}

/// A key and its secret: what to do with them, the pair, and where the API expects them.
#[component]
fn KeyPairReveal(kind: KeyPair, key: String, secret: String) -> impl IntoView {
    let lang = use_lang();
    let (heading_id, texts, [key_label, secret_label]) = match kind {
        KeyPair::TencentAccessKey => (
            "tencent-key-heading",
            [
                key!("reveal.tencent_created"),
                key!("reveal.tencent_copy"),
                key!("reveal.access_key"),
                key!("reveal.tencent_hint"),
            ],
            ["SecretId", "SecretKey"],
        ),
        KeyPair::OvhApplication => (
            "ovh-application-heading",
            [
                key!("reveal.ovh_created"),
                key!("reveal.ovh_copy"),
                key!("ovh.application"),
                key!("reveal.ovh_hint"),
            ],
            [
                lang.t("ovh.application_key"),
                lang.t("reveal.application_secret"),
            ],
        ),
    };
    let [heading, alert, title, hint] = texts.map(|key| lang.t(key));
    // The test ids the end-to-end suite reads the values by.
    let (key_testid, secret_testid) = match kind {
        KeyPair::TencentAccessKey => ("reveal-secret-id", "reveal-secret-key"),
        KeyPair::OvhApplication => ("reveal-application-key", "reveal-application-secret"),
    };
    view! {
        <h1>{heading}</h1>
        <p class="alert" role="alert">{alert}</p>
        <Card heading_id title>
            <dl class="facts credentials">
                <SecretRow label=key_label value=key testid=key_testid />
                <SecretRow label=secret_label value=secret testid=secret_testid />
            </dl>
            <p class="hint">{hint}</p>
        </Card>
        <BackLink href="/api-keys" text=lang.t("ovh.authorize.back") />
    }
}

#[component]
fn Credentials(credentials: Vec<Credential>) -> impl IntoView {
    let lang = use_lang();
    if credentials.is_empty() {
        return view! { <p class="notice">{lang.t("reveal.none_created")}</p> }.into_any();
    }
    // Invited users have no password here: their invitation is in their mailbox.
    let with_password: Vec<String> = credentials
        .iter()
        .filter(|c| !c.password.is_empty())
        .map(|c| c.login_id.clone())
        .collect();
    let lines: Vec<String> = credentials
        .iter()
        .filter(|c| !c.password.is_empty())
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
                    {if c.password.is_empty() {
                        view! { <td>{lang.t("reveal.invited")}</td> }.into_any()
                    } else {
                        view! { <td class="mono secret">{c.password.clone()}</td> }.into_any()
                    }}
                </tr>
            }
        })
        .collect_view();
    let any_password = !with_password.is_empty();
    view! {
        {any_password.then(|| view! { <p class="alert" role="alert">{lang.t("reveal.passwords_copy")}</p> })}
        <div class="table-wrap">
            <table class="credentials">
                <thead><tr><th scope="col">{lang.t("users.col.login")}</th><th scope="col">{lang.t("field.password")}</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        {any_password.then(|| view! {
            <p class="actions">
                <CopyButton value=all label=lang.t("reveal.copy_all") />
                <a class="button secondary" href=download download="steward-users.csv">{lang.t("reveal.download_csv")}</a>
            </p>
            <SignInDetails logins=with_password />
        })}
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
        <Card heading_id="credentials-heading" title=credentials.name.clone()>
            <dl class="facts credentials">
                <SecretRow label=lang.t("field.account_id") value=credentials.account_id.clone() testid="reveal-account-id" />
                <SecretRow label="auth_id" value=credentials.auth_id.clone() testid="reveal-auth-id" />
                <SecretRow label="auth_token" value=credentials.auth_token.clone() testid="reveal-auth-token" />
            </dl>
            <p class="actions">
                <a class="button secondary" href=download download=filename>{lang.t("reveal.download_json")}</a>
            </p>
        </Card>
        <BackLink href=back_href text=back_text />
    }
}

#[component]
fn ApiTokenReveal(id: i64, name: String, token: String) -> impl IntoView {
    let lang = use_lang();
    view! {
        <p class="alert" role="alert">{lang.t("reveal.token_copy")}</p>
        <Card heading_id="token-heading" title=name>
            <dl class="facts credentials">
                <dt>{lang.t("reveal.token_id")}</dt><dd class="mono">{id.to_string()}</dd>
                <SecretRow label=lang.t("reveal.token") value=token testid="reveal-token" />
            </dl>
            <p class="hint">{lang.t("reveal.send_as")}" " <code>"Authorization: APIKey <token>"</code> "."</p>
        </Card>
    }
}

/// "Send sign-in details": mails a user's login ID, the panel's address and a link to choose a
/// password to an address the Administrator types (on servers that send mail).
#[component]
fn SignInDetails(logins: Vec<String>) -> impl IntoView {
    let send = ServerAction::<SendSignInDetails>::new();
    let errors = FormErrors::from_action(send);
    let by_mail = Resource::new(|| (), |_| recovery_by_mail());
    let lang = use_lang();
    let sent = move || send.value().with(|v| matches!(v, Some(Ok(()))));
    let logins = StoredValue::new(logins);
    let choice = move || {
        let logins = logins.get_value();
        if logins.len() == 1 {
            view! { <input type="hidden" name="login" value=logins[0].clone() /> }.into_any()
        } else {
            let choices = logins
                .iter()
                .enumerate()
                .map(|(i, login)| Choice::new(login.clone(), login.clone(), i == 0))
                .collect();
            view! { <SelectField id="login" label=lang.t("reveal.details.user") choices /> }
                .into_any()
        }
    };
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let by_mail = by_mail.await.unwrap_or(false);
                by_mail.then(|| view! {
                    <Card heading_id="details-heading" title=lang.t("reveal.details.heading")>
                        <p class="hint">{lang.t("reveal.details.hint")}</p>
                        {move || sent().then(|| view! { <p class="notice" role="status">{lang.t("reveal.details.sent")}</p> })}
                        <ActionForm action=send attr:class="form">
                            <FormAlert message=errors.form() />
                            {choice()}
                            <TextField id="email" label=lang.t("reveal.details.to") input_type="email"
                                autocomplete="off" required=true error=errors.field("email") />
                            <button type="submit" class="secondary">{lang.t("reveal.details.send")}</button>
                        </ActionForm>
                    </Card>
                })
            })}
        </Suspense>
    }
}
