//! "My account": the account ID, front and centre, and who is logged in.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::auth_fns::Me;
use crate::components::app_shell::WithCurrentUser;
use crate::components::card::Card;
use crate::components::copy_button::CopyButton;
use crate::i18n::use_lang;

#[component]
pub fn OverviewPage() -> impl IntoView {
    let query = use_query_map();
    let welcome = move || query.with(|q| q.get("welcome").is_some());
    let lang = use_lang();
    view! {
        <Title text=lang.t("nav.overview") />
        <h1>{move || if welcome() { lang.t("overview.ready") } else { lang.t("nav.overview") }}</h1>
        <WithCurrentUser let:me>
            <Account me />
        </WithCurrentUser>
    }
}

/// The account ID with its copy button, and the logged-in user's details.
#[component]
fn Account(me: Me) -> impl IntoView {
    let query = use_query_map();
    let welcome = move || query.with(|q| q.get("welcome").is_some());
    let password_changed = move || query.with(|q| q.get("password_changed").is_some());
    let lang = use_lang();
    let id = me.account_id.to_string();
    let user_login_example = format!("{id}/login");
    let privilege = if me.is_holder {
        lang.t("overview.holder_admin")
    } else {
        lang.t("shell.role.user")
    };
    view! {
        <Show when=password_changed>
            <p class="notice" role="status">{lang.t("overview.password_changed")}</p>
        </Show>
        <Show when=welcome>
            <p class="notice">
                {lang.t("overview.welcome_note")}" "
                <span class="mono">{user_login_example.clone()}</span> "."
            </p>
        </Show>
        <Card heading_id="account-id-heading" title=lang.t("field.account_id")>
            <p class="account-id">
                <span class="mono big" data-testid="account-id">{id.clone()}</span>
                " "
                <CopyButton value=id.clone() label=lang.t("common.copy_account_id") />
            </p>
        </Card>
        <Card heading_id="details-heading" title=lang.t("overview.details")>
            <dl class="details">
                <dt>{lang.t("field.company")}</dt>
                <dd>{me.company}</dd>
                <dt>{lang.t("shell.logged_in_as")}</dt>
                <dd class="mono">{me.login_id}</dd>
                <dt>{lang.t("field.email")}</dt>
                <dd>{me.email}</dd>
                <dt>{lang.t("field.privilege")}</dt>
                <dd>{privilege}</dd>
                <dt>{lang.t("overview.created")}</dt>
                <dd>{lang.datetime(me.account_created)}</dd>
            </dl>
        </Card>
    }
}
