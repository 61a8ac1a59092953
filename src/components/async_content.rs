//! The part of a page that waits for data from the server.

use leptos::prelude::*;

use super::error_message::ErrorMessage;
use super::loading::Loading;
use crate::error::AppError;

/// "Loading…" while `resource` loads, then `children` with its value; if it fails, the error
/// (or the page the error sends the visitor to). Pages render on the server before they are
/// sent (`SsrMode::Async`), so without JavaScript only the outcome is ever seen.
#[component]
pub fn AsyncContent<T, V, F>(
    resource: Resource<Result<T, AppError>>,
    /// A heading above the error, for pages whose heading comes with the data.
    #[prop(optional)]
    error_heading: Option<&'static str>,
    /// A hint below the error: what the visitor can do about it.
    #[prop(optional)]
    error_hint: Option<&'static str>,
    children: F,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    view! {
        <Suspense fallback=|| view! { <Loading /> }>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(value) => children(value).into_any(),
                        Err(error) => view! {
                            {error_heading.map(|h| view! { <h1>{h}</h1> })}
                            <ErrorMessage error />
                            {error_hint.map(|h| view! { <p class="hint">{h}</p> })}
                        }
                        .into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
