//! The frame of the pages outside the panel: logging in, signing up, the forced steps.

use leptos::prelude::*;
use leptos_meta::Title;

use super::language_switch::LanguageSwitch;

/// A narrow page with its title and heading, and the language switch where a visitor may not
/// have chosen one yet.
#[component]
pub fn StandalonePage(
    /// The browser tab's title; also the heading unless `heading` is given.
    title: &'static str,
    #[prop(optional)] heading: Option<&'static str>,
    #[prop(optional)] language_switch: bool,
    /// Room for wider content (the two-factor enrolment's QR code and forms).
    #[prop(optional)]
    wide: bool,
    children: Children,
) -> impl IntoView {
    view! {
        <Title text=title />
        <main id="main" class=if wide { "narrow wide" } else { "narrow" }>
            {language_switch.then(|| view! { <LanguageSwitch /> })}
            <h1>{heading.unwrap_or(title)}</h1>
            {children()}
        </main>
    }
}
