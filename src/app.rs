//! The HTML shell and the route table: every page of Steward is listed here.

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{SsrMode, path};

use crate::components::app_shell::AppShell;
use crate::components::hydration::provide_hydrated;
use crate::i18n::Lang;
use crate::pages::{
    activity_page::ActivityPage,
    api_keys_page::ApiKeysPage,
    forced_step_page::{ForcedEnrolmentPage, ForcedPasswordPage},
    groups_page::GroupsPage,
    ip_rules_page::IpRulesPage,
    login_page::{LoginCodePage, LoginPage},
    not_found_page::NotFoundPage,
    overview_page::OverviewPage,
    ovh_authorize_page::OvhAuthorizePage,
    recovery_page::{ChooseNewPasswordPage, ForgotPasswordPage},
    reveal_page::RevealPage,
    security_page::SecurityPage,
    signup_page::SignupPage,
    sub_accounts_page::{
        DeleteSubAccountPage, NewSubAccountPage, SubAccountDetailPage, SubAccountsPage,
    },
    user_edit_page::{EditUserPage, RemoveUserPage, ResetPasswordPage},
    user_new_page::{BulkUsersPage, NewUserPage},
    users_page::UsersPage,
    verify_email_page::VerifyEmailPage,
};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::web::headers::set_page_csp();
    let lang = page_lang();
    view! {
        <!DOCTYPE html>
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The language to render in: the request's on the server (chosen by `server::i18n`), and in
/// the browser the one the server wrote into `<html lang>`, so that hydration agrees.
fn page_lang() -> Lang {
    #[cfg(feature = "ssr")]
    let lang = crate::server::web::negotiation::request_lang();
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    let lang = document()
        .document_element()
        .and_then(|root| root.get_attribute("lang"))
        .and_then(|code| Lang::from_code(&code))
        .unwrap_or_default();
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    let lang = Lang::default();
    lang
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let lang = page_lang();
    provide_context(lang);
    let hydrated = provide_hydrated();

    // Every route renders completely on the server before it is sent (`SsrMode::Async`), so
    // that each page works without JavaScript.
    view! {
        <Stylesheet id="leptos" href="/pkg/steward.css" />
        <Title formatter=|text: String| if text.is_empty() { "Steward".to_owned() } else { format!("{text} · Steward") } />
        <Router>
            <div class="app" data-hydrated=move || hydrated.get().then_some("true")>
                <Routes fallback=|| view! { <NotFoundPage /> }>
                    <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                    <Route path=path!("/login/code") view=LoginCodePage ssr=SsrMode::Async />
                    <Route path=path!("/login/forgot") view=ForgotPasswordPage ssr=SsrMode::Async />
                    <Route path=path!("/login/reset/:token") view=ChooseNewPasswordPage ssr=SsrMode::Async />
                    <Route path=path!("/verify-email/:token") view=VerifyEmailPage ssr=SsrMode::Async />
                    <Route path=path!("/signup") view=SignupPage ssr=SsrMode::Async />
                    <Route path=path!("/password") view=ForcedPasswordPage ssr=SsrMode::Async />
                    <Route path=path!("/two-factor-setup") view=ForcedEnrolmentPage ssr=SsrMode::Async />
                    <ParentRoute path=path!("") view=AppShell ssr=SsrMode::Async>
                        <Route path=path!("") view=OverviewPage ssr=SsrMode::Async />
                        <Route path=path!("users") view=UsersPage ssr=SsrMode::Async />
                        <Route path=path!("users/new") view=NewUserPage ssr=SsrMode::Async />
                        <Route path=path!("users/bulk") view=BulkUsersPage ssr=SsrMode::Async />
                        <Route path=path!("users/groups") view=GroupsPage ssr=SsrMode::Async />
                        <Route path=path!("users/:login/edit") view=EditUserPage ssr=SsrMode::Async />
                        <Route path=path!("users/:login/remove") view=RemoveUserPage ssr=SsrMode::Async />
                        <Route path=path!("users/:login/reset-password") view=ResetPasswordPage ssr=SsrMode::Async />
                        <Route path=path!("reveal/:id") view=RevealPage ssr=SsrMode::Async />
                        <Route path=path!("sub-accounts") view=SubAccountsPage ssr=SsrMode::Async />
                        <Route path=path!("sub-accounts/new") view=NewSubAccountPage ssr=SsrMode::Async />
                        <Route path=path!("sub-accounts/:id") view=SubAccountDetailPage ssr=SsrMode::Async />
                        <Route path=path!("sub-accounts/:id/delete") view=DeleteSubAccountPage ssr=SsrMode::Async />
                        <Route path=path!("security") view=SecurityPage ssr=SsrMode::Async />
                        <Route path=path!("security/ip-rules") view=IpRulesPage ssr=SsrMode::Async />
                        <Route path=path!("api-keys") view=ApiKeysPage ssr=SsrMode::Async />
                        <Route path=path!("ovh/authorize/:id") view=OvhAuthorizePage ssr=SsrMode::Async />
                        <Route path=path!("activity") view=ActivityPage ssr=SsrMode::Async />
                    </ParentRoute>
                </Routes>
            </div>
        </Router>
    }
}
