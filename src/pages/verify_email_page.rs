//! `/verify-email/:token`: the page a verification link opens. Opening it changes nothing (mail
//! scanners open links too): the address is verified by the button, a form that works without
//! JavaScript.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::email_fns::{VerifyEmail, email_verification_link};
use crate::components::async_content::AsyncContent;
use crate::components::form_errors::{FormAlert, FormErrors};
use crate::components::standalone_page::StandalonePage;
use crate::domain::email::VerificationLink;
use crate::i18n::use_lang;

#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token").unwrap_or_default());
    let verify = ServerAction::<VerifyEmail>::new();
    let link = Resource::new(
        move || (token(), verify.version().get()),
        |(token, _)| email_verification_link(token),
    );
    let errors = FormErrors::from_action(verify);
    view! {
        <StandalonePage title=lang.t("verify_email.title") language_switch=true>
            <AsyncContent resource=link let:link>
                {match link {
                    VerificationLink::Pending { email } => view! {
                        <p>{lang.tf("verify_email.intro", &[("email", &email)])}</p>
                        <ActionForm action=verify attr:class="form">
                            <FormAlert message=errors.any() />
                            <input type="hidden" name="token" value=token() />
                            <button type="submit">{lang.t("verify_email.submit")}</button>
                        </ActionForm>
                    }
                    .into_any(),
                    VerificationLink::Verified => view! {
                        <p class="notice" role="status">{lang.t("verify_email.done")}</p>
                    }
                    .into_any(),
                    VerificationLink::Expired => view! {
                        <p class="notice" role="alert">{lang.t("verify_email.expired")}</p>
                    }
                    .into_any(),
                }}
            </AsyncContent>
            <p class="aside"><A href="/">{lang.t("verify_email.to_panel")}</A></p>
        </StandalonePage>
    }
}
