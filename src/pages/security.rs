//! "Security": the caller's own password (two-factor authentication and sessions to follow).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::change_password::ChangePasswordForm;
use crate::components::shell::CurrentUser;

#[component]
pub fn SecurityPage() -> impl IntoView {
    let current = expect_context::<CurrentUser>().0;
    view! {
        <Title text="Security" />
        <h1>"Security"</h1>
        <section class="card" aria-labelledby="password-heading">
            <h2 id="password-heading">"Change password"</h2>
            <p class="hint">"Your other sessions end; this one continues."</p>
            <Suspense>
                {move || Suspend::new(async move {
                    current
                        .await
                        .ok()
                        .flatten()
                        .map(|me| view! { <ChangePasswordForm context=format!("{} {}", me.login_id, me.email) /> })
                })}
            </Suspense>
        </section>
        <p class="notice">
            "Coming soon: two-factor authentication, and the list of your active sessions with a way to end each of them."
        </p>
    }
}
