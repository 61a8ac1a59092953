//! The frame of every page behind login: header, navigation, and the page itself. Visitors who
//! are not logged in are sent to the login page; users with a pending step (a new password, 2FA
//! enrolment) to that step.

use leptos::prelude::*;
use leptos_router::components::{A, Outlet, Redirect};

use crate::api::auth_fns::{Logout, Me, whoami};
use crate::api::sub_account_fns::StopManagingSubAccount;
use crate::components::language_switch::LanguageSwitch;
use crate::components::loading::Loading;
use crate::error::AppError;
use crate::i18n::use_lang;

/// The logged-in user, loaded once by the shell for every page inside it.
#[derive(Clone, Copy)]
pub struct CurrentUser(pub Resource<Result<Option<Me>, AppError>>);

impl CurrentUser {
    /// Loads the user again whenever `action` succeeds: for actions that change which account
    /// the panel shows (managing a sub-account, and coming back).
    pub fn reload_after<A>(self, action: ServerAction<A>)
    where
        A: leptos::server_fn::ServerFn<Output = (), Error = AppError>
            + Clone
            + Send
            + Sync
            + 'static,
    {
        Effect::new(move |_| {
            if matches!(action.value().get(), Some(Ok(()))) {
                self.0.refetch();
            }
        });
    }
}

/// `children` with the logged-in user, once the shell has loaded them; nothing while nobody is
/// (the shell sends the visitor to the login page then).
#[component]
pub fn WithCurrentUser<V, F>(children: F) -> impl IntoView
where
    F: Fn(Me) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let current = expect_context::<CurrentUser>().0;
    view! {
        <Suspense>
            {move || {
                let children = children.clone();
                Suspend::new(async move { current.await.ok().flatten().map(children) })
            }}
        </Suspense>
    }
}

#[component]
pub fn AppShell() -> impl IntoView {
    let current = Resource::new(|| (), |_| whoami());
    provide_context(CurrentUser(current));
    let lang = use_lang();
    // Only the header waits for who is logged in. The page (the outlet) is rendered outside that
    // wait: inside it, the server would build the page twice, and a page that takes a one-time
    // reveal would spend it on the copy it throws away.
    view! {
        <a class="skip-link" href="#main">{lang.t("shell.skip")}</a>
        <Suspense fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match current.await {
                    Ok(Some(me)) if me.must_change_password => view! { <Redirect path="/password" /> }.into_any(),
                    Ok(Some(me)) if me.must_enrol_two_factor => {
                        view! { <Redirect path="/two-factor-setup" /> }.into_any()
                    }
                    Ok(Some(me)) => view! { <Header me /> }.into_any(),
                    Ok(None) => view! { <Redirect path=crate::components::error_message::login_path() /> }.into_any(),
                    Err(e) => view! { <p class="alert" role="alert">{e.message(lang)}</p> }.into_any(),
                }
            })}
        </Suspense>
        <div class="layout">
            <Nav />
            <main id="main">
                <Outlet />
            </main>
        </div>
    }
}

#[component]
fn Header(me: Me) -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    let lang = use_lang();
    let role = if me.is_holder {
        lang.t("shell.role.holder")
    } else {
        lang.t("shell.role.user")
    };
    view! {
        <header class="topbar">
            <a class="brand" href="/">"Steward"</a>
            <p class="topbar-account">
                <span class="label">{lang.t("shell.account")}" "</span>
                <span class="mono" data-testid="header-account-id">{me.account_id.to_string()}</span>
                <span class="company">{me.company.clone()}</span>
            </p>
            <p class="topbar-user">
                <span class="label">{lang.t("shell.logged_in_as")}" "</span>
                <strong class="mono">{me.login_id.clone()}</strong>
                <span class="role">" (" {role} ")"</span>
            </p>
            <LanguageSwitch />
            <ActionForm action=logout attr:class="logout">
                <button type="submit" class="secondary">{lang.t("shell.logout")}</button>
            </ActionForm>
        </header>
        {me.acting.map(|acting| view! { <ActingBanner account_id=me.account_id.to_string() company=me.company.clone() acting /> })}
    }
}

/// Shown on every page while an Administrator manages one of their sub-accounts.
#[component]
fn ActingBanner(
    account_id: String,
    company: String,
    acting: crate::api::auth_fns::Acting,
) -> impl IntoView {
    let back = ServerAction::<StopManagingSubAccount>::new();
    let lang = use_lang();
    expect_context::<CurrentUser>().reload_after(back);
    view! {
        <div class="acting-banner" role="status" data-testid="acting-banner">
            <p>
                {lang.t("shell.acting")}" " <strong class="mono">{account_id}</strong> " (" {company} ")"
            </p>
            <ActionForm action=back>
                <button type="submit" class="secondary">
                    {lang.tf(
                        "shell.back_to",
                        &[("account_id", acting.home_account_id.as_ref()), ("company", &acting.home_company)],
                    )}
                </button>
            </ActionForm>
        </div>
    }
}

#[component]
fn Nav() -> impl IntoView {
    let lang = use_lang();
    view! {
        <nav class="sections" aria-label=lang.t("nav.label")>
            <ul>
                <li><A href="/" exact=true>{lang.t("nav.overview")}</A></li>
                <li><A href="/users">{lang.t("nav.users")}</A></li>
                <li><A href="/sub-accounts">{lang.t("nav.sub_accounts")}</A></li>
                <li><A href="/security">{lang.t("nav.security")}</A></li>
                <li><A href="/api-keys">{lang.t("nav.api_keys")}</A></li>
                <li><A href="/activity">{lang.t("nav.activity")}</A></li>
            </ul>
        </nav>
    }
}
