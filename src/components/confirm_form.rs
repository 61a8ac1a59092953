//! A row's destructive action, behind a confirmation.

use leptos::prelude::*;

use super::form_action::FormAction;

/// `summary` ("Delete…", "Revoke…") opens `question` and the button that posts `action` with
/// the row's `id`. A `<details>` and a plain form: no JavaScript needed.
#[component]
pub fn ConfirmForm<A: FormAction>(
    action: ServerAction<A>,
    #[prop(into)] id: String,
    summary: &'static str,
    #[prop(into)] question: String,
    submit: &'static str,
) -> impl IntoView {
    view! {
        <details class="confirm">
            <summary>{summary}</summary>
            <ActionForm action>
                <input type="hidden" name="id" value=id />
                <p>{question}</p>
                <button type="submit" class="danger">{submit}</button>
            </ActionForm>
        </details>
    }
}
