//! Links between the pages of a long list.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::use_lang;

/// "Previous", "Page 2 of 5 (93 in all)", "Next": plain links, so paging works without
/// JavaScript. `href` gives the address of another page of the same list.
#[component]
pub fn Pagination(
    page: u32,
    pages: u32,
    total: i64,
    /// The catalogue key of the summary, which takes `page`, `pages` and `total`.
    summary: &'static str,
    href: impl Fn(u32) -> String,
) -> impl IntoView {
    let lang = use_lang();
    let previous = (page > 1).then(|| href(page - 1));
    let next = (page < pages).then(|| href(page + 1));
    let summary = lang.tf(
        summary,
        &[
            ("page", &lang.number(i64::from(page))),
            ("pages", &lang.number(i64::from(pages))),
            ("total", &lang.number(total)),
        ],
    );
    view! {
        <nav class="pagination" aria-label=lang.t("users.pages")>
            {previous.map(|href| view! { <A href=href attr:rel="prev">{lang.t("users.previous")}</A> })}
            <span>{summary}</span>
            {next.map(|href| view! { <A href=href attr:rel="next">{lang.t("users.next")}</A> })}
        </nav>
    }
}
