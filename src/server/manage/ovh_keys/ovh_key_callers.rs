//! Who a granted consumer key stands for, checked up its whole chain of keys on every call.

use super::*;

/// The longest chain of keys minted through keys that is followed; a longer one works no more.
/// (Sub-accounts do not nest, so a real chain has two links.)
pub(super) const MAX_CHAIN: usize = 8;

/// The caller a granted key of `application` stands for, or `None` when the key no longer
/// works: its user or account can no longer act, or the user's password or privilege changed
/// since it was granted; the application's owner is no longer an enabled Administrator under the
/// stamp they had then; it acts in another top-level account than the application's while the
/// operator denies that; or a key it was minted through (and so on up) no longer works.
pub async fn caller(
    state: &AppState,
    application: &Application,
    key: &GrantedKey,
) -> Result<Option<Caller>, AppError> {
    if !application.owner_active
        || key.owner_stamp.as_deref() != Some(application.owner_stamp.as_str())
    {
        return Ok(None);
    }
    let Some(caller) = caller::api_caller(
        state,
        key.user_id,
        Some(&key.user_stamp),
        Via::OvhConsumerKey(key.id),
        Role::Administrator,
    )
    .await?
    else {
        return Ok(None);
    };
    if !within_ranges(state, &caller, key.allowed_ips.as_deref()).await? {
        return Ok(None);
    }
    let root = caller.parent_pk().unwrap_or(caller.account_pk());
    if root != application.owner_root_pk && state.config.ovh_cross_account == OvhCrossAccount::Deny
    {
        return Ok(None);
    }
    if !parents_work(state, application, key.parent_key_id).await? {
        return Ok(None);
    }
    db::ovh_key_store::touch(&state.db, key.id).await?;
    Ok(Some(caller))
}

/// Whether key `parent` (if any) and every key above it still work: granted, of the same
/// application under its owner's current stamp, and their users still able to act under the
/// stamps they were granted with.
pub(super) async fn parents_work(
    state: &AppState,
    application: &Application,
    mut parent: Option<i64>,
) -> Result<bool, AppError> {
    for _ in 0..MAX_CHAIN {
        let Some(id) = parent else {
            return Ok(true);
        };
        let Some(row) = db::ovh_key_store::find_consumer_key_by_id(&state.db, id).await? else {
            return Ok(false);
        };
        if row.application_id != application.id {
            return Ok(false);
        }
        let ConsumerKey::Granted(key) = ConsumerKey::of(row) else {
            return Ok(false);
        };
        if key.owner_stamp.as_deref() != Some(application.owner_stamp.as_str()) {
            return Ok(false);
        }
        let via = Via::OvhConsumerKey(key.id);
        let Some(caller) =
            caller::api_caller(state, key.user_id, Some(&key.user_stamp), via, Role::None).await?
        else {
            return Ok(false);
        };
        // A key minted through a limited key is held to its limits too.
        if !within_ranges(state, &caller, key.allowed_ips.as_deref()).await? {
            return Ok(false);
        }
        parent = key.parent_key_id;
    }
    Ok(false)
}

/// Whether the client is inside the key's own allowed ranges (`allowedIPs`); a refusal is
/// recorded.
async fn within_ranges(
    state: &AppState,
    caller: &Caller,
    allowed_ips: Option<&str>,
) -> Result<bool, AppError> {
    use crate::server::identity::address_check;
    if address_check::judge(allowed_ips).is_ok() {
        return Ok(true);
    }
    let why = address_check::OUTSIDE_CREDENTIAL_RANGES;
    address_check::record_refusal(state, caller, why).await?;
    Ok(false)
}
