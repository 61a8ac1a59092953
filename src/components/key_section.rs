//! Security keys and passkeys on the Security page (and on the enrolment page when the account
//! requires a key of Administrators): the list, adding one (JavaScript: the browser talks to the
//! key), removing one (a plain form).

use leptos::prelude::*;

use super::async_content::AsyncContent;
use super::card::Card;
use super::data_table::DataTable;
use super::form_errors::{FormAlert, FormErrors};
use super::hydration::is_hydrated;
use super::labels::time_or_never;
use super::query_notice::QueryNotice;
use super::select_field::{Choice, SelectField};
use super::text_field::TextField;
use super::webauthn;
use crate::api::passkey_fns::{KeysView, RemoveKey, add_key, key_registration_options, list_keys};
use crate::error::AppError;
use crate::i18n::use_lang;

#[component]
pub fn KeySection() -> impl IntoView {
    let remove = ServerAction::<RemoveKey>::new();
    let keys = Resource::new(move || remove.version().get(), |_| list_keys());
    let lang = use_lang();
    view! {
        <Card heading_id="keys-heading" id="keys" title=lang.t("security.keys.title")>
            <AsyncContent resource=keys let:keys>
                <Keys keys remove />
            </AsyncContent>
        </Card>
    }
}

#[component]
fn Keys(keys: KeysView, remove: ServerAction<RemoveKey>) -> impl IntoView {
    let lang = use_lang();
    if !keys.available {
        return view! { <p>{lang.t("security.keys.unavailable")}</p> }.into_any();
    }
    let list = (!keys.keys.is_empty()).then(|| {
        view! {
            <DataTable
                class="keys"
                columns=vec![
                    lang.t("field.name"),
                    lang.t("security.apps.added_on"),
                    lang.t("api_keys.last_used"),
                    lang.t("security.keys.passwordless"),
                ]
                rows=keys.keys.clone()
                row=move |key| view! {
                    <tr>
                        <td>{key.name}</td>
                        <td>{lang.datetime(key.added)}</td>
                        <td>{time_or_never(lang, key.last_used)}</td>
                        <td>{if key.passwordless { lang.t("common.yes") } else { lang.t("common.no") }}</td>
                    </tr>
                }
            />
        }
    });
    // The only second factor stays until two-factor authentication is turned off: say so
    // rather than offer a form that can only be refused.
    let removable = match (keys.keys.len(), keys.has_app) {
        (0, _) => None,
        (1, false) => Some(
            view! { <p class="hint">{lang.t("security.keys.error.last_factor")}</p> }.into_any(),
        ),
        _ => Some(view! { <RemoveKeyForm keys=keys.clone() action=remove /> }.into_any()),
    };
    view! {
        <p>{lang.t("security.keys.text")}</p>
        <QueryNotice param="key_added" text=lang.t("security.keys.added") />
        <QueryNotice param="key_removed" text=lang.t("security.keys.removed") />
        {list}
        <AddKeyForm />
        {removable}
    }
    .into_any()
}

/// Name, password, then the browser asks the key. Needs JavaScript; without it the page says so.
#[component]
fn AddKeyForm() -> impl IntoView {
    let lang = use_lang();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let errors = FormErrors(error.into());
    let hydrated = is_hydrated();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let name = webauthn::field_value("key-name");
        let password = webauthn::field_value("key-password");
        webauthn::run(busy, error, async move {
            let options = key_registration_options().await?;
            let credential = webauthn::create(&options).await.map_err(|f| f.error())?;
            add_key(name, password, credential).await
        });
    };
    view! {
        <form class="form" on:submit=submit>
            <h3>{lang.t("security.keys.add")}</h3>
            <FormAlert message=errors.form() />
            <TextField id="key-name" name="name" label=lang.t("security.keys.name") maxlength=64
                hint=lang.t("security.keys.name_hint") required=true error=errors.field("name") />
            <TextField id="key-password" name="password" label=lang.t("field.password") input_type="password"
                autocomplete="current-password" required=true error=errors.field("password") />
            <p class="hint" hidden=hydrated>{lang.t("security.keys.needs_javascript")}</p>
            <button type="submit" class="secondary" disabled=move || !hydrated() || busy.get() aria-busy=move || busy.get().to_string()>
                {move || if busy.get() { lang.t("security.keys.waiting") } else { lang.t("security.keys.add_submit") }}
            </button>
        </form>
    }
}

/// Which key, the password, and for the last key a code (from an app, or a recovery code).
#[component]
fn RemoveKeyForm(keys: KeysView, action: ServerAction<RemoveKey>) -> impl IntoView {
    let errors = FormErrors::from_action(action);
    let lang = use_lang();
    let choices: Vec<Choice> = keys
        .keys
        .iter()
        .enumerate()
        .map(|(i, key)| Choice::new(key.id.to_string(), key.name.clone(), i == 0))
        .collect();
    let last = keys.keys.len() == 1;
    view! {
        <details class="confirm">
            <summary>{lang.t("security.keys.remove")}</summary>
            <ActionForm action attr:class="form">
                <FormAlert message=errors.form() />
                <SelectField id="remove-key" name="id" label=lang.t("security.keys.which") choices />
                <TextField id="remove-key-password" name="password" label=lang.t("field.password") input_type="password"
                    autocomplete="current-password" required=true error=errors.field("password") />
                {last.then(|| view! {
                    <TextField id="remove-key-code" name="code" label=lang.t("field.code") autocomplete="one-time-code"
                        hint=lang.t("security.keys.last_code_hint") required=true error=errors.field("code") />
                })}
                <button type="submit" class="danger">{lang.t("security.keys.remove")}</button>
            </ActionForm>
        </details>
    }
}
