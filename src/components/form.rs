//! Form fields with their label, hint and error beside them.

use leptos::prelude::*;

use crate::error::AppError;
use crate::i18n::use_lang;

/// The error of the last submission of a form, if any; helpers pick out a field's part.
#[derive(Clone, Copy)]
pub struct FormErrors(pub Signal<Option<AppError>>);

impl FormErrors {
    pub fn from_action<I, O>(action: ServerAction<I>) -> Self
    where
        I: leptos::server_fn::ServerFn<Output = O, Error = AppError>
            + Clone
            + Send
            + Sync
            + 'static,
        O: Clone + Send + Sync + 'static,
    {
        let value = action.value();
        Self(Signal::derive(move || value.get().and_then(Result::err)))
    }

    pub fn field(self, field: &'static str) -> Signal<Option<String>> {
        let lang = use_lang();
        Signal::derive(move || self.0.get().and_then(|e| e.for_field(field, lang)))
    }

    /// Every error as one message: for forms whose errors never concern a single field.
    pub fn any(self) -> Signal<Option<String>> {
        let lang = use_lang();
        Signal::derive(move || {
            self.0.get().map(|e| match e {
                // Every refused input, each in its words.
                AppError::Invalid(fields) => fields
                    .iter()
                    .map(|f| f.message(lang))
                    .collect::<Vec<_>>()
                    .join(" "),
                other => other.message(lang),
            })
        })
    }

    pub fn form(self) -> Signal<Option<String>> {
        let lang = use_lang();
        Signal::derive(move || self.0.get().and_then(|e| e.for_form(lang)))
    }
}

/// A failed page load: the message, or the page to go to instead: login when the session has
/// ended meanwhile (an administrator disabled the user, say), or a pending step.
#[component]
pub fn ErrorMessage(error: AppError) -> impl IntoView {
    match error {
        AppError::Unauthenticated => {
            view! { <leptos_router::components::Redirect path=login_path() /> }.into_any()
        }
        AppError::PasswordChangeRequired => {
            view! { <leptos_router::components::Redirect path="/password" /> }.into_any()
        }
        AppError::TwoFactorRequired => {
            view! { <leptos_router::components::Redirect path="/two-factor-setup" /> }.into_any()
        }
        other => view! { <p class="alert" role="alert">{other.message(use_lang())}</p> }.into_any(),
    }
}

/// A message about the whole form (not tied to one field).
#[component]
pub fn FormAlert(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    move || {
        message
            .get()
            .map(|m| view! { <p class="alert" role="alert">{m}</p> })
    }
}

/// A labelled text input. Its error, when there is one, is announced and linked to the input.
#[component]
pub fn TextField(
    id: &'static str,
    label: &'static str,
    /// The form field's name, when it differs from `id` (two forms on one page).
    #[prop(optional)]
    name: Option<&'static str>,
    #[prop(optional)] input_type: Option<&'static str>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] maxlength: Option<usize>,
    #[prop(optional)] required: bool,
    /// The value the field starts with (rendered on the server, so it works without JavaScript).
    #[prop(optional, into)]
    initial: Option<String>,
    #[prop(into, optional)] error: Signal<Option<String>>,
    /// Called with the new value on every keystroke (after hydration).
    #[prop(optional, into)]
    on_input: Option<Callback<String>>,
) -> impl IntoView {
    let described_by = if hint.is_some() {
        format!("{id}-hint {id}-error")
    } else {
        format!("{id}-error")
    };
    view! {
        <div class="field" class:invalid=move || error.get().is_some()>
            <label for=id>{label}</label>
            <input
                id=id
                name=name.unwrap_or(id)
                type=input_type.unwrap_or("text")
                autocomplete=autocomplete
                maxlength=maxlength
                required=required
                value=initial
                aria-invalid=move || error.get().map(|_| "true")
                aria-describedby=described_by
                on:input=move |ev| {
                    if let Some(cb) = on_input {
                        cb.run(event_target_value(&ev));
                    }
                }
            />
            {hint.map(|h| view! { <p class="hint" id=format!("{id}-hint")>{h}</p> })}
            <p class="field-error" id=format!("{id}-error") aria-live="polite">
                {move || error.get()}
            </p>
        </div>
    }
}

/// The "Privilege" select: one option per group, showing its role.
#[component]
pub fn GroupSelect(
    id: &'static str,
    /// "Privilege" unless given.
    #[prop(optional)]
    label: Option<&'static str>,
    groups: Vec<crate::api::user_fns::GroupView>,
    /// The group selected at first (by name).
    #[prop(into)]
    selected: String,
    #[prop(into, optional)] error: Signal<Option<String>>,
) -> impl IntoView {
    let lang = use_lang();
    let label = label.unwrap_or(lang.t("field.privilege"));
    view! {
        <div class="field" class:invalid=move || error.get().is_some()>
            <label for=id>{label}</label>
            <select id=id name=id aria-describedby=format!("{id}-error")>
                {groups
                    .into_iter()
                    .map(|g| {
                        let is_selected = g.name.eq_ignore_ascii_case(&selected);
                        let text = format!("{} ({})", g.name, role_text(lang, &g.role));
                        view! { <option value=g.name selected=is_selected>{text}</option> }
                    })
                    .collect_view()}
            </select>
            <p class="field-error" id=format!("{id}-error") aria-live="polite">
                {move || error.get()}
            </p>
        </div>
    }
}

/// A role's name (`None`, `User`, `Administrator`, as the server sends it) in `lang`.
pub fn role_text(lang: crate::i18n::Lang, role: &str) -> &'static str {
    crate::domain::Role::parse(role).map_or_else(|_| lang.t(role), |r| lang.t(r.key()))
}

/// The login page, with a way back here afterwards (`/login?next=/ovh/authorize/…`).
pub fn login_path() -> String {
    let location = leptos_router::hooks::use_location();
    let search = location.search.get_untracked();
    let search = search.trim_start_matches('?');
    let here = if search.is_empty() {
        location.pathname.get_untracked()
    } else {
        format!("{}?{search}", location.pathname.get_untracked())
    };
    if here == "/" {
        "/login".to_owned()
    } else {
        format!(
            "/login?next={}",
            crate::domain::navigation::encode_query_value(&here)
        )
    }
}
