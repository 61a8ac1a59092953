use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::i18n::use_lang;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    let lang = use_lang();
    view! {
        <Title text=lang.t("not_found.title") />
        <main id="main" class="narrow">
            <h1>{lang.t("not_found.title")}</h1>
            <p>{lang.t("not_found.text")}" " <A href="/">{lang.t("not_found.home")}</A></p>
        </main>
    }
}
