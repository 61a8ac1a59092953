//! What stands in for a part of a page while its data loads.

use leptos::prelude::*;

use crate::i18n::use_lang;

/// "Loading…", for a `<Suspense>`'s fallback.
#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="loading">{use_lang().t("common.loading")}</p> }
}
