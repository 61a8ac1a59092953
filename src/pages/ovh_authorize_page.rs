//! `/ovh/authorize/:id`: where a logged-in user authorizes a consumer key an OVHcloud
//! application requested. A plain form: it works without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::ovh_fns::{
    AuthorizeOvhConsumerKey, OvhAuthorizationView, OvhGrantRefusal, OvhRuleView,
    get_ovh_authorization,
};
use crate::components::async_content::AsyncContent;
use crate::components::card::Card;
use crate::components::form_errors::{FormAlert, FormErrors};
use crate::i18n::use_lang;

/// The application's name and requested rules, and an "Authorize" button that grants the
/// consumer key to the logged-in user.
#[component]
pub fn OvhAuthorizePage() -> impl IntoView {
    let authorize = ServerAction::<AuthorizeOvhConsumerKey>::new();
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    let found = Resource::new(
        move || (id.get(), authorize.version().get()),
        |(id, _)| get_ovh_authorization(id),
    );
    let lang = use_lang();
    view! {
        <Title text=lang.t("ovh.authorize.title") />
        <h1>{lang.t("ovh.authorize.title")}</h1>
        <AsyncContent resource=found error_hint=lang.t("ovh.authorize.expired_hint") let:request>
            {if request.authorized {
                view! { <Authorized request /> }.into_any()
            } else {
                view! { <AuthorizeRequest request id=id.get_untracked() authorize /> }.into_any()
            }}
        </AsyncContent>
    }
}

/// After "Authorize": what the application may now do, as whom.
#[component]
fn Authorized(request: OvhAuthorizationView) -> impl IntoView {
    let lang = use_lang();
    let can_act = lang.tf(
        "ovh.authorize.can_act",
        &[
            ("name", &request.application_name),
            ("login", &request.login_id),
        ],
    );
    view! {
        <p class="notice" role="status" data-testid="ovh-authorized">{lang.t("ovh.authorize.done")}</p>
        <p>{can_act}</p>
        <Rules rules=request.rules />
        <p><A href="/api-keys">{lang.t("ovh.authorize.back")}</A></p>
    }
}

/// The request: whose application, what it asks for, and "Authorize", or why it cannot be.
#[component]
fn AuthorizeRequest(
    request: OvhAuthorizationView,
    id: String,
    authorize: ServerAction<AuthorizeOvhConsumerKey>,
) -> impl IntoView {
    let errors = FormErrors::from_action(authorize);
    let lang = use_lang();
    let owner = lang.tf(
        "ovh.authorize.owner",
        &[
            ("company", &request.owner_company),
            ("account", &request.owner_account_id),
            ("login", &request.owner_login_id),
        ],
    );
    let refusal = request.refusal.map(|r| match r {
        OvhGrantRefusal::CrossAccount => lang.tf(
            "ovh.authorize.refused.cross_account",
            &[("account", &request.owner_account_id)],
        ),
        OvhGrantRefusal::OwnerInactive => lang.t("ovh.authorize.refused.owner_inactive").to_owned(),
    });
    let description = (!request.application_description.is_empty())
        .then(|| view! { <p>{request.application_description.clone()}</p> });
    let redirection = request.redirection.clone().map(|to| {
        view! { <p class="hint">{lang.t("ovh.authorize.redirect")}" " <span class="mono">{to}</span> "."</p> }
    });
    view! {
        <Card heading_id="ovh-authorize-heading" title=request.application_name.clone()>
            {description}
            <p data-testid="ovh-owner">{owner}</p>
            <p>{lang.tf("ovh.authorize.asks", &[("login", &request.login_id)])}</p>
            <Rules rules=request.rules />
            {redirection}
            {match refusal {
                Some(text) => view! { <p class="alert" role="alert" data-testid="ovh-refused">{text}</p> }.into_any(),
                None => view! {
                    <ActionForm action=authorize>
                        <FormAlert message=errors.any() />
                        <input type="hidden" name="id" value=id />
                        <p class="actions"><button type="submit">{lang.t("ovh.authorize.submit")}</button></p>
                    </ActionForm>
                }
                .into_any(),
            }}
        </Card>
    }
}

#[component]
fn Rules(rules: Vec<OvhRuleView>) -> impl IntoView {
    view! {
        <ul class="rules">
            {rules.into_iter().map(|r| view! { <li class="mono">{format!("{} {}", r.method, r.path)}</li> }).collect_view()}
        </ul>
    }
}
