//! The language of each request, and the switch in the header that changes it.
//!
//! A request's language is the user's saved choice, else the `steward_lang` cookie, else the
//! browser's `Accept-Language`, else English. The saved choice is mirrored into the cookie when
//! the user logs in and whenever they switch, so choosing the language costs no database read
//! per request: the cookie stands for the saved choice from login on.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::i18n::Lang;
use crate::server::web::state::AppState;

pub const COOKIE: &str = "steward_lang";
/// A year: the choice outlives sessions and logouts.
const COOKIE_MAX_AGE: u32 = 365 * 24 * 3600;

/// Middleware: puts the request's [`Lang`] in its extensions, where pages and server functions
/// find it (see [`request_lang`]).
pub async fn choose_language(mut request: Request, next: Next) -> Response {
    let lang = from_headers(request.headers());
    request.extensions_mut().insert(lang);
    next.run(request).await
}

/// The cookie's language, else the best match for `Accept-Language`, else English.
pub fn from_headers(headers: &HeaderMap) -> Lang {
    cookie_lang(headers).unwrap_or_else(|| {
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map(Lang::negotiate)
            .unwrap_or_default()
    })
}

fn cookie_lang(headers: &HeaderMap) -> Option<Lang> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .and_then(|(_, value)| Lang::from_code(value))
}

/// The `Set-Cookie` value that remembers `lang` in this browser.
pub fn cookie(lang: Lang, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE}={}; Path=/; Max-Age={COOKIE_MAX_AGE}; SameSite=Lax; HttpOnly{secure}",
        lang.code()
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("steward_lang=en; Path=/"))
}

/// The language of the request being rendered or served, from inside Leptos (a page or a
/// server function); English outside a request.
pub fn request_lang() -> Lang {
    leptos::prelude::use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Lang>().copied())
        .unwrap_or_default()
}

/// Whether the request being served is a form a browser posted without JavaScript (it asks
/// for HTML; a hydrated page's request and a script ask for JSON).
pub fn posted_without_javascript() -> bool {
    leptos::prelude::use_context::<axum::http::request::Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
    })
}

/// After a correct password: the user's saved language, if any, becomes this browser's, so
/// that the panel speaks it from the next page on.
pub async fn restore_saved_language(state: &AppState, user_id: i64) {
    let saved = match crate::server::db::language_store::get(&state.db, user_id).await {
        Ok(saved) => saved.as_deref().and_then(Lang::from_code),
        Err(err) => {
            tracing::warn!(error = %err, "could not read the saved language");
            None
        }
    };
    if let (Some(lang), Some(response)) = (
        saved,
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
    ) {
        response.append_header(header::SET_COOKIE, cookie(lang, state.config.cookie_secure));
    }
}

/// The language this browser chose with the switch (its cookie), from inside Leptos; `None`
/// when it only follows `Accept-Language`.
pub fn chosen_lang() -> Option<Lang> {
    leptos::prelude::use_context::<axum::http::request::Parts>()
        .and_then(|parts| cookie_lang(&parts.headers))
}

/// Saves `lang` as the choice of `user_id` (a new account holder who chose it before signing
/// up keeps it).
pub async fn save_language(state: &AppState, user_id: i64, lang: Lang) {
    if let Err(err) = crate::server::db::language_store::set(&state.db, user_id, lang.code()).await
    {
        tracing::warn!(error = %err, "could not save the language");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn the_cookie_wins_over_the_browser_and_english_is_the_default() {
        assert_eq!(from_headers(&headers(&[])), Lang::En);
        assert_eq!(
            from_headers(&headers(&[("accept-language", "fr-CA,fr;q=0.9")])),
            Lang::Fr
        );
        assert_eq!(
            from_headers(&headers(&[
                ("accept-language", "fr"),
                ("cookie", "a=b; steward_lang=en")
            ])),
            Lang::En
        );
        assert_eq!(
            from_headers(&headers(&[
                ("cookie", "x=1"),
                ("cookie", "steward_lang=fr")
            ])),
            Lang::Fr
        );
        assert_eq!(
            from_headers(&headers(&[("cookie", "steward_lang=xx")])),
            Lang::En
        );
    }

    #[test]
    fn the_cookie_is_secure_when_sessions_are() {
        let value = cookie(Lang::Fr, true);
        let text = value.to_str().unwrap_or_default();
        assert!(
            text.starts_with("steward_lang=fr;") && text.ends_with("; Secure"),
            "{text}"
        );
        assert!(
            !cookie(Lang::En, false)
                .to_str()
                .unwrap_or_default()
                .contains("Secure")
        );
    }
}
