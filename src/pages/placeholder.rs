//! Sections of the panel that are announced but not built yet: each says what will be there.

use leptos::prelude::*;
use leptos_meta::Title;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    SubAccounts,
    ApiKeys,
    Activity,
}

impl Section {
    fn title(self) -> &'static str {
        match self {
            Self::SubAccounts => "Sub-accounts",
            Self::ApiKeys => "API keys",
            Self::Activity => "Activity",
        }
    }

    fn description(self) -> &'static str {
        match self {
            Self::SubAccounts => {
                "Create isolated sub-accounts for a customer, a team or a department, each with \
                 its own users and API credentials shown exactly once."
            }
            Self::ApiKeys => {
                "Create credentials for the OVHcloud, Tencent Cloud, Gcore and Vobiz compatible \
                 APIs, so that those providers' own client libraries work against Steward."
            }
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
