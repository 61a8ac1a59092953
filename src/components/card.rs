//! A titled section of a page.

use leptos::prelude::*;

/// A `<section class="card">` named by its heading: `heading_id` (unique on the page) ties
/// the two together for screen readers.
#[component]
pub fn Card(
    heading_id: &'static str,
    #[prop(into)] title: String,
    /// An anchor to link to the section by.
    #[prop(optional)]
    id: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    view! {
        <section class="card" id=id aria-labelledby=heading_id>
            <h2 id=heading_id>{title}</h2>
            {children()}
        </section>
    }
}
