//! "IP rules" (Administrators): the addresses the account lets in, in order, and what happens
//! to the others. The page names the visitor's own address, and the server refuses a rule set
//! that would shut it out.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::ip_rule_fns::{IpRuleView, IpRulesView, SetIpRules, ip_rules};
use crate::components::async_content::AsyncContent;
use crate::components::breadcrumb::Breadcrumb;
use crate::components::card::Card;
use crate::components::data_table::DataTable;
use crate::components::form_errors::{FormAlert, FormErrors};
use crate::components::select_field::{Choice, SelectField};
use crate::i18n::use_lang;

#[component]
pub fn IpRulesPage() -> impl IntoView {
    let save = ServerAction::<SetIpRules>::new();
    let rules = Resource::new(move || save.version().get(), |_| ip_rules());
    let query = use_query_map();
    let saved = move || query.with(|q| q.get("saved").as_deref() == Some("1"));
    let lang = use_lang();
    view! {
        <Title text=lang.t("ip_rules.title") />
        <Breadcrumb href="/security" text=lang.t("nav.security") />
        <h1>{lang.t("ip_rules.title")}</h1>
        <p>{lang.t("ip_rules.intro")}</p>
        {move || saved().then(|| view! { <p class="notice" role="status">{lang.t("ip_rules.saved")}</p> })}
        <AsyncContent resource=rules let:view>
            <RulesTable view=view.clone() />
            <RulesForm view save />
        </AsyncContent>
    }
}

/// The saved rules in order, then the default.
#[component]
fn RulesTable(view: IpRulesView) -> impl IntoView {
    let lang = use_lang();
    let default_text = if view.default == "DENY" {
        lang.t("ip_rules.default_deny")
    } else {
        lang.t("ip_rules.default_accept")
    };
    let rows: Vec<(usize, IpRuleView)> = view.rules.into_iter().enumerate().collect();
    view! {
        <Card heading_id="current-rules-heading" title=lang.t("ip_rules.current")>
            <p>
                {lang.t("ip_rules.your_address")} " "
                <strong class="mono" data-testid="your-address">{view.your_address.clone()}</strong>
            </p>
            {if rows.is_empty() {
                view! { <p class="hint">{lang.t("ip_rules.none")}</p> }.into_any()
            } else {
                view! {
                    <DataTable
                        class="ip-rules"
                        columns=vec![
                            lang.t("ip_rules.number"),
                            lang.t("ip_rules.action"),
                            lang.t("ip_rules.range"),
                            lang.t("field.description"),
                        ]
                        rows=rows
                        row=move |(index, rule)| view! { <RuleRow index rule /> }
                    />
                }
                .into_any()
            }}
            <p data-testid="default-rule">{default_text}</p>
        </Card>
    }
}

#[component]
fn RuleRow(index: usize, rule: IpRuleView) -> impl IntoView {
    let lang = use_lang();
    let action = if rule.action == "DENY" {
        view! { <span class="status status-disabled">{lang.t("ip_rules.deny")}</span> }
    } else {
        view! { <span class="status status-ok">{lang.t("ip_rules.accept")}</span> }
    };
    view! {
        <tr>
            <td>{index + 1}</td>
            <td>{action}</td>
            <td class="mono">{rule.range}</td>
            <td>{rule.description}</td>
        </tr>
    }
}

/// The rules as a text box, one per line, and the default.
#[component]
fn RulesForm(view: IpRulesView, save: ServerAction<SetIpRules>) -> impl IntoView {
    let errors = FormErrors::from_action(save);
    let lang = use_lang();
    let rules_error = errors.field("rules");
    let defaults = vec![
        Choice::new("ACCEPT", lang.t("ip_rules.accept"), view.default != "DENY"),
        Choice::new("DENY", lang.t("ip_rules.deny"), view.default == "DENY"),
    ];
    view! {
        <Card heading_id="edit-rules-heading" title=lang.t("ip_rules.edit")>
            <ActionForm action=save attr:class="form">
                <FormAlert message=errors.form() />
                <div class="field" class:invalid=move || rules_error.get().is_some()>
                    <label for="rules">{lang.t("ip_rules.rules")}</label>
                    <textarea id="rules" name="rules" rows="8" class="mono" spellcheck="false"
                        aria-describedby="rules-hint rules-error">{view.text}</textarea>
                    <p class="hint" id="rules-hint">{lang.t("ip_rules.rules_hint")}</p>
                    <p class="field-error" id="rules-error" aria-live="polite">{move || rules_error.get()}</p>
                </div>
                <SelectField id="default" label=lang.t("ip_rules.default") choices=defaults
                    hint=lang.t("ip_rules.default_hint") error=errors.field("default") />
                <p class="actions"><button type="submit">{lang.t("ip_rules.save")}</button></p>
            </ActionForm>
        </Card>
    }
}
