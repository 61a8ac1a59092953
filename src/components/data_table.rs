//! A table of rows under column headings, or a notice when there are none.

use leptos::prelude::*;

use crate::i18n::use_lang;

/// A table in its scrolling wrapper: one row per item of `rows`, drawn by `row`, under
/// `columns`. With `empty`, no rows means that notice instead of the table.
#[component]
pub fn DataTable<R, V, F>(
    rows: Vec<R>,
    row: F,
    /// The column headings, in the page's language.
    columns: Vec<&'static str>,
    /// Headings before `columns` that are more than text (links that sort the table).
    #[prop(optional)]
    leading: Option<AnyView>,
    /// A last column, titled for screen readers only, for each row's buttons.
    #[prop(optional)]
    actions: bool,
    /// The table's class, which the stylesheet lays its columns out by.
    #[prop(optional)]
    class: Option<&'static str>,
    /// A caption for screen readers.
    #[prop(optional)]
    caption: Option<&'static str>,
    #[prop(optional)] empty: Option<&'static str>,
) -> impl IntoView
where
    F: Fn(R) -> V,
    V: IntoView + 'static,
{
    if let (Some(text), true) = (empty, rows.is_empty()) {
        return view! { <p class="notice">{text}</p> }.into_any();
    }
    let lang = use_lang();
    let rows = rows.into_iter().map(row).collect_view();
    view! {
        <div class="table-wrap">
            <table class=class>
                {caption.map(|c| view! { <caption class="visually-hidden">{c}</caption> })}
                <thead>
                    <tr>
                        {leading}
                        {columns.into_iter().map(|c| view! { <th scope="col">{c}</th> }).collect_view()}
                        {actions.then(|| view! {
                            <th scope="col"><span class="visually-hidden">{lang.t("common.actions")}</span></th>
                        })}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}
