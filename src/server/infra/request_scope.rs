//! The request being served, reachable from anywhere below the handler: its id, for log lines and
//! error references, and where it comes from, for the activity log.

use std::future::Future;

use crate::domain::event::RequestMeta;

tokio::task_local! {
    /// The request being served: its id, for log lines and error references, and where it
    /// comes from, for the activity log.
    static REQUEST: RequestMeta;
}

/// The id of the request being served, when there is one.
pub fn current_request_id() -> Option<String> {
    serving().map(|r| r.id)
}

/// The request being served; empty outside one (a command-line action).
pub fn current_request() -> RequestMeta {
    serving().unwrap_or_default()
}

/// The request being served: from the task that serves it, or, in the tasks Leptos spawns to
/// render a page on the server (which task-locals do not reach), from the request's parts that
/// Leptos keeps in its context (`web::request_meta` puts the metadata there too). Without the
/// second, a page rendered on the server would know neither the client's address (IP rules) nor
/// the request's id.
fn serving() -> Option<RequestMeta> {
    REQUEST.try_with(Clone::clone).ok().or_else(|| {
        leptos::prelude::use_context::<axum::http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<RequestMeta>().cloned())
    })
}

/// Runs `work` as the request `meta` (see `web::http::request_id`).
pub async fn scope<F: Future>(meta: RequestMeta, work: F) -> F::Output {
    REQUEST.scope(meta, work).await
}

/// What a user quotes about a failure: the request's id (which `X-Request-Id` also says), or a
/// fresh reference outside a request.
pub fn reference() -> String {
    current_request_id().unwrap_or_else(crate::server::infra::secrets::reference_id)
}
