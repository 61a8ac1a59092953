//! Whether the WASM bundle has hydrated the page. Controls that need JavaScript (copy buttons,
//! "Generate a password") appear only then; without it the page stays a set of plain forms.

use leptos::prelude::*;

/// True once the WASM bundle has hydrated the page.
#[derive(Clone, Copy)]
pub struct Hydrated(ReadSignal<bool>);

/// Provides [`Hydrated`] to everything below and returns it; it turns true when the page has
/// hydrated (effects run only in the browser).
pub fn provide_hydrated() -> ReadSignal<bool> {
    let (hydrated, set_hydrated) = signal(false);
    provide_context(Hydrated(hydrated));
    Effect::new(move |_| set_hydrated.set(true));
    hydrated
}

/// Whether the page has hydrated, for a `<Show when=…>`; false outside the app (no context).
pub fn is_hydrated() -> impl Fn() -> bool + Copy + Send + Sync + 'static {
    let hydrated = use_context::<Hydrated>().map(|h| h.0);
    move || hydrated.is_some_and(|h| h.get())
}
