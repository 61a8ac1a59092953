//! The language switch: a plain form, so that it works without JavaScript. Each language is a
//! button named in that language; the server remembers the choice and sends the visitor back
//! to the page they were on.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::i18n::{Lang, use_lang};

#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let lang = use_lang();
    let location = use_location();
    let here = move || {
        let search = location.search.get();
        let search = search.trim_start_matches('?');
        // A server function's error (without JavaScript) is not worth carrying over.
        if search.is_empty() || search.contains("__err=") {
            location.pathname.get()
        } else {
            format!("{}?{search}", location.pathname.get())
        }
    };
    view! {
        <form method="post" action="/language" class="language-switch" aria-label=lang.t("lang.label")>
            <input type="hidden" name="next" value=here />
            {Lang::ALL
                .into_iter()
                .map(|option| {
                    let current = option == lang;
                    view! {
                        <button
                            type="submit"
                            name="lang"
                            value=option.code()
                            lang=option.code()
                            class="link"
                            aria-pressed=if current { "true" } else { "false" }
                        >
                            {option.native_name()}
                        </button>
                    }
                })
                .collect_view()}
        </form>
    }
}
