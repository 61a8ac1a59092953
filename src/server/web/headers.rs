//! The headers around every response (content security policy and friends) and the refusal of
//! cross-site writes.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::server::infra::public_url::PublicUrl;
use crate::server::web::state::AppState;

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
pub async fn refuse_cross_site(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if is_cross_site_write(
        request.method(),
        request.headers(),
        state.config.public_url.as_ref(),
    ) {
        return Response::builder()
            .status(StatusCode::FORBIDDEN)
            .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
            .body(Body::from("Cross-site request refused."))
            .unwrap_or_else(|_| StatusCode::FORBIDDEN.into_response());
    }
    next.run(request).await
}

/// `Sec-Fetch-Site: same-origin` is the browser's own word and passes outright; `cross-site`
/// is refused. Otherwise an `Origin` must be the public URL's (`STEWARD_PUBLIC_URL`) or, without
/// one, name the `Host` the request was sent to; behind a proxy that rewrites `Host`, only the
/// public URL can tell.
fn is_cross_site_write(method: &Method, headers: &HeaderMap, public: Option<&PublicUrl>) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    match headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        Some("same-origin") => return false,
        Some("cross-site") => return true,
        _ => {}
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    if let Some(public) = public {
        return !public.is_origin(origin);
    }
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
        assert!(!is_cross_site_write(&Method::POST, &same, None));
        assert!(!is_cross_site_write(
            &Method::POST,
            &headers(&[("host", "panel.example")]),
            None
        ));
    }

    #[test]
    fn cross_site_and_foreign_origin_posts_are_refused() {
        let cross = headers(&[("host", "panel.example"), ("sec-fetch-site", "cross-site")]);
        assert!(is_cross_site_write(&Method::POST, &cross, None));
        let foreign = headers(&[
            ("host", "panel.example"),
            ("origin", "https://evil.example"),
        ]);
        assert!(is_cross_site_write(&Method::POST, &foreign, None));
        let null = headers(&[("host", "panel.example"), ("origin", "null")]);
        assert!(is_cross_site_write(&Method::DELETE, &null, None));
    }

    #[test]
    fn reads_are_never_refused() {
        let cross = headers(&[("host", "panel.example"), ("sec-fetch-site", "cross-site")]);
        assert!(!is_cross_site_write(&Method::GET, &cross, None));
    }

    /// Behind nginx's plain `proxy_pass`, `Host` is the upstream's address: the public URL
    /// decides.
    #[test]
    fn behind_a_proxy_the_public_url_is_the_origin() {
        let public = PublicUrl::parse("https://panel.example.com").unwrap();
        let proxied = headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "https://panel.example.com"),
        ]);
        assert!(!is_cross_site_write(&Method::POST, &proxied, Some(&public)));
        // Without the public URL, the same request looks cross-site.
        assert!(is_cross_site_write(&Method::POST, &proxied, None));
        let same_origin = headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "https://panel.example.com"),
            ("sec-fetch-site", "same-origin"),
        ]);
        assert!(!is_cross_site_write(&Method::POST, &same_origin, None));
        // A foreign origin sent with the public host is still foreign.
        let foreign = headers(&[
            ("host", "panel.example.com"),
            ("origin", "https://panel.example.com.evil.example"),
        ]);
        assert!(is_cross_site_write(&Method::POST, &foreign, Some(&public)));
        let downgraded = headers(&[
            ("host", "panel.example.com"),
            ("origin", "http://panel.example.com"),
        ]);
        assert!(is_cross_site_write(
            &Method::POST,
            &downgraded,
            Some(&public)
        ));
    }
}
