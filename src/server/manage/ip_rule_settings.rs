//! Setting an account's IP rules (Administrators, in the account they work in: their own, or a
//! sub-account they manage). A rule set that would refuse the Administrator's own address is
//! refused with that address named, so nobody locks themselves out by saving.

use crate::domain::event::{Action, Event};
use crate::domain::ip_rules::{IpAction, IpPolicy, LineError, MAX_DESCRIPTION, MAX_RULES, Refusal};
use crate::error::{AppError, FieldErrors};
use crate::key;
use crate::server::db;
use crate::server::identity::address_check::client_address;
use crate::server::identity::caller::Caller;
use crate::server::identity::capabilities::Admin;
use crate::server::web::state::AppState;

/// The rules of account `account_pk`, for the operator (`steward account ip-rules`).
pub async fn policy_of(state: &AppState, account_pk: i64) -> Result<IpPolicy, AppError> {
    let stored = db::ip_policy_store::get(&state.db, account_pk).await?;
    Ok(IpPolicy::from_stored(stored.as_deref()))
}

/// The operator's way back in for an account whose Administrators are all refused by its rules
/// (an office's address changed): every address is let in again, on the record.
pub async fn open_by_operator(
    state: &AppState,
    account_pk: i64,
    account_id: &str,
) -> Result<(), AppError> {
    let root_pk = db::account_store::parent_of(&state.db, account_pk)
        .await?
        .unwrap_or(account_pk);
    let event = Event::command_line(account_pk, root_pk, Action::IpRulesUpdate, account_id);
    db::ip_policy_store::set(&state.db, &event, account_pk, None).await?;
    Ok(())
}

/// The rules of the account `caller` works in.
pub async fn policy(state: &AppState, caller: &Caller) -> Result<IpPolicy, AppError> {
    let stored = db::ip_policy_store::get(&state.db, caller.account_pk()).await?;
    Ok(IpPolicy::from_stored(stored.as_deref()))
}

/// Replaces the rules: `default` is `ACCEPT` or `DENY`, `rules` one rule per line.
pub async fn set(
    state: &AppState,
    admin: Admin<'_>,
    default: &str,
    rules: &str,
) -> Result<IpPolicy, AppError> {
    let mut problems = FieldErrors::default();
    let default = IpAction::from_code(default.trim());
    if default.is_none() {
        problems.add("default", key!("ip_rules.error.default"));
    }
    let parsed = IpPolicy::parse(default.unwrap_or_default(), rules);
    if let Err(errors) = &parsed {
        for error in errors {
            add_line_error(&mut problems, error);
        }
    }
    problems.into_result()?;
    let Ok(policy) = parsed else {
        return Err(AppError::field("rules", key!("ip_rules.error.unreadable")));
    };
    if let Some(address) = client_address()
        && let Err(refusal) = policy.judge(address)
    {
        let ip = address.to_canonical().to_string();
        return Err(match refusal {
            Refusal::Rule { number, .. } => AppError::field_with(
                "rules",
                key!("ip_rules.error.own_address_rule"),
                &[("ip", &ip), ("rule", &number.to_string())],
            ),
            Refusal::Default => AppError::field_with(
                "rules",
                key!("ip_rules.error.own_address_default"),
                &[("ip", &ip)],
            ),
        });
    }
    let caller = admin.caller();
    let event = Event::by(caller, Action::IpRulesUpdate, caller.account_id().as_str());
    db::ip_policy_store::set(
        &state.db,
        &event,
        caller.account_pk(),
        policy.to_stored().as_deref(),
    )
    .await?;
    Ok(policy)
}

fn add_line_error(problems: &mut FieldErrors, error: &LineError) {
    // Each message gets exactly the values it shows: one it has no place for would hide it.
    match error {
        LineError::Action(line) => problems.add_with(
            "rules",
            key!("ip_rules.error.action"),
            &[("line", &line.to_string())],
        ),
        LineError::Range(line) => problems.add_with(
            "rules",
            key!("ip_rules.error.range"),
            &[("line", &line.to_string())],
        ),
        LineError::Description(line) => problems.add_with(
            "rules",
            key!("ip_rules.error.description"),
            &[
                ("line", &line.to_string()),
                ("n", &MAX_DESCRIPTION.to_string()),
            ],
        ),
        LineError::TooMany => problems.add_with(
            "rules",
            key!("ip_rules.error.too_many"),
            &[("n", &MAX_RULES.to_string())],
        ),
    }
}
