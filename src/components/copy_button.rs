//! A "Copy" button for IDs and one-time secrets. It needs JavaScript, so it appears only once
//! the page has hydrated; without JavaScript the value stays selectable text.

use leptos::prelude::*;
use std::time::Duration;

use super::hydration::is_hydrated;
use crate::i18n::use_lang;

#[component]
pub fn CopyButton(
    /// The text put on the clipboard.
    #[prop(into)]
    value: String,
    /// What the button copies, for screen readers, e.g. "Copy account ID".
    #[prop(into)]
    label: String,
) -> impl IntoView {
    let hydrated = is_hydrated();
    let lang = use_lang();
    let copied = RwSignal::new(false);
    let value = StoredValue::new(value);
    let label = StoredValue::new(label);
    let copy = move |_| {
        copy_text(&value.get_value());
        copied.set(true);
        // `try_set`: the button may be gone two seconds later.
        set_timeout(
            move || {
                let _ = copied.try_set(false);
            },
            Duration::from_secs(2),
        );
    };
    // The wrapper is always there: an empty placeholder next to text would merge with it in the
    // server's HTML, and hydration would then find the nodes out of step.
    view! {
        <span class="copy-slot">
        <Show when=hydrated>
            <button type="button" class="copy" aria-label=label.get_value() on:click=copy>
                {move || if copied.get() { lang.t("common.copied") } else { lang.t("common.copy") }}
            </button>
        </Show>
        </span>
    }
}

#[cfg(feature = "hydrate")]
fn copy_text(text: &str) {
    if let Some(window) = web_sys::window() {
        // The promise is left to settle on its own; a refusal leaves the text selectable.
        let _ = window.navigator().clipboard().write_text(text);
    }
}

#[cfg(not(feature = "hydrate"))]
fn copy_text(_text: &str) {}
