//! "My account": the account ID, front and centre, and who is logged in.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::app_shell::CurrentUser;
use crate::components::copy_button::CopyButton;
use crate::i18n::use_lang;

#[component]
pub fn OverviewPage() -> impl IntoView {
    let current = expect_context::<CurrentUser>().0;
    let query = use_query_map();
    let welcome = move || query.with(|q| q.get("welcome").is_some());
    let password_changed = move || query.with(|q| q.get("password_changed").is_some());
    let lang = use_lang();
    view! {
        <Title text=lang.t("nav.overview") />
        <h1>{move || if welcome() { lang.t("overview.ready") } else { lang.t("nav.overview") }}</h1>
        <Suspense>
            {move || Suspend::new(async move {
                current.await.ok().flatten().map(|me| {
                    let id = me.account_id.to_string();
                    let user_login_example = format!("{id}/login");
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
                        <section class="card" aria-labelledby="account-id-heading">
                            <h2 id="account-id-heading">{lang.t("field.account_id")}</h2>
                            <p class="account-id">
                                <span class="mono big" data-testid="account-id">{id.clone()}</span>
                                " "
                                <CopyButton value=id.clone() label=lang.t("common.copy_account_id") />
                            </p>
                        </section>
                        <section class="card" aria-labelledby="details-heading">
                            <h2 id="details-heading">{lang.t("overview.details")}</h2>
                            <dl class="details">
                                <dt>{lang.t("field.company")}</dt>
                                <dd>{me.company}</dd>
                                <dt>{lang.t("shell.logged_in_as")}</dt>
                                <dd class="mono">{me.login_id}</dd>
                                <dt>{lang.t("field.email")}</dt>
                                <dd>{me.email}</dd>
                                <dt>{lang.t("field.privilege")}</dt>
                                <dd>{if me.is_holder { lang.t("overview.holder_admin") } else { lang.t("shell.role.user") }}</dd>
                                <dt>{lang.t("overview.created")}</dt>
                                <dd>{lang.datetime(me.account_created)}</dd>
                            </dl>
                        </section>
                    }
                })
            })}
        </Suspense>
    }
}
