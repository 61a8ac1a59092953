//! Each request's id and metadata (address, user agent, API dialect), kept for the log lines and
//! the activity log of everything it does.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::domain::event::RequestMeta;
use crate::server::web::state::AppState;

/// The API a path belongs to (see `compat::routes`).
pub fn dialect_of(method: &Method, path: &str) -> &'static str {
    if path.starts_with("/api/v1/accounts") {
        "vobiz"
    } else if path.starts_with("/iam/") {
        "gcore"
    } else if path.starts_with("/1.0/") {
        "ovh"
    } else if path == "/" && method == Method::POST {
        "tencent"
    } else {
        "panel"
    }
}

/// The longest user agent kept: enough to tell browsers and clients apart.
const MAX_USER_AGENT: usize = 256;

/// Gives every request an id: the caller's `X-Request-Id` when it is a sane one (a proxy's),
/// else a new one. Every log line of the request carries it, an internal error quotes it as its
/// reference, and the response returns it in `X-Request-Id`.
///
/// The client's address is settled here, once, for everything the request does (sessions,
/// activity, per-client limits): the socket's, or what trusted proxies say (`trusted_proxies`).
pub async fn request_id(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    use tracing::Instrument;
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            (8..=64).contains(&v.len())
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map_or_else(
            || crate::server::infra::secrets::random_hex(8),
            str::to_owned,
        );
    let ip = request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| {
            state
                .config
                .trusted_proxies
                .client(info.0.ip(), request.headers())
                .to_string()
        })
        .unwrap_or_default();
    let user_agent: String = request
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .chars()
        .take(MAX_USER_AGENT)
        .collect();
    let meta = RequestMeta {
        id: id.clone(),
        ip,
        user_agent,
        dialect: dialect_of(request.method(), request.uri().path()),
    };
    // Also in the request's extensions, for the tasks that render a page (see `request_scope`).
    request.extensions_mut().insert(meta.clone());
    let span = tracing::info_span!(
        "request",
        id = %id,
        method = %request.method(),
        path = %loggable_path(request.uri().path())
    );
    let mut response = crate::server::infra::request_scope::scope(meta, next.run(request))
        .instrument(span)
        .await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

/// Pages whose last segment is a single-use link's token: the log names the page, never the
/// token (SECURITY.md: secrets never reach a log).
const LINK_PAGES: [&str; 2] = ["/login/reset/", "/verify-email/"];

/// `path` as the log shows it: a link's token is cut off.
fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    match LINK_PAGES.iter().find(|page| path.starts_with(**page)) {
        Some(page) => format!("{page}…").into(),
        None => path.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::loggable_path;

    #[test]
    fn a_link_token_in_the_path_is_not_logged() {
        assert_eq!(loggable_path("/login/reset/abc123"), "/login/reset/…");
        assert_eq!(loggable_path("/verify-email/abc123"), "/verify-email/…");
        assert_eq!(loggable_path("/users/ana/edit"), "/users/ana/edit");
    }
}
