//! Labelled `<select>` fields: any list of choices, and the account's groups.

use leptos::prelude::*;

use super::labels::role_text;
use crate::api::user_fns::GroupView;
use crate::i18n::use_lang;

/// One `<option>` of a [`SelectField`].
#[derive(Clone)]
pub struct Choice {
    value: String,
    text: String,
    selected: bool,
}

impl Choice {
    pub fn new(value: impl Into<String>, text: impl Into<String>, selected: bool) -> Self {
        Self {
            value: value.into(),
            text: text.into(),
            selected,
        }
    }
}

/// A labelled `<select>`. Given an `error`, it is announced and linked to the select as a
/// text field's is; a filter, which has none, gets no place for it.
#[component]
pub fn SelectField(
    id: &'static str,
    label: &'static str,
    /// The form field's name, when it differs from `id`.
    #[prop(optional)]
    name: Option<&'static str>,
    choices: Vec<Choice>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional, into)] error: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let described_by = match (hint, error) {
        (Some(_), Some(_)) => Some(format!("{id}-hint {id}-error")),
        (None, Some(_)) => Some(format!("{id}-error")),
        (Some(_), None) => Some(format!("{id}-hint")),
        (None, None) => None,
    };
    view! {
        <div class="field" class:invalid=move || error.is_some_and(|e| e.get().is_some())>
            <label for=id>{label}</label>
            <select id=id name=name.unwrap_or(id) aria-describedby=described_by>
                {options(choices)}
            </select>
            {hint.map(|h| view! { <p class="hint" id=format!("{id}-hint")>{h}</p> })}
            {error.map(|e| view! {
                <p class="field-error" id=format!("{id}-error") aria-live="polite">{move || e.get()}</p>
            })}
        </div>
    }
}

/// The `<option>`s of a select, for one that stands without a label (a table's cell).
pub fn options(choices: Vec<Choice>) -> impl IntoView {
    choices
        .into_iter()
        .map(|c| view! { <option value=c.value selected=c.selected>{c.text}</option> })
        .collect_view()
}

/// The account's groups as choices, each showing its role; `selected` names one (any case).
pub fn group_choices(groups: &[GroupView], selected: &str) -> Vec<Choice> {
    let lang = use_lang();
    groups
        .iter()
        .map(|g| {
            let text = format!("{} ({})", g.name, role_text(lang, &g.role));
            Choice::new(g.name.clone(), text, g.name.eq_ignore_ascii_case(selected))
        })
        .collect()
}

/// The "Privilege" select: one option per group, showing its role.
#[component]
pub fn GroupSelect(
    id: &'static str,
    groups: Vec<GroupView>,
    /// The group selected at first (by name).
    #[prop(into)]
    selected: String,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let label = use_lang().t("field.privilege");
    let choices = group_choices(&groups, &selected);
    view! { <SelectField id label choices error /> }
}
