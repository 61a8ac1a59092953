//! The notice a page shows after an action that sent the visitor back to it.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// `text`, announced, while the address has `?param` (`?deleted`, `?saved`): actions that
/// work without JavaScript say what they did by the address they send the visitor back to.
#[component]
pub fn QueryNotice(param: &'static str, text: &'static str) -> impl IntoView {
    let query = use_query_map();
    move || {
        query
            .with(|q| q.get(param).is_some())
            .then(|| view! { <p class="notice" role="status">{text}</p> })
    }
}
