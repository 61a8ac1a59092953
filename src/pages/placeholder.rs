//! Sections of the panel that are announced but not built yet: each says what will be there.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::i18n::use_lang;
use crate::key;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Activity,
}

impl Section {
    fn title(self) -> &'static str {
        match self {
            Self::Activity => key!("nav.activity"),
        }
    }

    fn description(self) -> &'static str {
        match self {
            Self::Activity => key!("activity.coming"),
        }
    }
}

#[component]
pub fn SectionPage(section: Section) -> impl IntoView {
    let lang = use_lang();
    view! {
        <Title text=lang.t(section.title()) />
        <h1>{lang.t(section.title())}</h1>
        <p class="notice">{lang.t("common.coming_soon")}" " {lang.t(section.description())}</p>
    }
}
