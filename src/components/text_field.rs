//! A labelled text input with its hint and its error beside it.

use leptos::prelude::*;

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
