//! The steps a user must take before anything else opens: choosing a new password after a
//! temporary one, and enrolling in two-factor authentication when the account requires it.
//! They stand outside the panel's frame; done, they lead back into it.

use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::api::auth_fns::{Logout, Me, whoami};
use crate::components::change_password_form::ChangePasswordForm;
use crate::components::error_message::ErrorMessage;
use crate::components::key_section::KeySection;
use crate::components::loading::Loading;
use crate::components::standalone_page::StandalonePage;
use crate::components::two_factor_section::TwoFactorSection;
use crate::error::AppError;
use crate::i18n::use_lang;
use crate::key;

/// Sends away whoever is not (or no longer) in the step: `in_step` says who is.
fn stay_if(result: Result<Option<Me>, AppError>, in_step: impl Fn(&Me) -> bool) -> Option<AnyView> {
    match result {
        Ok(Some(me)) if in_step(&me) => None,
        Ok(Some(_)) => Some(view! { <Redirect path="/" /> }.into_any()),
        Ok(None) => Some(view! { <Redirect path="/login" /> }.into_any()),
        Err(e) => Some(view! { <ErrorMessage error=e /> }.into_any()),
    }
}

#[component]
fn LogOutInstead() -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    let lang = use_lang();
    view! {
        <ActionForm action=logout attr:class="aside">
            <button type="submit" class="link">{lang.t("forced.logout_instead")}</button>
        </ActionForm>
    }
}

#[component]
pub fn ForcedPasswordPage() -> impl IntoView {
    let current = Resource::new(|| (), |_| whoami());
    let lang = use_lang();
    view! {
        <StandalonePage title=lang.t("forced.password.title")>
            <Suspense fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    let result = current.await;
                    let context = result.as_ref().ok().flatten().map(|me| format!("{} {}", me.login_id, me.email));
                    match stay_if(result, |me| me.must_change_password) {
                        Some(elsewhere) => elsewhere,
                        None => view! {
                            <p class="notice">{lang.t("forced.password.notice")}</p>
                            <ChangePasswordForm context=context.unwrap_or_default() submit={key!("forced.save_continue")} />
                        }
                        .into_any(),
                    }
                })}
            </Suspense>
            <LogOutInstead />
        </StandalonePage>
    }
}

#[component]
pub fn ForcedEnrolmentPage() -> impl IntoView {
    let current = Resource::new(|| (), |_| whoami());
    let lang = use_lang();
    // The section loads its own data, so it stands outside the wait for `current`.
    view! {
        <StandalonePage title=lang.t("forced.two_factor.title") wide=true>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move { stay_if(current.await, |me| me.must_enrol_two_factor) })}
            </Suspense>
            <p class="notice">{lang.t("forced.two_factor.notice")}</p>
            <TwoFactorSection />
            <KeySection />
            <LogOutInstead />
        </StandalonePage>
    }
}
