//! Sections of the panel that are announced but not built yet: each says what will be there.

use leptos::prelude::*;
use leptos_meta::Title;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Activity,
}

impl Section {
    fn title(self) -> &'static str {
        match self {
            Self::Activity => "Activity",
        }
    }

    fn description(self) -> &'static str {
        match self {
            Self::Activity => {
                "Every change and security event on the account: who did what, when and from \
                 where, with filters and a CSV download."
            }
        }
    }
}

#[component]
pub fn SectionPage(section: Section) -> impl IntoView {
    view! {
        <Title text=section.title() />
        <h1>{section.title()}</h1>
        <p class="notice">"Coming soon. " {section.description()}</p>
    }
}
