//! The errors of a form's last submission, and where the form shows them.

use leptos::prelude::*;

use super::form_action::FormAction;
use crate::error::AppError;
use crate::i18n::use_lang;

/// The error of the last submission of a form, if any; helpers pick out a field's part.
#[derive(Clone, Copy)]
pub struct FormErrors(pub Signal<Option<AppError>>);

impl FormErrors {
    pub fn from_action<A: FormAction>(action: ServerAction<A>) -> Self {
        let value = action.value();
        Self(Signal::derive(move || value.get().and_then(Result::err)))
    }

    /// The last error of whichever of `errors` has one: for a panel of small forms that share
    /// one message.
    pub fn first_of<const N: usize>(errors: [Self; N]) -> Signal<Option<String>> {
        Signal::derive(move || errors.iter().find_map(|e| e.any().get()))
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

/// A message about the whole form (not tied to one field).
#[component]
pub fn FormAlert(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    move || {
        message
            .get()
            .map(|m| view! { <p class="alert" role="alert">{m}</p> })
    }
}
