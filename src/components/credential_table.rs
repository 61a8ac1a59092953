//! One kind of credential in its card on the API keys page.

use leptos::prelude::*;

use super::async_content::AsyncContent;
use super::data_table::DataTable;
use super::form_errors::{FormAlert, FormErrors};
use super::query_notice::QueryNotice;
use crate::error::AppError;

/// The notice after a credential was removed (the removal sends the visitor back with
/// `?{removed.0}`), the last removal's error, and the credentials once loaded: a table, each
/// row with its own removal, or `empty` when there are none.
#[component]
pub fn CredentialTable<T, R, G, V, F>(
    resource: Resource<Result<T, AppError>>,
    /// The credentials among what `resource` loaded.
    rows: G,
    row: F,
    columns: Vec<&'static str>,
    empty: &'static str,
    /// The query parameter a removal comes back with, and the notice it stands for.
    removed: (&'static str, &'static str),
    /// The removal's errors.
    errors: FormErrors,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    R: 'static,
    G: Fn(T) -> Vec<R> + Clone + Send + Sync + 'static,
    F: Fn(R) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    view! {
        <QueryNotice param=removed.0 text=removed.1 />
        <FormAlert message=errors.any() />
        <AsyncContent resource let:loaded>
            <DataTable class="tokens" columns=columns.clone() actions=true empty rows=rows(loaded) row=row.clone() />
        </AsyncContent>
    }
}
