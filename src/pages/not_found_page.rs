//! The page for an address Steward does not know, answered with 404.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::standalone_page::StandalonePage;
use crate::i18n::use_lang;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    let lang = use_lang();
    view! {
        <StandalonePage title=lang.t("not_found.title")>
            <p>{lang.t("not_found.text")}" " <A href="/">{lang.t("not_found.home")}</A></p>
        </StandalonePage>
    }
}
