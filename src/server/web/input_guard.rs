//! What server functions get to see: the per-client limits, bounded bodies and fields, checked
//! before any of them runs; and the HTTP status their errors answer with.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{AppError, FieldErrors};
use crate::server::web::state::AppState;

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
    // The address `request_meta` settled (behind trusted proxies, the client's).
    let client = crate::server::infra::request_scope::current_request()
        .ip
        .parse::<std::net::IpAddr>()
        .ok();
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
    let mut too_long = FieldErrors::default();
    for (name, value) in form_urlencoded::parse(&bytes) {
        let max = limits::max_field_bytes(&name);
        if value.len() > max {
            // The name is the sender's: only as much as a real field's is echoed.
            let field: String = limits::leaf(&name).chars().take(64).collect();
            too_long.add_with(
                &field,
                crate::key!("error.too_long"),
                &[("max", &max.to_string())],
            );
        }
    }
    if let Err(too_long) = too_long.into_result() {
        return refuse_input(&request, StatusCode::BAD_REQUEST, too_long);
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
