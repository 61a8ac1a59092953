//! `/ovh/authorize/:id`: where a logged-in user authorizes a consumer key an OVHcloud
//! application requested. A plain form: it works without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::ovh_fns::{
    AuthorizeOvhConsumerKey, OvhGrantRefusal, OvhRuleView, get_ovh_authorization,
};
use crate::components::form::{ErrorMessage, FormAlert, FormErrors};
use crate::i18n::use_lang;

/// `/ovh/authorize/:id`: the application's name and requested rules, and an "Authorize"
/// button that grants the consumer key to the logged-in user.
#[component]
pub fn OvhAuthorizePage() -> impl IntoView {
    let authorize = ServerAction::<AuthorizeOvhConsumerKey>::new();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let found = Resource::new(
        move || (id(), authorize.version().get()),
        |(id, _)| get_ovh_authorization(id),
    );
    let errors = FormErrors::from_action(authorize);
    let lang = use_lang();
    view! {
        <Title text=lang.t("ovh.authorize.title") />
        <h1>{lang.t("ovh.authorize.title")}</h1>
        <Suspense fallback=move || view! { <p class="loading">{lang.t("common.loading")}</p> }>
            {move || Suspend::new(async move {
                match found.await {
                    Ok(view) if view.authorized => view! {
                        <p class="notice" role="status" data-testid="ovh-authorized">{lang.t("ovh.authorize.done")}</p>
                        <p>{lang.tf("ovh.authorize.can_act", &[("name", &view.application_name), ("login", &view.login_id)])}</p>
                        <Rules rules=view.rules />
                        <p><A href="/api-keys">{lang.t("ovh.authorize.back")}</A></p>
                    }
                    .into_any(),
                    Ok(view) => {
                        let owner = lang.tf(
                            "ovh.authorize.owner",
                            &[
                                ("company", &view.owner_company),
                                ("account", &view.owner_account_id),
                                ("login", &view.owner_login_id),
                            ],
                        );
                        let refusal = view.refusal.map(|r| match r {
                            OvhGrantRefusal::CrossAccount => lang.tf(
                                "ovh.authorize.refused.cross_account",
                                &[("account", &view.owner_account_id)],
                            ),
                            OvhGrantRefusal::OwnerInactive => {
                                lang.t("ovh.authorize.refused.owner_inactive").to_owned()
                            }
                        });
                        view! {
                            <section class="card" aria-labelledby="ovh-authorize-heading">
                                <h2 id="ovh-authorize-heading">{view.application_name.clone()}</h2>
                                {(!view.application_description.is_empty()).then(|| view! { <p>{view.application_description.clone()}</p> })}
                                <p data-testid="ovh-owner">{owner}</p>
                                <p>{lang.tf("ovh.authorize.asks", &[("login", &view.login_id)])}</p>
                                <Rules rules=view.rules />
                                {view.redirection.clone().map(|to| view! { <p class="hint">{lang.t("ovh.authorize.redirect")}" " <span class="mono">{to}</span> "."</p> })}
                                {match refusal {
                                    Some(text) => view! { <p class="alert" role="alert" data-testid="ovh-refused">{text}</p> }.into_any(),
                                    None => view! {
                                        <ActionForm action=authorize>
                                            <FormAlert message=errors.any() />
                                            <input type="hidden" name="id" value=id() />
                                            <p class="actions"><button type="submit">{lang.t("ovh.authorize.submit")}</button></p>
                                        </ActionForm>
                                    }
                                    .into_any(),
                                }}
                            </section>
                        }
                        .into_any()
                    }
                    Err(e) => view! {
                        <ErrorMessage error=e />
                        <p class="hint">{lang.t("ovh.authorize.expired_hint")}</p>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
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
