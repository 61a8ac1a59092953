//! "My account": the account ID, front and centre, and who is logged in.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::copy::CopyButton;
use crate::components::shell::CurrentUser;

#[component]
pub fn OverviewPage() -> impl IntoView {
    let current = expect_context::<CurrentUser>().0;
    let query = use_query_map();
    let welcome = move || query.with(|q| q.get("welcome").is_some());
    let password_changed = move || query.with(|q| q.get("password_changed").is_some());
    view! {
        <Title text="My account" />
        <h1>{move || if welcome() { "Your account is ready" } else { "My account" }}</h1>
        <Suspense>
            {move || Suspend::new(async move {
                current.await.ok().flatten().map(|me| {
                    let id = me.account_id.to_string();
                    let user_login_example = format!("{id}/login");
                    view! {
                        <Show when=password_changed>
                            <p class="notice" role="status">"Your password was changed. Your other sessions have ended."</p>
                        </Show>
                        <Show when=welcome>
                            <p class="notice">
                                "Note your account ID below: you log in with it. The users you add log in with "
                                <span class="mono">{user_login_example.clone()}</span> "."
                            </p>
                        </Show>
                        <section class="card" aria-labelledby="account-id-heading">
                            <h2 id="account-id-heading">"Account ID"</h2>
                            <p class="account-id">
                                <span class="mono big" data-testid="account-id">{id.clone()}</span>
                                " "
                                <CopyButton value=id.clone() label="Copy account ID" />
                            </p>
                        </section>
                        <section class="card" aria-labelledby="details-heading">
                            <h2 id="details-heading">"Details"</h2>
                            <dl class="details">
                                <dt>"Company"</dt>
                                <dd>{me.company}</dd>
                                <dt>"Logged in as"</dt>
                                <dd class="mono">{me.login_id}</dd>
                                <dt>"Email"</dt>
                                <dd>{me.email}</dd>
                                <dt>"Privilege"</dt>
                                <dd>{if me.is_holder { "Account holder (Administrator)" } else { "User" }}</dd>
                                <dt>"Created"</dt>
                                <dd>{me.account_created}</dd>
                            </dl>
                        </section>
                    }
                })
            })}
        </Suspense>
    }
}
