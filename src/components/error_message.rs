//! What a page shows when its data could not be loaded.

use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::error::AppError;
use crate::i18n::use_lang;

/// A failed page load: the message, or the page to go to instead: login when the session has
/// ended meanwhile (an administrator disabled the user, say), or a pending step.
#[component]
pub fn ErrorMessage(error: AppError) -> impl IntoView {
    match error {
        AppError::Unauthenticated => view! { <Redirect path=login_path() /> }.into_any(),
        AppError::PasswordChangeRequired => view! { <Redirect path="/password" /> }.into_any(),
        AppError::TwoFactorRequired => view! { <Redirect path="/two-factor-setup" /> }.into_any(),
        other => view! { <p class="alert" role="alert">{other.message(use_lang())}</p> }.into_any(),
    }
}

/// The login page, with a way back here afterwards (`/login?next=/ovh/authorize/…`).
pub fn login_path() -> String {
    let location = leptos_router::hooks::use_location();
    let search = location.search.get_untracked();
    let search = search.trim_start_matches('?');
    let here = if search.is_empty() {
        location.pathname.get_untracked()
    } else {
        format!("{}?{search}", location.pathname.get_untracked())
    };
    if here == "/" {
        "/login".to_owned()
    } else {
        format!(
            "/login?next={}",
            crate::domain::navigation::encode_query_value(&here)
        )
    }
}
