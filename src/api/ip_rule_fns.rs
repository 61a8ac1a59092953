//! IP rules of the account the caller works in: which addresses may log in, use a session or
//! an API credential (Administrators).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpRuleView {
    /// `ACCEPT` or `DENY`.
    pub action: String,
    pub range: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpRulesView {
    /// `ACCEPT` or `DENY`: what happens to an address no rule names.
    pub default: String,
    pub rules: Vec<IpRuleView>,
    /// The rules as the text box edits them, one per line.
    pub text: String,
    /// The address this request came from, as the rules see it.
    pub your_address: String,
}

#[cfg(feature = "ssr")]
fn view_of(policy: &crate::domain::ip_rules::IpPolicy) -> IpRulesView {
    IpRulesView {
        default: policy.default.code().to_owned(),
        rules: policy
            .rules
            .iter()
            .map(|rule| IpRuleView {
                action: rule.action.code().to_owned(),
                range: rule.range.to_string(),
                description: rule.description.clone(),
            })
            .collect(),
        text: policy.to_text(),
        your_address: crate::server::identity::address_check::client_address()
            .map(|a| a.to_canonical().to_string())
            .unwrap_or_default(),
    }
}

#[server(endpoint = "ip_rules")]
pub async fn ip_rules() -> Result<IpRulesView, AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    let admin = caller.admin()?;
    let policy = crate::server::manage::ip_rule_settings::policy(&state, admin.caller()).await?;
    Ok(view_of(&policy))
}

/// Replaces the rules: `default` is `ACCEPT` or `DENY`; `rules` holds one rule per line
/// (`ACCEPT 203.0.113.0/24 Office`).
#[server(endpoint = "set_ip_rules")]
pub async fn set_ip_rules(
    default: String,
    #[server(default)] rules: String,
) -> Result<(), AppError> {
    let (state, caller) = crate::server::identity::current::authenticate().await?;
    crate::server::manage::ip_rule_settings::set(&state, caller.admin()?, &default, &rules).await?;
    leptos_axum::redirect("/security/ip-rules?saved=1");
    Ok(())
}
