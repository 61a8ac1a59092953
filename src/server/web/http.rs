//! HTTP concerns around every response: health, security headers, cross-site refusal.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{AppError, FieldError};
use crate::server::web::state::AppState;

/// `GET /healthz`: 200 `ok` when the database answers, 503 otherwise.
pub async fn healthz(State(state): State<AppState>) -> Response {
    if state.db.ping().await {
        (StatusCode::OK, "ok").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
    }
}

/// The policy of everything that is not a rendered page (server functions, health, files).
const DEFAULT_CSP: &str = "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// The policy of a rendered page: scripts only from this origin or carrying this response's
/// nonce (the hydration script and the serialized resources), WebAssembly allowed, no inline
/// styles, no plugins, no framing.
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         frame-ancestors 'none'; form-action 'self'"
    )
}

/// Called while a page renders: gives the response the CSP that admits its own inline scripts.
pub fn set_page_csp() {
    use leptos::prelude::use_context;
    let nonce = leptos::nonce::use_nonce();
    let response = use_context::<leptos_axum::ResponseOptions>();
    if let (Some(nonce), Some(response)) = (nonce, response)
        && let Ok(value) = HeaderValue::from_str(&page_csp(nonce.as_inner()))
    {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

/// SECURITY.md rule 21: on every response, error pages included. Pages are personal and may show
/// a secret once, so nothing but the static bundle may be cached.
pub async fn security_headers(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let cacheable = request.uri().path().starts_with("/pkg/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set = |headers: &mut HeaderMap, name: header::HeaderName, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        set(headers, header::CONTENT_SECURITY_POLICY, DEFAULT_CSP);
    }
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    // `same-origin` keeps the Referer on the panel's own form posts: without JavaScript, a server
    // function answers by redirecting back to it.
    set(headers, header::REFERRER_POLICY, "same-origin");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    if state.config.cookie_secure {
        set(
            headers,
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000",
        );
    }
    if !cacheable {
        set(headers, header::CACHE_CONTROL, "no-store");
    }
    response
}

/// SECURITY.md rule 20: a state-changing request sent by another site is refused. Browsers say
/// where a request comes from in `Sec-Fetch-Site` and `Origin`; scripts and API clients send
/// neither and are authenticated by their credentials instead.
pub async fn refuse_cross_site(request: Request, next: Next) -> Response {
    if is_cross_site_write(request.method(), request.headers()) {
        return Response::builder()
            .status(StatusCode::FORBIDDEN)
            .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
            .body(Body::from("Cross-site request refused."))
            .unwrap_or_else(|_| StatusCode::FORBIDDEN.into_response());
    }
    next.run(request).await
}

fn is_cross_site_write(method: &Method, headers: &HeaderMap) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if fetch_site == Some("cross-site") {
        return true;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    // An opaque origin ("null": sandboxed frames, some redirects) is never ours.
    let origin_host = origin
        .split_once("://")
        .map(|(_, rest)| rest.trim_end_matches('/'));
    origin_host.is_none() || origin_host != host
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn same_origin_posts_and_scripts_pass() {
        let same = headers(&[
            ("host", "panel.example"),
            ("origin", "https://panel.example"),
            ("sec-fetch-site", "same-origin"),
        ]);
        assert!(!is_cross_site_write(&Method::POST, &same));
        assert!(!is_cross_site_write(
            &Method::POST,
            &headers(&[("host", "panel.example")])
        ));
    }

    #[test]
    fn cross_site_and_foreign_origin_posts_are_refused() {
        let cross = headers(&[("host", "panel.example"), ("sec-fetch-site", "cross-site")]);
        assert!(is_cross_site_write(&Method::POST, &cross));
        let foreign = headers(&[
            ("host", "panel.example"),
            ("origin", "https://evil.example"),
        ]);
        assert!(is_cross_site_write(&Method::POST, &foreign));
        let null = headers(&[("host", "panel.example"), ("origin", "null")]);
        assert!(is_cross_site_write(&Method::DELETE, &null));
    }

    #[test]
    fn reads_are_never_refused() {
        let cross = headers(&[("host", "panel.example"), ("sec-fetch-site", "cross-site")]);
        assert!(!is_cross_site_write(&Method::GET, &cross));
    }
}

/// SECURITY.md rule 27, before any server function runs: the per-client limits of the endpoints
/// open to anyone, a bounded body, and a bounded size for each form field (see
/// `domain::limits`). What is refused gets a clear error and changes nothing.
pub async fn guard_server_fn_input(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    use crate::domain::limits;
    let Some(endpoint) = server_fn_name(request.uri().path())
        .map(str::to_owned)
        .filter(|_| request.method() == Method::POST)
    else {
        return next.run(request).await;
    };
    let client = request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip());
    if let Some(ip) = client
        && let Err(retry_after) = state.client_limits.check(&endpoint, ip)
    {
        state.metrics.client_limited();
        tracing::info!(endpoint, "per-client limit reached");
        return refuse_input(
            &request,
            StatusCode::TOO_MANY_REQUESTS,
            AppError::RateLimited { retry_after },
        );
    }
    let too_large = || {
        AppError::field_with(
            "form",
            crate::key!("error.too_large"),
            &[("max", &(limits::MAX_BODY_BYTES / 1024).to_string())],
        )
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limits::MAX_BODY_BYTES) {
        return refuse_input(&request, StatusCode::PAYLOAD_TOO_LARGE, too_large());
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, limits::MAX_BODY_BYTES).await else {
        let request = Request::from_parts(parts, Body::empty());
        return refuse_input(&request, StatusCode::PAYLOAD_TOO_LARGE, too_large());
    };
    let request = Request::from_parts(parts, Body::from(bytes.clone()));
    // Every server function reads its body as a form whatever the `Content-Type` says
    // (server_fn's `PostUrl`), so every body is checked as one.
    let too_long: Vec<FieldError> = form_urlencoded::parse(&bytes)
        .filter(|(name, value)| value.len() > limits::max_field_bytes(name))
        .map(|(name, _)| FieldError {
            // The name is the sender's: only as much as a real field's is echoed.
            field: limits::leaf(&name).chars().take(64).collect(),
            key: crate::key!("error.too_long").to_owned(),
            args: vec![("max".to_owned(), limits::max_field_bytes(&name).to_string())],
        })
        .collect();
    if !too_long.is_empty() {
        return refuse_input(
            &request,
            StatusCode::BAD_REQUEST,
            AppError::Invalid(too_long),
        );
    }
    next.run(request).await
}

/// The server function a path calls (`/api/login` → `login`); `None` for anything else, the
/// Vobiz dialect's `/api/v1/…` included.
fn server_fn_name(path: &str) -> Option<&str> {
    path.strip_prefix("/api/")
        .filter(|name| !name.is_empty() && !name.contains('/'))
}

/// A server function's refusal made before it runs: its JSON error with `status` for a script or
/// a hydrated page; for a form posted without JavaScript, the redirect back to the form that the
/// server functions themselves answer with, carrying the error.
fn refuse_input(request: &Request, status: StatusCode, err: AppError) -> Response {
    use leptos::server_fn::error::{FromServerFnError, ServerFnUrlError};
    let headers = request.headers();
    let accepts_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    let referer = headers.get(header::REFERER).and_then(|v| v.to_str().ok());
    if accepts_html
        && let Some(referer) = referer
        && let Ok(url) = ServerFnUrlError::new(request.uri().path(), err.clone()).to_url(referer)
    {
        return Response::builder()
            .status(StatusCode::FOUND)
            .header(header::LOCATION, url.to_string())
            .body(Body::empty())
            .unwrap_or_else(|_| status.into_response());
    }
    let mut response = Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(err.ser()))
        .unwrap_or_else(|_| status.into_response());
    if let Some(seconds) = err.retry_after() {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// The largest error body a server function sends: an `AppError` in JSON.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// Server functions answer every error with 500 (the server-function layer's own choice). This
/// gives each error its own status (400, 401, 403, 404, 409, 429, 503; see `AppError::status`)
/// and a `Retry-After` where waiting helps, keeping the JSON body as it is. A form posted
/// without JavaScript is answered with a redirect, which stays as it is.
pub async fn server_fn_status(request: Request, next: Next) -> Response {
    if server_fn_name(request.uri().path()).is_none() {
        return next.run(request).await;
    }
    let response = next.run(request).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_ERROR_BODY).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "error body unreadable").into_response();
    };
    if let Ok(err) = serde_json::from_slice::<crate::error::AppError>(&bytes) {
        parts.status = StatusCode::from_u16(err.status()).unwrap_or(parts.status);
        if let Some(seconds) = err.retry_after() {
            parts
                .headers
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

tokio::task_local! {
    /// The request being served: its id, for log lines and error references, and where it
    /// comes from, for the activity log.
    static REQUEST: RequestMeta;
}

/// What the activity log notes about the request behind an event.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub id: String,
    pub ip: String,
    pub user_agent: String,
    /// Which API the request speaks: `panel` (pages and server functions), or one of the
    /// provider-compatible dialects.
    pub dialect: &'static str,
}

/// The id of the request being served, when there is one.
pub fn current_request_id() -> Option<String> {
    REQUEST.try_with(|r| r.id.clone()).ok()
}

/// The request being served; empty outside one (a command-line action).
pub fn current_request() -> RequestMeta {
    REQUEST.try_with(Clone::clone).unwrap_or_default()
}

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
pub async fn request_id(request: Request, next: Next) -> Response {
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
        .map(|info| info.0.ip().to_string())
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
    let span = tracing::info_span!(
        "request",
        id = %id,
        method = %request.method(),
        path = %request.uri().path()
    );
    let mut response = REQUEST
        .scope(meta, next.run(request))
        .instrument(span)
        .await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}
