//! What the panel's form and the provider APIs give to create or change a sub-account.

use crate::server::db;

/// The sub-account form as submitted: text as typed, boxes as ticked.
#[derive(Debug, Clone, Default)]
pub struct SubAccountInput {
    pub name: String,
    pub description: String,
    pub email: String,
    pub phone: String,
    pub rate_limit: String,
    pub calls: bool,
    pub cdr: bool,
    pub enabled: bool,
    pub kyc_mode: String,
    pub business_type: String,
    /// Lets the sub-account's holder log in with the sub-account ID; empty for no login.
    pub password: String,
    /// The name must be free across all accounts, not only among the parent's sub-accounts
    /// (a Gcore client's company); the database keeps the claim.
    pub claims_company: bool,
}

impl SubAccountInput {
    /// What a sub-account holds now, as a form to change some of it (the holder's password
    /// is never part of it: empty keeps it).
    pub fn from_row(row: &db::sub_account_store::SubAccountRow) -> Self {
        Self {
            name: row.name.clone(),
            description: row.description.clone(),
            email: row.contact_email.clone(),
            phone: row.phone.clone(),
            rate_limit: row.rate_limit.to_string(),
            calls: row.allow_calls,
            cdr: row.allow_cdr,
            enabled: row.enabled,
            kyc_mode: row.kyc_mode.clone(),
            business_type: row.business_type.clone(),
            password: String::new(),
            claims_company: false,
        }
    }
}
