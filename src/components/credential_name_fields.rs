//! The name and description a new credential is known by.

use leptos::prelude::*;

use super::form_errors::FormErrors;
use super::text_field::TextField;
use crate::i18n::use_lang;

/// "Name" and "Description (optional)" for a new API token or OVHcloud application, posted as
/// `name` and `description`; `ids` keeps them apart from other forms' on the page.
#[component]
pub fn CredentialNameFields(
    errors: FormErrors,
    ids: (&'static str, &'static str),
    /// What the name is for.
    name_hint: &'static str,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <TextField id=ids.0 name="name" label=lang.t("field.name") required=true maxlength=64
            hint=name_hint error=errors.field("name") />
        <TextField id=ids.1 name="description" label=lang.t("field.description_optional") maxlength=255
            error=errors.field("description") />
    }
}
