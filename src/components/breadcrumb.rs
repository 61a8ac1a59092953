//! The way back up from a page below a section.

use leptos::prelude::*;
use leptos_router::components::A;

/// A link above the heading to the section this page belongs to ("Users", "Sub-accounts").
#[component]
pub fn Breadcrumb(href: &'static str, text: &'static str) -> impl IntoView {
    view! { <p class="breadcrumb"><A href=href>{text}</A></p> }
}
