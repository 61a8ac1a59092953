//! Getting back in without the password: asking for a link by mail ("Forgot your password?"),
//! then choosing a new password with it.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::recovery_fns::{
    CompletePasswordReset, PasswordLink, RequestPasswordReset, password_reset_link,
    recovery_by_mail,
};
use crate::components::async_content::AsyncContent;
use crate::components::form_errors::{FormAlert, FormErrors};
use crate::components::new_password_field::NewPasswordField;
use crate::components::standalone_page::StandalonePage;
use crate::components::text_field::TextField;
use crate::i18n::use_lang;

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let lang = use_lang();
    // Tracked: after a hydrated form's request, the page stays and only its query changes.
    let query = use_query_map();
    let sent = move || query.with(|q| q.get("sent").is_some());
    let by_mail = Resource::new(|| (), |_| recovery_by_mail());
    view! {
        <StandalonePage title=lang.t("recovery.title") heading=lang.t("recovery.heading") language_switch=true>
            {move || if sent() {
                view! { <p class="notice" role="status">{lang.t("recovery.sent")}</p> }.into_any()
            } else {
                view! {
                    <AsyncContent resource=by_mail let:by_mail>
                        {if by_mail {
                            view! { <RequestForm /> }.into_any()
                        } else {
                            view! { <p class="notice">{lang.t("recovery.mail_off")}</p> }.into_any()
                        }}
                    </AsyncContent>
                }
                .into_any()
            }}
            <p class="aside"><A href="/login">{lang.t("recovery.back_to_login")}</A></p>
        </StandalonePage>
    }
}

#[component]
fn RequestForm() -> impl IntoView {
    let request = ServerAction::<RequestPasswordReset>::new();
    let errors = FormErrors::from_action(request);
    let lang = use_lang();
    view! {
        <p>{lang.t("recovery.intro")}</p>
        <ActionForm action=request attr:class="form">
            <FormAlert message=errors.form() />
            <TextField id="login_id" label=lang.t("field.account_id") autocomplete="username"
                hint=lang.t("login.account_id_hint") required=true error=errors.field("login_id") />
            <button type="submit">{lang.t("recovery.send")}</button>
        </ActionForm>
    }
}

/// `/login/reset/:token`: the page a recovery link opens.
#[component]
pub fn ChooseNewPasswordPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token").unwrap_or_default());
    let usable = Resource::new(token, password_reset_link);
    view! {
        <StandalonePage title=lang.t("recovery.choose.title") language_switch=true>
            <AsyncContent resource=usable let:usable>
                {if let Some(link) = usable {
                    view! { <ChooseForm token=token() link /> }.into_any()
                } else {
                    view! {
                        <p class="notice" role="alert">{lang.t("recovery.error.link_expired")}</p>
                        <p><A href="/login/forgot">{lang.t("recovery.ask_again")}</A></p>
                    }
                    .into_any()
                }}
            </AsyncContent>
        </StandalonePage>
    }
}

#[component]
fn ChooseForm(token: String, link: PasswordLink) -> impl IntoView {
    let complete = ServerAction::<CompletePasswordReset>::new();
    let errors = FormErrors::from_action(complete);
    let lang = use_lang();
    let intro = if link.invitation {
        lang.t("recovery.choose.invitation")
    } else {
        lang.t("recovery.choose.intro")
    };
    view! {
        <p>{intro}</p>
        <p>{lang.t("recovery.choose.login_id")}" " <strong class="mono" data-testid="link-login-id">{link.login_id}</strong></p>
        <ActionForm action=complete attr:class="form">
            <FormAlert message=errors.form() />
            <input type="hidden" name="token" value=token />
            <NewPasswordField id="new_password" label=lang.t("password.new") context=String::new()
                error=errors.field("new_password") />
            <TextField id="confirm_password" label=lang.t("password.confirm") input_type="password"
                autocomplete="new-password" required=true error=errors.field("confirm_password") />
            <button type="submit">{lang.t("recovery.choose.submit")}</button>
        </ActionForm>
    }
}
